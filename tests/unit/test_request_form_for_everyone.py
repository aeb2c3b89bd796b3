"""The request form for people who cannot see colours, use a screen reader or set a large font (audit16a, findings 3,
4 and 5): the error read out names the fields to fix; without GPS the place can be given without aiming at the map
(the chosen sub-district's middle, from the configured geocoder, as the pin); the nearby-requests hint is never cut."""

import math
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import flet as ft
from PIL import ImageFont

from mobile.geocoding import GeopyReverseGeocoder
from mobile.viewmodels.app import AppViewModel, Screen
from mobile.viewmodels.home import CitizenHome
from mobile.viewmodels.request_form import LocationSource, RequestFormViewModel
from mobile.views.frame import MAX_CONTENT_WIDTH, app_view
from shared import thai_address
from shared.text import Locale, t
from tests.unit.mobile_fakes import CHIANG_MAI, DetailBackend, MemoryStore, button_named, find, texts, walk
from tests.unit.mobile_screens import open_form, sign_in


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


# --- 4. the place without GPS and without the map ---------------------------------------------------------------

CHIANG_MAI_CODE, MUEANG_CHIANG_MAI, SU_THEP = "50", "5001", "500108"
SU_THEP_MIDDLE = (18.7964, 98.9326)


@dataclass
class FakeLocation:
    address: str
    raw: dict[str, Any]
    latitude: float
    longitude: float


@dataclass
class FakeNominatim:
    """Stands in for geopy's Nominatim: its forward search answers with `answer`, recording what it was asked."""

    answer: FakeLocation | None
    searched: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    threads: list[int] = field(default_factory=list)

    def geocode(self, query: str, **kwargs: Any) -> FakeLocation | None:
        self.searched.append((query, kwargs))
        self.threads.append(threading.get_ident())
        return self.answer

    def reverse(self, query: Any, **kwargs: Any) -> None:
        raise AssertionError("a pin from the chosen area is not looked up again: the person chose that area")


def su_thep(latitude: float = SU_THEP_MIDDLE[0], longitude: float = SU_THEP_MIDDLE[1],
            county: str = "อำเภอเมืองเชียงใหม่") -> FakeLocation:
    parts = {"suburb": "ตำบลสุเทพ", "county": county, "state": "จังหวัดเชียงใหม่", "postcode": "50200",
             "country": "ประเทศไทย", "country_code": "th"}
    return FakeLocation("ตำบลสุเทพ, อำเภอเมืองเชียงใหม่, จังหวัดเชียงใหม่, 50200, ประเทศไทย", {"address": parts},
                        latitude, longitude)


async def form_with_geocoder(backend: DetailBackend, nominatim: FakeNominatim) -> tuple[AppViewModel,
                                                                                          RequestFormViewModel]:
    app = AppViewModel(backend.client(), MemoryStore(), geocoder=GeopyReverseGeocoder(nominatim, timeout_seconds=2))
    await app.start()
    await sign_in(app, "citizen")
    assert isinstance(app.home, CitizenHome)
    await app.home.new_request()
    assert app.screen == Screen.REQUEST_FORM and app.request_form is not None
    await app.request_form.load()
    return app, app.request_form


def live_words(app: AppViewModel) -> list[str]:
    return [w for s in find(app_view(app), ft.Semantics, lambda s: bool(s.live_region)) for w in texts(s)]


