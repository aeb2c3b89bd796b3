"""Audit 17a (findings 2, 3, 4, 6): a decision only a college can make (a teacher of it, else an admin) reaches
whoever can make it now, and waits where they look. The rule is migration 0071's `private.deciders`: the college's
active teachers but the person the decision concerns (a teacher's own repair); the admins when none is left. Each
test drives the SLA clock (backend.dispatch_ticks.tick) by hand at a moved clock on a real PostgreSQL."""

import uuid
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.services import account
from backend.settings import Settings
from shared.credit_wire import TOTAL_COUNT_HEADER
from shared.roles import AppRole
from shared.statuses import COLLEGE_DECIDES, RequestStatus
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import as_user, draft
from tests.integration.dispatch_area import (
    ADMIN_PHONE,
    HOME,
    AppClock,
    Area,
    accepted_job,
    kinds_told,
    last_notification,
    request_status,
    work_to_quality_check,
)
from tests.integration.wall_clock import wall


def _admins(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select count(*) from public.profiles where role = 'admin' and is_active").fetchone()
    assert row is not None
    return int(row[0])


async def _undecided(api: Any, admin: str) -> tuple[list[dict[str, Any]], int]:
    answer = await api.get("/admin/undecided", headers=bearer(admin))
    assert answer.status_code == 200, answer.text
    return answer.json(), int(answer.headers[TOTAL_COUNT_HEADER])


async def test_a_job_waiting_for_the_check_of_a_teacher_who_left_is_seen_by_someone_who_can_check_it(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """Only a teacher of the job's college (or an admin) approves or sends back a job in `quality_check`. The near
    college's one teacher deletes their account (a person's right to leave is not held back by work others can
    take): the job's `qc_waiting` went with them. The clock tells the admins, once, that no teacher of the college
    can check it, and their list of jobs nobody at a college can decide shows it; an admin's approval ends it."""
    api, clock = app_and_clock
    _, ace, rid = await accepted_job(api, area, "ace")
    await work_to_quality_check(api, ace, rid)
    assert request_status(database_url, rid) == "quality_check"
    before = last_notification(database_url)

    teacher, _ = await sign_in(api, area.students["teacher"][1])
    left = await api.delete("/me", params={"confirm": "true"}, headers=bearer(teacher))
    assert left.status_code == 204, left.text
    clock.now += timedelta(days=3)
    await tick(pool, settings, clock.now)
    await tick(pool, settings, clock.now)  # a second turn (or another copy's) tells nobody twice
    assert request_status(database_url, rid) == "quality_check"

    admin, _ = await sign_in(api, ADMIN_PHONE)
    assert kinds_told(database_url, rid, role="admin", since_id=before) == ["qc_waiting"] * _admins(database_url)
    inbox = (await api.get("/me/notifications", headers=bearer(admin))).json()["items"]
    told = next(n for n in inbox if n["request_id"] == rid)
    assert "ไม่มีครูของวิทยาลัยทดสอบใกล้" in told["body"] and told["link"] == f"/jobs/{rid}", told
    listed, total = await _undecided(api, admin)
    mine = next(j for j in listed if j["id"] == rid)
    assert mine["why"] == "no_teacher" and mine["college_id"] == str(area.near) and total >= len(listed)
    done = await api.post(f"/requests/{rid}/status", json={"to_status": "done"}, headers=bearer(admin))
    assert done.status_code == 200, done.text
    assert rid not in [j["id"] for j in (await _undecided(api, admin))[0]]


async def test_the_check_of_a_repair_the_colleges_only_teacher_asked_for_reaches_someone_who_may_make_it(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """A teacher may ask for a repair; dispatch gives it to their own college, whose check is another teacher's
    (own_request_check), but the near college has one teacher. `qc_waiting` goes to whoever may make the check: not
    the owner, so the admins, at once; their list shows it as the only teacher's own repair."""
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
    before = last_notification(database_url)
    await work_to_quality_check(api, ace, rid)
    check = await api.post(f"/requests/{rid}/status", json={"to_status": "done"}, headers=bearer(teacher))
    assert check.status_code == 403 and check.json()["error"]["code"] == "own_request_check", check.text
    assert kinds_told(database_url, rid, role="supervisor", since_id=before) == []  # not the one who may not act
    assert kinds_told(database_url, rid, role="admin", since_id=before) == ["qc_waiting"] * _admins(database_url)
    clock.now += timedelta(days=3)
    await tick(pool, settings, clock.now)  # told once: the clock's message is the one already written
    assert kinds_told(database_url, rid, role="admin", since_id=before) == ["qc_waiting"] * _admins(database_url)
    assert request_status(database_url, rid) == "quality_check"

    admin, _ = await sign_in(api, ADMIN_PHONE)
    listed, _ = await _undecided(api, admin)
    assert next(j for j in listed if j["id"] == rid)["why"] == "own_request"


async def test_the_teacher_hears_of_a_job_held_by_a_student_the_operator_suspended(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """`fixit-backend suspend-person` (account.suspend) is not refused for jobs in hand: the suspended student gets
    403 account_suspended on every step, so the job stands `accepted` until the teacher hands it on. The teacher is
    told of it (naming the student), their dashboard's queue lists it and their job list marks it."""
    api, clock = app_and_clock
    _, ace, rid = await accepted_job(api, area, "ace")
    before = last_notification(database_url)
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        done = await account.suspend(conn, uuid.UUID(area.students["ace"][0]), AppRole.TECHNICIAN, "โทรศัพท์หาย", *wall())
    assert done.jobs_in_hand == 1
    stuck = await api.post(f"/requests/{rid}/status", json={"to_status": "diagnosing"}, headers=bearer(ace))
    assert stuck.status_code == 403 and stuck.json()["error"]["code"] == "account_suspended", stuck.text
    clock.now += timedelta(days=3)
    await tick(pool, settings, clock.now)
    assert request_status(database_url, rid) == "accepted"
    assert kinds_told(database_url, rid, role="supervisor", since_id=before) == ["holder_suspended"]

    teacher, _ = await sign_in(api, area.students["teacher"][1])
    inbox = (await api.get("/me/notifications", headers=bearer(teacher))).json()["items"]
    said = next(n for n in inbox if n["request_id"] == rid)
    assert "เอ" in said["body"] and "รับงานคืน" in said["body"], said  # the student's first name, what to do
    queue = (await api.get("/supervisor/dashboard", headers=bearer(teacher))).json()["quality_check"]
    assert next(q for q in queue if q["id"] == rid)["holder_suspended"] is True
    jobs = (await api.get("/supervisor/jobs", headers=bearer(teacher))).json()["jobs"]
    assert next(j for j in jobs if j["id"] == rid)["technician_suspended"] is True
    assert not any(j["technician_suspended"] for j in jobs if j["id"] != rid)


async def test_a_job_marked_unrepairable_is_brought_to_the_teacher_who_must_hand_it_back(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """UNREPAIRABLE -> HANDED_BACK is the supervisor's (or an admin's) move alone. The college's teacher is told
    (`handback_waiting`, with the reason) and their dashboard's queue lists the job until it is handed back."""
    api, clock = app_and_clock
    _, ace, rid = await accepted_job(api, area, "ace")
    before = last_notification(database_url)
    for body in ({"to_status": "diagnosing"}, {"to_status": "unrepairable", "reason": "no_parts"}):
        moved = await api.post(f"/requests/{rid}/status", json=body, headers=bearer(ace))
        assert moved.status_code == 200, moved.text
    clock.now += timedelta(days=3)
    await tick(pool, settings, clock.now)
    assert request_status(database_url, rid) == "unrepairable"
    assert kinds_told(database_url, rid, role="supervisor", since_id=before) == ["handback_waiting"]
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    board = await api.get("/supervisor/dashboard", headers=bearer(teacher))
    assert board.status_code == 200, board.text
    queued = next(q for q in board.json()["quality_check"] if q["id"] == rid)
    assert queued["status"] == "unrepairable" and queued["holder_suspended"] is False


def test_the_databases_college_decisions_are_shareds(database_url: str) -> None:
    """The rule is the database's (the messages, the lists), so the set is written in SQL too: kept equal here."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select private.college_decides()::text[]").fetchone()
    assert row is not None
    assert {RequestStatus(s) for s in row[0]} == COLLEGE_DECIDES and len(row[0]) == len(COLLEGE_DECIDES)


async def test_the_lists_of_what_waits_answer_only_those_who_may_decide(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """Both lists read as the owner (to walk their indexes): the dashboard's queue answers the college's teachers
    and admins only, the admins' list admins only; a student, another college's view and nobody signed in get
    nothing (or may not call it)."""
    api, _ = app_and_clock
    _, ace, rid = await accepted_job(api, area, "ace")
    for body in ({"to_status": "diagnosing"}, {"to_status": "unrepairable", "reason": "no_parts"}):
        assert (await api.post(f"/requests/{rid}/status", json=body, headers=bearer(ace))).status_code == 200
    queue = "select id::text, status::text, holder_suspended from public.college_decision_queue(%s)"
    undecided = "select id::text from public.admin_undecided_jobs()"
    with as_user(database_url, area.students["teacher"][0]) as conn:
        assert (rid, "unrepairable", False) in [tuple(r.values()) for r in conn.execute(queue, [area.near])]
        assert conn.execute(queue, [area.far]).fetchall() == []  # not her college
        assert conn.execute(undecided).fetchall() == []  # an admin's list
    with as_user(database_url, area.students["ace"][0]) as conn:
        assert conn.execute(queue, [area.near]).fetchall() == []
    with as_user(database_url, None) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(queue, [area.near])
    with as_user(database_url, None) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(undecided)


async def test_an_unrepairable_item_left_by_the_colleges_last_teacher_reaches_the_admins_with_its_reason(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """The hand back waits on the college's teacher, who then leaves: the clock tells the admins once, with the
    student's reason, and lists it for them; the admin's hand back ends it."""
    api, clock = app_and_clock
    _, ace, rid = await accepted_job(api, area, "ace")
    for body in ({"to_status": "diagnosing"}, {"to_status": "unrepairable", "reason": "no_parts"}):
        assert (await api.post(f"/requests/{rid}/status", json=body, headers=bearer(ace))).status_code == 200
    before = last_notification(database_url)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assert (await api.delete("/me", params={"confirm": "true"}, headers=bearer(teacher))).status_code == 204
    clock.now += timedelta(hours=1)
    await tick(pool, settings, clock.now)
    await tick(pool, settings, clock.now)
    assert kinds_told(database_url, rid, role="admin", since_id=before) == ["handback_waiting"] * _admins(database_url)
    admin, _ = await sign_in(api, ADMIN_PHONE)
    inbox = (await api.get("/me/notifications", headers=bearer(admin))).json()["items"]
    said = next(n for n in inbox if n["request_id"] == rid)
    assert "ไม่มีอะไหล่" in said["body"] and "ไม่มีครูของวิทยาลัยทดสอบใกล้" in said["body"], said
    assert rid in [j["id"] for j in (await _undecided(api, admin))[0]]


async def test_the_only_teachers_own_repair_held_by_a_suspended_student_reaches_the_admins(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """Handing on a teacher's own repair is another teacher's (own_request_staff): with none at the college, the
    suspension of the student holding it tells the admins, and their list shows it as held by a suspended student."""
    api, clock = app_and_clock
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    made = await api.post("/requests", json=draft(lat=HOME[0], lon=HOME[1]), headers=bearer(teacher))
    assert made.status_code == 201, made.text
    rid = made.json()["id"]
    ace, _ = await sign_in(api, area.students["ace"][1])
    offer_id = next(o["offer_id"] for o in (await api.get("/technician/offers", headers=bearer(ace))).json()
                    if o["request_id"] == rid)
    assert (await api.post(f"/offers/{offer_id}/accept", headers=bearer(ace))).status_code == 200
    before = last_notification(database_url)
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        await account.suspend(conn, uuid.UUID(area.students["ace"][0]), AppRole.TECHNICIAN, "โทรศัพท์หาย", *wall())
    await tick(pool, settings, clock.now)  # the clock's message is the one already written
    assert kinds_told(database_url, rid, role="supervisor", since_id=before) == []
    assert kinds_told(database_url, rid, role="admin", since_id=before) == ["holder_suspended"] * _admins(database_url)
    admin, _ = await sign_in(api, ADMIN_PHONE)
    mine = next(j for j in (await _undecided(api, admin))[0] if j["id"] == rid)
    assert mine["why"] == "own_request" and mine["holder_suspended"] is True


async def test_an_admin_who_joins_after_the_others_were_told_hears_of_the_job_on_the_next_turn(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """The clock skips a job every active admin was already told of before building its message again (that
    rebuilding was most of a turn at 20,000 requests, session 23); an admin who joins later is not skipped: the next
    turn tells them, and nobody twice."""
    api, clock = app_and_clock
    _, ace, rid = await accepted_job(api, area, "ace")
    await work_to_quality_check(api, ace, rid)
    before = last_notification(database_url)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assert (await api.delete("/me", params={"confirm": "true"}, headers=bearer(teacher))).status_code == 204
    clock.now += timedelta(days=3)
    await tick(pool, settings, clock.now)
    admins = _admins(database_url)
    assert kinds_told(database_url, rid, role="admin", since_id=before) == ["qc_waiting"] * admins

    newcomer = uuid.uuid4()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("select private.create_phone_user(%s, %s, true)", [newcomer, "66" + fresh_phone()[1:]])
        conn.execute("update public.profiles set role = 'admin' where id = %s", [newcomer])
    try:
        await tick(pool, settings, clock.now)
        await tick(pool, settings, clock.now)
        assert kinds_told(database_url, rid, role="admin", since_id=before) == ["qc_waiting"] * (admins + 1)
        with psycopg.connect(database_url) as conn:
            theirs = conn.execute("select kind::text from public.notifications where recipient_id = %s "
                                  "and request_id = %s", [newcomer, rid]).fetchall()
        assert theirs == [("qc_waiting",)]
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.profiles set role = 'citizen' where id = %s", [newcomer])
