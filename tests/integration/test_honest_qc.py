"""Honest QC: no teacher's check, and no approval, without an after photo, hours worked and a report."""


import httpx
import psycopg

from tests.helpers import bearer, sign_in
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import AppClock, Area, record_work, step, submit


async def _accepted(api: httpx.AsyncClient, area: Area) -> tuple[str, str, str, str]:
    citizen, request = await submit(api)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assigned = await api.post(f"/requests/{request['id']}/assign", json={"technician_id": area.students["ace"][0]},
                              headers=bearer(teacher))
    assert assigned.status_code == 200, assigned.text
    ace, _ = await sign_in(api, area.students["ace"][1])
    return citizen, teacher, ace, request["id"]


async def test_quality_check_needs_photo_hours_and_report(app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    citizen, teacher, ace, rid = await _accepted(api, area)
    for to in ("diagnosing", "repairing"):
        assert (await step(api, ace, rid, to)).status_code == 200

    # The work detail tells the student what is missing, before they try.
    detail = (await api.get(f"/requests/{rid}", headers=bearer(ace))).json()
    assert [m["code"] for m in detail["quality_check_missing"]] == ["after_photo", "hours", "report"]
    assert detail["quality_check_missing"][0]["message_th"] == "ถ่ายรูปหลังซ่อมอย่างน้อย 1 รูป"

    refused = await step(api, ace, rid, "quality_check")
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "quality_check_incomplete"
    assert set(error["fields"]) == {"after_photo", "hours", "report"}
    assert "รูปหลังซ่อม" in error["message_th"] and "an after photo" in error["message_en"]
    assert error["fields"]["hours"]["message_en"] == "Record the hours worked (more than 0)"
    assert (await api.get(f"/requests/{rid}", headers=bearer(ace))).json()["status"] == "repairing"  # nothing moved

    # Hours of 0 and an empty report do not count; a photo alone is not enough either.
    await api.put(f"/requests/{rid}/report", json={"hours": 0, "notes": "   ", "parts": []}, headers=bearer(ace))
    photo = {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    assert (await api.put(f"/requests/{rid}/after-photos/0", files=photo, headers=bearer(ace))).status_code == 201
    still = await step(api, ace, rid, "quality_check")
    assert still.status_code == 409 and set(still.json()["error"]["fields"]) == {"hours", "report"}
    detail = (await api.get(f"/requests/{rid}", headers=bearer(ace))).json()
    assert [m["code"] for m in detail["quality_check_missing"]] == ["hours", "report"]

    await api.put(f"/requests/{rid}/report", json={"hours": 2, "notes": "เปลี่ยนมอเตอร์พัดลม", "parts": []},
                  headers=bearer(ace))
    sent = await step(api, ace, rid, "quality_check")
    assert sent.status_code == 200, sent.text
    assert sent.json()["quality_check_missing"] == []
    # The citizen is never shown the student's checklist.
    assert (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()["quality_check_missing"] == []
    assert (await step(api, teacher, rid, "done")).status_code == 200


async def test_the_teacher_cannot_approve_an_incomplete_record(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """A job that reached the check without a record (before this rule, or by a database edit) is not approved."""
    api, _ = app_and_clock
    _, teacher, ace, rid = await _accepted(api, area)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.repair_requests set status = 'quality_check' where id = %s", [rid])
    refused = await step(api, teacher, rid, "done")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "approval_incomplete"
    assert refused.json()["error"]["message_en"].startswith("Cannot approve yet")
    assert set(refused.json()["error"]["fields"]) == {"after_photo", "hours", "report"}
    # Sending it back for rework is still possible, and then the student completes it.
    assert (await step(api, teacher, rid, "repairing", note="ยังไม่มีรูปและรายงาน")).status_code == 200
    await record_work(api, ace, rid)
    assert (await step(api, ace, rid, "quality_check")).status_code == 200
    approved = await step(api, teacher, rid, "done")
    assert approved.status_code == 200 and approved.json()["status"] == "done"


async def test_state_machine_refusals_come_before_the_record_check(app_and_clock: AppClock, area: Area) -> None:
    """Someone who may not make the move at all hears that, not a list of what the record lacks."""
    api, _ = app_and_clock
    _, _, ace, rid = await _accepted(api, area)
    bee, _ = await sign_in(api, area.students["bee"][1])
    assert (await step(api, ace, rid, "diagnosing")).status_code == 200
    early = await step(api, ace, rid, "quality_check")  # diagnosing → quality_check is no legal step
    assert early.status_code == 409 and early.json()["error"]["code"] == "illegal_transition"
    assert (await step(api, ace, rid, "repairing")).status_code == 200
    other = await step(api, bee, rid, "quality_check")  # another student: the job is not theirs to see
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"


async def test_unrepairable_needs_a_reason_not_a_repair_record(app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    _, teacher, ace, rid = await _accepted(api, area)
    assert (await step(api, ace, rid, "diagnosing")).status_code == 200
    assert (await step(api, ace, rid, "unrepairable")).json()["error"]["code"] == "reason_required"
    out = await step(api, ace, rid, "unrepairable", reason="cost_above_value")
    assert out.status_code == 200 and out.json()["quality_check_missing"] == []
    # Issue 14: without the owner's confirmation the teacher records why (the owner collected it without the app).
    assert (await step(api, teacher, rid, "handed_back", note="เจ้าของมารับของคืนที่ศูนย์")).status_code == 200