async def test_without_gps_the_place_can_be_given_without_the_map() -> None:
    """Request form (citizen) on a cheap phone indoors or with location off: "หาตำแหน่งปัจจุบันไม่ได้ แตะบนแผนที่
    เพื่อปักหมุดแทนได้". A TalkBack user cannot aim a pin on a map, and someone with poor eyesight finds their house on
    a country-wide map only with difficulty. They chose province, district and sub-district from the lists, and still
    could not send: "กรุณาระบุตำแหน่ง (GPS หรือปักหมุดบนแผนที่)". With a geocoder configured, the GPS notice now points
    to the lists, and "ปักหมุดที่ตำบลที่เลือก" puts the pin in the sub-district's middle, says so (approximate, with
    its area) in a live region, and the request goes with that place."""
    backend = DetailBackend()
    nominatim = FakeNominatim(su_thep())
    app, form = await form_with_geocoder(backend, nominatim)
    _fill_all_but_location(form)
    form.location_unavailable(denied=False)
    assert form.location_notice is not None and t("pin_area", Locale.TH) in form.location_notice
    form.set_province(CHIANG_MAI_CODE)
    form.set_district(MUEANG_CHIANG_MAI)
    form.set_sub_district(SU_THEP)
    await button_named(app_view(app), t("pin_area", Locale.TH)).on_click()  # type: ignore[attr-defined]
    ((query, kwargs),) = nominatim.searched
    assert query == "ตำบลสุเทพ, อำเภอเมืองเชียงใหม่, จังหวัดเชียงใหม่"  # only the area's names leave the device
    assert kwargs["country_codes"] == "th" and kwargs["exactly_one"] and kwargs["language"] == "th"
    assert nominatim.threads[0] != threading.get_ident()  # geopy blocks: it ran in a worker thread
    area = "สุเทพ, เมืองเชียงใหม่, เชียงใหม่"
    assert t("pin_area_done", Locale.TH, area=area) in live_words(app)
    assert (form.lat, form.lon) == SU_THEP_MIDDLE and form.location_source == LocationSource.AREA
    assert any(t("location_from_area", Locale.TH, area=area) in w for w in texts(app_view(app)))
    assert not [b for b in walk(app_view(app)) if isinstance(b, ft.OutlinedButton)
                and b.content == t("pin_area", Locale.TH)], "the button stays after its pin is set"
    await form.submit()
    assert "location" not in form.errors, form.errors.get("location")
    (sent,) = backend.posts()
    assert (sent["lat"], sent["lon"]) == SU_THEP_MIDDLE and sent["sub_district"] == "สุเทพ"


async def test_an_answer_from_another_district_sets_no_pin_and_says_so() -> None:
    """The geocoder's best match for the name may be elsewhere (a sub-district of the same name in another district):
    no pin then, and the person is told to use the map or GPS; nothing is sent with the wrong place."""
    backend = DetailBackend()
    app, form = await form_with_geocoder(backend, FakeNominatim(su_thep(county="อำเภอหางดง")))
    _fill_all_but_location(form)
    form.set_province(CHIANG_MAI_CODE)
    form.set_district(MUEANG_CHIANG_MAI)
    form.set_sub_district(SU_THEP)
    await form.pin_area()
    assert form.lat is None and form.location_source is None
    area = "สุเทพ, เมืองเชียงใหม่, เชียงใหม่"
    assert t("pin_area_not_found", Locale.TH, area=area) in live_words(app)
    await form.submit()
    assert "location" in form.errors and backend.posts() == []


async def test_choosing_another_area_takes_the_areas_pin_away() -> None:
    """A pin from the chosen sub-district would send the request to the old place once another area is chosen: it
    goes, the person is told, and the button is back for the new area. A pin from the map stays whatever is chosen."""
    backend = DetailBackend()
    app, form = await form_with_geocoder(backend, FakeNominatim(su_thep()))
    form.set_province(CHIANG_MAI_CODE)
    form.set_district(MUEANG_CHIANG_MAI)
    form.set_sub_district(SU_THEP)
    await form.pin_area()
    assert form.location_source == LocationSource.AREA
    other = next(s.code for s in form.sub_district_options if s.code != SU_THEP)
    form.set_sub_district(other)
    assert form.lat is None and form.location_source is None
    assert t("pin_area_left", Locale.TH) in live_words(app)
    assert form.can_pin_area
    form.set_location(*CHIANG_MAI, LocationSource.MAP)
    form.set_sub_district(SU_THEP)
    assert (form.lat, form.lon) == CHIANG_MAI and not form.can_pin_area


def test_the_search_names_each_level_as_thai_map_data_does() -> None:
    assert thai_address.search_query(SU_THEP) == "ตำบลสุเทพ, อำเภอเมืองเชียงใหม่, จังหวัดเชียงใหม่"
    assert thai_address.search_query("100704") == "แขวงลุมพินี, เขตปทุมวัน, กรุงเทพมหานคร"
    assert thai_address.search_query("") == "" and thai_address.search_query(MUEANG_CHIANG_MAI) == ""


async def test_without_a_geocoder_nothing_is_offered_that_cannot_work() -> None:
    """Geocoding is off by default (flet.toml): then there is no such button, and the GPS notice names only the map."""
    _app, form = await open_form(DetailBackend())
    form.location_unavailable(denied=False)
    form.set_province(CHIANG_MAI_CODE)
    form.set_district(MUEANG_CHIANG_MAI)
    form.set_sub_district(SU_THEP)
    assert not form.can_pin_area and form.location_notice == t("gps_failed", Locale.TH)


# --- 5. the duplicates hint cut off at a large font ---------------------------------------------------------------

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

