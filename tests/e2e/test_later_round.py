"""A reopened job's second round on the student's job screen, in Chromium: the screen says that this round needs its
own report and a new after photo, keeps the first round's photo on the record as the earlier round's, and sends the
job to the teacher's check once the student has added a photo and saved the report (issue 14's later rounds)."""

import uuid
from pathlib import Path

import httpx
import psycopg
from playwright.sync_api import Page, expect
from psycopg.rows import dict_row

from tests.e2e.conftest import TIMEOUT, SplitSystem, api_session, on_screen, settled, sign_in
from tests.helpers import bearer, fresh_phone
from tests.integration.builders import draft, jpeg_with_gps
from tests.integration.dispatch_area import _college, _student

# Umphang, Tak: no seeded college and none of the other tests' colleges reach it.
UMPHANG = (16.0200, 98.8600)


def _ok(response: httpx.Response, status: int = 200) -> None:
    assert response.status_code == status, response.text


def _second_round(system: SplitSystem, college: uuid.UUID, database_url: str) -> tuple[str, str]:
    """Round 1 repaired (an after photo and a 2 h report), checked, handed back; reopened by the owner and given to
    the same student, who is repairing it again: (request id, the student's phone)."""
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        student_id, student_phone = _student(conn, college, "สมศักดิ์ ซ่อมซ้ำ", {"electrical_appliance": 3})
        _, teacher_phone = _student(conn, college, "ครูอุ้มผาง ใจเย็น", {}, role="supervisor")
    with httpx.Client(base_url=system.api_url, timeout=30) as api:
        citizen, teacher, student = (str(api_session(system.api_url, p)["access_token"])
                                     for p in (fresh_phone(), teacher_phone, student_phone))
        created = api.post("/requests", json=draft(lat=UMPHANG[0], lon=UMPHANG[1]), headers=bearer(citizen))
        _ok(created, 201)
        rid = created.json()["id"]

        def assign() -> None:
            _ok(api.post(f"/requests/{rid}/assign", json={"technician_id": student_id}, headers=bearer(teacher)))
            for to in ("diagnosing", "repairing"):
                _ok(api.post(f"/requests/{rid}/status", json={"to_status": to}, headers=bearer(student)))

        assign()
        _ok(api.put(f"/requests/{rid}/after-photos/0", headers=bearer(student),
                    files={"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}), 201)
        _ok(api.put(f"/requests/{rid}/report", headers=bearer(student),
                    json={"hours": 2.0, "notes": "เปลี่ยนสวิตช์ ทดสอบแล้วใช้งานได้", "parts": []}))
        for token, to in ((student, "quality_check"), (teacher, "done")):
            _ok(api.post(f"/requests/{rid}/status", json={"to_status": to}, headers=bearer(token)))
        _ok(api.post(f"/requests/{rid}/handover/confirm", headers=bearer(citizen)), 204)
        _ok(api.post(f"/requests/{rid}/status", json={"to_status": "handed_back"}, headers=bearer(teacher)))
        _ok(api.post(f"/requests/{rid}/reopen", json={"note": "ยังมีเสียงดัง"}, headers=bearer(citizen)))
        assign()
    return rid, student_phone


def test_a_reopened_job_is_reported_and_photographed_again_before_the_check(
    split_system: SplitSystem, database_url: str, phone_page: Page, photo_file: Path
) -> None:
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        college = _college(conn, "อุ้มผาง", UMPHANG[0] + 0.01, UMPHANG[1], 20)
    try:
        rid, student_phone = _second_round(split_system, college, database_url)
        student = phone_page
        sign_in(student, f"{split_system.app_url}jobs/{rid}", student_phone)

        # What this round still needs, in its own words; the first round's photo stays, marked as the earlier one.
        expect(on_screen(student, "รอบที่ 2: บันทึกรายงานของรอบนี้").first).to_be_visible(timeout=TIMEOUT)
        expect(on_screen(student, "รอบที่ 2: ถ่ายรูปหลังซ่อมใหม่ของรอบนี้").first).to_be_attached(timeout=TIMEOUT)
        expect(student.get_by_role("img", name="รูปหลังซ่อมที่ 1 (รอบก่อน)").or_(
            student.get_by_role("button", name="เปิดดูรูปหลังซ่อมที่ 1 (รอบก่อน)")).first).to_be_attached(
            timeout=TIMEOUT)
        expect(student.get_by_text("ก่อนส่งให้ครูตรวจ ยังขาด:")).to_be_attached(timeout=TIMEOUT)

        # A new photo goes to the free slot beside the earlier one; the report form holds the last report, saved.
        with student.expect_file_chooser() as chooser:
            settled(student, student.get_by_role("button", name="เพิ่มรูปหลังซ่อม")).click()
        chooser.value.set_files(str(photo_file))
        expect(student.get_by_role("img", name="รูปหลังซ่อมที่ 2").or_(
            student.get_by_role("button", name="เปิดดูรูปหลังซ่อมที่ 2")).first).to_be_attached(timeout=TIMEOUT)
        settled(student, student.get_by_role("button", name="บันทึกรายงาน")).click()
        expect(student.get_by_text("บันทึกรายงานแล้ว", exact=False).first).to_be_attached(timeout=TIMEOUT)
        expect(student.get_by_text("ก่อนส่งให้ครูตรวจ ยังขาด:")).to_have_count(0, timeout=TIMEOUT)

        settled(student, student.get_by_role("button", name="ส่งให้ครูตรวจ")).click()
        settled(student, student.get_by_role("button", name="ยืนยัน")).click()
        expect(student.get_by_role("button", name="ยืนยัน")).to_have_count(0, timeout=TIMEOUT)
        token = str(api_session(split_system.api_url, student_phone)["access_token"])
        detail = httpx.get(f"{split_system.api_url}/requests/{rid}", headers=bearer(token), timeout=30).json()
        assert (detail["status"], detail["work_round"], detail["report_in_round"],
                detail["after_photos_in_round"]) == ("quality_check", 2, True, [1]), detail
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.colleges set is_active = false where id = %s", [college])
