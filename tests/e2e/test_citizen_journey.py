"""The citizen's journey in Chromium against the real backend and app (issue: citizen journey):
fill the form with a photo file and a GPS location, submit, see the request dispatched; and the outbox —
backend gone → submit → waiting → backend back → sent exactly once."""

import io
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Geolocation, Page, expect

from tests.e2e.conftest import (
    OUTPUT_DIR,
    TIMEOUT,
    SplitSystem,
    ask_for_code,
    enter_code,
    open_app,
    open_screen,
    type_into,
)

DON_MUEANG: Geolocation = {"latitude": 13.9130, "longitude": 100.6070}


@pytest.fixture
def citizen_page(browser: Browser) -> Iterator[Page]:
    """A phone that lets the app read its GPS position (near วิทยาลัยเทคนิคดอนเมือง)."""
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="th-TH",
                                  geolocation=DON_MUEANG, permissions=["geolocation"])
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def photo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("photos") / "fan.jpg"
    image = Image.new("RGB", (1200, 900), (30, 90, 160))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    path.write_bytes(out.getvalue())
    return path


def sign_in(page: Page, system: SplitSystem, phone: str) -> None:
    open_app(page, system.app_url)
    enter_code(page, ask_for_code(page, phone))
    expect(page.get_by_text("คำขอซ่อมของฉัน").first).to_be_visible(timeout=TIMEOUT)


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


def requests_named(system: SplitSystem, phone: str, item: str) -> list[dict[str, object]]:
    code = httpx.post(f"{system.api_url}/auth/otp/request", json={"phone": phone}, timeout=10).json()["dev_code"]
    token = httpx.post(f"{system.api_url}/auth/otp/verify", json={"phone": phone, "code": code},
                       timeout=10).json()["access_token"]
    mine = httpx.get(f"{system.api_url}/requests/mine", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    return [r for r in mine.json() if r["item"] == item]


def test_submit_with_photo_and_gps(split_system: SplitSystem, citizen_page: Page, photo_file: Path) -> None:
    page, phone = citizen_page, "0655500011"
    item = f"พัดลม-{uuid.uuid4().hex[:6]}"
    sign_in(page, split_system, phone)
    fill_form(page, item, photo_file)
    page.get_by_role("button", name="ส่งคำขอซ่อม").click()
    # Back on the home: the new request's own card, already dispatched to the nearest college.
    card = page.get_by_role("button", name=re.compile(f"{re.escape(item)}.*กำลังหาช่าง"))
    expect(card).to_be_visible(timeout=TIMEOUT)
    page.screenshot(path=str(OUTPUT_DIR / "citizen-submitted.png"))
    stored = requests_named(split_system, phone, item)
    assert len(stored) == 1 and stored[0]["status"] == "offered"
    assert stored[0]["college_name_th"] == "วิทยาลัยเทคนิคดอนเมือง"


def test_outbox_sends_once_when_the_backend_is_back(
    split_system: SplitSystem, citizen_page: Page, photo_file: Path
) -> None:
    page, phone = citizen_page, "0655500012"
    item = f"หม้อหุงข้าว-{uuid.uuid4().hex[:6]}"
    sign_in(page, split_system, phone)
    fill_form(page, item, photo_file)
    split_system.stop_backend()
    try:
        page.get_by_role("button", name="ส่งคำขอซ่อม").click()
        expect(page.get_by_text("รอส่ง", exact=False).first).to_be_visible(timeout=TIMEOUT)
        expect(page.get_by_text(item, exact=False).first).to_be_visible(timeout=TIMEOUT)
        page.screenshot(path=str(OUTPUT_DIR / "citizen-outbox-waiting.png"))
        # Survives a reload (device storage), still waiting.
        open_app(page)  # a reload
        expect(page.get_by_text("รอส่ง", exact=False).first).to_be_visible(timeout=TIMEOUT)
    finally:
        split_system.start_backend()
    page.get_by_role("button", name="รีเฟรช").first.click()
    expect(page.get_by_text("รอส่ง", exact=False)).to_have_count(0, timeout=TIMEOUT)
    card = page.get_by_role("button", name=re.compile(f"{re.escape(item)}.*กำลังหาช่าง"))
    expect(card).to_be_visible(timeout=TIMEOUT)
    stored = requests_named(split_system, phone, item)
    assert len(stored) == 1  # sent exactly once, however many retries it took


def test_gps_refused_points_to_the_map_pin(split_system: SplitSystem, browser: Browser) -> None:
    """A phone that says no to location: the form explains and the map pin still works."""
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="th-TH")  # no permission
    page = context.new_page()
    try:
        sign_in(page, split_system, "0655500013")
        open_screen(page, page.get_by_role("button", name="แจ้งซ่อม").first, "คำขอซ่อมของฉัน")
        page.get_by_role("button", name="ใช้ตำแหน่งปัจจุบัน").click()
        expect(page.get_by_text("ไม่ได้รับอนุญาตให้ใช้ตำแหน่ง", exact=False).first).to_be_attached(timeout=TIMEOUT)
        # The pin: a tap on the map sets the location instead.
        page.get_by_role("button", name="แผนที่สำหรับปักหมุดตำแหน่ง").click()
        expect(page.get_by_text("จากหมุดบนแผนที่", exact=False).first).to_be_attached(timeout=TIMEOUT)
    finally:
        context.close()
