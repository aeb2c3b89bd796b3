"""The request form for people who cannot see colours, use a screen reader or set a large font (audit16a, findings 3
and 5): the error read out names the fields to fix; the nearby-requests hint is never cut."""

import math
from pathlib import Path

import flet as ft
from PIL import ImageFont

from mobile.viewmodels.request_form import LocationSource, RequestFormViewModel
from mobile.views.frame import MAX_CONTENT_WIDTH, app_view
from shared.text import Locale, t
from tests.unit.mobile_fakes import CHIANG_MAI, DetailBackend, find, texts, walk
from tests.unit.mobile_screens import open_form


def _fill_all_but_location(form: RequestFormViewModel) -> None:
    """tests/unit/mobile_screens.py::fill_valid without the pin."""
    form.set_category("appliance")
    form.set_item("หม้อหุงข้าว")
    form.set_description("เปิดไม่ติด ไฟไม่เข้า")
    form.set_address("12 ถ.นิมมานเหมินท์")
    form.set_service_place("home")
    form.toggle_day("sat")
    form.set_contact_phone("081-234-5678")
    form.set_pdpa_consent(True)


async def test_the_announced_form_error_names_what_to_fix_without_colour() -> None:
    """Request form (citizen), send with no location: the one error a screen reader reads out (a live region above
    the send button) is "กรุณาแก้ไขช่องที่มีข้อความสีแดง". A TalkBack user cannot see red, and someone with poor
    eyesight at the bottom of a long form does not see the small red line by the map; nothing says that it is the
    location. The location's own error is a plain 12 px Text, not read out."""
    app, form = await open_form(DetailBackend())
    await form.load()
    _fill_all_but_location(form)
    await form.submit()
    assert "location" in form.errors and form.form_error
    tree = app_view(app)
    announced = [" ".join(texts(s)) for s in find(tree, ft.Semantics, lambda s: bool(s.live_region))]
    said = " ".join(announced)
    assert t("location_label", Locale.TH) in said, f"announced only {announced}"
    assert "สีแดง" not in said


PHONE_WIDTH = 360  # logical px of a cheap Android phone
FONT_FILE = Path(__file__).resolve().parents[2] / "assets" / "fonts" / "NotoSansThai.ttf"
BODY_SIZE = 14  # Flutter's bodyMedium, what a Text without a size gets
ICON_SIZE = 24  # an Icon without a size


def _padding_x(padding: object) -> float:
    if isinstance(padding, int | float):
        return 2 * float(padding)
    assert isinstance(padding, ft.Padding)
    return float(padding.left) + float(padding.right)


async def test_the_duplicates_hint_is_whole_at_a_large_font_on_a_small_phone() -> None:
    """Request form (citizen), a pin near open requests of the same kind: the hint was "มีคำขอซ่อมประเภทเดียวกันใกล้คุณ
    … อาจเป็นปัญหาเดียวกัน ส่งคำขอของคุณได้ตามปกติ", a Text with max_lines=3 and an ellipsis. Measured with the app's
    own font (assets/fonts/NotoSansThai.ttf, regular weight, narrower than the W600 drawn) at 1.5x of 14 px, its
    width alone was more than 3 lines of what a 360 px phone leaves it, so the reassurance at its end ("you can still
    send yours") was what the older citizen with a large font never saw, and they might not send at all. Now nothing
    is cut (at 1.5x and 2x), and the reassurance comes first, on the first line at 1.5x."""
    backend = DetailBackend()
    backend.duplicate_hints = {"count": 3, "capped": False, "radius_m": 150.0, "days": 7}
    app, form = await open_form(backend)
    form.set_category("appliance")
    form.set_location(*CHIANG_MAI, LocationSource.MAP)
    await form.refresh_duplicates()
    tree = app_view(app)
    (card,) = find(tree, ft.Semantics, lambda s: s.key == "duplicates")
    box = card.content
    (row,) = find(box, ft.Row)
    (title,) = find(row, ft.Text)
    (frame,) = find(tree, ft.Container, lambda c: c.width == MAX_CONTENT_WIDTH and c.padding is not None
                    and any(x is card for x in walk(c)))
    spacing = row.spacing if row.spacing is not None else 10
    line_width = PHONE_WIDTH - _padding_x(frame.padding) - _padding_x(box.padding) - ICON_SIZE - spacing
    for scale in (1.5, 2.0):
        font = ImageFont.truetype(str(FONT_FILE), round(BODY_SIZE * scale))
        needed = math.ceil(font.getlength(title.value) / line_width)  # a lower bound: a real wrap only adds lines
        assert title.max_lines is None or needed <= title.max_lines, \
            f"{needed} lines needed at {scale}x in {line_width:g} px; {title.max_lines} shown"
    reassurance = "ส่งคำขอของคุณได้ตามปกติ"
    assert title.value.startswith(reassurance)
    first_line_font = ImageFont.truetype(str(FONT_FILE), round(BODY_SIZE * 1.5))
    assert first_line_font.getlength(reassurance) <= line_width, "at 1.5x the reassurance is not on its first line"

