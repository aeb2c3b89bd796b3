"""audit20: findings of a fresh-eyes read of sessions 18-19, each fixed the same session and kept here as a
regression test of the rule it broke (README, the migrations' and modules' docstrings): #1 a teacher's send-back of a
high-risk job names them present, and #4 the teacher named present is locked (fix20a); #2 a suspended citizen's
request reaches no student by any path (fix20c); #3 a take back from `accepted` withdraws the former student's parts,
and #5 whose work a photo or a report is, stamped under the request's lock (fix20b). Each test's docstring says the
rule it holds; its finding's number is kept for history."""

import asyncio

import psycopg
import pytest

from tests.helpers import bearer, sign_in
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import (
    ADMIN_PHONE,
    AppClock,
    Area,
    assigned_by_teacher,
    every_asked_declines,
    kinds_told,
    last_notification,
    offers_of,
    record_work,
    request_status,
    set_owner_active,
    step,
    submit,
)
from tests.integration.lock_waits import reassign_waiting, until_waiting
from tests.integration.test_a_teacher_at_every_hand_over import AC, Colleges, colleges  # noqa: F401 (fixture)


async def test_a_take_back_from_accepted_withdraws_the_former_students_waiting_parts(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """audit20 #3: a take back from `accepted` withdraws the former student's part that waits for the citizen's
    answer, as a take back from diagnosing or repairing (0073) and a reassign (0083) do, and the citizen is told:
    nobody on the job owns it any more, and the citizen cannot approve, and pay for, a part proposed by a student who
    no longer has their item. Here bee accepted the job (the teacher gave it) and proposed a part (WORK_EDITABLE
    includes `accepted`); the teacher takes it back before bee started (accepted -> offered, shared.statuses) and
    gives it to ace."""
    api, _ = app_and_clock
    citizen, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    proposed = await api.post(f"/requests/{rid}/parts", json={"name": "มอเตอร์พัดลม", "qty": 1, "price_baht": 350},
                              headers=bearer(bee))
    assert proposed.status_code == 201, proposed.text
    part = proposed.json()["id"]
    before = last_notification(database_url)
    taken = await step(api, teacher, rid, "offered", note="บีไม่ว่าง")
    assert taken.status_code == 200, taken.text

    # The teacher gives the job to ace (an assign of an offered job: no `reassigned` note, so 0083's trigger does
    # not run either). The job is in a student's hands again, and the citizen's answer is open again.
    given = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]},
                           headers=bearer(teacher))
    assert given.status_code == 200, given.text

    before_answer = _part_status(database_url, part)
    late = await api.post(f"/requests/{rid}/parts/{part}/decision", json={"approve": True},
                          headers=bearer(citizen))
    told = kinds_told(database_url, rid, role="citizen", since_id=before)
    # Was (before 0090): {'part': 'proposed', 'answer': 200, 'told': False}: the part stayed `proposed` through the
    # take back, nothing told the citizen, and the citizen then approved bee's part on ace's job.
    assert {"part": before_answer, "answer": late.status_code,
            "told": "part_withdrawn" in told or "job_taken_back" in told} == {
        "part": "withdrawn", "answer": 409, "told": True}, (late.text, told)

def _part_status(database_url: str, part: str) -> str:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select status from public.job_parts where id = %s", [part]).fetchone()
    assert row is not None
    return str(row[0])


# --- audit20 #2: a suspended citizen's request (review18a #2: "nobody may answer for it any more") ---------------
# The citizen is suspended by a path that does nothing else (dispatch_area.set_owner_active): the rule holds where the
# request's offers, or its job, stood through the suspension.

async def test_an_offer_standing_when_its_citizen_was_suspended_is_not_taken(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """audit20 #2: an offer that stood when its citizen was suspended is not taken (409 owner_suspended): the accept
    would give the student the job and the suspended owner's phone and address, where nobody may answer for it (no
    chat, no part's answer, no hand back code). The clock's own paths send no student to it either
    (test_a_suspended_citizens_request_regressions)."""
    api, _ = app_and_clock
    _, request = await submit(api)
    rid = request["id"]
    asked = {o["technician_id"]: o for o in offers_of(database_url, rid)}
    set_owner_active(database_url, rid, False)
    ace_id, ace_phone = area.students["ace"]
    assert ace_id in asked
    ace, _ = await sign_in(api, ace_phone)
    taken = await api.post(f"/offers/{asked[ace_id]['id']}/accept", headers=bearer(ace))
    # Was: 200, the job ace's (status accepted), its detail giving ace the suspended owner's contact.
    assert (taken.status_code, request_status(database_url, rid)) != (200, "accepted"), taken.text
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "owner_suspended"), taken.text


