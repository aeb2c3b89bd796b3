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


async def college_queue(conn: Conn, college_id: uuid.UUID) -> tuple[dict[str, int], list[dict[str, Any]]]:
    counts_cur = await conn.execute(
        "select status, count(*)::int as n from public.repair_requests where college_id = %s group by status",
        [college_id],
    )
    counts = {str(row["status"]): int(row["n"]) for row in await counts_cur.fetchall()}
    cur = await conn.execute(
        _SUMMARY + " where r.college_id = %s order by r.updated_at desc limit 200", [college_id]
    )
    return counts, await cur.fetchall()
