"""Whose hours a teacher credits on a job's team (audit13 findings 1 and 3): a job taken from one student and given to
another credits each with their own hours, and a helper who did nothing can be left uncredited without blocking the
approval. Real PostgreSQL, through the API."""

from typing import Any

import httpx
import psycopg

from tests.helpers import bearer, sign_in
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import (
    AppClock,
    Area,
    assigned_by_teacher,
    assigned_to_bee,
    backdate_acceptance,
    confirm_handover,
    handed_back_job,
    record_work,
    step,
    submit,
    work_to_quality_check,
)


async def _told(api: httpx.AsyncClient, token: str, rid: str) -> list[dict[str, Any]]:
    """The student's inbox entries about this request, as the app shows them."""
    page = await api.get("/me/notifications", headers=bearer(token))
    assert page.status_code == 200, page.text
    return [n for n in page.json()["items"] if n["request_id"] == rid]


async def _approved_jobs(api: httpx.AsyncClient, token: str, student: str) -> list[str]:
    folio = await api.get(f"/portfolio/{student}", headers=bearer(token))
    assert folio.status_code == 200, folio.text
    return [j["request_id"] for j in folio.json()["jobs"]]


# --- Finding 1: a job given to another student ---------------------------------------------------------------------

async def test_a_reassigned_job_does_not_credit_the_former_students_hours_to_the_new_lead(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """bee works the job and reports 1.5 h (PUT /report); the teacher reassigns it to ace (a reassign changes no
    status) and ace sends it to the check (on their own report and photo since known18be). At the approval
    `_ensure_lead` made ace the lead with "their report's" hours, read from job_reports by request only (not by
    `technician_id`): ace was credited bee's 1.5 h (or what the teacher types for ace), and bee, on no team row, got
    nothing for the work."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area)
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    photo = {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    assert (await api.put(f"/requests/{rid}/after-photos/0", files=photo, headers=bearer(bee))).status_code == 201
    saved = await api.put(f"/requests/{rid}/report", headers=bearer(bee), json={
        "hours": 1.5, "notes": "เปลี่ยนฟิวส์ ทดสอบเปิดเครื่องแล้วใช้งานได้", "parts": []})
    assert saved.status_code == 200, saved.text
    ace_id, ace_phone = area.students["ace"]
    moved = await api.post(f"/requests/{rid}/assign", json={"technician_id": ace_id}, headers=bearer(teacher))
    assert moved.status_code == 200, moved.text
    ace, _ = await sign_in(api, ace_phone)
    # bee's photo and report are bee's work: ace sends the job to the check on their own (known18be: a reassign
    # starts the work the record must evidence, as a take back does, credit.WORK_BEGAN_SQL).
    assert (await step(api, ace, rid, "quality_check")).status_code == 409
    assert (await api.put(f"/requests/{rid}/after-photos/1", files=photo, headers=bearer(ace))).status_code == 201
    saved = await api.put(f"/requests/{rid}/report", headers=bearer(ace), json={
        "hours": 0.5, "notes": "ตรวจซ้ำหลังเปลี่ยนฟิวส์ ใช้งานได้ปกติ", "parts": []})
    assert saved.status_code == 200, saved.text
    assert (await step(api, ace, rid, "quality_check")).status_code == 200
    assert (await step(api, teacher, rid, "done")).status_code == 200
    backdate_acceptance(database_url, rid, 2)
    approved = await api.post(f"/requests/{rid}/credit/approve", json={"hours": {ace_id: 0.5}},
                              headers=bearer(teacher))
    assert approved.status_code == 200, approved.text
    credited = {m["technician_id"]: m["approved_hours"] for m in approved.json()}
    assert credited == {area.students["bee"][0]: 1.5, ace_id: 0.5}, credited


async def test_a_job_taken_back_and_given_to_another_keeps_each_students_own_hours(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """bee reports 1.5 h while the job is accepted; the teacher takes it back to offer again, then gives it to ace,
    whose own report (0.5 h) replaces bee's on the job. bee stays on the team as a helper with their 1.5 h (and is
    told so), the record shows it before the approval, and "as reported" credits each their own hours."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area)
    saved = await api.put(f"/requests/{rid}/report", headers=bearer(bee), json={
        "hours": 1.5, "notes": "ถอดเครื่องตรวจวงจรแล้ว พบฟิวส์ขาด", "parts": []})
    assert saved.status_code == 200, saved.text
    taken = await step(api, teacher, rid, "offered")
    assert taken.status_code == 200, taken.text
    bee_id, ace_id = area.students["bee"][0], area.students["ace"][0]
    given = await api.post(f"/requests/{rid}/assign", json={"technician_id": ace_id}, headers=bearer(teacher))
    assert given.status_code == 200, given.text
    ace, _ = await sign_in(api, area.students["ace"][1])
    for to in ("diagnosing", "repairing"):
        assert (await step(api, ace, rid, to)).status_code == 200
    await record_work(api, ace, rid, hours=0.5)
    assert (await step(api, ace, rid, "quality_check")).status_code == 200
    assert (await step(api, teacher, rid, "done")).status_code == 200
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(teacher))).json()
    assert {m["technician_id"]: (m["role"], m["hours"]) for m in record["team"]} == {
        ace_id: ("lead", 0.5), bee_id: ("helper", 1.5)}
    backdate_acceptance(database_url, rid, 2)
    approved = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    assert approved.status_code == 200, approved.text
    assert {m["technician_id"]: m["approved_hours"] for m in approved.json()} == {bee_id: 1.5, ace_id: 0.5}
    told = await _told(api, bee, rid)
    assert [n["kind"] for n in told if n["kind"] == "helper_kept"] == ["helper_kept"], told
    kept = next(n for n in told if n["kind"] == "helper_kept")
    assert kept["link"] == "/me/portfolio" and "ผู้ช่วย" in kept["title"]
    assert rid in await _approved_jobs(api, bee, bee_id)


