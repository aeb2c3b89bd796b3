"""Who decides a college's decision (migrations 0071, 0074) and who is told: regressions from review17b."""

import uuid
from datetime import timedelta
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.services import account
from backend.settings import Settings
from shared.roles import AppRole
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import ADMIN_PHONE, AppClock, Area, accepted_job, work_to_quality_check
from tests.integration.wall_clock import wall


def _admins_told(database_url: str, request_id: str, kind: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "select count(*) from public.notifications n join public.profiles p on p.id = n.recipient_id "
            "where n.request_id = %s and p.role = 'admin' and n.kind = %s "
            "and (n.params ->> 'nobody_at_college')::boolean", [request_id, kind]).fetchone()
    assert row is not None
    return int(row[0])


async def test_the_check_only_its_own_lead_could_make_reaches_the_admins(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """A student who leads a job is named teacher while it waits for its check (own_work_check forbids them to
    approve it), then the college's other teacher leaves: the admins are told and list it (why `own_work`)."""
    api, clock = app_and_clock
    _, ace, rid = await accepted_job(api, area, "ace")
    await work_to_quality_check(api, ace, rid)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set role = 'supervisor' where id = %s", [area.students["ace"][0]])
    own = await api.post(f"/requests/{rid}/status", json={"to_status": "done"}, headers=bearer(ace))
    assert own.status_code == 403 and own.json()["error"]["code"] == "own_work_check", own.text
    # The college's other teacher leaves: ace, who may not check their own work, is its only teacher now.
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assert (await api.delete("/me", params={"confirm": "true"}, headers=bearer(teacher))).status_code == 204
    clock.now += timedelta(days=3)
    await tick(pool, settings, clock.now)
    admin, _ = await sign_in(api, ADMIN_PHONE)
    listed = (await api.get("/admin/undecided", headers=bearer(admin))).json()
    assert [j["why"] for j in listed if j["id"] == rid] == ["own_work"]
    assert _admins_told(database_url, rid, "qc_waiting") >= 1
    # An admin may make the check the lead may not.
    approved = await api.post(f"/requests/{rid}/status", json={"to_status": "done"}, headers=bearer(admin))
    assert approved.status_code == 200, approved.text


def _teachers_told(database_url: str, request_id: str, kind: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "select count(*) from public.notifications n join public.profiles p on p.id = n.recipient_id "
            "where n.request_id = %s and p.role = 'supervisor' and n.kind = %s", [request_id, kind]).fetchone()
    assert row is not None
    return int(row[0])


async def _suspend(pool: AsyncConnectionPool[Any], student: str) -> None:
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        done = await account.suspend(conn, uuid.UUID(student), AppRole.TECHNICIAN, "โทรศัพท์หาย", *wall())
    assert done.jobs_in_hand == 1


async def test_a_student_suspended_a_second_time_is_told_to_the_teacher_again(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """A student suspended, restored and suspended again while holding the same job: the teacher is told each
    time (the message's key names the suspension: migration 0074), and the clock writes no third one."""
    api, clock = app_and_clock
    _, _, rid = await accepted_job(api, area, "ace")
    student = area.students["ace"][0]
    await _suspend(pool, student)
    assert _teachers_told(database_url, rid, "holder_suspended") == 1
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        await account.restore(conn, uuid.UUID(student), *wall())
    # The teacher read the message, saw the student back and let the job be; the phone is lost again a week on.
    await _suspend(pool, student)
    assert _teachers_told(database_url, rid, "holder_suspended") == 2
    clock.now += timedelta(minutes=5)
    await tick(pool, settings, clock.now)
    assert _teachers_told(database_url, rid, "holder_suspended") == 2
