"""ux26 #1 in a real browser on a 360×640 phone: an admin at a high-risk job's check sends it back for rework naming
one of the college's teachers present (the step panel's picker); at a college with no teacher the screen offers no
send-back and says why and what the admin can do instead, on lines that fit the screen."""

import re
import uuid

import httpx
import psycopg
from playwright.sync_api import Locator, Page, expect
from psycopg.rows import dict_row

from shared.text import Locale, t
from tests.e2e.conftest import TIMEOUT, SplitSystem, api_session, open_app, sign_in, type_into
from tests.e2e.steps import settled
from tests.helpers import bearer, fresh_phone
from tests.integration.builders import draft
from tests.integration.dispatch_area import _college, _student

ADMIN_PHONE = "0844444444"
KHUN_YUAM = (18.8275, 97.9350)
FIX = "ท่อน้ำยารั่ว ตรวจรอยเชื่อมใหม่"


def _job_in_the_check(api_url: str, database_url: str, college: uuid.UUID, student: str, item: str) -> str:
    """An air-conditioning job (high risk) of the college, repaired by `student` and waiting for the check."""
    citizen = str(api_session(api_url, fresh_phone())["access_token"])
    made = httpx.post(f"{api_url}/requests", headers=bearer(citizen), timeout=30,
                      json=draft(lat=KHUN_YUAM[0], lon=KHUN_YUAM[1], category_code="air_conditioning", item=item))
    assert made.status_code == 201, made.text
    rid = str(made.json()["id"])
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.offers set status = 'withdrawn' where request_id = %s and status = 'pending'",
                     [rid])
        conn.execute("update public.repair_requests set status = 'quality_check', college_id = %s, "
                     "technician_id = %s where id = %s", [college, student, rid])
    return rid


def _shown(page: Page, text: str) -> Locator:
    """A text, alone or inside a card (Flutter reads a card out as one group named by all of its text)."""
    return page.get_by_text(text, exact=False).or_(page.get_by_role("group", name=re.compile(re.escape(text)))).first


def _inside_the_screen(page: Page, text: str) -> None:
    box = settled(page, _shown(page, text)).bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, box


def test_an_admin_names_the_teacher_present_at_a_rework_on_a_phone(
    split_system: SplitSystem, phone_page: Page, database_url: str
) -> None:
    tag = uuid.uuid4().hex[:4]
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        college = _college(conn, f"ขุนยวม {tag}", KHUN_YUAM[0], KHUN_YUAM[1], 5)
        student, _ = _student(conn, college, "วิชัย ช่างแอร์", {})
        first, _ = _student(conn, college, "ครูสมศรี ควบคุม", {}, role="supervisor")
        second, _ = _student(conn, college, "ครูวันดี ควบคุม", {}, role="supervisor")
    rid = _job_in_the_check(split_system.api_url, database_url, college, student, f"แอร์ห้องนอน {tag}")
    other = _job_in_the_check(split_system.api_url, database_url, college, student, f"แอร์ห้องนั่งเล่น {tag}")
    try:
        page = phone_page
        sign_in(page, f"{split_system.app_url}jobs/{rid}", ADMIN_PHONE)
        settled(page, page.get_by_role("button", name=t("step_rework", Locale.TH))).click()
        _inside_the_screen(page, t("rework_admin_teacher_hint", Locale.TH)[:30])
        picker = settled(page, page.get_by_role("button", name=t("rework_teacher_label", Locale.TH)))
        box = picker.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 360, box
        picker.click()
        option = re.compile("ครูวันดี ควบคุม")
        page.get_by_role("menuitem", name=option).or_(page.get_by_role("button", name=option)).first.click()
        type_into(page, t("rework_note_label", Locale.TH), FIX)
        settled(page, page.get_by_role("button", name=t("step_confirm", Locale.TH))).click()
        expect(page.get_by_text(t("step_saved", Locale.TH)).first).to_be_attached(timeout=TIMEOUT)
        with psycopg.connect(database_url) as conn:
            moved = conn.execute(
                """select r.status::text, e.teacher_present_id::text, e.note from public.repair_requests r
                   join public.status_events e on e.request_id = r.id and e.from_status = 'quality_check'
                   where r.id = %s""", [rid]).fetchone()
        assert moved == ("repairing", second, FIX)

        # The college's teachers leave: the other job's check offers no send-back and says what the admin can do.
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.profiles set is_active = false where id = any(%s)", [[first, second]])
        open_app(page, f"{split_system.app_url}jobs/{other}")
        note = t("rework_no_teacher_admin", Locale.TH)
        expect(_shown(page, note[:25])).to_be_attached(timeout=TIMEOUT)
        _inside_the_screen(page, note[:25])
        expect(page.get_by_role("button", name=t("step_offered", Locale.TH))).to_be_attached(timeout=TIMEOUT)
        expect(page.get_by_role("button", name=t("step_rework", Locale.TH))).to_have_count(0)
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:  # nothing left waiting for later tests
            conn.execute("update public.repair_requests set status = 'cancelled' where id = any(%s)", [[rid, other]])
            conn.execute("update public.profiles set is_active = false where id = %s", [student])
            conn.execute("update public.colleges set is_active = false where id = %s", [college])
