"""audit20: findings of a fresh-eyes read of sessions 18-19, each written as the behaviour the project's own rules
promise (README, the migrations' and modules' docstrings) while the bug was there, and each fixed the same session:
a teacher's send-back of a high-risk job, and the teacher named present locked (fix20a); a suspended citizen's
request reaching no student by any path (fix20c); a take back from `accepted` withdrawing the former student's parts,
and whose work a photo or a report is stamped under the request's lock (fix20b). They stay as regression tests."""

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
    kinds_told,
    last_notification,
    offers_of,
    record_work,
    request_status,
    step,
    submit,
)
from tests.integration.lock_waits import until_waiting
from tests.integration.test_a_teacher_at_every_hand_over import AC, Colleges, colleges  # noqa: F401 (fixture)


async def test_a_take_back_from_accepted_withdraws_the_former_students_waiting_parts(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """bee accepted the job (the teacher gave it) and proposed a part (WORK_EDITABLE includes `accepted`); the
    teacher takes the job back before bee started (accepted -> offered, shared.statuses). As after a take back
    from diagnosing or repairing (0073) and a reassign (0083), the part that waits for the citizen's answer is
    withdrawn: nobody on the job owns it any more, and the citizen must not be able to approve, and pay for, a part
    proposed by a student who no longer has their item."""
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
    # Today: {'part': 'proposed', 'answer': 200, 'told': False}: the part stayed `proposed` through the take back
    # (nothing told the citizen), and the citizen then approved bee's part on ace's job.
    assert {"part": before_answer, "answer": late.status_code,
            "told": "part_withdrawn" in told or "job_taken_back" in told} == {
        "part": "withdrawn", "answer": 409, "told": True}, (late.text, told)

def _part_status(database_url: str, part: str) -> str:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select status from public.job_parts where id = %s", [part]).fetchone()
    assert row is not None
    return str(row[0])


# --- A suspended citizen's request (review18a #2: "nobody may answer for it any more") ---------------------------

def _set_owner_active(database_url: str, rid: str, active: bool) -> None:
    """The citizen's account is suspended (or restored) by a path that does nothing else (SQL, as an operator's
    dashboard might): account.suspend also ends the offers and parks the requests, so these tests hold the rule
    where a request's offers stood through the suspension."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set is_active = %s "
                     "where id = (select citizen_id from public.repair_requests where id = %s)", [active, rid])


async def test_an_offer_standing_when_its_citizen_was_suspended_is_not_taken(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """The request is offered to the near college's students; its citizen is suspended. The clock would not send a
    student to it any more (test_a_suspended_citizens_request_regressions), but the offers standing at the
    suspension stay open: a student accepts and is given the job and the suspended owner's phone and address,
    where nobody may answer for it (no chat, no part's answer, no hand back code)."""
    api, _ = app_and_clock
    _, request = await submit(api)
    rid = request["id"]
    asked = {o["technician_id"]: o for o in offers_of(database_url, rid)}
    _set_owner_active(database_url, rid, False)
    ace_id, ace_phone = area.students["ace"]
    assert ace_id in asked
    ace, _ = await sign_in(api, ace_phone)
    taken = await api.post(f"/offers/{asked[ace_id]['id']}/accept", headers=bearer(ace))
    # Was: 200, the job ace's (status accepted), its detail giving ace the suspended owner's contact.
    assert (taken.status_code, request_status(database_url, rid)) != (200, "accepted"), taken.text
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "owner_suspended"), taken.text


async def test_a_take_back_of_a_suspended_citizens_job_asks_no_other_student(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """bee repairs the job; its citizen is suspended; the teacher takes the job back (bee cannot go on). The take
    back's re-offer (dispatch.reoffer_at_same_college, then on to the next college) asks other students as if the
    owner could still answer for it; the decline and lapse paths park such a request as no_centre instead
    (dispatch._parked_for_suspended_owner)."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    _set_owner_active(database_url, rid, False)
    before = {o["id"] for o in offers_of(database_url, rid)}
    taken = await step(api, teacher, rid, "offered", note="บีไม่ว่าง")
    assert taken.status_code == 200, taken.text
    asked = sorted(o["technician_id"] for o in offers_of(database_url, rid)
                   if o["status"] == "pending" and o["id"] not in before)
    # Was: status 'offered' and new pending offers to the college's other students (or the far college's).
    assert (request_status(database_url, rid), asked) == ("no_centre", [])


async def test_an_admin_send_on_of_a_suspended_citizens_request_is_refused(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """The last decline of a suspended citizen's request parks it as no_centre (review18a #2), where it shows in
    the admins' waiting list like any other, with nothing saying why. The admin's send-on to the near college then
    offers it to students whose offer lapsed or who declined (`again`), as if its owner could still answer: it
    should be refused with a reason, as the clock's paths refuse it."""
    api, _ = app_and_clock
    _, request = await submit(api)
    rid = request["id"]
    asked = {o["technician_id"] for o in offers_of(database_url, rid)}
    _set_owner_active(database_url, rid, False)
    for student, phone in area.students.values():
        if student in asked:
            token, _ = await sign_in(api, phone)
            offer = next(o for o in (await api.get("/technician/offers", headers=bearer(token))).json()
                         if o["request_id"] == rid)
            assert (await api.post(f"/offers/{offer['offer_id']}/decline", headers=bearer(token))).status_code == 204
    assert request_status(database_url, rid) == "no_centre"
    admin, _ = await sign_in(api, ADMIN_PHONE)
    waiting = (await api.get("/admin/waiting", params={"limit": 200}, headers=bearer(admin))).json()
    assert {w["id"]: w["owner_suspended"] for w in waiting}.get(rid) is True  # the admin sees why it waits
    sent = await api.post(f"/requests/{rid}/dispatch", json={"college_id": str(area.near)},
                          headers=bearer(admin))
    # Was: 200, offered again to the near college's students.
    assert sent.status_code == 409 and request_status(database_url, rid) == "no_centre", sent.text
    assert sent.json()["error"]["code"] == "owner_suspended"


# --- The teacher named present at a high-risk step, leaving at that moment -----------------------------------------

_LEAVING = {
    "suspended": "update public.profiles set is_active = false where id = %(teacher)s",
    "deleted": "delete from auth.users where id = %(teacher)s",
}


@pytest.mark.parametrize("how", sorted(_LEAVING))
async def test_a_high_risk_step_waits_for_the_named_teacher_leaving_at_that_moment(
        app_and_clock: AppClock, colleges: Colleges, database_url: str, how: str) -> None:  # noqa: F811
    """The near college's student took an air-conditioning job (high tier: its diagnosing step names a teacher of
    the college present). The college's only teacher is being suspended (or deleted) as the student moves the job to
    diagnosing naming them: as the accept does since session 19 (test_an_accept_waits_for_a_teacher_leaving_at_that_
    moment_and_is_refused), the step should wait for the leaving and be refused with why (409
    teacher_presence_required), nothing written. Today the suspension is not waited for (the step commits naming a
    teacher suspended a moment later), and a deletion is waited for only by the foreign key of the step's timeline
    entry, whose violation is no clear refusal."""
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
            await until_waiting(database_url, 1, moved)  # today (suspended): answered 200 without waiting
        finally:
            await leaving.commit()
    answer = await moved
    # Today (deleted): the step waits on the foreign key, then fails on it.
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "teacher_presence_required"), answer.text
    assert request_status(database_url, rid) == "accepted"


# --- Whose work a photo is, judged by transaction start times -----------------------------------------------------

async def test_an_after_photo_committed_while_a_reassign_waits_stays_the_former_students_work(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """The teacher reassigns bee's job to ace; the reassign's transaction has begun (its now()) and waits for ace's
    profile (the lock order's first step: here another transaction holds it, as an accept or a switch-off of ace
    would). Meanwhile bee, still on the job, uploads an after photo: its created_at is later than the reassign's
    timeline event, written after the wait with the earlier now(). The photo is bee's work (bee took it while the job
    was bee's), but photo_intake and the check judge work by `created_at > the reassign's created_at`: ace is
    credited with bee's photo in the round and may replace it, destroying bee's evidence (0075's rule: never)."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    ace_id, ace_phone = area.students["ace"]
    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from public.profiles where id = %s for no key update", [ace_id])
        moving = asyncio.create_task(api.post(f"/requests/{rid}/assign", json={"technician_id": ace_id},
                                              headers=bearer(teacher)))
        try:
            await until_waiting(database_url, 1, moving)  # begun, waiting for ace's profile
            uploaded = await api.put(f"/requests/{rid}/after-photos/0", files=_photo(), headers=bearer(bee))
            assert uploaded.status_code == 201, uploaded.text
        finally:
            await holder.rollback()
    moved = await moving
    assert moved.status_code == 200, moved.text
    ace, _ = await sign_in(api, ace_phone)
    detail = (await api.get(f"/requests/{rid}", headers=bearer(ace))).json()
    replaced = await api.put(f"/requests/{rid}/after-photos/0", files=_photo(), headers=bearer(ace))
    # Today: {'in_round': [0], 'replace': 201}: bee's photo counts as ace's work, and ace replaced it.
    assert {"in_round": detail["after_photos_in_round"], "replace": replaced.status_code} == {
        "in_round": [], "replace": 409}, replaced.text


def _photo() -> dict[str, tuple[str, bytes, str]]:
    return {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}


# --- A teacher's send-back of a high-risk job --------------------------------------------------------------------

async def test_a_teacher_sends_a_high_risk_job_back_for_rework_as_the_app_does(
        app_and_clock: AppClock, colleges: Colleges, database_url: str) -> None:  # noqa: F811
    """An air-conditioning job (high tier) repaired with the college's teacher named present at both hands-on steps
    reaches the check. The teacher finds a fault and sends it back with a note, as the app's "send back" step sends
    it (to_status repairing and the note: job.py's confirm_step passes no teacher_present_id). Refused: the shared
    rule asks every move into repairing of a high-tier job to name a teacher present, the teacher's own rework too,
    so no teacher (and no admin deciding for a college without one) can send such a job back from the app."""
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
    # Today: 409 teacher_presence_required ("High-risk work: name the teacher present at this step").
    assert back.status_code == 200, back.text
    assert request_status(database_url, rid) == "repairing"
