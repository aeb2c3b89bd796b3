"""Reading repair requests for each role's home. RLS already limits rows; the filters say what each list is."""

import uuid
from datetime import datetime, timedelta
from typing import Any

from backend.db import Conn
from shared.reference import PREFIX

_SUMMARY = f"""
    select r.id, '{PREFIX}' || r.ref_no as reference, r.category_code,
           cat.name_th as category_name_th, cat.name_en as category_name_en,
           cat.icon as category_icon, r.item, r.status, r.created_at, r.updated_at,
           col.name_th as college_name_th, col.name_en as college_name_en
    from public.repair_requests r
    join public.categories cat on cat.code = r.category_code
    left join public.colleges col on col.id = r.college_id
"""


async def citizen_requests(conn: Conn, citizen_id: uuid.UUID) -> list[dict[str, Any]]:
    cur = await conn.execute(_SUMMARY + " where r.citizen_id = %s order by r.created_at desc limit 200", [citizen_id])
    return await cur.fetchall()


async def technician_jobs(conn: Conn) -> list[dict[str, Any]]:
    """The caller's jobs (by the claims), newest change first. `my_jobs()` filters by auth.uid() and limits
    inside (migration 0019): with the filter under row-level security the planner sorted all of a student's jobs
    before the limit."""
    cur = await conn.execute(
        f"select id, '{PREFIX}' || ref_no as reference, category_code, category_name_th, category_name_en, "
        "category_icon, item, status, created_at, updated_at, college_name_th, college_name_en "
        "from public.my_jobs(200)"
    )
    return await cur.fetchall()


async def technician_offers(conn: Conn, open_only: bool = True) -> list[dict[str, Any]]:
    """Offers a student can still answer (pending, not expired), newest first: taken, declined and expired ones
    are history, and an accepted job is on the student's job list instead."""
    cur = await conn.execute(
        "select offer_id, request_id, offer_status, category_code, item, province, district, "
        "distance_km::float as distance_km, created_at, expires_at, photo_count "
        "from public.my_offer_cards(%s, 200)",
        [open_only],
    )
    return await cur.fetchall()


async def descriptions(conn: Conn, request_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The citizen's description of each request (for the offer cards of requests a student was offered)."""
    cur = await conn.execute("select id, description from public.repair_requests where id = any(%s)",
                             [request_ids])
    return {row["id"]: row["description"] for row in await cur.fetchall()}


async def college_counts(conn: Conn, college_id: uuid.UUID) -> dict[str, int]:
    cur = await conn.execute(
        "select status, count(*)::int as n from public.repair_requests where college_id = %s group by status",
        [college_id],
    )
    return {str(row["status"]): int(row["n"]) for row in await cur.fetchall()}


async def college_queue(conn: Conn, college_id: uuid.UUID) -> tuple[dict[str, int], list[dict[str, Any]]]:
    counts = await college_counts(conn, college_id)
    cur = await conn.execute(
        _SUMMARY + " where r.college_id = %s order by r.updated_at desc limit 200", [college_id]
    )
    return counts, await cur.fetchall()


async def college_dashboard(conn: Conn, college_id: uuid.UUID, now: datetime, weeks: int = 8) -> dict[str, Any]:
    """Counts by status, jobs per category per week and the whole quality-check queue (longest-waiting first) in
    one statement: one round trip. The counts and the weekly chart come from `public.college_figures` (migration
    0017: index-only scans as the owner, where RLS would fetch every row of the college), and so do the ids of the
    queue's jobs, which are then read as the caller by primary key."""
    row = await (
        await conn.execute(
            f"""
            select coalesce(f.counts, '{{}}'::jsonb) as counts, coalesce(f.weekly, '[]'::jsonb) as weekly,
              (select coalesce(jsonb_agg(q order by q.updated_at, q.id), '[]'::jsonb)
               from ({_SUMMARY} where r.id = any(f.quality_check)) q) as quality_check
            from (select 1) one
            left join public.college_figures(%(college)s, %(since)s) f on true
            """,
            {"college": college_id, "since": now - timedelta(weeks=weeks)},
        )
    ).fetchone()
    assert row is not None
    return dict(row)


async def descriptions_in_order(conn: Conn, request_ids: list[uuid.UUID]) -> list[str]:
    """The citizen's description of each request, in the order asked ('' for one not found): what `descriptions`
    answers, without its per-id Python work (a uuid[] parameter dumped id by id, a dict keyed by UUID objects):
    half the CPU of a 177-card offer feed (cProfile, issue 15)."""
    ids = "{" + ",".join(request_id.hex for request_id in request_ids) + "}"
    cur = await conn.execute(
        """select array(select coalesce(r.description, '')
                        from unnest(%s::uuid[]) with ordinality as asked(id, n)
                        left join public.repair_requests r on r.id = asked.id
                        order by asked.n) as words""",
        [ids],
    )
    row = await cur.fetchone()
    return list(row["words"]) if row else []
