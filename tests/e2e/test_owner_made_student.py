"""A citizen with an open request is made a student by a teacher; signed in as the student they are now, they find
"คำขอซ่อมของฉัน" on their home, open the owner's screen of their request and cancel it, in a real browser."""

import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.e2e.conftest import OUTPUT_DIR, TIMEOUT, SplitSystem, api_session, on_screen, open_screen, requests_named
from tests.e2e.steps import DON_MUEANG, made_student, open_signed_in, settled
from tests.helpers import fresh_phone

TEACHER_PHONE = "0833333333"


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport={"width": 390, "height": 844}, locale="th-TH")
    yield made
    made.close()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_citizen_made_a_student_cancels_their_own_request(split_system: SplitSystem,
                                                             context: BrowserContext) -> None:
    api = split_system.api_url
    phone, item = fresh_phone(), f"กาต้มน้ำ-{uuid.uuid4().hex[:6]}"
    citizen = api_session(api, phone)["access_token"]
    created = httpx.post(f"{api}/requests", headers=_bearer(citizen), timeout=10, json={
        "idempotency_key": str(uuid.uuid4()), "category_code": "appliance", "item": item,
        "description": "เสียบปลั๊กแล้วไม่ร้อน", "lat": DON_MUEANG["latitude"], "lon": DON_MUEANG["longitude"],
        "address": "99 ถนนวิภาวดีรังสิต", "province": "กรุงเทพมหานคร", "service_place": "centre",
        "preferred_days": ["sat"], "contact_phone": phone, "pdpa_consent": True})
    assert created.status_code == 201, created.text
    teacher = api_session(api, TEACHER_PHONE)
    # An existing account becomes a student only by its own acceptance (the card: tests/e2e/test_invitation.py).
    made_student(api, teacher, citizen, phone, "ก้อง นักศึกษาใหม่")

    student = open_signed_in(context, split_system, phone, "งานที่เสนอให้ฉัน")
    expect(on_screen(student, "คำขอซ่อมของฉัน (1)")).to_be_visible(timeout=TIMEOUT)
    student.screenshot(path=str(OUTPUT_DIR / "owner-made-student-home.png"))
    open_screen(student, settled(student, student.get_by_role("button", name=f"ดูรายละเอียด {item}")),
                "งานที่เสนอให้ฉัน")
    settled(student, student.get_by_role("button", name="ยกเลิกคำขอ")).click()
    confirm = student.get_by_role("button", name="ยืนยันยกเลิก")
    expect(confirm).to_be_visible(timeout=TIMEOUT)
    confirm.click()
    expect(confirm).to_have_count(0, timeout=TIMEOUT)
    expect(on_screen(student, "ยกเลิกแล้ว").first).to_be_visible(timeout=TIMEOUT)
    student.screenshot(path=str(OUTPUT_DIR / "owner-made-student-cancelled.png"))
    [stored] = requests_named(api, phone, item)
    assert stored["status"] == "cancelled"
