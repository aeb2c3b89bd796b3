"""The demo citizen signs in with phone + code in Chromium and sees their requests (real backend, real app)."""

from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import OUTPUT_DIR, TIMEOUT, RunningSystem, ask_for_code, enter_code, open_app


def test_citizen_signs_in_and_sees_their_requests(system: RunningSystem, phone_page: Page,
                                                   back_in_thai: Callable[[str, str], None]) -> None:
    page = phone_page
    # open_app waits for the bundled Thai font: a screenshot without it shows boxes.
    open_app(page, system.app_url, at_sign_in=True)
    expect(page.get_by_role("textbox", name="เบอร์โทรศัพท์")).to_be_visible(timeout=TIMEOUT)

    code = ask_for_code(page, "0811111111")
    assert code.isdigit() and len(code) == 6
    # The same code is in the backend's log, where a developer without the app would look.
    assert f"+66811111111: {code}" in system.log_path.read_text(encoding="utf-8")

    enter_code(page, code)

    expect(page.get_by_text("คำขอซ่อมของฉัน").first).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("สวัสดี สมชาย ใจดี").first).to_be_visible(timeout=TIMEOUT)
    # The seeded requests come from the API, with their Thai status labels.
    expect(page.get_by_text("พัดลมตั้งพื้น", exact=False).first).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("หม้อหุงข้าว", exact=False).first).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("กำลังซ่อม", exact=False).first).to_be_visible(timeout=TIMEOUT)
    OUTPUT_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / "citizen-home.png"))

    # English switch: the same screen, second language. Stored on the shared demo citizen's profile: Thai again
    # at the end, for the tests that sign them in next.
    back_in_thai(system.api_url, "0811111111")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_text("My repair requests").first).to_be_visible(timeout=TIMEOUT)


def test_wrong_code_shows_a_thai_error(system: RunningSystem, phone_page: Page) -> None:
    page = phone_page
    open_app(page, system.app_url, at_sign_in=True)
    code = ask_for_code(page, "0899999999")
    enter_code(page, "000000" if code != "000000" else "111111")
    expect(page.get_by_text("รหัสยืนยันไม่ถูกต้อง").first).to_be_visible(timeout=TIMEOUT)


def test_run_command_serves_api_docs_and_health(system: RunningSystem) -> None:
    health = httpx.get(f"{system.api_url}/health", timeout=10).json()
    assert health["status"] == "ok" and health["database"]["ok"]
    assert httpx.get(f"{system.api_url}/docs", timeout=10).status_code == 200
