"""A high-risk job already in a student's hands (accepted, diagnosing, repairing) when its college's last teacher
leaves (stranded19): its next hands-on step needs a teacher of the college present, so its student cannot take it.
The clock tells its student why and the college's deciders (the admins, or a teacher who joins) that it needs a
teacher or another college, each once; the job's screen says so (the app reads it from the detail); an admin's take
back sends it on to a college whose teacher can be present. Real PostgreSQL, the app's own API client."""

import uuid
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.settings import Settings
from mobile.api_client import ApiClient
from tests.helpers import bearer, sign_in
from tests.integration import test_a_teacher_at_every_hand_over as hand_over
from tests.integration.dispatch_area import ADMIN_PHONE, AppClock, _student, offers_of, step
from tests.integration.test_a_teacher_at_every_hand_over import (
    LEAVINGS,
    Colleges,
    _leave,
    _notes,
    _offered_near,
    _request,
    _told,
)

colleges = hand_over.colleges  # the fixture: a near and a far college, each with a teacher and a fitting student

# Each step of a job in hand, with one of the ways its college's last teacher leaves.
IN_HAND = [("accepted", "deleted"), ("diagnosing", "suspended"), ("repairing", "moved"),
           ("accepted", "role_changed")]


async def _in_hand(api: Any, database_url: str, colleges: Colleges, status: str) -> tuple[str, str, str]:
    """An air-conditioning job the near college's student holds at `status` (its steps with the near college's
    teacher present): (the citizen's token, the student's token, the request id)."""
    citizen, rid, offer = await _offered_near(api, database_url, colleges)
    token, _ = await sign_in(api, colleges.people["student"][1])
    assert (await api.post(f"/offers/{offer['id']}/accept", headers=bearer(token))).status_code == 200
    for to in ("diagnosing", "repairing")[:["accepted", "diagnosing", "repairing"].index(status)]:
        moved = await step(api, token, rid, to, teacher_present_id=colleges.people["teacher"][0])
        assert moved.status_code == 200, moved.text
    assert _request(database_url, rid)["status"] == status
    return citizen, token, rid


async def _tick(database_url: str, settings: Settings, clock: Any) -> None:
    async with AsyncConnectionPool(database_url, kwargs={"row_factory": dict_row, "autocommit": True}) as pool:
        await tick(pool, settings, clock.now)  # type: ignore[arg-type]


def _admins_told(database_url: str, rid: str, kind: str) -> list[str]:
    """The admins told `kind` about the request, one row per message."""
    with psycopg.connect(database_url) as conn:
        return sorted(str(r[0]) for r in conn.execute(
            "select n.recipient_id from public.notifications n join public.profiles p on p.id = n.recipient_id "
            "and p.role = 'admin' where n.request_id = %s and n.kind = %s", [rid, kind]))


def _active_admins(database_url: str) -> list[str]:
    with psycopg.connect(database_url) as conn:
        return sorted(str(r[0]) for r in conn.execute(
            "select id from public.profiles where role = 'admin' and is_active"))


@pytest.mark.parametrize(("status", "how"), IN_HAND)
async def test_a_job_in_hand_whose_last_teacher_left_is_told_once_and_its_screen_says_why(
        app_and_clock: AppClock, colleges: Colleges, database_url: str, settings: Settings, status: str,
        how: str) -> None:
    """Its student hears why their next step is blocked, each active admin that the job needs a teacher or another
    college; once each, whatever number of turns the clock takes. The job's screen reads why from the detail (the
    app's own client parses it), and its student's step is refused as before, nothing moved."""
    assert how in LEAVINGS
    api, clock = app_and_clock
    _, token, rid = await _in_hand(api, database_url, colleges, status)
    app = ApiClient("http://fixit.test", transport=api._transport, token=token)
    assert not (await app.work_detail(uuid.UUID(rid))).teacher_needed  # a teacher is there: nothing to say
    _leave(database_url, colleges, how)

    assert (await app.work_detail(uuid.UUID(rid))).teacher_needed
    for _ in range(2):
        await _tick(database_url, settings, clock)
    student = colleges.people["student"][0]
    assert _told(database_url, rid, student).count("teacher_left") == 1
    assert _admins_told(database_url, rid, "teacher_needed") == _active_admins(database_url) != []
    if status != "repairing":  # its next step needs a teacher present: still refused, with why
        nxt = {"accepted": "diagnosing", "diagnosing": "repairing"}[status]
        refused = await step(api, token, rid, nxt, teacher_present_id=colleges.people["teacher"][0])
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "teacher_presence_required"
    assert _request(database_url, rid)["status"] == status


