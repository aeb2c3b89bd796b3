"""Audit 17a: liveness. Does every job end, and does anyone wait forever?

Each test here is a job (or a waiting sub-state) that waits on nobody able to move it on, driven on a real PostgreSQL
with the SLA clock (backend.dispatch_ticks.tick) turned by hand at a moved clock. They are marked xfail(strict):
each fails today, and passes (turning the strict xfail red) once the gap is closed."""

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.services import account
from backend.settings import Settings
from shared.roles import AppRole
from tests.helpers import bearer, sign_in
from tests.integration.builders import draft
from tests.integration.dispatch_area import HOME, AppClock, Area, accepted_job, work_to_quality_check

ADMIN_PHONE = "084-444-4444"


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[AsyncConnectionPool[Any]]:
    async with AsyncConnectionPool(database_url, kwargs={"row_factory": dict_row, "autocommit": True}) as made:
        yield made


def _status(database_url: str, request_id: str) -> str:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select status::text from public.repair_requests where id = %s", [request_id]).fetchone()
    assert row is not None
    return str(row[0])


def _told(database_url: str, request_id: str, *, role: str, since_id: int = 0) -> list[str]:
    """The kinds of notification about `request_id` written to active people of `role` (after notification
    `since_id`)."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "select n.kind::text from public.notifications n join public.profiles p on p.id = n.recipient_id "
            "where n.request_id = %s and p.role = %s and p.is_active and n.id > %s order by n.id",
            [request_id, role, since_id]).fetchall()
    return [str(r[0]) for r in rows]


def _last_notification(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select coalesce(max(id), 0) from public.notifications").fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.xfail(strict=True, reason="audit17a: a college's last teacher leaves (deletes their account) while a job "
                   "waits for their check: nothing refuses it, nobody is told, and no admin list shows the job")
async def test_a_job_waiting_for_the_check_of_a_teacher_who_left_is_seen_by_someone_who_can_check_it(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """Only a teacher of the job's college (or an admin) approves or sends back a job in `quality_check`
    (shared.statuses: QUALITY_CHECK -> DONE / REPAIRING); the same holds for handing back an unrepairable job,
    crediting its hours and a high-tier job's diagnosing/repairing steps (a teacher of the college present). The
    near college's one teacher deletes their account (DELETE /me: account.delete refuses only a student holding
    jobs and the last admin): the job in the check stays there. Its `qc_waiting` went to the teacher who left; the
    clock tells nobody; admins hear only of `no_centre` requests and list only those (GET /admin/waiting); the
    college's job list and check queue are a teacher's screens. The student and the citizen wait forever. Either
    the leaving is refused while the check waits on them, or someone who can check the job is told of it."""
    api, clock = app_and_clock
    _, ace, rid = await accepted_job(api, area, "ace")
    await work_to_quality_check(api, ace, rid)
    assert _status(database_url, rid) == "quality_check"
    before = _last_notification(database_url)

    teacher, _ = await sign_in(api, area.students["teacher"][1])
    left = await api.delete("/me", params={"confirm": "true"}, headers=bearer(teacher))
    assert left.status_code in (204, 409), left.text
    refused = left.status_code == 409
    clock.now += timedelta(days=3)
    await tick(pool, settings, clock.now)
    assert _status(database_url, rid) == "quality_check"

    admin, _ = await sign_in(api, ADMIN_PHONE)
    listed = rid in [w["id"] for w in (await api.get("/admin/waiting", headers=bearer(admin))).json()]
    told = _told(database_url, rid, role="admin", since_id=before)
    assert refused or listed or told, "the job waits for a check nobody is left to make, and nobody is told"


@pytest.mark.xfail(strict=True, reason="audit17a: a student suspended by the operator while holding a job cannot act "
                   "on it, and the college's teacher, who alone can reassign it, is never told")
async def test_the_teacher_hears_of_a_job_held_by_a_student_the_operator_suspended(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """`fixit-backend suspend-person` (account.suspend) is not refused for jobs in hand (README: "jobs a student
    holds stay theirs, the command says how many, and the college's teacher reassigns them"): the suspended student
    gets 403 account_suspended on every step, so the job stands `accepted` until the teacher reassigns it. The count
    is printed to the operator; the teacher gets no notification, the clock does nothing about it, and their job list
    (shared.wire.CollegeJob) shows the job with the student's name as any other. The citizen waits on someone who can
    no longer act."""
    api, clock = app_and_clock
    _, ace, rid = await accepted_job(api, area, "ace")
    before = _last_notification(database_url)
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        done = await account.suspend(conn, uuid.UUID(area.students["ace"][0]), AppRole.TECHNICIAN, "โทรศัพท์หาย")
    assert done.jobs_in_hand == 1
    stuck = await api.post(f"/requests/{rid}/status", json={"to_status": "diagnosing"}, headers=bearer(ace))
    assert stuck.status_code == 403 and stuck.json()["error"]["code"] == "account_suspended", stuck.text
    clock.now += timedelta(days=3)
    await tick(pool, settings, clock.now)
    assert _status(database_url, rid) == "accepted"
    assert _told(database_url, rid, role="supervisor", since_id=before), "the teacher is never told"


@pytest.mark.xfail(strict=True, reason="audit17a: a job marked unrepairable waits for a teacher's hand back (nobody "
                   "else may make it), yet no teacher is told of it and their dashboard's queue lists only checks")
async def test_a_job_marked_unrepairable_is_brought_to_the_teacher_who_must_hand_it_back(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """UNREPAIRABLE -> HANDED_BACK is the supervisor's (or an admin's) move alone (shared.statuses), and the item is
    usually at the college. The status trigger (migration 0060, private.notify_status_event) tells the citizen
    "cannot be repaired" and nobody at the college: `qc_waiting` exists for a job sent to the check, nothing for
    one that ended unrepairable; the dashboard lists the check queue (college_quality_check_queue) and only counts
    the rest. The student cannot hand it back, the citizen cannot cancel it: it waits until the teacher happens to
    filter their job list by "unrepairable"."""
    api, clock = app_and_clock
    _, ace, rid = await accepted_job(api, area, "ace")
    before = _last_notification(database_url)
    for body in ({"to_status": "diagnosing"}, {"to_status": "unrepairable", "reason": "no_parts"}):
        moved = await api.post(f"/requests/{rid}/status", json=body, headers=bearer(ace))
        assert moved.status_code == 200, moved.text
    clock.now += timedelta(days=3)
    await tick(pool, settings, clock.now)
    assert _status(database_url, rid) == "unrepairable"
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    board = await api.get("/supervisor/dashboard", headers=bearer(teacher))
    assert board.status_code == 200, board.text
    listed = rid in board.text  # counts and weekly figures name no job: only a queue of jobs would
    assert _told(database_url, rid, role="supervisor", since_id=before) or listed, "the teacher is never told"


@pytest.mark.xfail(strict=True, reason="audit17a: a repair the college's only teacher asked for reaches the check, "
                   "which that teacher may not make (own_request_check); no admin is told or lists it")
async def test_the_check_of_a_repair_the_colleges_only_teacher_asked_for_reaches_someone_who_may_make_it(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """A teacher may ask for a repair (shared.roles.REQUESTER_ROLES); dispatch gives it to the nearest college, their
    own. Its check is "another teacher's" (decide_move: own_request_check; README: the app "says another teacher
    handles it"), but the near college has one teacher. `qc_waiting` goes to the college's supervisors: the one who
    may not act. Admins may approve, yet hear only of `no_centre` requests and list only those. The student's job
    and the teacher's own item wait for good."""
    api, clock = app_and_clock
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    made = await api.post("/requests", json=draft(lat=HOME[0], lon=HOME[1]), headers=bearer(teacher))
    assert made.status_code == 201, made.text
    rid = made.json()["id"]
    assert made.json()["college_name_en"] == "Test ใกล้"
    ace, _ = await sign_in(api, area.students["ace"][1])
    offer_id = next(o["offer_id"] for o in (await api.get("/technician/offers", headers=bearer(ace))).json()
                    if o["request_id"] == rid)
    assert (await api.post(f"/offers/{offer_id}/accept", headers=bearer(ace))).status_code == 200
    before = _last_notification(database_url)
    await work_to_quality_check(api, ace, rid)
    check = await api.post(f"/requests/{rid}/status", json={"to_status": "done"}, headers=bearer(teacher))
    assert check.status_code == 403 and check.json()["error"]["code"] == "own_request_check", check.text
    clock.now += timedelta(days=3)
    await tick(pool, settings, clock.now)
    assert _status(database_url, rid) == "quality_check"

    admin, _ = await sign_in(api, ADMIN_PHONE)
    listed = rid in [w["id"] for w in (await api.get("/admin/waiting", headers=bearer(admin))).json()]
    assert listed or _told(database_url, rid, role="admin", since_id=before), "nobody who may check it is told"
