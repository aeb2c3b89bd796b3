"""The citizen's journey in Chromium against the real backend and app (issue: citizen journey):
fill the form with a photo file and a GPS location, submit, see the request dispatched; and the outbox —
backend gone → submit → waiting → backend back → sent exactly once."""

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import (
    OUTPUT_DIR,
    TIMEOUT,
    SplitSystem,
    open_app,
    open_screen,
    requests_named,
    sign_in,
)
from tests.e2e.steps import DON_MUEANG, fill_form


@pytest.fixture
def citizen_page(browser: Browser) -> Iterator[Page]:
    """A phone that lets the app read its GPS position (near วิทยาลัยเทคนิคดอนเมือง)."""
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="th-TH",
                                  geolocation=DON_MUEANG, permissions=["geolocation"])
    yield context.new_page()
    context.close()


def test_submit_with_photo_and_gps(split_system: SplitSystem, citizen_page: Page, photo_file: Path) -> None:
    page, phone = citizen_page, "0655500011"
    item = f"พัดลม-{uuid.uuid4().hex[:6]}"
    sign_in(page, split_system.app_url, phone, "คำขอซ่อมของฉัน")
    fill_form(page, item, photo_file)
    page.get_by_role("button", name="ส่งคำขอซ่อม").click()
    # Back on the home: the new request's own card, already dispatched to the nearest college.
    card = page.get_by_role("button", name=re.compile(f"{re.escape(item)}.*กำลังหาช่าง"))
    expect(card).to_be_visible(timeout=TIMEOUT)
    page.screenshot(path=str(OUTPUT_DIR / "citizen-submitted.png"))
    stored = requests_named(split_system.api_url, phone, item)
    assert len(stored) == 1 and stored[0]["status"] == "offered"
    assert stored[0]["college_name_th"] == "วิทยาลัยเทคนิคดอนเมือง"


def test_outbox_sends_once_when_the_backend_is_back(
    split_system: SplitSystem, citizen_page: Page, photo_file: Path
) -> None:
    page, phone = citizen_page, "0655500012"
    item = f"หม้อหุงข้าว-{uuid.uuid4().hex[:6]}"
    sign_in(page, split_system.app_url, phone, "คำขอซ่อมของฉัน")
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
    stored = requests_named(split_system.api_url, phone, item)
    assert len(stored) == 1  # sent exactly once, however many retries it took


def test_gps_refused_points_to_the_map_pin(split_system: SplitSystem, browser: Browser) -> None:
    """A phone that says no to location: the form explains and the map pin still works."""
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="th-TH")  # no permission
    page = context.new_page()
    try:
        sign_in(page, split_system.app_url, "0655500013", "คำขอซ่อมของฉัน")
        open_screen(page, page.get_by_role("button", name="แจ้งซ่อม").first, "คำขอซ่อมของฉัน")
        page.get_by_role("button", name="ใช้ตำแหน่งปัจจุบัน").click()
        expect(page.get_by_text("ไม่ได้รับอนุญาตให้ใช้ตำแหน่ง", exact=False).first).to_be_attached(timeout=TIMEOUT)
        # The pin: a tap on the map sets the location instead.
        page.get_by_role("button", name="แตะเพื่อเลือกตำแหน่งบนแผนที่").click()  # the map shows once asked for
        page.get_by_role("button", name="แผนที่สำหรับปักหมุดตำแหน่ง").click()
        expect(page.get_by_text("จากหมุดบนแผนที่", exact=False).first).to_be_attached(timeout=TIMEOUT)
    finally:
        context.close()
