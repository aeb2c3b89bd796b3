"""A student their teacher switched off taking jobs still signs in, on a small phone in a real browser, and their
home says plainly that the college switched them off; switched back on, a refresh shows the usual offers list."""

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.e2e.conftest import OUTPUT_DIR, TIMEOUT, SplitSystem, api_session, on_screen, settled
from tests.e2e.steps import made_student, open_signed_in
from tests.helpers import fresh_phone

TEACHER_PHONE = "0833333333"
STUDENT_HOME = "งานที่เสนอให้ฉัน"
OFF = "ปิดการรับงานของคุณไว้"
NO_OFFERS = "ยังไม่มีงานเสนอเข้ามา"


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport={"width": 360, "height": 640}, locale="th-TH")
    yield made
    made.close()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_switched_off_student_signs_in_and_is_told_why_no_offers_come(
    split_system: SplitSystem, context: BrowserContext
) -> None:
    api, phone = split_system.api_url, fresh_phone()
    person = api_session(api, phone)["access_token"]
    teacher = api_session(api, TEACHER_PHONE)
    # No skills: dispatch offers this student nothing whether on the roster or not, so other tests are unaffected.
    student_id = made_student(api, teacher, person, phone, "พัก การเรียน", skills={})["id"]

    def switch(on: bool) -> None:
        answer = httpx.put(f"{api}/supervisor/technicians/{student_id}", json={"is_active": on},
                           headers=_bearer(teacher["access_token"]), timeout=10)
        assert answer.status_code == 200 and answer.json()["is_active"] is on, answer.text

    switch(False)
    student = open_signed_in(context, split_system, phone, STUDENT_HOME)
    expect(on_screen(student, OFF)).to_be_visible(timeout=TIMEOUT)
    expect(on_screen(student, NO_OFFERS)).to_have_count(0, timeout=TIMEOUT)
    student.screenshot(path=str(OUTPUT_DIR / "student-switched-off-360.png"))

    switch(True)
    settled(student, student.get_by_role("button", name="รีเฟรช").first).click()
    expect(on_screen(student, NO_OFFERS)).to_be_visible(timeout=TIMEOUT)
    expect(on_screen(student, OFF)).to_have_count(0, timeout=TIMEOUT)
