"""Public reference data: repair categories with their skills, colleges."""

import hashlib
from typing import Any

from backend.db import Conn


async def list_categories(conn: Conn) -> list[dict[str, Any]]:
    cur = await conn.execute(
        """
        select c.code, c.name_th, c.name_en, c.icon,
               coalesce(json_agg(json_build_object('skill', s.code, 'min_level', cs.min_level,
                                                   'name_th', s.name_th, 'name_en', s.name_en)
                                 order by cs.min_level, s.code)
                        filter (where s.code is not null), '[]') as skills
        from public.categories c
        left join public.category_skills cs on cs.category_code = c.code
        left join public.skills s on s.code = cs.skill_code
        where c.is_active
        group by c.code
        order by c.sort_order, c.code
        """
    )
    return await cur.fetchall()


# Keep the answer, but ask again each time (with its ETag): an administrator's edit shows on the next refresh.
REVALIDATE = "no-cache"


def etag_of(body: bytes) -> str:
    """A strong ETag from the answer's bytes: every backend copy derives the same tag from the same catalogue (no
    state per process), and any edit of a category or its skills changes it."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110's If-None-Match: `*`, or any of the listed tags equal to ours by the weak comparison (a `W/` in
    front ignored: a proxy that compressed the answer may have weakened it)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    ours = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == ours for tag in if_none_match.split(","))


async def list_colleges(conn: Conn) -> list[dict[str, Any]]:
    cur = await conn.execute(
        """
        select id, code, name_th, name_en, province_th, province_en, region, lat, lon,
               service_radius_km::float as service_radius_km, coordinates_approximate
        from public.colleges where is_active order by region, province_en, code
        """
    )
    return await cur.fetchall()
