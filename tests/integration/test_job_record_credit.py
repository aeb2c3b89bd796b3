"""Issue 14 on the real API and database: parts with the owner's approval, handover confirmation, safety tiers,
team credit approved by the teacher, skill progression, the portfolio PDF and its public verification."""

import io
from typing import Any

import httpx
import psycopg
import pypdf
import pytest
from psycopg.rows import dict_row

from shared.credit import PORTFOLIO_PHOTO_SIDE
from tests.helpers import bearer, sign_in
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import (
    AppClock,
    Area,
    _student,
    assigned_by_teacher,
    backdate_acceptance,
    confirm_handover,
    offers_of,
    record_work,
    step,
    submit,
    work_to_quality_check,
)

PHONE_NOTE = "คุณสมชายอนุมัติทางโทรศัพท์ 28 พ.ย. 10:30"


async def test_a_part_is_approved_only_by_the_owner_or_a_noted_phone_approval(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    citizen, _, bee, rid = await assigned_by_teacher(api, area)
    assert (await step(api, bee, rid, "diagnosing")).status_code == 200

    async def propose(name: str, qty: int, price: float) -> dict[str, Any]:
        made = await api.post(f"/requests/{rid}/parts", json={"name": name, "qty": qty, "price_baht": price},
                              headers=bearer(bee))
        assert made.status_code == 201, made.text
        return dict(made.json())

    capacitor = await propose("คาปาซิเตอร์ 1.5uF", 2, 35)
    assert (capacitor["status"], capacitor["approval"]) == ("proposed", None)
    inbox = (await api.get("/me/notifications", headers=bearer(citizen))).json()  # the owner is asked in the app
    asked = [n for n in inbox["items"] if n["kind"] == "part_proposed"]
    assert len(asked) == 1 and "คาปาซิเตอร์ 1.5uF 70.00 บาท" in asked[0]["body"]
    # The student cannot approve for the owner, nor record a phone approval without saying who and when.
    by_student = await api.post(f"/requests/{rid}/parts/{capacitor['id']}/decision", json={"approve": True},
                                headers=bearer(bee))
    assert by_student.status_code == 404  # not the owner: the owner's answer is theirs alone, whatever the role
    bare = await api.post(f"/requests/{rid}/parts/{capacitor['id']}/phone-approval", json={"note": "ok"},
                          headers=bearer(bee))
    assert bare.status_code == 400 and bare.json()["error"]["code"] == "part_phone_note_required"
    # Nor can any path write "approved" without an approval: the database refuses it.
    with psycopg.connect(database_url, autocommit=True) as conn, pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("update public.job_parts set status = 'approved', decided_at = now() where id = %s",
                     [capacitor["id"]])
    stranger, _ = await submit(api)
    assert (await api.post(f"/requests/{rid}/parts/{capacitor['id']}/decision", json={"approve": True},
                           headers=bearer(stranger))).status_code == 404

    approved = await api.post(f"/requests/{rid}/parts/{capacitor['id']}/decision", json={"approve": True},
                              headers=bearer(citizen))
    assert approved.status_code == 200 and approved.json()["approval"] == "owner_app"
    again = await api.post(f"/requests/{rid}/parts/{capacitor['id']}/decision", json={"approve": False},
                           headers=bearer(citizen))
    assert again.status_code == 409 and again.json()["error"]["code"] == "part_already_decided"
    grease = await propose("จารบี", 1, 20)
    by_phone = await api.post(f"/requests/{rid}/parts/{grease['id']}/phone-approval", json={"note": PHONE_NOTE},
                              headers=bearer(bee))
    assert by_phone.status_code == 200
    assert (by_phone.json()["approval"], by_phone.json()["approval_note"]) == ("phone", PHONE_NOTE)
    motor = await propose("มอเตอร์พัดลม", 1, 450)
    declined = await api.post(f"/requests/{rid}/parts/{motor['id']}/decision", json={"approve": False},
                              headers=bearer(citizen))
    assert declined.json()["status"] == "declined"

    detail = (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()  # on the citizen's detail too
    assert (detail["parts_approved_total_baht"], detail["parts_waiting"]) == (90, 0)
    record = await api.get(f"/requests/{rid}/record", headers=bearer(citizen))
    assert record.status_code == 200
    assert record.json()["parts_approved_total_baht"] == 90  # 2 × 35 + 20; the declined motor is not in it
    assert [p["status"] for p in record.json()["parts"]] == ["approved", "approved", "declined"]
    assert (await api.get(f"/requests/{rid}/record", headers=bearer(stranger))).status_code == 404


async def test_the_outcome_says_what_was_found_and_why_not_repaired(app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    citizen, teacher, bee, rid = await assigned_by_teacher(api, area)

    async def outcome(body: dict[str, Any]) -> httpx.Response:
        return await api.put(f"/requests/{rid}/outcome", json=body, headers=bearer(bee))

    assert (await outcome({"outcome": "not_repaired"})).json()["error"]["code"] == "outcome_reason_required"
    assert (await outcome({"outcome": "fixed"})).json()["error"]["code"] == "outcome_fault_required"
    assert (await outcome({"outcome": "melted", "fault_found": "x"})).status_code == 400
    partly = await outcome({"outcome": "repaired_partly", "fault_found": "มอเตอร์เสื่อม เปลี่ยนได้เฉพาะคาปาซิเตอร์"})
    assert partly.status_code == 200, partly.text
    await work_to_quality_check(api, bee, rid)
    assert (await step(api, teacher, rid, "done")).status_code == 200
    late = await outcome({"outcome": "fixed", "fault_found": "x"})
    assert late.status_code == 409 and late.json()["error"]["code"] == "outcome_not_now"
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(citizen))).json()
    assert record["outcome"]["outcome"] == "repaired_partly"  # the approval did not overwrite it with "fixed"
    assert record["kg_diverted"] > 0 and record["kg_co2e_avoided"] > 0  # it works again: it counts


async def test_a_job_closes_as_handed_back_only_with_the_owners_confirmation_or_a_teachers_reason(
    app_and_clock: AppClock, area: Area
) -> None:
    api, _ = app_and_clock
    citizen, teacher, bee, rid = await assigned_by_teacher(api, area)
    await work_to_quality_check(api, bee, rid)
    assert (await api.post(f"/requests/{rid}/handover-code", headers=bearer(citizen))).status_code == 409  # not yet
    assert (await step(api, teacher, rid, "done")).status_code == 200

    for token in (teacher, bee):
        refused = await step(api, token, rid, "handed_back")
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "handover_unconfirmed"
    ace, _ = await sign_in(api, area.students["ace"][1])  # not on this job: may not even try a code
    assert (await step(api, ace, rid, "handed_back", handover_code="000000")).status_code == 404
    wrong = await step(api, bee, rid, "handed_back", handover_code="000000")
    assert wrong.json()["error"]["code"] == "handover_code_invalid"
    # A student's note is no reason: only a teacher may close without the owner.
    assert (await step(api, bee, rid, "handed_back", note="เจ้าของรับไปแล้ว")).status_code == 409
    assert (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()["handover_confirmed"] is False
    code = (await api.post(f"/requests/{rid}/handover-code", headers=bearer(citizen))).json()["code"]
    handed = await step(api, bee, rid, "handed_back", handover_code=code)
    assert handed.status_code == 200, handed.text
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(citizen))).json()
    assert record["handover"]["method"] == "owner_code"
    assert (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()["handover_confirmed"] is True
    assert record["outcome"]["outcome"] == "fixed"  # approved without an explicit outcome: fixed

    # Still broken: reopened and repaired again, it needs a new confirmation (the first one was for the first time).
    reopened = await api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่หาย"}, headers=bearer(citizen))
    assert reopened.status_code == 200, reopened.text
    again = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["bee"][0]},
                           headers=bearer(teacher))
    assert again.status_code == 200, again.text
    await work_to_quality_check(api, bee, rid, idx=1)  # beside the first round's photo 0 (known18be)
    assert (await step(api, teacher, rid, "done")).status_code == 200
    assert (await step(api, teacher, rid, "handed_back")).json()["error"]["code"] == "handover_unconfirmed"
    # The owner's screen says what the rule says: the first confirmation was for the first hand back.
    assert (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()["handover_confirmed"] is False
    assert (await api.post(f"/requests/{rid}/handover/confirm", headers=bearer(citizen))).status_code == 204
    assert (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()["handover_confirmed"] is True
    assert (await step(api, teacher, rid, "handed_back")).status_code == 200

    # Another job: the owner never confirmed, so the teacher records why.
    _, teacher, bee, other = await assigned_by_teacher(api, area)
    assert (await step(api, bee, other, "diagnosing")).status_code == 200
    assert (await step(api, bee, other, "unrepairable", reason="no_parts")).status_code == 200
    assert (await step(api, teacher, other, "handed_back", note="x")).status_code == 409  # no reason
    closed = await step(api, teacher, other, "handed_back", note="เจ้าของมารับที่ศูนย์ ไม่มีโทรศัพท์")
    assert closed.status_code == 200, closed.text
    record = (await api.get(f"/requests/{other}/record", headers=bearer(teacher))).json()
    assert record["handover"]["method"] == "teacher_reason"
    assert (record["outcome"]["outcome"], record["outcome"]["reason"]) == ("unrepairable", "parts_unavailable")


async def test_a_student_below_the_tier_is_never_offered_the_job_and_cannot_take_it(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        low = _student(conn, area.near, "ไว ระดับสอง", {"house_wiring": 2})  # meets the category, not its tier
        high = _student(conn, area.near, "วา ระดับสี่", {"house_wiring": 4})
        # A teacher who is at the bench but has done nothing else on this job.
        present = _student(conn, area.near, "ครูวิทย์ ช่างไฟ", {}, role="supervisor")
    owner, created = await submit(api, category_code="home_electrical", item="ปลั๊กไฟผนัง")
    rid = created["id"]
    assert [o["technician_id"] for o in offers_of(database_url, rid)] == [high[0]]

    # An offer the low student somehow holds (e.g. made before their level dropped) still cannot be accepted.
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("""insert into public.offers (request_id, technician_id, college_id, rank, distance_km,
                                                   expires_at)
                        values (%s, %s, %s, 9, 1, now() + interval '1 hour')""", [rid, low[0], area.near])
    low_token, _ = await sign_in(api, low[1])
    held = next(o for o in (await api.get("/technician/offers", headers=bearer(low_token))).json()
                if o["request_id"] == rid)
    accept = await api.post(f"/offers/{held['offer_id']}/accept", headers=bearer(low_token))
    assert accept.status_code == 403 and accept.json()["error"]["code"] == "below_safety_tier"
    assert "3" in accept.json()["error"]["message_en"]

    teacher, _ = await sign_in(api, area.students["teacher"][1])
    for student, expected in ((low[0], 403), (high[0], 200), (low[0], 403)):  # assign, then reassign
        moved = await api.post(f"/requests/{rid}/assign", json={"technician_id": student}, headers=bearer(teacher))
        assert moved.status_code == expected, moved.text

    helper = await api.post(f"/requests/{rid}/team", json={"technician_id": low[0]}, headers=bearer(teacher))
    assert helper.status_code == 403 and helper.json()["error"]["code"] == "below_safety_tier"  # nor as a helper

    # The highest tier: a teacher of the college named present at the work step, stored with the step.
    high_token, _ = await sign_in(api, high[1])
    alone = await step(api, high_token, rid, "diagnosing")
    assert alone.status_code == 409 and alone.json()["error"]["code"] == "teacher_presence_required"
    not_a_teacher = await step(api, high_token, rid, "diagnosing", teacher_present_id=area.students["ace"][0])
    assert not_a_teacher.status_code == 409
    with_teacher = await step(api, high_token, rid, "diagnosing", teacher_present_id=present[0])
    assert with_teacher.status_code == 200, with_teacher.text
    assert with_teacher.json()["timeline"][-1]["teacher_present_name"] == "ครูวิทย์"  # on the step, for all to see
    seen_by_owner = (await api.get(f"/requests/{rid}", headers=bearer(owner))).json()["timeline"][-1]
    assert seen_by_owner["teacher_present_name"] == "ครูวิทย์"
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        stored = conn.execute("select teacher_present_id::text as t from public.status_events "
                             "where request_id = %s and to_status = 'diagnosing'", [rid]).fetchone()
    assert stored == {"t": present[0]}


async def test_team_credit_needs_the_teachers_approval_and_leads_to_progression(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    s = area.students
    teacher, _ = await sign_in(api, s["teacher"][1])
    settings = await api.put("/supervisor/credit-settings", json={"progression_jobs": 2}, headers=bearer(teacher))
    assert settings.status_code == 200 and settings.json()["progression_jobs"] == 2
    bad = await api.put("/supervisor/credit-settings", json={"progression_jobs": 0}, headers=bearer(teacher))
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "progression_jobs_invalid"

    _, _, bee, rid = await assigned_by_teacher(api, area)
    cat, _ = await sign_in(api, s["cat"][1])
    outsider = await api.post(f"/requests/{rid}/team", json={"technician_id": s["far1"][0]}, headers=bearer(bee))
    assert outsider.status_code == 400 and outsider.json()["error"]["code"] == "team_member_invalid"
    joined = await api.post(f"/requests/{rid}/team", json={"technician_id": s["cat"][0], "task": "ถอดประกอบ"},
                            headers=bearer(bee))
    assert joined.status_code == 204, joined.text
    assert (await api.put(f"/requests/{rid}/team/me", json={"hours": 1.0}, headers=bearer(cat))).status_code == 204
    # The helper sees the job they help on, with their own hours and the lead's name, but nothing of the owner's.
    helping = await api.get("/me/team-jobs", headers=bearer(cat))
    assert helping.status_code == 200
    assert [(j["request_id"], j["hours"], j["task"], j["lead_name"]) for j in helping.json()] == [
        (rid, 1.0, "ถอดประกอบ", "บี เก่ง")]
    assert not {"contact_phone", "address", "citizen_id", "description"} & set(helping.json()[0])
    assert (await api.get("/me/team-jobs", headers=bearer(bee))).json() == []  # the lead's job is not "helping"
    # The lead sees their helper on the job's record by name (their RLS hides other students' profiles).
    on_record = (await api.get(f"/requests/{rid}/record", headers=bearer(bee))).json()["team"]
    assert [(m["display_name"], m["role"], m["hours"]) for m in on_record] == [
        ("บี เก่ง", "lead", None), ("ซี พอได้", "helper", 1.0)]
    classmates = (await api.get("/college/students", headers=bearer(bee))).json()
    assert {c["display_name"] for c in classmates} >= {"ซี พอได้", "ดี เริ่มต้น"} and "ฟาร์ หนึ่ง" not in str(classmates)
    dan, _ = await sign_in(api, s["dan"][1])
    assert (await api.put(f"/requests/{rid}/team/me", json={"hours": 1.0}, headers=bearer(dan))).status_code == 403
    await work_to_quality_check(api, bee, rid)  # bee reports 1.5 hours
    early = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    assert early.status_code == 409 and early.json()["error"]["code"] == "hours_not_now"
    assert (await step(api, teacher, rid, "done")).status_code == 200

    # Approved by the teacher is not yet hours approved: nothing is credited.
    view = (await api.get("/supervisor/credit", headers=bearer(teacher))).json()
    hours = {p["id"]: p["hours"] for p in view["students"]}
    assert hours[s["bee"][0]] == hours[s["cat"][0]] == 0
    assert (await api.get(f"/portfolio/{s['cat'][0]}", headers=bearer(cat))).json()["job_count"] == 0

    # The job was in hand for seconds: 1.5 reported hours do not fit its timeline.
    too_long = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    assert too_long.status_code == 409 and too_long.json()["error"]["code"] == "hours_exceed_timeline"
    backdate_acceptance(database_url, rid, 3)
    approved = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    assert approved.status_code == 200, approved.text
    team = {m["technician_id"]: m for m in approved.json()}
    assert (team[s["bee"][0]]["role"], team[s["bee"][0]]["approved_hours"]) == ("lead", 1.5)
    assert (team[s["cat"][0]]["role"], team[s["cat"][0]]["approved_hours"]) == ("helper", 1.0)
    assert sum(m["approved_hours"] for m in approved.json()) == 2.5
    again = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    assert again.json()["error"]["code"] == "hours_already_approved"
    # The training-hours ledger credits the helper too, with the approved hours.
    ledger = {r["technician_id"]: r for r in (await api.get("/supervisor/ledger", headers=bearer(teacher))).json()}
    assert (ledger[s["cat"][0]]["approved_jobs"], ledger[s["cat"][0]]["hours"]) == (1, 1.0)
    assert (ledger[s["bee"][0]]["approved_jobs"], ledger[s["bee"][0]]["hours"]) == (1, 1.5)

    view = (await api.get("/supervisor/credit", headers=bearer(teacher))).json()
    hours = {p["id"]: p["hours"] for p in view["students"]}
    assert (hours[s["bee"][0]], hours[s["cat"][0]]) == (1.5, 1.0)
    assert s["dan"][0] in [p["id"] for p in view["students_without_jobs"]]
    assert s["bee"][0] not in [p["id"] for p in view["students_without_jobs"]]
    assert view["environment"]["jobs"] == 1 and view["environment"]["kg_diverted"] > 0
    assert view["hours_target"] > 0 and not any(p["meets_target"] for p in view["students"])
    # Demand the college cannot serve: a computer nobody near repairs waits as no_centre in its radius.
    _, waiting = await submit(api, category_code="computer", item="โน้ตบุ๊ก")
    assert waiting["status"] == "no_centre"
    lacking = (await api.get("/supervisor/credit", headers=bearer(teacher))).json()["skills_lacking"]
    computer = next(c for c in lacking if c["category_code"] == "computer")
    assert computer["requests"] >= 1
    assert {need["skill_code"] for need in computer["skills"]} == {"computer", "electronics"}
    assert "appliance" not in [c["category_code"] for c in lacking]  # its students can take those
    cat_folio = (await api.get(f"/portfolio/{s['cat'][0]}", headers=bearer(cat))).json()
    assert (cat_folio["job_count"], cat_folio["hours"], cat_folio["jobs"][0]["role"]) == (1, 1.0, "helper")
    assert cat_folio["jobs"][0]["approved_by"] == "ครู ใกล้"
    assert not (await api.get("/supervisor/skill-proposals", headers=bearer(teacher))).json()  # 1 job of N = 2

    # A second approved job of bee's skill at level 4: proposed for level 5; the teacher corrects the hours.
    _, _, bee, second = await assigned_by_teacher(api, area)
    await work_to_quality_check(api, bee, second)
    assert (await step(api, teacher, second, "done")).status_code == 200
    backdate_acceptance(database_url, second, 1)
    corrected = await api.post(f"/requests/{second}/credit/approve", json={"hours": {s["bee"][0]: 1.0}},
                               headers=bearer(teacher))
    assert corrected.status_code == 200 and corrected.json()[0]["approved_hours"] == 1.0
    proposals = (await api.get("/supervisor/skill-proposals", headers=bearer(teacher))).json()
    assert [(p["technician_id"], p["skill_code"], p["from_level"], p["to_level"], p["status"])
            for p in proposals] == [(s["bee"][0], "electrical_appliance", 4, 5, "proposed")]
    decided = await api.post(f"/supervisor/skill-proposals/{proposals[0]['id']}", json={"confirm": True},
                             headers=bearer(teacher))
    assert decided.status_code == 200
    twice = await api.post(f"/supervisor/skill-proposals/{proposals[0]['id']}", json={"confirm": False},
                           headers=bearer(teacher))
    assert twice.json()["error"]["code"] == "proposal_not_open"
    levels = (await api.get(f"/technicians/{s['bee'][0]}/levels", headers=bearer(bee))).json()
    assert [(h["skill_code"], h["level"]) for h in levels][-2:] == [("electrical_appliance", 4),
                                                                      ("electrical_appliance", 5)]
    bee_folio = (await api.get(f"/portfolio/{s['bee'][0]}", headers=bearer(teacher))).json()
    assert (bee_folio["job_count"], bee_folio["hours"]) == (2, 2.5)


async def test_the_portfolio_pdf_has_thai_text_and_its_code_verifies_publicly(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    s = area.students
    citizen, teacher, bee, rid = await assigned_by_teacher(api, area)
    # A tall before photo from the owner (the after photo is the student's, from the work record).
    before = {"file": ("before.jpg", jpeg_with_gps((1200, 1600)), "image/jpeg")}
    assert (await api.put(f"/requests/{rid}/photos/0", files=before, headers=bearer(citizen))).status_code == 201
    await work_to_quality_check(api, bee, rid)
    assert (await step(api, teacher, rid, "done")).status_code == 200
    backdate_acceptance(database_url, rid, 2)
    assert (await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))).status_code == 200

    far, _ = await sign_in(api, s["far1"][1])
    assert (await api.get(f"/portfolio/{s['bee'][0]}/pdf", headers=bearer(far))).status_code == 404
    pdf = await api.get(f"/portfolio/{s['bee'][0]}/pdf", headers=bearer(bee))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "แฟ้มผลงานฝึกประสบการณ์งานซ่อม" in text and "บี เก่ง" in text and "หัวหน้างาน" in text
    # The job's before and after photos are printed, captioned, small: the QR code plus two photos of at most
    # PORTFOLIO_PHOTO_SIDE pixels, and the whole PDF (with its embedded Thai font) stays small.
    assert "ก่อนซ่อม" in text and "หลังซ่อม" in text
    images = [image for page in reader.pages for image in page.images]
    photos = [i.image for i in images if i.image is not None and i.image.mode == "RGB"]
    assert len(photos) == 2, [(i.name, i.image and i.image.size) for i in images]
    assert all(max(p.size) <= PORTFOLIO_PHOTO_SIDE for p in photos)
    assert sorted(p.size[0] < p.size[1] for p in photos) == [False, True]  # the tall one stays tall
    assert len(pdf.content) < 200_000, len(pdf.content)
    code = pdf.headers["x-verification-code"]
    assert code in text

    page = await api.get(f"/verify/{code}")  # no sign-in: anyone with the paper
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "บี" in page.text and "วิทยาลัยทดสอบใกล้" in page.text and "1" in page.text
    detail = (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()
    for private in (detail["contact_phone"], detail["address"], detail["description"], "เก่ง"):
        assert private not in page.text  # no citizen data, and the student's first name only
    assert (await api.get("/verify/ABCDEFGHJK")).status_code == 404
    assert (await api.get("/verify/not-a-code")).status_code == 404


async def test_the_leads_hours_are_their_work_reports_until_approved(app_and_clock: AppClock, area: Area) -> None:
    """The lead's hours are their work report's: saving the report again before approval changes them."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area)
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    await record_work(api, bee, rid, hours=2.0)
    joined = await api.post(f"/requests/{rid}/team", json={"technician_id": area.students["cat"][0]},
                            headers=bearer(teacher))
    assert joined.status_code == 204
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(teacher))).json()
    lead = next(m for m in record["team"] if m["role"] == "lead")
    assert (lead["hours"], lead["approved_hours"]) == (2.0, None)

    # The teacher gives the job to ace: ace leads, bee stays on the team as a helper.
    moved = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]},
                           headers=bearer(teacher))
    assert moved.status_code == 200, moved.text
    joined = await api.post(f"/requests/{rid}/team", json={"technician_id": area.students["dan"][0]},
                            headers=bearer(teacher))
    assert joined.status_code == 204, joined.text
    team = {m["technician_id"]: m["role"] for m in
            (await api.get(f"/requests/{rid}/record", headers=bearer(teacher))).json()["team"]}
    s = area.students
    assert team == {s["ace"][0]: "lead", s["bee"][0]: "helper", s["cat"][0]: "helper", s["dan"][0]: "helper"}


async def test_a_reopened_job_repaired_again_adds_the_new_rounds_hours_approved_again(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    s = area.students
    citizen, teacher, bee, rid = await assigned_by_teacher(api, area)
    cat, _ = await sign_in(api, s["cat"][1])
    assert (await api.post(f"/requests/{rid}/team", json={"technician_id": s["cat"][0]},
                           headers=bearer(bee))).status_code == 204
    assert (await api.put(f"/requests/{rid}/team/me", json={"hours": 1.0}, headers=bearer(cat))).status_code == 204
    await work_to_quality_check(api, bee, rid)  # bee reports 1.5 hours
    assert (await step(api, teacher, rid, "done")).status_code == 200
    backdate_acceptance(database_url, rid, 3)
    assert (await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))).status_code == 200
    await confirm_handover(api, citizen, rid)
    assert (await step(api, teacher, rid, "handed_back")).status_code == 200

    # Still broken: reopened, given to bee again, repaired again.
    assert (await api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่หาย"},
                           headers=bearer(citizen))).status_code == 200
    assert (await api.post(f"/requests/{rid}/assign", json={"technician_id": s["bee"][0]},
                           headers=bearer(teacher))).status_code == 200
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(teacher))).json()
    assert (record["round"], record["earlier_rounds_hours"]) == (2, 2.5)  # a new round
    # Its team starts again: the lead, with no hours yet (the first round's report was credited), no helper.
    assert [(m["role"], m["hours"], m["round"]) for m in record["team"]] == [("lead", None, 2)]
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    # The report saved in this round gives the lead's hours for it (the first round's report is not this work).
    saved = await api.put(f"/requests/{rid}/report", json={"hours": 0.5, "notes": "เปลี่ยนสวิตช์อีกตัว", "parts": []},
                          headers=bearer(bee))
    assert saved.status_code == 200, saved.text
    # And a new after photo: the first round's is of the first repair (honest QC, tests/integration/test_round_qc.py).
    photo = {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    assert (await api.put(f"/requests/{rid}/after-photos/1", files=photo, headers=bearer(bee))).status_code == 201
    assert (await step(api, bee, rid, "quality_check")).status_code == 200
    assert (await step(api, teacher, rid, "done")).status_code == 200
    backdate_acceptance(database_url, rid, 2)
    # The helper of the first round is not on the second unless added again.
    assert (await api.put(f"/requests/{rid}/team/me", json={"hours": 1.0}, headers=bearer(cat))).status_code == 403

    approved = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    assert approved.status_code == 200, approved.text
    assert [(m["role"], m["approved_hours"], m["round"]) for m in approved.json()] == [("lead", 0.5, 2)]
    again = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    assert again.json()["error"]["code"] == "hours_already_approved"

    folio = (await api.get(f"/portfolio/{s['bee'][0]}", headers=bearer(bee))).json()
    assert (folio["job_count"], folio["hours"]) == (1, 2.0)  # one job, both rounds' approved hours
    assert [(j["round"], j["hours"]) for j in folio["jobs"]] == [(1, 1.5), (2, 0.5)]
    view = (await api.get("/supervisor/credit", headers=bearer(teacher))).json()
    bee_row = next(p for p in view["students"] if p["id"] == s["bee"][0])
    assert (bee_row["jobs"], bee_row["hours"]) == (1, 2.0)
    ledger = {r["technician_id"]: r for r in (await api.get("/supervisor/ledger", headers=bearer(teacher))).json()}
    assert (ledger[s["bee"][0]]["approved_jobs"], ledger[s["bee"][0]]["hours"]) == (1, 2.0)  # both rounds
    assert view["environment"]["jobs"] == 1 and view["environment"]["hours"] == 3.0


async def test_a_job_nobody_joined_shows_its_lead_for_the_teacher_to_approve(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """No helper, so no team row yet: the record still shows the lead with their report's hours (the app's approve
    button needs someone on the team), and the owner sees the student's first name only."""
    api, _ = app_and_clock
    citizen, teacher, bee, rid = await assigned_by_teacher(api, area)
    await work_to_quality_check(api, bee, rid)  # bee reports 1.5 hours
    assert (await step(api, teacher, rid, "done")).status_code == 200
    team = (await api.get(f"/requests/{rid}/record", headers=bearer(teacher))).json()["team"]
    assert [(m["display_name"], m["role"], m["hours"], m["approved_hours"]) for m in team] == [
        ("บี เก่ง", "lead", 1.5, None)]
    assert [m["display_name"] for m in (await api.get(f"/requests/{rid}/record",
                                                      headers=bearer(citizen))).json()["team"]] == ["บี"]
    backdate_acceptance(database_url, rid, 2)
    approved = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    assert [(m["role"], m["approved_hours"]) for m in approved.json()] == [("lead", 1.5)]
    team = (await api.get(f"/requests/{rid}/record", headers=bearer(bee))).json()["team"]
    assert [(m["display_name"], m["approved_hours"]) for m in team] == [("บี เก่ง", 1.5)]
