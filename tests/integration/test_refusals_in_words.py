"""A refusal about a request's status names it as people read it (shared/text.py's status labels), never by the
API's raw codes, and a photo for a request no longer open says so with a code of its own (`request_closed`)."""

from tests.helpers import bearer
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import AppClock, Area, accepted_job, step, submit, work_to_quality_check


async def test_a_photo_for_a_cancelled_request_is_refused_in_words_a_person_reads(
    app_and_clock: AppClock, area: Area
) -> None:
    """backend/services/photo_intake.py check_citizen_may_add answered 409 illegal_transition with from_status and
    to_status both the request's raw status: "เปลี่ยนสถานะจาก cancelled เป็น cancelled ไม่ได้". The app's outbox sends
    a draft's photos after its POST got through, possibly after the owner cancelled the request from their list:
    the draft then turned "failed" with those words, which name no photo and no reason in Thai (audit14b)."""
    api, _ = app_and_clock
    token, request = await submit(api)
    cancelled = await api.post(f"/requests/{request['id']}/cancel", json={"note": ""}, headers=bearer(token))
    assert cancelled.status_code == 200, cancelled.text
    files = {"file": ("a.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    refused = await api.put(f"/requests/{request['id']}/photos/0", files=files, headers=bearer(token))
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert "cancelled" not in error["message_th"], error["message_th"]
    assert error["code"] == "request_closed"
    assert "ยกเลิกแล้ว" in error["message_th"] and "Cancelled" in error["message_en"], error


async def test_an_after_photo_once_the_job_is_with_the_teacher_is_refused_in_words(
    app_and_clock: AppClock, area: Area
) -> None:
    """The student's after photos and report close when the job goes to the teacher's check: the refusal says so
    with the status's label, not "from quality_check to quality_check"."""
    api, _ = app_and_clock
    _, ace, rid = await accepted_job(api, area)
    await work_to_quality_check(api, ace, rid)
    files = {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    refused = await api.put(f"/requests/{rid}/after-photos/1", files=files, headers=bearer(ace))
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "work_closed"
    assert "quality_check" not in error["message_th"] + error["message_en"], error
    assert "ครูกำลังตรวจงาน" in error["message_th"], error
    report = await api.put(f"/requests/{rid}/report", json={"hours": 2, "notes": "เปลี่ยนฟิวส์แล้วใช้ได้", "parts": []},
                           headers=bearer(ace))
    assert report.status_code == 409 and report.json()["error"]["code"] == "work_closed", report.text


async def test_a_move_the_state_machine_refuses_names_both_statuses_by_their_labels(
    app_and_clock: AppClock, area: Area
) -> None:
    """Every illegal_transition (the shared state machine's, an assign's, an admin's send-on) is worded from
    shared/'s status labels."""
    api, _ = app_and_clock
    _, ace, rid = await accepted_job(api, area)
    assert (await step(api, ace, rid, "diagnosing")).status_code == 200
    early = await step(api, ace, rid, "quality_check")
    assert early.status_code == 409 and early.json()["error"]["code"] == "illegal_transition", early.text
    error = early.json()["error"]
    assert error["message_th"] == 'เปลี่ยนสถานะจาก "กำลังตรวจเช็ก" เป็น "ครูกำลังตรวจงาน" ไม่ได้', error
    assert error["message_en"] == 'Cannot change the status from "Diagnosing" to "Quality check"', error
