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
from tests.integration.dispatch_area import AppClock, Area, offers_of, submit

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


@pytest.mark.xfail(strict=True, reason="audit17a: a request whose fitting students in range all had an offer once "
                   "(it lapsed) is stuck in no_centre: the admin's send-on to their college answers 409 "
                   "no_fitting_student, and the clock never offers it again")
async def test_a_lapsed_offer_leaves_a_request_the_admin_can_still_send_back_to_its_college(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """The near college's one plumber is in class for the 30 minutes of the offer: it lapses, nobody else in range
    repairs plumbing, the request waits as `no_centre` ("an administrator will look for a college"). The admin
    sends it to the near college, whose plumber is still there, active and fitting: refused, because dispatch never
    offers a request to a student it was offered to before (dispatch._PLAN's `offered`), whatever became of that
    offer. Nobody else can move it: a teacher assigns only `offered` requests (shared.statuses.ASSIGNABLE), and the
    clock re-dispatches only `submitted` ones (dispatch_stranded). The citizen waits until they give up."""
    api, clock = app_and_clock
    clock.now = clock.now.replace(hour=3, minute=0, second=0, microsecond=0)  # 10:00 in Bangkok: the plain SLA
    _, request = await submit(api, category_code="plumbing")
    rid = request["id"]
    assert [o["technician_id"] for o in offers_of(database_url, rid)] == [area.students["plumber"][0]]

    clock.now += timedelta(minutes=settings.dispatch_sla_minutes + 1)
    await tick(pool, settings, clock.now)
    assert _status(database_url, rid) == "no_centre"
    assert [o["status"] for o in offers_of(database_url, rid)] == ["expired"]

    admin, _ = await sign_in(api, ADMIN_PHONE)
    waiting = (await api.get("/admin/waiting", headers=bearer(admin))).json()
    assert rid in [w["id"] for w in waiting]
    sent = await api.post(f"/requests/{rid}/dispatch", json={"college_id": str(area.near)}, headers=bearer(admin))
    assert sent.status_code == 200, sent.text  # today: 409 no_fitting_student
    assert sent.json()["status"] == "offered"


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


@pytest.mark.xfail(strict=True, reason="audit17a: a job being diagnosed or repaired by a student who can no longer "
                   "act, at a college where no other student holds its skill, can be moved on by nobody: no take back, "
                   "cancel or unrepairable but the student's, and a reassign needs a fitting student")
async def test_a_job_in_the_hands_of_a_student_who_cannot_act_can_be_moved_on_by_someone(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """The near college's one plumber takes a plumbing job and starts diagnosing it; then the operator suspends
    them (suspend-person is not refused for jobs in hand; the same holds for a student who simply left, whom the
    teacher may not switch off while they hold it). From `diagnosing` or `repairing` only the student on the job
    moves it (to repairing, quality_check or unrepairable: shared.statuses._MOVES); a take back is only from
    `accepted`; the citizen cancels only up to `accepted`; the teacher's reassign needs another student of the
    college at the category's level (check_student_tier), and nobody else there repairs plumbing. The teacher, an
    admin and the citizen are all refused: the item stays at the workshop for good (unless the teacher writes a
    skill nobody has into another student's record to reassign it)."""
    api, clock = app_and_clock
    citizen, request = await submit(api, category_code="plumbing")
    rid = request["id"]
    plumber, _ = await sign_in(api, area.students["plumber"][1])
    offer_id = next(o["offer_id"] for o in (await api.get("/technician/offers", headers=bearer(plumber))).json()
                    if o["request_id"] == rid)
    assert (await api.post(f"/offers/{offer_id}/accept", headers=bearer(plumber))).status_code == 200
    moved = await api.post(f"/requests/{rid}/status", json={"to_status": "diagnosing"}, headers=bearer(plumber))
    assert moved.status_code == 200, moved.text
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        await account.suspend(conn, uuid.UUID(area.students["plumber"][0]), AppRole.TECHNICIAN, "เลิกเรียนแล้ว")

    teacher, _ = await sign_in(api, area.students["teacher"][1])
    admin, _ = await sign_in(api, ADMIN_PHONE)
    answers = []
    for token in (teacher, admin):
        for body in ({"to_status": "offered", "note": "นักศึกษาออกแล้ว"},
                     {"to_status": "unrepairable", "reason": "no_specialist"}):
            answers.append(await api.post(f"/requests/{rid}/status", json=body, headers=bearer(token)))
        answers.append(await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]},
                                      headers=bearer(token)))
    answers.append(await api.post(f"/requests/{rid}/cancel", json={}, headers=bearer(citizen)))
    clock.now += timedelta(days=3)
    await tick(pool, settings, clock.now)
    assert _status(database_url, rid) != "diagnosing", [(a.status_code, a.json()["error"]["code"]) for a in answers]


@pytest.mark.xfail(strict=True, reason="audit17a: a request whose offers lapsed at a college in range is told (Thai "
                   "and English) that no college in range has a fitting student, and nobody tells the citizen at all")
async def test_a_request_whose_offers_lapsed_tells_its_citizen_the_truth(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """The same lapse as above: the near college (1 km away, 30 km radius) has a plumber who did not answer in 30
    minutes. The citizen's detail then says "ยังไม่มีศูนย์ซ่อมในระยะให้บริการ" / "No repair centre in range yet"
    (shared.text.NEXT_STEPS[no_centre]) and its timeline "ยังไม่มีวิทยาลัยในพื้นที่ที่มีนักศึกษาทักษะตรงกับงานนี้" (the
    `no_centre` event note), both untrue; and the move to no_centre notifies admins only (notify_status_event), so a
    citizen who does not open the app never learns that their request stopped moving."""
    api, clock = app_and_clock
    clock.now = clock.now.replace(hour=3, minute=0, second=0, microsecond=0)  # 10:00 in Bangkok: the plain SLA
    citizen, request = await submit(api, category_code="plumbing")
    rid = request["id"]
    before = _last_notification(database_url)
    clock.now += timedelta(minutes=settings.dispatch_sla_minutes + 1)
    await tick(pool, settings, clock.now)
    assert _status(database_url, rid) == "no_centre"
    detail = (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()
    said = " ".join([detail["next_step"], detail["timeline"][-1]["note"]])
    assert "ในระยะให้บริการ" not in said and "ในพื้นที่" not in said, said
    assert _told(database_url, rid, role="citizen", since_id=before), "the citizen is not told"
