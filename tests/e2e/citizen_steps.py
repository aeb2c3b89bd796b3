"""What a citizen does in the app in more than one e2e test: where they stand, and filling the request form."""

from pathlib import Path

from playwright.sync_api import Geolocation, Page, expect

from tests.e2e.conftest import TIMEOUT, open_screen, type_into

DON_MUEANG: Geolocation = {"latitude": 13.9130, "longitude": 100.6070}


def fill_form(page: Page, item: str, photo: Path) -> None:
    open_screen(page, page.get_by_role("button", name="แจ้งซ่อม").first, "คำขอซ่อมของฉัน")
    # Typing first: after a dropdown menu closes, the Flutter web engine can keep the keyboard on the menu's own
    # input for a while, and keys typed into a text field then go nowhere.
    type_into(page, "ของที่จะซ่อม", item)
    type_into(page, "อาการเสีย", "เปิดแล้วไม่ติด มีกลิ่นไหม้")
    page.get_by_role("button", name="ประเภทงานซ่อม").click()
    page.get_by_role("button", name="เครื่องใช้ไฟฟ้า").click()
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="เพิ่มรูปภาพ").click()
    chooser.value.set_files(str(photo))
    expect(page.get_by_text("รูปที่ 1", exact=False).first).to_be_attached(timeout=TIMEOUT)
    page.get_by_role("button", name="ใช้ตำแหน่งปัจจุบัน").click()
    expect(page.get_by_text("จาก GPS", exact=False).first).to_be_attached(timeout=TIMEOUT)
    page.get_by_role("checkbox", name="ยินยอมให้ใช้ข้อมูลส่วนบุคคลเพื่อการซ่อม").click()
