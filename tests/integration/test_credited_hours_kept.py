"""A student's training hours are kept whatever happens to the job or to them afterwards (audit 13, findings 2
and 4): a reopen before the teacher's approval leaves the ended round's hours to approve, and approved hours stay on
the ledger of the college they were approved for when the job moves on to another college or the student is moved
to another college."""

import httpx
import psycopg

from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import AppClock, Area, backdate_acceptance, handed_back_job

SEED_ADMIN = "084-444-4444"


async def _approved_hours_on_ledger(api: httpx.AsyncClient, teacher: str, student: str) -> tuple[int, float]:
    rows = (await api.get("/supervisor/ledger", headers=bearer(teacher))).json()
    row = next((r for r in rows if r["technician_id"] == student), None)
    return (int(row["approved_jobs"]), float(row["hours"])) if row else (0, 0.0)


async def test_a_reopen_does_not_lose_the_students_unapproved_hours(app_and_clock: AppClock, area: Area,
                                                                   database_url: str) -> None:
    """The teacher approves hours once the job is checked (done, handed back); the owner may reopen it within 7
    days of getting it back. A reopen before the teacher got round to the approval starts round 2, and
    approve_hours only ever approved the current round (`_approved`, `current_round`): bee's 1.5 h of round 1 could
    never be credited (409 `hours_not_now`, and round 2's approval credits round 2 only). The owner's "still
    broken" took the student's training hours away."""
    api, _ = app_and_clock
    citizen, rid = await handed_back_job(api, area)  # bee did it, 1.5 h reported; nobody approved them yet
    backdate_acceptance(database_url, rid, 2)
    reopened = await api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่หาย"}, headers=bearer(citizen))
    assert reopened.status_code == 200, reopened.text
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    approved = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    bee, bee_phone = area.students["bee"]
    bee_token, _ = await sign_in(api, bee_phone)
    folio = (await api.get(f"/portfolio/{bee}", headers=bearer(bee_token))).json()
    assert rid in [j["request_id"] for j in folio["jobs"]], approved.text
    assert approved.status_code == 200, approved.text
    # The round approved is the one that ended at the reopen, with bee's reported hours, on the near college's ledger.
    assert [(m["technician_id"], m["approved_hours"], m["round"]) for m in approved.json()] == [(bee, 1.5, 1)]
    assert await _approved_hours_on_ledger(api, teacher, bee) == (1, 1.5)
    # Once approved, nothing is left of round 1 to approve: round 2 waits for its own check.
    again = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    assert again.status_code == 409 and again.json()["error"]["code"] == "hours_not_now", again.text
    again = await api.post(f"/requests/{rid}/credit/approve", params={"round": 1}, json={}, headers=bearer(teacher))
    assert again.status_code == 409 and again.json()["error"]["code"] == "hours_already_approved", again.text


async def test_a_round_waiting_since_a_reopen_does_not_hold_up_the_next_rounds_approval(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """Once the next round is checked, the approval takes it (as before); the round that ended at the reopen is
    approved when the teacher names it (`?round=`, what the app's waiting card sends), by its own timeline."""
    api, _ = app_and_clock
    citizen, rid = await handed_back_job(api, area)  # round 1: bee's 1.5 h, not approved
    assert (await api.post(f"/requests/{rid}/reopen", json={"note": ""}, headers=bearer(citizen))).status_code == 200
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    bee, bee_phone = area.students["bee"]
    assert (await api.post(f"/requests/{rid}/assign", json={"technician_id": bee},
                           headers=bearer(teacher))).status_code == 200
    bee_token, _ = await sign_in(api, bee_phone)
    for to in ("diagnosing", "repairing"):
        assert (await api.post(f"/requests/{rid}/status", json={"to_status": to},
                               headers=bearer(bee_token))).status_code == 200
    photo = {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}  # round 2's own after photo and report
    assert (await api.put(f"/requests/{rid}/after-photos/1", files=photo,
                          headers=bearer(bee_token))).status_code == 201
    assert (await api.put(f"/requests/{rid}/report", json={"hours": 1.25, "notes": "เปลี่ยนสวิตช์อีกตัว", "parts": []},
                          headers=bearer(bee_token))).status_code == 200
    assert (await api.post(f"/requests/{rid}/status", json={"to_status": "quality_check"},
                           headers=bearer(bee_token))).status_code == 200
    assert (await api.post(f"/requests/{rid}/status", json={"to_status": "done"},
                           headers=bearer(teacher))).status_code == 200
    backdate_acceptance(database_url, rid, 2)
    current = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    assert current.status_code == 200, current.text
    assert [(m["approved_hours"], m["round"]) for m in current.json()] == [(1.25, 2)]
    first = await api.post(f"/requests/{rid}/credit/approve", params={"round": 1}, json={}, headers=bearer(teacher))
    assert first.status_code == 200, first.text
    assert [(m["approved_hours"], m["round"]) for m in first.json()] == [(1.5, 1)]
    assert await _approved_hours_on_ledger(api, teacher, bee) == (1, 2.75)


async def test_the_job_record_shows_the_teacher_the_ended_rounds_hours_to_approve(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """Where the app lists the hours waiting for the teacher's approval (the job record's team card), a round ended
    by a reopen before the approval is shown with its team and hours, until approved."""
    api, _ = app_and_clock
    citizen, rid = await handed_back_job(api, area)
    backdate_acceptance(database_url, rid, 2)
    assert (await api.post(f"/requests/{rid}/reopen", json={"note": ""}, headers=bearer(citizen))).status_code == 200
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    bee = area.students["bee"][0]
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(teacher))).json()
    assert record["round"] == 2 and record["team"] == []
    waiting = record["waiting_round"]
    assert waiting is not None and waiting["round"] == 1
    assert [(m["technician_id"], m["hours"], m["approved_hours"]) for m in waiting["team"]] == [(bee, 1.5, None)]
    assert (await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))).status_code == 200
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(teacher))).json()
    assert record["waiting_round"] is None and record["earlier_rounds_hours"] == 1.5