async def test_a_teacher_who_joins_hears_of_the_waiting_job_and_it_goes_on(
        app_and_clock: AppClock, colleges: Colleges, database_url: str, settings: Settings) -> None:
    """The admins were told; a new teacher joins the college while the job still waits: they hear of it (once), the
    admins and the student are not told again, the screen no longer says it waits, and the student's step goes on
    with the new teacher present."""
    api, clock = app_and_clock
    _, token, rid = await _in_hand(api, database_url, colleges, "diagnosing")
    _leave(database_url, colleges, "suspended")
    await _tick(database_url, settings, clock)
    admins = _admins_told(database_url, rid, "teacher_needed")
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        newcomer = _student(conn, colleges.near, "ครู คนใหม่", {}, role="supervisor")
    for _ in range(2):
        await _tick(database_url, settings, clock)
    assert _told(database_url, rid, newcomer[0]) == ["teacher_needed"]
    assert _admins_told(database_url, rid, "teacher_needed") == admins
    assert _told(database_url, rid, colleges.people["student"][0]).count("teacher_left") == 1
    detail = await api.get(f"/requests/{rid}", headers=bearer(token))
    assert detail.json()["teacher_needed"] is False
    moved = await step(api, token, rid, "repairing", teacher_present_id=newcomer[0])
    assert moved.status_code == 200, moved.text


async def test_a_job_at_a_college_that_keeps_a_teacher_tells_nobody(
        app_and_clock: AppClock, colleges: Colleges, database_url: str, settings: Settings) -> None:
    """One of two teachers leaving leaves one who can be present: nothing to tell, nothing to show."""
    api, clock = app_and_clock
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        _student(conn, colleges.near, "ครู อีกท่าน", {}, role="supervisor")
    _, token, rid = await _in_hand(api, database_url, colleges, "accepted")
    _leave(database_url, colleges, "suspended")
    await _tick(database_url, settings, clock)
    assert "teacher_left" not in _told(database_url, rid, colleges.people["student"][0])
    assert _admins_told(database_url, rid, "teacher_needed") == []
    assert (await api.get(f"/requests/{rid}", headers=bearer(token))).json()["teacher_needed"] is False


@pytest.mark.parametrize("status", ["accepted", "diagnosing", "repairing"])
async def test_an_admin_takes_the_job_back_and_it_goes_on_to_a_college_with_a_teacher(
        app_and_clock: AppClock, colleges: Colleges, database_url: str, settings: Settings, status: str) -> None:
    """The admin's move (the take back a teacher would make, the step to `offered`): the job is not offered again at
    the college with no teacher but at the nearest college whose teacher can be present, its citizen told, its
    timeline saying it was taken back; the far college's student takes it and its steps go on there."""
    api, clock = app_and_clock
    _, _, rid = await _in_hand(api, database_url, colleges, status)
    _leave(database_url, colleges, "suspended")
    await _tick(database_url, settings, clock)
    admin, _ = await sign_in(api, ADMIN_PHONE)
    moved = await step(api, admin, rid, "offered", note="ไม่มีครูที่วิทยาลัย")
    assert moved.status_code == 200, moved.text
    assert _request(database_url, rid) == {"status": "offered", "college_id": colleges.far, "technician_id": None}
    pending = [o for o in offers_of(database_url, rid) if o["status"] == "pending"]
    assert [(o["technician_id"], o["college_id"]) for o in pending] == [
        (colleges.people["far_student"][0], colleges.far)]
    assert "taken_back" in _notes(database_url, rid)
    with psycopg.connect(database_url) as conn:
        citizen_told = [r[0] for r in conn.execute(
            "select n.kind::text from public.notifications n join public.repair_requests r on r.id = n.request_id "
            "and n.recipient_id = r.citizen_id where r.id = %s", [rid])]
    assert "job_taken_back" in citizen_told or status == "accepted"
    far, _ = await sign_in(api, colleges.people["far_student"][1])
    assert (await api.post(f"/offers/{pending[0]['id']}/accept", headers=bearer(far))).status_code == 200
    going = await step(api, far, rid, "diagnosing", teacher_present_id=colleges.people["far_teacher"][0])
    assert going.status_code == 200, going.text


async def test_an_admin_take_back_with_no_college_able_waits_for_an_administrator(
        app_and_clock: AppClock, colleges: Colleges, database_url: str, settings: Settings) -> None:
    """No college in range has a teacher: the taken-back job waits as no_centre (never offered where nobody could
    be present), and the admin's send-on to the far college, once its teacher is back, offers it there."""
    api, _ = app_and_clock
    _, _, rid = await _in_hand(api, database_url, colleges, "diagnosing")
    _leave(database_url, colleges, "suspended")
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set is_active = false where id = %s", [colleges.people["far_teacher"][0]])
    admin, _ = await sign_in(api, ADMIN_PHONE)
    moved = await step(api, admin, rid, "offered")
    assert moved.status_code == 200, moved.text
    assert _request(database_url, rid)["status"] == "no_centre"
    assert [o for o in offers_of(database_url, rid) if o["status"] == "pending"] == []
    refused = await api.post(f"/requests/{rid}/dispatch", json={"college_id": str(colleges.far)},
                             headers=bearer(admin))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "no_teacher_at_college", refused.text
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set is_active = true where id = %s", [colleges.people["far_teacher"][0]])
    sent = await api.post(f"/requests/{rid}/dispatch", json={"college_id": str(colleges.far)}, headers=bearer(admin))
    assert sent.status_code == 200, sent.text
    assert _request(database_url, rid)["college_id"] == colleges.far
