"""The outbox's one Python writer: the periodic tick's "an offer is about to expire and nobody accepted" (every
other notification is written by the database's triggers, migration 0016). Once per offer round (the offers made
together share their expiry) and supervisor, whichever backend copy's tick sees it first (a unique dedupe key)."""

from datetime import datetime, timedelta

from backend.db import Conn


async def notify_expiring_offers(conn: Conn, now: datetime, within: timedelta) -> int:
    """Tell the college's supervisors about jobs whose pending offers all expire within `within` and that nobody
    accepted yet. Returns how many notifications were written."""
    cur = await conn.execute(
        """insert into public.notifications (recipient_id, kind, params, request_id, offer_id, dedupe_key)
           select s.id, 'offer_expiring',
                  jsonb_build_object('item', r.item, 'expires_at', o.expires_at, 'waiting', o.n), r.id, o.first_offer,
                  'offer_expiring:' || r.id || ':' || extract(epoch from o.expires_at)::bigint || ':' || s.id
           from (select request_id, college_id, max(expires_at) as expires_at, count(*) as n,
                        (array_agg(id order by rank))[1] as first_offer
                 from public.offers where status = 'pending'
                 group by request_id, college_id) o
           join public.repair_requests r on r.id = o.request_id and r.status = 'offered'
           join public.profiles s on s.college_id = o.college_id and s.role = 'supervisor' and s.is_active
           where o.expires_at > %(now)s and o.expires_at <= %(until)s
           on conflict (dedupe_key) do nothing
           returning id""",
        {"now": now, "until": now + within},
    )
    return len(await cur.fetchall())