async def test_a_take_back_of_a_suspended_citizens_job_asks_no_other_student(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """audit20 #2: a take back of a suspended citizen's job asks no other student: it waits as no_centre, as the
    decline and lapse paths park such a request (dispatch._parked_for_suspended_owner), instead of the take back's
    re-offer (dispatch.reoffer_at_same_college, then on to the next college) asking students as if its owner could
    still answer for it. Here bee repairs the job, its citizen is suspended, and the teacher takes it back."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    set_owner_active(database_url, rid, False)
    before = {o["id"] for o in offers_of(database_url, rid)}
    taken = await step(api, teacher, rid, "offered", note="บีไม่ว่าง")
    assert taken.status_code == 200, taken.text
    asked = sorted(o["technician_id"] for o in offers_of(database_url, rid)
                   if o["status"] == "pending" and o["id"] not in before)
    # Was: status 'offered' and new pending offers to the college's other students (or the far college's).
    assert (request_status(database_url, rid), asked) == ("no_centre", [])


async def test_an_admin_send_on_of_a_suspended_citizens_request_is_refused(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """audit20 #2: the admin's send-on of a suspended citizen's request is refused with why (409 owner_suspended),
    as the clock's paths refuse it, and the admins' waiting list says why it waits (`owner_suspended`). Here the
    last decline parked it as no_centre (review18a #2); a send-on to the near college would offer it again to the
    students whose offer lapsed or who declined (`again`), as if its owner could still answer."""
    api, _ = app_and_clock
    _, request = await submit(api)
    rid = request["id"]
    asked = {o["technician_id"] for o in offers_of(database_url, rid)}
    set_owner_active(database_url, rid, False)
    await every_asked_declines(api, area, rid, asked)
    assert request_status(database_url, rid) == "no_centre"
    admin, _ = await sign_in(api, ADMIN_PHONE)
    waiting = (await api.get("/admin/waiting", params={"limit": 200}, headers=bearer(admin))).json()
    assert {w["id"]: w["owner_suspended"] for w in waiting}.get(rid) is True  # the admin sees why it waits
    sent = await api.post(f"/requests/{rid}/dispatch", json={"college_id": str(area.near)},
                          headers=bearer(admin))
    # Was: 200, offered again to the near college's students.
    assert sent.status_code == 409 and request_status(database_url, rid) == "no_centre", sent.text
    assert sent.json()["error"]["code"] == "owner_suspended"


# --- audit20 #4: the teacher named present at a high-risk step, leaving at that moment -------------------------------

_LEAVING = {
    "suspended": "update public.profiles set is_active = false where id = %(teacher)s",
    "deleted": "delete from auth.users where id = %(teacher)s",
}


@pytest.mark.parametrize("how", sorted(_LEAVING))
async def test_a_high_risk_step_waits_for_the_named_teacher_leaving_at_that_moment(
        app_and_clock: AppClock, colleges: Colleges, database_url: str, how: str) -> None:  # noqa: F811
    """audit20 #4: a high-risk step naming a teacher who is leaving at that moment (suspended or deleted) waits for
    the leaving and is refused with why (409 teacher_presence_required), nothing written, as the accept does since
    session 19 (test_an_accept_waits_for_a_teacher_leaving_at_that_moment_and_is_refused): the teacher named present
    is locked (transitions.lock_teacher_present). Here the near college's student took an air-conditioning job (high
    tier: its diagnosing step names a teacher of the college present) and moves it to diagnosing naming the college's
    only teacher. Was: a suspension was not waited for (the step committed naming a teacher suspended a moment
    later), and a deletion only by the foreign key of the step's timeline entry, whose violation was no clear
    refusal."""
    api, _ = app_and_clock
    _, request = await submit(api, **AC)
    rid = request["id"]
    offer = offers_of(database_url, rid)[0]
    token, _ = await sign_in(api, colleges.people["student"][1])
    assert (await api.post(f"/offers/{offer['id']}/accept", headers=bearer(token))).status_code == 200
    teacher_id = colleges.people["teacher"][0]
    async with await psycopg.AsyncConnection.connect(database_url) as leaving:
        await leaving.execute(_LEAVING[how], {"teacher": teacher_id})
        moved = asyncio.create_task(step(api, token, rid, "diagnosing", teacher_present_id=teacher_id))
        try:
            await until_waiting(database_url, 1, moved)  # was (suspended): answered 200 without waiting
        finally:
            await leaving.commit()
    answer = await moved
    # Was (deleted): the step waited on the foreign key, then failed on it.
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "teacher_presence_required"), answer.text
    assert request_status(database_url, rid) == "accepted"


# --- audit20 #5: whose work a photo is, stamped under the request's lock, never judged by transaction start times ---

async def test_an_after_photo_committed_while_a_reassign_waits_stays_the_former_students_work(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """audit20 #5: an after photo the former student uploads while a reassign waits stays the former student's
    work: it is not in the new student's round, and they cannot replace it (0075's rule: never destroy another
    student's evidence). Whose work it is was stamped under the request's lock (0092), never judged by
    `created_at > the reassign's created_at`. Here the teacher's reassign of bee's job to ace has begun (its now())
    and waits for ace's profile (tests.integration.lock_waits.reassign_waiting) while bee, still on the job, uploads
    the photo: its created_at is later than the reassign's timeline event, written after the wait with the earlier
    now()."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    ace_id, ace_phone = area.students["ace"]
    async with reassign_waiting(api, database_url, teacher, rid, ace_id) as moving:
        uploaded = await api.put(f"/requests/{rid}/after-photos/0", files=_photo(), headers=bearer(bee))
        assert uploaded.status_code == 201, uploaded.text
    moved = moving.result()
    assert moved.status_code == 200, moved.text
    ace, _ = await sign_in(api, ace_phone)
    detail = (await api.get(f"/requests/{rid}", headers=bearer(ace))).json()
    replaced = await api.put(f"/requests/{rid}/after-photos/0", files=_photo(), headers=bearer(ace))
    # Was (before 0092): {'in_round': [0], 'replace': 201}: bee's photo counted as ace's work, and ace replaced it.
    assert {"in_round": detail["after_photos_in_round"], "replace": replaced.status_code} == {
        "in_round": [], "replace": 409}, replaced.text


def _photo() -> dict[str, tuple[str, bytes, str]]:
    return {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}


# --- audit20 #1: a teacher's send-back of a high-risk job -----------------------------------------------------------

async def test_a_teacher_sends_a_high_risk_job_back_for_rework_as_the_app_does(
        app_and_clock: AppClock, colleges: Colleges, database_url: str) -> None:  # noqa: F811
    """audit20 #1: a teacher sends a high-risk job back from the check for rework as the app's "send back" step
    sends it (to_status repairing and a note, no teacher_present_id: job.py's confirm_step), and the move is made:
    the teacher's own send-back names them present (shared.credit.teacher_named_present). Here an air-conditioning
    job (high tier) was repaired with the college's teacher named present at both hands-on steps. Was: refused,
    the shared rule asking every move into repairing of a high-tier job to name a teacher, so no teacher could send
    such a job back from the app."""
    api, _ = app_and_clock
    _, request = await submit(api, **AC)
    rid = request["id"]
    offer = offers_of(database_url, rid)[0]
    token, _ = await sign_in(api, colleges.people["student"][1])
    assert (await api.post(f"/offers/{offer['id']}/accept", headers=bearer(token))).status_code == 200
    teacher_id = colleges.people["teacher"][0]
    for to in ("diagnosing", "repairing"):
        assert (await step(api, token, rid, to, teacher_present_id=teacher_id)).status_code == 200
    await record_work(api, token, rid)
    assert (await step(api, token, rid, "quality_check")).status_code == 200
    teacher, _ = await sign_in(api, colleges.people["teacher"][1])
    back = await step(api, teacher, rid, "repairing", note="ยังมีเสียงดังผิดปกติ ตรวจคอมเพรสเซอร์ใหม่")
    # Was: 409 teacher_presence_required ("High-risk work: name the teacher present at this step").
    assert back.status_code == 200, back.text
    assert request_status(database_url, rid) == "repairing"