# --- Finding 3: a helper who did nothing ---------------------------------------------------------------------------

async def _job_with_idle_helper(api: httpx.AsyncClient, area: Area, database_url: str) -> tuple[str, str, str]:
    """bee's job (1.5 h reported), checked and handed back, with cat added as a helper while it was under way who
    never reported hours: (the request id, the teacher's token, bee's token)."""
    citizen, request = await submit(api)
    rid = request["id"]
    teacher, bee = await assigned_to_bee(api, area, rid)
    added = await api.post(f"/requests/{rid}/team", json={"technician_id": area.students["cat"][0]},
                           headers=bearer(bee))
    assert added.status_code == 204, added.text
    await work_to_quality_check(api, bee, rid)  # bee's report: 1.5 h
    assert (await step(api, teacher, rid, "done")).status_code == 200
    await confirm_handover(api, citizen, rid)
    assert (await step(api, teacher, rid, "handed_back")).status_code == 200
    backdate_acceptance(database_url, rid, 2)
    return rid, teacher, bee


async def test_the_teacher_can_approve_without_crediting_a_helper_who_did_nothing(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """A helper who never reports hours made the approval answer 409 `hours_missing` for ever: no route removes a
    helper and a corrected figure had to be above 0 (HoursApproval), so the teacher either credited hours for work
    that never happened or left the lead's real hours unapproved. 0 for a helper now means "not credited": they
    leave the round's team, are told, and the job is not in their portfolio."""
    api, _ = app_and_clock
    rid, teacher, bee_token = await _job_with_idle_helper(api, area, database_url)
    bee, cat = area.students["bee"], area.students["cat"]
    before = (await api.get(f"/requests/{rid}/record", headers=bearer(teacher))).json()
    # bee's lead row was written when cat joined, before bee's report: the record shows the report's hours.
    assert {m["technician_id"]: (m["role"], m["hours"]) for m in before["team"]} == {
        bee[0]: ("lead", 1.5), cat[0]: ("helper", None)}
    as_reported = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    assert as_reported.status_code == 409 and as_reported.json()["error"]["code"] == "hours_missing"
    without_cat = await api.post(f"/requests/{rid}/credit/approve", json={"hours": {cat[0]: 0}},
                                 headers=bearer(teacher))
    assert without_cat.status_code == 200, without_cat.text
    credited = {m["technician_id"]: m["approved_hours"] for m in without_cat.json()}
    assert credited[bee[0]] == 1.5 and not credited.get(cat[0])
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(teacher))).json()
    assert [m["technician_id"] for m in record["team"]] == [bee[0]]
    cat_token, _ = await sign_in(api, cat[1])
    assert rid not in await _approved_jobs(api, cat_token, cat[0])
    assert rid not in [j["request_id"] for j in (await api.get("/me/team-jobs", headers=bearer(cat_token))).json()]
    told = [n for n in await _told(api, cat_token, rid) if n["kind"] == "not_credited"]
    assert len(told) == 1 and told[0]["link"] == "/me/portfolio", told
    assert rid in await _approved_jobs(api, bee_token, bee[0])
    with psycopg.connect(database_url) as conn:
        audited = conn.execute("select before ->> 'technician_id' from public.audit_events "
                               "where action = 'credit.not_credited' and target_id = %s", [rid]).fetchall()
    assert audited == [(cat[0],)]


