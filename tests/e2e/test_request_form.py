"""The citizen opens the repair request form in Chromium: it renders on a phone screen and refuses an empty
draft field by field before sending anything. (Photo, GPS and map pin in the browser: next slice.)"""

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import OUTPUT_DIR, TIMEOUT, RunningSystem, api_session, open_screen, sign_in, type_into


def citizen_request_count(system: RunningSystem) -> int:
    token = api_session(system.api_url, "0811111111")["access_token"]
    mine = httpx.get(f"{system.api_url}/requests/mine", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    return len(mine.json())


def test_form_opens_and_validates_before_sending(system: RunningSystem, phone_page: Page) -> None:
    page = phone_page
    sign_in(page, system.app_url, "0811111111", "คำขอซ่อมของฉัน")
    open_screen(page, page.get_by_role("button", name="แจ้งซ่อม").first, "คำขอซ่อมของฉัน")
    expect(page.get_by_role("button", name="ส่งคำขอซ่อม")).to_be_attached(timeout=TIMEOUT)
    expect(page.get_by_role("textbox", name="ของที่จะซ่อม")).to_be_attached(timeout=TIMEOUT)
    OUTPUT_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / "request-form.png"))
    before = citizen_request_count(system)
    page.get_by_role("button", name="ส่งคำขอซ่อม").click()
    for message in ("กรุณาบอกว่าของที่จะซ่อมคืออะไร", "กรุณาอธิบายอาการเสีย", "กรุณาระบุตำแหน่ง",
                    "กรุณายินยอมให้ใช้ข้อมูลส่วนบุคคล"):
        expect(page.get_by_text(message, exact=False).first).to_be_attached(timeout=TIMEOUT)
    # The app talks to the API from its server side, so ask the API itself: nothing was stored.
    assert citizen_request_count(system) == before
    # A fixed field loses its red line as it is typed, not at the next send; the others keep theirs.
    type_into(page, "ของที่จะซ่อม", "พัดลมตั้งพื้น")
    expect(page.get_by_text("กรุณาบอกว่าของที่จะซ่อมคืออะไร", exact=False)).to_have_count(0, timeout=TIMEOUT)
    expect(page.get_by_text("กรุณาอธิบายอาการเสีย", exact=False).first).to_be_attached(timeout=TIMEOUT)
