"""Reading repair requests for each role's home. RLS already limits rows; the filters say what each list is."""

import uuid
from typing import Any

from backend.db import Conn

_SUMMARY = """
    select r.id, r.category_code, cat.name_th as category_name_th, cat.name_en as category_name_en,
           cat.icon as category_icon, r.item, r.status, r.created_at, r.updated_at,
           col.name_th as college_name_th, col.name_en as college_name_en
    from public.repair_requests r
    join public.categories cat on cat.code = r.category_code
    left join public.colleges col on col.id = r.college_id
"""


async def citizen_requests(conn: Conn, citizen_id: uuid.UUID) -> list[dict[str, Any]]:
    cur = await conn.execute(_SUMMARY + " where r.citizen_id = %s order by r.created_at desc limit 200", [citizen_id])
    return await cur.fetchall()


async def technician_jobs(conn: Conn, technician_id: uuid.UUID) -> list[dict[str, Any]]:
    cur = await conn.execute(
        _SUMMARY + " where r.technician_id = %s order by r.updated_at desc limit 200", [technician_id]
    )
    return await cur.fetchall()


async def technician_offers(conn: Conn) -> list[dict[str, Any]]:
    cur = await conn.execute(
        "select offer_id, request_id, offer_status, category_code, item, province, district, "
        "distance_km::float as distance_km, created_at, expires_at, photo_count from public.my_offer_cards() limit 200"
    )
    return await cur.fetchall()


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


async def quality_check_queue(conn: Conn, college_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every job of the college waiting for the teacher's check, longest-waiting first. By status, with no limit:
    a cap could hide a waiting job, and the queue is as long as the teachers let it grow (the index on
    (college_id, status, updated_at) makes it read only these rows)."""
    cur = await conn.execute(
        _SUMMARY + " where r.college_id = %s and r.status = 'quality_check' order by r.updated_at, r.id",
        [college_id],
    )
    return await cur.fetchall()
