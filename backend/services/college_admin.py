"""A supervisor's view of their college: dashboard, students, job export and the training-hours ledger.

Reads run as the supervisor (RLS limits them to their college); writes run as the owner after checking the
student belongs to that college."""

import csv
import io
import uuid
from typing import Any

from backend.db import Conn
from backend.errors import ApiError
from shared.statuses import WORK_IN_HAND


async def students(conn: Conn, college_id: uuid.UUID) -> list[dict[str, Any]]:
    cur = await conn.execute(
        """select p.id, p.display_name, p.phone, p.is_active,
                  (select count(*)::int from public.repair_requests r
                   where r.technician_id = p.id and r.status = any(%s::public.request_status[])) as open_jobs,
                  coalesce((select jsonb_object_agg(ts.skill_code, ts.level) from public.technician_skills ts
                            where ts.technician_id = p.id), '{}'::jsonb) as skills
           from public.profiles p
           where p.college_id = %s and p.role = 'technician'
           order by p.is_active desc, p.display_name""",
        [[s.value for s in WORK_IN_HAND], college_id],
    )
    return await cur.fetchall()


async def update_student(
    owner: Conn, college_id: uuid.UUID, student_id: uuid.UUID, is_active: bool | None, skills: dict[str, int] | None
) -> None:
    row = await (
        await owner.execute(
            "select college_id from public.profiles where id = %s and role = 'technician' for update", [student_id]
        )
    ).fetchone()
    if row is None or row["college_id"] != college_id:
        raise ApiError(404, "not_found")
    if skills is not None:
        known = {r["code"] for r in await (await owner.execute("select code from public.skills")).fetchall()}
        if any(code not in known or not 1 <= level <= 5 for code, level in skills.items()):
            raise ApiError(400, "validation_failed", detail="skills: known skill codes with levels 1–5")
        await owner.execute("delete from public.technician_skills where technician_id = %s", [student_id])
        for code, level in skills.items():
            await owner.execute("insert into public.technician_skills values (%s, %s, %s)", [student_id, code, level])
    if is_active is not None:
        await owner.execute("update public.profiles set is_active = %s where id = %s", [is_active, student_id])


async def ledger(conn: Conn, college_id: uuid.UUID) -> list[dict[str, Any]]:
    """Per student: jobs a teacher approved (a `done` event by a supervisor), hours reported on them, categories."""
    cur = await conn.execute(
        """
        with approved as (
            select distinct r.id, r.technician_id, r.category_code
            from public.repair_requests r
            join public.status_events e on e.request_id = r.id and e.to_status = 'done' and e.actor = 'supervisor'
            where r.college_id = %s and r.technician_id is not null
        )
        select p.id as technician_id, p.display_name, count(a.id)::int as approved_jobs,
               coalesce(sum(j.hours), 0)::float as hours,
               coalesce(array_agg(distinct a.category_code) filter (where a.category_code is not null), '{}')
                   as categories
        from public.profiles p
        left join approved a on a.technician_id = p.id
        left join public.job_reports j on j.request_id = a.id
        where p.college_id = %s and p.role = 'technician'
        group by p.id order by approved_jobs desc, p.display_name
        """,
        [college_id, college_id],
    )
    return await cur.fetchall()


async def jobs(conn: Conn, college_id: uuid.UUID) -> list[dict[str, Any]]:
    cur = await conn.execute(
        """select r.id, r.created_at, r.category_code, r.item, r.brand, r.status, r.province, r.district,
                  p.display_name as technician, j.hours, r.rating,
                  (select max(e.created_at) from public.status_events e
                   where e.request_id = r.id and e.to_status = 'done') as approved_at,
                  (select private.first_name(e.actor_id) from public.status_events e
                   where e.request_id = r.id and e.to_status = 'done' order by e.id desc limit 1) as approved_by
           from public.repair_requests r
           left join public.profiles p on p.id = r.technician_id
           left join public.job_reports j on j.request_id = r.id
           where r.college_id = %s order by r.created_at desc""",
        [college_id],
    )
    return await cur.fetchall()


def to_csv(rows: list[dict[str, Any]], columns: list[str]) -> bytes:
    """UTF-8 with a BOM: Excel, which most colleges open it with, then shows Thai correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["|".join(v) if isinstance(v := row[c], list) else ("" if v is None else v) for c in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
