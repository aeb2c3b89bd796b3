"""The demo citizen signs in with phone + code in Chromium and sees their requests (real backend, real app)."""

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import OUTPUT_DIR, RunningSystem, ask_for_code, enable_semantics, enter_code

TIMEOUT = 60_000


def wait_for_thai_font(page: Page) -> None:
    # Until the bundled font has arrived Flutter draws Thai as boxes: a screenshot must wait for it.
    page.wait_for_function("document.fonts.status === 'loaded'", timeout=TIMEOUT)
    page.wait_for_timeout(700)


def test_citizen_signs_in_and_sees_their_requests(system: RunningSystem, phone_page: Page) -> None:
    page = phone_page
    with page.expect_response(lambda r: r.url.endswith("NotoSansThai.ttf"), timeout=TIMEOUT) as font:
        page.goto(system.app_url)
        enable_semantics(page)
        phone = page.get_by_role("textbox", name="เบอร์โทรศัพท์")
        expect(phone).to_be_visible(timeout=TIMEOUT)
    assert font.value.ok

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
    expect(page.get_by_text("ครูกำลังตรวจงาน", exact=False).first).to_be_visible(timeout=TIMEOUT)
    wait_for_thai_font(page)
    OUTPUT_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / "citizen-home.png"))

    # English switch: the same screen, second language.
    page.get_by_role("button", name="English").click()
    expect(page.get_by_text("My repair requests").first).to_be_visible(timeout=TIMEOUT)


def test_wrong_code_shows_a_thai_error(system: RunningSystem, phone_page: Page) -> None:
    page = phone_page
    page.goto(system.app_url)
    enable_semantics(page)
    code = ask_for_code(page, "0899999999")
    enter_code(page, "000000" if code != "000000" else "111111")
    expect(page.get_by_text("รหัสยืนยันไม่ถูกต้อง").first).to_be_visible(timeout=TIMEOUT)


def test_run_command_serves_api_docs_and_health(system: RunningSystem) -> None:
    health = httpx.get(f"{system.api_url}/health", timeout=10).json()
    assert health["status"] == "ok" and health["database"]["ok"]
    assert httpx.get(f"{system.api_url}/docs", timeout=10).status_code == 200
