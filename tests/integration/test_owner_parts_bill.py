"""The owner is shown as parts only those they approved (POST /requests/{id}/parts, then their yes): the work
report's own priced list is the student's and the teacher's working note, never a bill in the owner's repair record
(backend.services.job_reports.owners_report) or the teacher's job export (college_admin.jobs). (audit13, finding 5)
"""

import csv
import io

import httpx

from tests.helpers import bearer
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import AppClock, Area, assigned_by_teacher, step


async def _worked(api: httpx.AsyncClient, token: str, rid: str) -> None:
    for to in ("diagnosing", "repairing"):
        assert (await step(api, token, rid, to)).status_code == 200
    photo = {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    assert (await api.put(f"/requests/{rid}/after-photos/0", files=photo, headers=bearer(token))).status_code == 201


async def test_the_owner_is_not_shown_a_parts_bill_they_never_approved(app_and_clock: AppClock, area: Area
                                                                       ) -> None:
    """Parts are bought "only once the owner approves" (POST /requests/{id}/parts, README). Yet the work report
    (PUT /requests/{id}/report) takes its own `parts` with a cost, checked against nothing: the student lists a
    9,000-baht board nobody proposed, the job goes through the teacher's check (only proposals are checked), and
    the owner's detail showed "รวมค่าอะไหล่ 9,000 บาท" under the repair record (mobile/views/request_detail.py),
    as the teacher's job export's parts column did, beside an approved total of 0."""
    api, _ = app_and_clock
    citizen, teacher, bee, rid = await assigned_by_teacher(api, area)
    await _worked(api, bee, rid)
    saved = await api.put(f"/requests/{rid}/report", headers=bearer(bee), json={
        "hours": 1.5, "notes": "เปลี่ยนบอร์ดควบคุม ทดสอบแล้วใช้งานได้",
        "parts": [{"name": "บอร์ดควบคุม", "qty": 1, "cost_baht": 9000}]})
    if saved.status_code == 200:
        assert (await step(api, bee, rid, "quality_check")).status_code == 200
        assert (await step(api, teacher, rid, "done")).status_code == 200
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(citizen))).json()
    detail = (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()
    assert record["parts_approved_total_baht"] == 0
    shown = detail["report"]["parts_total_baht"] if detail["report"] else 0
    assert shown == record["parts_approved_total_baht"], f"the owner is shown a {shown}-baht parts bill"


async def test_the_owner_and_the_export_show_the_approved_parts_and_the_student_keeps_their_note(
        app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    citizen, teacher, bee, rid = await assigned_by_teacher(api, area)
    await _worked(api, bee, rid)
    parts = {}
    for name, qty, price in (("ฟิวส์ 5A", 2, 20), ("บอร์ดควบคุม", 1, 9000)):
        proposed = await api.post(f"/requests/{rid}/parts", json={"name": name, "qty": qty, "price_baht": price},
                                  headers=bearer(bee))
        assert proposed.status_code == 201, proposed.text
        parts[name] = proposed.json()["id"]
    for name, yes in (("ฟิวส์ 5A", True), ("บอร์ดควบคุม", False)):  # the owner buys the fuses, not the board
        decided = await api.post(f"/requests/{rid}/parts/{parts[name]}/decision", json={"approve": yes},
                                 headers=bearer(citizen))
        assert decided.status_code == 200, decided.text
    note = [{"name": "บอร์ดควบคุม", "qty": 1, "cost_baht": 9000}, {"name": "ฟิวส์ 5A", "qty": 2, "cost_baht": 20}]
    saved = await api.put(f"/requests/{rid}/report", headers=bearer(bee),
                          json={"hours": 1.5, "notes": "เปลี่ยนฟิวส์ ทดสอบแล้วใช้งานได้", "parts": note})
    assert saved.status_code == 200, saved.text
    assert saved.json()["parts_total_baht"] == 9040  # the student's own note, as they wrote it
    assert (await step(api, bee, rid, "quality_check")).status_code == 200
    assert (await step(api, teacher, rid, "done")).status_code == 200

    detail = (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()
    assert [(p["name"], p["qty"], p["cost_baht"]) for p in detail["report"]["parts"]] == [("ฟิวส์ 5A", 2, 20)]
    assert detail["report"]["parts_total_baht"] == detail["parts_approved_total_baht"] == 40
    assert detail["report"]["notes"] == "เปลี่ยนฟิวส์ ทดสอบแล้วใช้งานได้" and detail["report"]["hours"] == 1.5
    as_student = (await api.get(f"/requests/{rid}", headers=bearer(bee))).json()
    assert [p["name"] for p in as_student["report"]["parts"]] == ["บอร์ดควบคุม", "ฟิวส์ 5A"]  # their note, kept

    exported = await api.get("/supervisor/jobs.csv", headers=bearer(teacher))
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8").lstrip("\ufeff"))))
    mine = next(r for r in rows if r["เลขที่อ้างอิง"] == detail["reference"])
    assert mine["ค่าอะไหล่ที่เจ้าของอนุมัติ (บาท)"] == "40"
