"""A helper's open job screen follows the job live, in Chromium (migration 0053): the lead moves the job on and the
helper's screen shows the new status without a tap; taken off the team, the screen says the job is closed to them
instead of showing it (or a bare "not found")."""

import httpx
import psycopg
from playwright.sync_api import Page, expect
from psycopg.rows import dict_row

from tests.e2e.conftest import TIMEOUT, SplitSystem, api_session, on_screen, sign_in
from tests.helpers import bearer, fresh_phone
from tests.integration.builders import draft
from tests.integration.dispatch_area import _college, _student

# Sangkhla Buri, Kanchanaburi: no seeded college and none of the other tests' colleges reach it.
SANGKHLA = (15.1500, 98.4500)


def _ok(response: httpx.Response, status: int = 200) -> None:
    assert response.status_code == status, response.text


def test_a_helpers_open_job_follows_the_leads_moves_and_closes_when_they_leave_the_team(
    split_system: SplitSystem, database_url: str, phone_page: Page
) -> None:
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        college = _college(conn, "สังขละบุรี", SANGKHLA[0] + 0.01, SANGKHLA[1], 20)
        lead_id, lead_phone = _student(conn, college, "มานพ ขยันซ่อม", {"electrical_appliance": 3})
        helper_id, helper_phone = _student(conn, college, "ดวงใจ ช่วยงาน", {"electrical_appliance": 2})
        _, teacher_phone = _student(conn, college, "ครูสังขละ ใจดี", {}, role="supervisor")
    try:
        with httpx.Client(base_url=split_system.api_url, timeout=30) as api:
            citizen, teacher, lead = (str(api_session(split_system.api_url, p)["access_token"])
                                      for p in (fresh_phone(), teacher_phone, lead_phone))
            created = api.post("/requests", json=draft(lat=SANGKHLA[0], lon=SANGKHLA[1]), headers=bearer(citizen))
            _ok(created, 201)
            rid = created.json()["id"]
            _ok(api.post(f"/requests/{rid}/assign", json={"technician_id": lead_id}, headers=bearer(teacher)))
            _ok(api.post(f"/requests/{rid}/team", json={"technician_id": helper_id, "task": "ช่วยถอดฝา"},
                         headers=bearer(lead)), 204)
            _ok(api.post(f"/requests/{rid}/status", json={"to_status": "diagnosing"}, headers=bearer(lead)))

            helper = phone_page
            sign_in(helper, f"{split_system.app_url}jobs/{rid}", helper_phone)
            expect(on_screen(helper, "คุณเป็นผู้ช่วยในงานนี้").first).to_be_visible(timeout=TIMEOUT)
            expect(on_screen(helper, "กำลังซ่อม")).to_have_count(0)

            # The lead moves the job on: the helper's screen follows, nobody touching it.
            _ok(api.post(f"/requests/{rid}/status", json={"to_status": "repairing"}, headers=bearer(lead)))
            expect(on_screen(helper, "กำลังซ่อม").first).to_be_visible(timeout=TIMEOUT)

        # Taken off the team: the job leaves the screen, which says why.
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("delete from public.job_team where request_id = %s and technician_id = %s",
                         [rid, helper_id])
        expect(on_screen(helper, "คุณไม่ได้อยู่ในทีมของงานนี้แล้ว").first).to_be_visible(timeout=TIMEOUT)
        expect(on_screen(helper, "คุณเป็นผู้ช่วยในงานนี้")).to_have_count(0, timeout=TIMEOUT)
        expect(on_screen(helper, "ไม่พบข้อมูลที่ต้องการ")).to_have_count(0)
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.colleges set is_active = false where id = %s", [college])



# Thong Pha Phum, Kanchanaburi: far enough from Sangkhla Buri that the two tests' colleges never share a request.
THONG_PHA_PHUM = (14.7400, 98.6300)


def test_a_leads_open_job_closes_in_words_when_the_teacher_gives_it_to_another_student(
    split_system: SplitSystem, database_url: str, phone_page: Page
) -> None:
    """Migration 0056: the lead's stream hears the reassign that takes the job from them, and their open job screen
    closes saying it was given to another student (it stood still before, then showed "not found")."""
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        college = _college(conn, "ทองผาภูมิ", THONG_PHA_PHUM[0] + 0.01, THONG_PHA_PHUM[1], 20)
        lead_id, lead_phone = _student(conn, college, "สมชาย ตั้งใจ", {"electrical_appliance": 3})
        other_id, _ = _student(conn, college, "สมหญิง รับต่อ", {"electrical_appliance": 3})
        _, teacher_phone = _student(conn, college, "ครูทองผา ใจดี", {}, role="supervisor")
    try:
        with httpx.Client(base_url=split_system.api_url, timeout=30) as api:
            citizen, teacher = (str(api_session(split_system.api_url, p)["access_token"])
                                for p in (fresh_phone(), teacher_phone))
            created = api.post("/requests", json=draft(lat=THONG_PHA_PHUM[0], lon=THONG_PHA_PHUM[1]),
                               headers=bearer(citizen))
            _ok(created, 201)
            rid = created.json()["id"]
            _ok(api.post(f"/requests/{rid}/assign", json={"technician_id": lead_id}, headers=bearer(teacher)))

            lead = phone_page
            sign_in(lead, f"{split_system.app_url}jobs/{rid}", lead_phone)
            expect(on_screen(lead, "พัดลม").first).to_be_visible(timeout=TIMEOUT)

            _ok(api.post(f"/requests/{rid}/assign", json={"technician_id": other_id}, headers=bearer(teacher)))
        expect(on_screen(lead, "งานนี้ถูกมอบให้นักศึกษาคนอื่นทำต่อแล้ว").first).to_be_visible(timeout=TIMEOUT)
        expect(on_screen(lead, "พัดลม")).to_have_count(0, timeout=TIMEOUT)
        expect(on_screen(lead, "ไม่พบข้อมูลที่ต้องการ")).to_have_count(0)
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.colleges set is_active = false where id = %s", [college])
