"""A high-risk job (shared.credit: its diagnosing and repairing steps name a teacher of the college present) reaches
a student only where a teacher can be present: dispatch picked a college with one (fix18c), and so do the two paths
that hand a job to a student later: a student's accept of an offer made while the college had a teacher, and the
citizen's reopen of a job its college did, on a real PostgreSQL."""

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.settings import Settings
from shared.text import ERRORS
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import (
    ADMIN_PHONE,
    AppClock,
    _college,
    _leave_empty,
    _student,
    approve_and_hand_back,
    offers_of,
    record_work,
    step,
    submit,
)
from tests.integration.lock_waits import until_waiting

AC = {"category_code": "air_conditioning", "item": "แอร์ติดผนัง"}


@dataclass
class Colleges:
    near: uuid.UUID  # ~0.7 km from HOME: a teacher and a student who fits an air-conditioning job
    far: uuid.UUID  # ~11 km from HOME: the same
    people: dict[str, tuple[str, str]]  # name -> (user id, phone)


@pytest.fixture
def colleges(database_url: str) -> Iterator[Colleges]:
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        near = _college(conn, "ครูใกล้", 19.3050, 97.9650, 30)
        far = _college(conn, "ครูไกล", 19.4000, 97.9700, 40)
        people = {
            "student": _student(conn, near, "ช่าง แอร์ใกล้", {"refrigeration_ac": 3}),
            "teacher": _student(conn, near, "ครู แอร์ใกล้", {}, role="supervisor"),
            "far_student": _student(conn, far, "ช่าง แอร์ไกล", {"refrigeration_ac": 3}),
            "far_teacher": _student(conn, far, "ครู แอร์ไกล", {}, role="supervisor"),
        }
        yield Colleges(near, far, people)
        _leave_empty(conn, near, far)


# The ways a college's last teacher stops being one, each as any path (an admin, the operator, Supabase's
# dashboard) writes it.
LEAVINGS = {
    "role_changed": "update public.profiles set role = 'citizen', college_id = null where id = %(teacher)s",
    "suspended": "update public.profiles set is_active = false where id = %(teacher)s",
    "moved": "update public.profiles set college_id = %(far)s where id = %(teacher)s",
    "deleted": "delete from auth.users where id = %(teacher)s",
}


