"""A student's progression proposal (the college's N approved jobs at a level propose the next) is made however the
approvals that earn it overlap (audit14a): each approval counts under a per-student lock, after the other's commit."""

import asyncio
import uuid
from typing import Any

import psycopg
from psycopg.rows import dict_row

from backend.services import credit
from backend.services.transitions import act_as
from shared.roles import Actor
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import (
    AppClock,
    Area,
    _student,
    assigned_by_teacher,
    backdate_acceptance,
    step,
    work_to_quality_check,
)
from tests.integration.lock_waits import until_waiting


async def _checked_job_with_helper(app_and_clock: AppClock, area: Area, database_url: str) -> str:
    """A job of the near college led by bee with cat as a helper (1 h), checked by the teacher (done), its
    acceptance 3 h ago: its hours wait for the teacher's approval."""
    api, _ = app_and_clock
    s = area.students
    _, teacher, bee, rid = await assigned_by_teacher(api, area)
    joined = await api.post(f"/requests/{rid}/team", json={"technician_id": s["cat"][0], "task": "ถอดประกอบ"},
                            headers=bearer(bee))
    assert joined.status_code == 204, joined.text
    cat, _ = await sign_in(api, s["cat"][1])
    assert (await api.put(f"/requests/{rid}/team/me", json={"hours": 1.0}, headers=bearer(cat))).status_code == 204
    await work_to_quality_check(api, bee, rid)
    assert (await step(api, teacher, rid, "done")).status_code == 200
    backdate_acceptance(database_url, rid, 3)
    return rid


async def test_two_teachers_approving_two_jobs_at_once_still_propose_the_next_level(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    s = area.students
    teacher, _ = await sign_in(api, s["teacher"][1])
    settings = await api.put("/supervisor/credit-settings", json={"progression_jobs": 2}, headers=bearer(teacher))
    assert settings.status_code == 200, settings.text
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        second_teacher, _ = _student(conn, area.near, "ครู สอง", {}, role="supervisor")
    first = await _checked_job_with_helper(app_and_clock, area, database_url)
    second = await _checked_job_with_helper(app_and_clock, area, database_url)

    # What POST /requests/{id}/credit/approve does (backend/routes/credit.py: `acting`, then credit.approve_hours),
    # for two teachers at the same moment: the second starts while the first has not committed. They lock
    # different requests; the second waits only to count the students' jobs, until the first commits.
    async def approval(conn: psycopg.AsyncConnection[dict[str, Any]], teacher_id: str, rid: str) -> None:
        await act_as(conn, Actor.SUPERVISOR, {"sub": teacher_id, "role": "authenticated"})
        team = await credit.approve_hours(conn, uuid.UUID(rid), uuid.UUID(teacher_id), {})
        assert {str(m["technician_id"]) for m in team if m["approved_hours"]} == {s["bee"][0], s["cat"][0]}

    async with await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as one, \
            await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as two:
        await approval(one, s["teacher"][0], first)
        second_approval = asyncio.create_task(approval(two, second_teacher, second))
        await until_waiting(database_url, 1, second_approval)
        await one.commit()
        await second_approval
        await two.commit()

    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        credited = conn.execute(
            """select technician_id::text as who, skill_code, skill_level, count(distinct request_id)::int as jobs
               from public.job_team where request_id = any(%s) and approved_at is not null
               group by 1, 2, 3""", [[first, second]]).fetchall()
        proposed = conn.execute(
            "select technician_id::text as who, skill_code, from_level from public.skill_proposals "
            "where technician_id = any(%s::uuid[])", [[s["bee"][0], s["cat"][0]]]).fetchall()
    # Both students now have two approved jobs at their level (the college's N): each is proposed for the next.
    assert {(c["who"], c["jobs"]) for c in credited} == {(s["bee"][0], 2), (s["cat"][0], 2)}
    assert {(p["who"], p["skill_code"], p["from_level"]) for p in proposed} == {
        (c["who"], c["skill_code"], c["skill_level"]) for c in credited}
