"""A request's district and province read in the reader's language (shared/thai_address.py::area_text): the form
posts the gazetteer's Thai names, and the offer card, the admin's waiting card, the request's screen and the
no-centre notification name them in English in English mode. Found by audit15b."""

from datetime import UTC, datetime

import pytest

from mobile.viewmodels.app import Screen
from mobile.viewmodels.home import CitizenHome
from mobile.views.frame import app_view
from shared.notifications import Kind, render
from shared.text import Locale
from shared.thai_address import area_text
from tests.unit.mobile_fakes import DetailBackend, FakeBackend, texts, waiting_request
from tests.unit.mobile_screens import signed_in


@pytest.mark.parametrize("role", ["technician", "admin"])
async def test_place_names_read_in_english_in_english_mode(role: str) -> None:
    """The form offers provinces and districts from geothai in either language and posts the Thai names; read back,
    they were not translated: an English-reading student saw "3.2 km · เมืองเชียงใหม่, เชียงใหม่" on an offer, an
    admin "เมืองลำพูน, ลำพูน" on a request no centre took. They are names from a fixed list, not typed text:
    find_province / find_district give "Mueang Chiang Mai, Chiang Mai"."""
    backend = FakeBackend()
    backend.waiting = [waiting_request("พัดลม", 18.58, 99.01)]
    app = await signed_in(role, backend, Locale.EN)
    shown = " | ".join(texts(app_view(app)))
    thai, english = {"technician": (("เมืองเชียงใหม่",), ("Mueang Chiang Mai", "Chiang Mai")),
                     "admin": (("เมืองลำพูน",), ("Mueang Lamphun", "Lamphun"))}[role]
    assert all(name in shown for name in english) and not any(name in shown for name in thai), shown


async def test_the_request_screen_names_its_area_in_english() -> None:
    backend = DetailBackend()
    backend.my_requests[0].update(province="เชียงใหม่", district="เมืองเชียงใหม่", sub_district="ศรีภูมิ")
    app = await signed_in("citizen", backend, Locale.EN)
    assert isinstance(app.home, CitizenHome)
    await app.home.open_request(app.home.requests[0].id)
    assert app.screen == Screen.REQUEST_DETAIL
    shown = texts(app_view(app))
    assert "Si Phum, Mueang Chiang Mai, Chiang Mai" in shown, shown


@pytest.mark.parametrize(("locale", "place"), [(Locale.EN, "(Mueang Lamphun, Lamphun)"),
                                               (Locale.TH, "(เมืองลำพูน, ลำพูน)")])
def test_the_no_centre_message_names_the_place_in_its_readers_language(locale: Locale, place: str) -> None:
    body = render(Kind.NO_CENTRE, {"item": "พัดลม", "district": "เมืองลำพูน", "province": "ลำพูน"}, locale,
                  datetime.now(UTC), ref_no=690001).body
    assert place in body, body


def test_names_the_gazetteer_does_not_know_are_shown_as_stored() -> None:
    assert area_text(Locale.EN, "ลำพูน", "บ้านป้าแดง") == "บ้านป้าแดง, Lamphun"  # the district is not one of Lamphun's
    assert area_text(Locale.EN, "", "จอมทอง") == "จอมทอง"  # no province to find the district in
    assert area_text(Locale.EN, "Atlantis", None) == "Atlantis"
    assert area_text(Locale.EN, None, None) == "" and area_text(Locale.TH, " ", "") == ""
    # In Thai, the names as the citizen chose them.
    assert area_text(Locale.TH, "กรุงเทพมหานคร", "ปทุมวัน", "ลุมพินี") == "ลุมพินี, ปทุมวัน, กรุงเทพมหานคร"
    assert area_text(Locale.EN, "กรุงเทพมหานคร", "ปทุมวัน", "ลุมพินี") == "Lumphini, Pathum Wan, Bangkok"