async def test_approved_hours_stay_on_the_colleges_ledger_after_a_reopen_moves_the_job(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """The training-hours ledger (GET /supervisor/ledger, ledger.csv, ledger/{student}.pdf: college_admin.ledger
    and student_ledger) counted approved hours by the request's *current* college (`r.college_id`). A job the near
    college's teacher approved for bee, reopened by its owner and declined by bee and the college's other students,
    moves on to the far college (dispatch's `onward` sets `college_id`): bee's approved round of work vanished from
    the near college's ledger and signed PDF, though /supervisor/credit and bee's portfolio still counted it."""
    api, _ = app_and_clock
    citizen, rid = await handed_back_job(api, area)
    backdate_acceptance(database_url, rid, 2)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    approved = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    assert approved.status_code == 200, approved.text
    bee = area.students["bee"][0]

    async def bee_on_ledger() -> int:
        rows = (await api.get("/supervisor/ledger", headers=bearer(teacher))).json()
        return int(next(r["approved_jobs"] for r in rows if r["technician_id"] == bee))

    assert await bee_on_ledger() == 1
    reopened = await api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่หาย"}, headers=bearer(citizen))
    assert reopened.status_code == 200, reopened.text
    tokens = {name: (await sign_in(api, area.students[name][1]))[0] for name in ("bee", "ace", "cat", "dan")}
    for name, token in tokens.items():  # bee is offered it first, then the college's others: every one declines
        offers = (await api.get("/technician/offers", headers=bearer(token))).json()
        for offer in [o for o in offers if o["request_id"] == rid]:
            declined = await api.post(f"/offers/{offer['offer_id']}/decline", headers=bearer(token))
            assert declined.status_code == 204, (name, declined.text)
    with psycopg.connect(database_url) as conn:
        moved = conn.execute("select college_id from public.repair_requests where id = %s", [rid]).fetchone()
    assert moved is not None and moved[0] == area.far  # the job went on to the far college
    assert await bee_on_ledger() == 1, "bee's approved job left the near college's ledger"
    pdf = await api.get(f"/supervisor/ledger/{bee}.pdf", headers=bearer(teacher))
    assert pdf.status_code == 200, pdf.text
    csv = await api.get("/supervisor/ledger.csv", params={"lang": "en"}, headers=bearer(teacher))
    assert csv.status_code == 200 and "1.5" in next(line for line in csv.text.splitlines() if "บี เก่ง" in line)


async def test_a_student_moved_to_another_college_keeps_their_hours_on_the_first_colleges_ledger(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """The ledger listed the college's students as they are now (`p.college_id`): a student an admin moved to
    another college dropped off the ledger, CSV and signed PDF of the college whose teacher approved their hours.
    They stay there with those hours; the new college's ledger lists them without them."""
    api, _ = app_and_clock
    _, rid = await handed_back_job(api, area)
    backdate_acceptance(database_url, rid, 2)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assert (await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))).status_code == 200
    bee, bee_phone = area.students["bee"]
    admin, _ = await sign_in(api, SEED_ADMIN)
    moved = await api.post(f"/colleges/{area.far}/students", json={"phone": bee_phone}, headers=bearer(admin))
    assert moved.status_code == 201 and moved.json()["awaiting_acceptance"] is False, moved.text
    assert await _approved_hours_on_ledger(api, teacher, bee) == (1, 1.5)
    pdf = await api.get(f"/supervisor/ledger/{bee}.pdf", headers=bearer(teacher))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf", pdf.text
    far_teacher_phone = fresh_phone()
    registered = await api.post(f"/admin/colleges/{area.far}/supervisors", json={"phone": far_teacher_phone,
                                                                                "display_name": "ครู ไกล"},
                                headers=bearer(admin))
    assert registered.status_code == 201, registered.text
    far_teacher, _ = await sign_in(api, far_teacher_phone)
    assert await _approved_hours_on_ledger(api, far_teacher, bee) == (0, 0.0)
    rows = (await api.get("/supervisor/ledger", headers=bearer(far_teacher))).json()
    assert bee in [r["technician_id"] for r in rows]  # a student of the far college now, with nothing credited there

