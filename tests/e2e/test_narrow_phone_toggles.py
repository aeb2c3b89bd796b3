"""Checkbox and switch labels on a 360x640 phone: Flet 1.0 draws a Checkbox's or a Switch's own label on one line, so
the app puts a wrapping text beside them (mobile/views/common.py::labelled_toggle). Found by audit15b. And the teacher's
job list's stage chips, whole in English when the list is opened straight by its address (look22 #1)."""

import io
import re
import uuid
from collections.abc import Callable

import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import OUTPUT_DIR, TIMEOUT, RunningSystem, open_app, open_screen, settled, sign_in

pytestmark = pytest.mark.e2e

# The screen's content keeps 16 px free on each side (mobile/views/frame.py: padding left=16, right=16).
MARGIN = 16


def new_citizen() -> str:
    """A phone number of its own: the language switched here is saved on the profile, and the shared demo citizen
    must stay in Thai for the tests after these."""
    return f"06557{uuid.uuid4().int % 100000:05d}"


def ink_in_right_margin(page: Page, control: Locator, name: str) -> int:
    """How many dark (text-coloured) pixels the band of `control` has in the screen's right margin, where nothing
    is drawn unless a line ran past the edge of the content (the screenshot is kept in test-output/)."""
    box = settled(page, control).bounding_box()
    assert box is not None
    width = (page.viewport_size or {"width": 360})["width"]
    png = page.screenshot(clip={"x": 0, "y": box["y"], "width": width, "height": box["height"]})
    OUTPUT_DIR.mkdir(exist_ok=True)
    (OUTPUT_DIR / f"narrow-toggle-{name}.png").write_bytes(png)
    band = Image.open(io.BytesIO(png)).convert("L")
    scale = band.width / width  # device pixels per CSS pixel
    left = round((width - MARGIN + 2) * scale)
    margin = band.crop((left, 0, band.width, band.height))
    return sum(count for level, count in enumerate(margin.histogram()) if level < 90)


def test_the_consent_line_fits_a_360_px_phone_in_english(system: RunningSystem, phone_page: Page) -> None:
    """The PDPA consent is the one line a citizen must read and tick before sending. Flet 1.0.5's Checkbox draws
    `Row(children: [checkbox, Text(label)])` (packages/flet/lib/src/controls/checkbox.dart; Switch the same with
    mainAxisSize.min): the label never wraps. In Thai (about 222 px at 14 px in Noto Sans Thai) it fits beside the
    box; in English, "I agree to the use of my personal data for the repair" (about 341 px) does not fit the 328 px
    a 360 px phone leaves, and its end is drawn past the content's edge and cut off by the screen."""
    page = phone_page
    sign_in(page, system.app_url, new_citizen(), "คำขอซ่อมของฉัน")
    open_screen(page, page.get_by_role("button", name="แจ้งซ่อม").first, "คำขอซ่อมของฉัน")
    thai = page.get_by_role("checkbox", name="ยินยอมให้ใช้ข้อมูลส่วนบุคคลเพื่อการซ่อม")
    expect(thai).to_be_attached(timeout=TIMEOUT)
    assert ink_in_right_margin(page, thai, "consent-th") == 0  # the measure itself: the Thai line fits

    page.get_by_role("button", name="English").first.click()
    english = page.get_by_role("checkbox", name="I agree to the use of my personal data for the repair")
    expect(english).to_be_attached(timeout=TIMEOUT)
    assert ink_in_right_margin(page, english, "consent-en") == 0, "the consent line runs off the screen"


def switch_named(page: Page, name: str) -> Locator:
    return page.get_by_role("switch", name=name).or_(page.get_by_role("checkbox", name=name)).first


def test_the_notification_switches_fit_a_360_px_phone_in_english(system: RunningSystem, phone_page: Page) -> None:
    """The same one-line label as the consent's, on a Switch (packages/flet/lib/src/controls/switch.dart): in the
    account's card (12 px padding inside the content), "SMS when the app and LINE cannot reach me" (about 299 px
    at 14 px) beside its switch is wider than the card; the Thai line (about 214 px) fits."""
    page = phone_page
    sign_in(page, system.app_url, new_citizen(), "คำขอซ่อมของฉัน")
    open_screen(page, page.get_by_role("button", name="บัญชีของฉัน").first, "คำขอซ่อมของฉัน")
    thai = switch_named(page, "ส่ง SMS เมื่อแอปและ LINE ติดต่อไม่ได้")
    expect(thai).to_be_attached(timeout=TIMEOUT)
    assert ink_in_right_margin(page, thai, "sms-th") == 0  # the measure itself: the Thai line fits

    page.get_by_role("button", name="English").first.click()
    english = switch_named(page, "SMS when the app and LINE cannot reach me")
    expect(english).to_be_attached(timeout=TIMEOUT)
    assert ink_in_right_margin(page, english, "sms-en") == 0, "the SMS line runs off the screen"


def test_the_job_lists_stage_chips_are_whole_when_opened_straight_by_address_in_english(
        system: RunningSystem, phone_page: Page, back_in_thai: Callable[[str, str], None]) -> None:
    """look22 #1: the teacher's job list opened straight by its address (a reload, a link) in English drew
    "Finding a technician 7" as "Finding a technicia…", its count lost. Laid out while the bundled font was still
    loading, an ft.Chip in the sideways-scrolling row kept the width of its label in the engine's Roboto, 10 px too
    narrow for Noto Sans Thai's Latin it was then drawn in. A chip is as wide opened straight as once its label was
    laid out again with the font there (a language switch there and back, which changes every label)."""
    page = phone_page
    teacher = "0833333333"
    sign_in(page, system.app_url, teacher)
    back_in_thai(system.api_url, teacher)  # the switch below is saved on the shared teacher's profile
    page.get_by_role("button", name="English").first.click()
    expect(page.get_by_role("button", name="ภาษาไทย").first).to_be_visible(timeout=TIMEOUT)
    open_app(page, f"{system.app_url}college/jobs")  # straight by its address, in English, the font still coming
    # By its words, whatever role it has (an ft.Chip's node was not a button): the test measures its width only.
    named = re.compile(r"^Finding a technician \d+$")
    chip = page.get_by_role("button", name=named).or_(page.get_by_role("checkbox", name=named)).or_(
        page.get_by_text(named)).first
    straight = settled(page, chip)
    label, box = straight.get_attribute("aria-label") or straight.text_content(), straight.bounding_box()
    page.get_by_role("button", name="ภาษาไทย").first.click()
    expect(page.get_by_text(re.compile(r"^กำลังหาช่าง \d+$")).or_(page.get_by_role("button", name=re.compile(
        r"^กำลังหาช่าง \d+$"))).or_(page.get_by_role("checkbox", name=re.compile(r"^กำลังหาช่าง \d+$"))).first
           ).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("button", name="English").first.click()
    again = settled(page, chip)
    assert (again.get_attribute("aria-label") or again.text_content()) == label  # the same count: comparable
    measured = again.bounding_box()
    assert box is not None and measured is not None
    assert abs(box["width"] - measured["width"]) <= 1, (
        f"{label!r} opened straight is {box['width']:.0f} px wide, {measured['width']:.0f} px once laid out again")
