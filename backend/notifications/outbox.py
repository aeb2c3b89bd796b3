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


# The admins' messages of a college decision nobody at the college can make now (migration 0071): its check, its
# hand back, or a job held by a suspended student, at a college whose teachers all left (deleted, suspended, moved)
# after the message went to them, or whose only teacher asked for the repair (or, for a check, worked on the job:
# migration 0074). Once per job, wait and admin (the
# dedupe key is the one the status trigger and the suspension write), whichever copy's clock sees it first.
_UNDECIDED = """
    insert into public.notifications (recipient_id, kind, params, request_id, about_id, dedupe_key)
    select d.id,
           case when u.holder_suspended then 'holder_suspended'
                when r.status = 'quality_check' then 'qc_waiting' else 'handback_waiting' end,
           jsonb_build_object('item', r.item, 'technician', coalesce(private.first_name(r.technician_id), ''),
                              'college_th', c.name_th, 'college_en', c.name_en, 'nobody_at_college', true,
                              'reason', coalesce((select e.note_params ->> 'reason' from public.status_events e
                                                  where e.id = u.started), '')),
           r.id,
           case when r.status <> 'unrepairable' and private.first_name(r.technician_id) <> ''
                then r.technician_id end,
           case when u.holder_suspended then 'held:' || u.started || ':' || r.technician_id || ':'
                                          || coalesce(private.switched_off_by(r.technician_id), 0)
                else 'decide:' || u.started end || ':' || d.id
    from private.undecided_jobs() u
    join public.repair_requests r on r.id = u.request_id
    left join public.colleges c on c.id = r.college_id
    cross join lateral private.deciders(r.college_id, r.citizen_id,
                                        case when r.status = 'quality_check' then r.id end) d
    where d.admin and u.started is not null
    on conflict (dedupe_key) do nothing
    returning id"""


async def notify_undecided(conn: Conn) -> int:
    """Tell the admins of the jobs waiting on a college that has nobody to decide them (once each). Returns how many
    notifications were written."""
    return len(await (await conn.execute(_UNDECIDED)).fetchall())
