"""The request form for people who cannot see colours, use a screen reader or set a large font (audit16a, finding
3): the error read out names the fields to fix."""


import flet as ft

from mobile.viewmodels.request_form import RequestFormViewModel
from mobile.views.frame import app_view
from shared.text import Locale, t
from tests.unit.mobile_fakes import DetailBackend, find, texts
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