def _leave(database_url: str, colleges: Colleges, how: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(LEAVINGS[how], {"teacher": colleges.people["teacher"][0], "far": colleges.far})


def _request(database_url: str, request_id: str) -> dict[str, Any]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        row = conn.execute("select status::text, college_id, technician_id::text from public.repair_requests "
                           "where id = %s", [request_id]).fetchone()
    assert row is not None
    return row


def _told(database_url: str, request_id: str, person: str) -> list[str]:
    """The kinds of notification about the request written to `person` (a user id)."""
    with psycopg.connect(database_url) as conn:
        return [r[0] for r in conn.execute(
            "select kind::text from public.notifications where request_id = %s and recipient_id = %s order by id",
            [request_id, person])]


def _notes(database_url: str, request_id: str) -> list[str | None]:
    with psycopg.connect(database_url) as conn:
        return [r[0] for r in conn.execute(
            "select note_code from public.status_events where request_id = %s order by id", [request_id])]


async def _offered_near(api: Any, database_url: str, colleges: Colleges) -> tuple[str, str, dict[str, Any]]:
    """An air-conditioning job offered to the near college's student: (citizen's token, request id, the offer)."""
    citizen, request = await submit(api, **AC)
    made = offers_of(database_url, request["id"])
    assert [(o["technician_id"], o["college_id"]) for o in made] == [
        (colleges.people["student"][0], colleges.near)]
    return citizen, request["id"], made[0]


@pytest.mark.parametrize("how", sorted(LEAVINGS))
async def test_an_offer_whose_college_lost_its_last_teacher_is_refused_and_the_job_goes_on(
        app_and_clock: AppClock, colleges: Colleges, database_url: str, settings: Settings, how: str) -> None:
    """The job was offered while the near college had a teacher; its only teacher then left. Its student's accept
    would give them a job nobody can be present at (they could never start it: 409 teacher_presence_required, and
    nothing moves an accepted job on): refused with why, nothing written; the clock's next turn ends the offer and
    the job goes on to the college whose teacher can be present (not waiting out the offer's SLA)."""
    api, clock = app_and_clock
    _, rid, offer = await _offered_near(api, database_url, colleges)
    _leave(database_url, colleges, how)
    token, _ = await sign_in(api, colleges.people["student"][1])
    refused = await api.post(f"/offers/{offer['id']}/accept", headers=bearer(token))
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "offer_no_teacher"
    assert (error["message_th"], error["message_en"]) == (ERRORS["offer_no_teacher"].th,
                                                          ERRORS["offer_no_teacher"].en)
    assert _request(database_url, rid)["status"] == "offered"
    assert [o["status"] for o in offers_of(database_url, rid)] == ["pending"]

    async with AsyncConnectionPool(database_url, kwargs={"row_factory": dict_row, "autocommit": True}) as pool:
        await tick(pool, settings, clock.now)  # type: ignore[arg-type]  # no SLA ran out: the clock's next turn
    after = {o["technician_id"]: o for o in offers_of(database_url, rid)}
    assert {who: o["status"] for who, o in after.items()} == {
        colleges.people["student"][0]: "withdrawn", colleges.people["far_student"][0]: "pending"}
    assert _request(database_url, rid) == {"status": "offered", "college_id": colleges.far, "technician_id": None}
    assert _notes(database_url, rid)[-1] == "no_teacher_left"  # the citizen's timeline says why it moved
    # The student hears the job no longer waits for them (the offer's withdrawal); the far college's, of the offer.
    assert _told(database_url, rid, colleges.people["student"][0]) == ["offer_new", "offer_withdrawn"]
    assert _told(database_url, rid, colleges.people["far_student"][0]) == ["offer_new"]
    far_token, _ = await sign_in(api, colleges.people["far_student"][1])
    far_offer = after[colleges.people["far_student"][0]]["id"]
    taken = await api.post(f"/offers/{far_offer}/accept", headers=bearer(far_token))
    assert taken.status_code == 200, taken.text


async def test_an_accept_waits_for_a_teacher_leaving_at_that_moment_and_is_refused(
        app_and_clock: AppClock, colleges: Colleges, database_url: str) -> None:
    """The last teacher's suspension is under way (their profile locked, not committed) as the student accepts: the
    accept waits for it and reads the teacher gone, rather than reading them present and committing a job whose
    teacher left a moment before."""
    api, _ = app_and_clock
    _, rid, offer = await _offered_near(api, database_url, colleges)
    token, _ = await sign_in(api, colleges.people["student"][1])
    async with await psycopg.AsyncConnection.connect(database_url) as leaving:
        await leaving.execute("update public.profiles set is_active = false where id = %s",
                              [colleges.people["teacher"][0]])
        accept = asyncio.create_task(api.post(f"/offers/{offer['id']}/accept", headers=bearer(token)))
        await until_waiting(database_url, 1, accept)
        await leaving.commit()
    refused = await accept
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "offer_no_teacher", refused.text
    assert _request(database_url, rid)["status"] == "offered"


async def test_an_offer_at_a_college_that_still_has_a_teacher_is_taken(
        app_and_clock: AppClock, colleges: Colleges, database_url: str) -> None:
    """One of two teachers leaving leaves one who can be present: the accept gives the job as before, and the
    clock's turn leaves the near college's offers alone."""
    api, _ = app_and_clock
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        _student(conn, colleges.near, "ครู อีกท่าน", {}, role="supervisor")
    _, rid, offer = await _offered_near(api, database_url, colleges)
    _leave(database_url, colleges, "suspended")
    token, _ = await sign_in(api, colleges.people["student"][1])
    taken = await api.post(f"/offers/{offer['id']}/accept", headers=bearer(token))
    assert taken.status_code == 200, taken.text
    assert _request(database_url, rid)["technician_id"] == colleges.people["student"][0]


async def _handed_back_near(api: Any, database_url: str, colleges: Colleges) -> tuple[str, str]:
    """An air-conditioning job the near college's student did with its teacher present, handed back: (the
    citizen's token, the request id)."""
    citizen, rid, offer = await _offered_near(api, database_url, colleges)
    token, _ = await sign_in(api, colleges.people["student"][1])
    assert (await api.post(f"/offers/{offer['id']}/accept", headers=bearer(token))).status_code == 200
    teacher_id = colleges.people["teacher"][0]
    for to in ("diagnosing", "repairing"):
        moved = await step(api, token, rid, to, teacher_present_id=teacher_id)
        assert moved.status_code == 200, moved.text
    await record_work(api, token, rid)
    moved = await step(api, token, rid, "quality_check")
    assert moved.status_code == 200, moved.text
    teacher, _ = await sign_in(api, colleges.people["teacher"][1])
    await approve_and_hand_back(api, citizen, teacher, rid)
    return citizen, rid


async def test_a_reopened_high_risk_job_goes_where_a_teacher_can_be_present(
        app_and_clock: AppClock, colleges: Colleges, database_url: str) -> None:
    """aftercare.reopen gives a job back to the student who did it. Their college's only teacher has left since: the
    student could accept it and never start it. It goes on, as from a college closed since, to the nearest college
    whose teacher can be present, and its timeline says why."""
    api, _ = app_and_clock
    citizen, rid = await _handed_back_near(api, database_url, colleges)
    _leave(database_url, colleges, "role_changed")
    reopened = await api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่เย็น"}, headers=bearer(citizen))
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "offered"
    pending = [o for o in offers_of(database_url, rid) if o["status"] == "pending"]
    assert [(o["technician_id"], o["college_id"]) for o in pending] == [
        (colleges.people["far_student"][0], colleges.far)]
    assert _request(database_url, rid) == {"status": "offered", "college_id": colleges.far, "technician_id": None}
    assert _notes(database_url, rid)[-1] == "reopened_no_teacher"
    # The student who did it hears it no longer waits for them; the far college's student, of the offer.
    assert _told(database_url, rid, colleges.people["student"][0])[-1] == "offer_withdrawn"
    assert _told(database_url, rid, colleges.people["far_student"][0]) == ["offer_new"]


async def test_a_reopened_high_risk_job_no_teacher_can_take_waits_for_an_administrator(
        app_and_clock: AppClock, colleges: Colleges, database_url: str) -> None:
    """With no college in range whose teacher can be present, the reopened job waits as no_centre for an
    administrator (its citizen told, `no_taker`), not offered to a student who could never start it."""
    api, _ = app_and_clock
    citizen, rid = await _handed_back_near(api, database_url, colleges)
    _leave(database_url, colleges, "suspended")
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set is_active = false where id = %s", [colleges.people["far_teacher"][0]])
        before = conn.execute("select coalesce(max(id), 0) from public.notifications").fetchone()
    assert before is not None
    reopened = await api.post(f"/requests/{rid}/reopen", json={"note": ""}, headers=bearer(citizen))
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "no_centre"
    assert [o for o in offers_of(database_url, rid) if o["status"] == "pending"] == []
    assert _notes(database_url, rid)[-1] == "no_taker"
    with psycopg.connect(database_url) as conn:
        told = conn.execute("select kind::text from public.notifications where request_id = %s and id > %s "
                            "and recipient_id = (select citizen_id from public.repair_requests where id = %s)",
                            [rid, before[0], rid]).fetchall()
    assert ("no_taker",) in told
    with psycopg.connect(database_url) as conn:
        admins = conn.execute("select distinct n.kind::text from public.notifications n "
                              "join public.profiles p on p.id = n.recipient_id and p.role = 'admin' "
                              "where n.request_id = %s and n.id > %s", [rid, before[0]]).fetchall()
    assert ("no_centre",) in admins  # an administrator may send it on


async def test_an_admin_cannot_assign_a_high_risk_job_at_a_college_with_no_teacher(
        app_and_clock: AppClock, colleges: Colleges, database_url: str) -> None:
    """An administrator's assign hands the job to a student as an accept does: at a college whose last teacher left,
    refused with why (as the admin's send-on there is: 409 no_teacher_at_college), the job left as it was."""
    api, _ = app_and_clock
    _, rid, _ = await _offered_near(api, database_url, colleges)
    _leave(database_url, colleges, "moved")
    admin, _ = await sign_in(api, ADMIN_PHONE)
    refused = await api.post(f"/requests/{rid}/assign", json={"technician_id": colleges.people["student"][0]},
                             headers=bearer(admin))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "no_teacher_at_college", refused.text
    assert _request(database_url, rid) == {"status": "offered", "college_id": colleges.near, "technician_id": None}


async def test_no_helper_joins_high_risk_work_ahead_at_a_college_with_no_teacher(
        app_and_clock: AppClock, colleges: Colleges, database_url: str) -> None:
    """A helper's hands are on the work too (README: a helper on a job under way holds it as its lead does). The
    lead names a classmate on a job being diagnosed after the college's only teacher left: nobody could be present
    for them either, so the join is refused with why, and the team is as it was; with a teacher back, it is taken."""
    api, _ = app_and_clock
    _, rid, offer = await _offered_near(api, database_url, colleges)
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:  # joined after the offer
        helper = _student(conn, colleges.near, "ช่าง ผู้ช่วย", {"refrigeration_ac": 3})
    token, _ = await sign_in(api, colleges.people["student"][1])
    assert (await api.post(f"/offers/{offer['id']}/accept", headers=bearer(token))).status_code == 200
    moved = await step(api, token, rid, "diagnosing", teacher_present_id=colleges.people["teacher"][0])
    assert moved.status_code == 200, moved.text
    _leave(database_url, colleges, "suspended")
    refused = await api.post(f"/requests/{rid}/team", json={"technician_id": helper[0]}, headers=bearer(token))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "team_no_teacher", refused.text
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        assert conn.execute("select 1 from public.job_team where request_id = %s and technician_id = %s",
                            [rid, helper[0]]).fetchall() == []
        conn.execute("update public.profiles set is_active = true where id = %s", [colleges.people["teacher"][0]])
    joined = await api.post(f"/requests/{rid}/team", json={"technician_id": helper[0]}, headers=bearer(token))
    assert joined.status_code == 204, joined.text