async def test_the_lead_is_never_credited_zero_hours(app_and_clock: AppClock, area: Area, database_url: str
                                                     ) -> None:
    """0 is "did not work on it": the lead did, so the approval refuses it and nothing is stored (cat stays on the
    team, nobody is told)."""
    api, _ = app_and_clock
    rid, teacher, _ = await _job_with_idle_helper(api, area, database_url)
    bee, cat = area.students["bee"], area.students["cat"]
    refused = await api.post(f"/requests/{rid}/credit/approve", json={"hours": {bee[0]: 0, cat[0]: 0}},
                             headers=bearer(teacher))
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "hours_lead_zero" and error["message_th"] and error["message_en"], error
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(teacher))).json()
    assert sorted(m["technician_id"] for m in record["team"]) == sorted([bee[0], cat[0]])
    assert not any(m["approved_at"] for m in record["team"])
    cat_token, _ = await sign_in(api, cat[1])
    assert "not_credited" not in [n["kind"] for n in await _told(api, cat_token, rid)]


async def test_no_helper_joins_a_job_once_it_was_handed_back(app_and_clock: AppClock, area: Area) -> None:
    """The lead added anyone even after hand back (hours for work nobody checked; the app never offered it). Once
    the job is handed back nobody adds a helper, with a code and its text; before, at the check, they still may."""
    api, _ = app_and_clock
    _, rid = await handed_back_job(api, area)
    bee_token, _ = await sign_in(api, area.students["bee"][1])
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    for token, student in ((bee_token, "cat"), (teacher, "dan")):
        refused = await api.post(f"/requests/{rid}/team", json={"technician_id": area.students[student][0]},
                                 headers=bearer(token))
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["code"] == "team_job_ended" and error["message_th"] and error["message_en"], error
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(teacher))).json()
    assert [m["role"] for m in record["team"]] == ["lead"]


# --- One message for a job taken from a student (credit13) ----------------------------------------------------------

async def test_a_student_kept_on_the_team_gets_one_message_when_the_job_is_given_to_another(
    app_and_clock: AppClock, area: Area
) -> None:
    """A reassign took the job from bee, who stays on the team with the hours they reported: bee got both
    `offer_withdrawn` ("this job no longer waits for you", the accepted offer withdrawn) and `helper_kept` ("another
    student carries on; the hours you reported stay yours"). The second says all of it: bee gets only that one. A
    student taken off a job they reported nothing on still gets the withdrawal, their one message."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area)
    saved = await api.put(f"/requests/{rid}/report", headers=bearer(bee), json={
        "hours": 1.5, "notes": "ถอดเครื่องตรวจวงจรแล้ว พบฟิวส์ขาด", "parts": []})
    assert saved.status_code == 200, saved.text
    ace_id, cat_id = area.students["ace"][0], area.students["cat"][0]
    given = await api.post(f"/requests/{rid}/assign", json={"technician_id": ace_id}, headers=bearer(teacher))
    assert given.status_code == 200, given.text
    about_the_move = [n["kind"] for n in await _told(api, bee, rid) if n["kind"] in ("offer_withdrawn", "helper_kept")]
    assert about_the_move == ["helper_kept"], about_the_move
    # ace reported nothing: given on to cat, ace is told the job no longer waits for them.
    ace, _ = await sign_in(api, area.students["ace"][1])
    before = {n["id"] for n in await _told(api, ace, rid)}  # the offer withdrawn when bee was given the job
    again = await api.post(f"/requests/{rid}/assign", json={"technician_id": cat_id}, headers=bearer(teacher))
    assert again.status_code == 200, again.text
    about_the_move = [n["kind"] for n in await _told(api, ace, rid) if n["id"] not in before]
    assert about_the_move == ["offer_withdrawn"], about_the_move
