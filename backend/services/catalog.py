"""Public reference data: repair categories with their skills, colleges."""

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


async def list_colleges(conn: Conn) -> list[dict[str, Any]]:
    cur = await conn.execute(
        """
        select id, code, name_th, name_en, province_th, province_en, region, lat, lon,
               service_radius_km::float as service_radius_km, coordinates_approximate
        from public.colleges where is_active order by region, province_en, code
        """
    )
    return await cur.fetchall()
