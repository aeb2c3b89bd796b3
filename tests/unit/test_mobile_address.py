"""The request form's Thai address: geothai pickers (province → district → sub-district) and the optional
reverse geocoder that fills them from the pin. No network: geocoders here are fakes."""

import asyncio
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import flet as ft
import pytest
from pydantic_settings import SettingsConfigDict

from mobile.geocoding import GeopyReverseGeocoder, Place, geocoder_from_settings, place_from_location
from mobile.settings import AppSettings
from mobile.viewmodels.app import AppViewModel, Screen
from mobile.viewmodels.home import CitizenHome
from mobile.viewmodels.request_form import LocationSource, RequestFormViewModel
from mobile.views.request_form import request_form_view
from shared import thai_address
from shared.text import Locale
from shared.thai_address import AreaMatch, match_address, thai_sort_key
from tests.unit.fake_photos import PickedFiles
from tests.unit.mobile_fakes import CHIANG_MAI, DEV_CODE, PHONES, MemoryStore, RequestBackend, button_named, find, texts
from tests.unit.mobile_screens import fill_valid, open_form

CHIANG_MAI_CODE, MUEANG_CHIANG_MAI, SU_THEP = "50", "5001", "500108"
NOMINATIM_CHIANG_MAI = {
    "road": "ถนนห้วยแก้ว",
    "suburb": "ตำบลสุเทพ",
    "county": "อำเภอเมืองเชียงใหม่",
    "state": "จังหวัดเชียงใหม่",
    "ISO3166-2-lvl4": "TH-50",
    "postcode": "50200",
    "country": "ประเทศไทย",
    "country_code": "th",
}
CHIANG_MAI_LINE = "ถนนห้วยแก้ว, ตำบลสุเทพ, อำเภอเมืองเชียงใหม่, จังหวัดเชียงใหม่, 50200, ประเทศไทย"


# --- geothai access ------------------------------------------------------------------------------------


def test_provinces_in_thai_dictionary_order_and_english_alphabetical() -> None:
    th = [p.name_th for p in thai_address.provinces()]
    assert len(th) == 77
    assert th[:6] == ["กระบี่", "กรุงเทพมหานคร", "กาญจนบุรี", "กาฬสินธุ์", "กำแพงเพชร", "ขอนแก่น"]
    # Leading vowels sort under their consonant: เชียงราย/เชียงใหม่ with ช, after ชุมพร and before ตรัง.
    assert th.index("ชุมพร") < th.index("เชียงราย") < th.index("เชียงใหม่") < th.index("ตรัง")
    assert th[-1] == "อุบลราชธานี"
    en = [p.name_en for p in thai_address.provinces(Locale.EN)]
    assert en == sorted(en, key=str.casefold) and en[0] == "Amnat Charoen"


def test_thai_sort_key_moves_leading_vowels_and_ignores_tone_marks_first() -> None:
    assert sorted(["ขอ", "ไก่", "เกาะ", "กา"], key=thai_sort_key) == ["กา", "เกาะ", "ไก่", "ขอ"]
    assert sorted(["ก้าง", "กาง"], key=thai_sort_key) == ["กาง", "ก้าง"]


def test_districts_and_sub_districts_follow_their_parent() -> None:
    districts = thai_address.districts(CHIANG_MAI_CODE)
    assert "เมืองเชียงใหม่" in [d.name_th for d in districts]
    assert all(d.code.startswith(CHIANG_MAI_CODE) for d in districts)
    subs = thai_address.sub_districts(MUEANG_CHIANG_MAI)
    assert "สุเทพ" in [s.name_th for s in subs]
    assert [s.name_th for s in subs] == sorted((s.name_th for s in subs), key=thai_sort_key)
    assert thai_address.districts("") == [] and thai_address.districts("99") == []
    assert thai_address.sub_districts("") == []
    su_thep = thai_address.sub_district(SU_THEP)
    assert su_thep is not None and su_thep.name(Locale.EN) == "Suthep"


def test_names_are_found_with_or_without_their_level_word() -> None:
    found = thai_address.find_province("จังหวัดเชียงใหม่")
    assert found is not None and found.code == CHIANG_MAI_CODE
    bangkok = thai_address.find_province("กทม")
    assert bangkok is not None and bangkok.name_th == "กรุงเทพมหานคร"
    district = thai_address.find_district(CHIANG_MAI_CODE, "Mueang Chiang Mai District")
    assert district is not None and district.code == MUEANG_CHIANG_MAI
    assert thai_address.find_province("Atlantis") is None


@pytest.mark.parametrize(
    ("parts", "postcode", "expected"),
    [
        (NOMINATIM_CHIANG_MAI, "50200", AreaMatch("50", "5001", "500108")),
        ({"state": "Chiang Mai Province", "county": "Mueang Chiang Mai District", "village": "Su Thep"}, "",
         AreaMatch("50", "5001", "500108")),
        # Bangkok: khet in "suburb", khwaeng in "quarter".
        ({"quarter": "แขวงลุมพินี", "suburb": "เขตปทุมวัน", "city": "กรุงเทพมหานคร"}, "10330",
         AreaMatch("10", "1007", "100704")),
        # A sub-district named like its district is taken only when a second part names it.
        ({"quarter": "แขวงปทุมวัน", "suburb": "เขตปทุมวัน", "city": "กรุงเทพมหานคร"}, "", AreaMatch("10", "1007", "100703")),
        ({"suburb": "เขตปทุมวัน", "city": "กรุงเทพมหานคร"}, "10330", AreaMatch("10", "1007", "")),
        # Not enough to tell: stays empty rather than guessed.
        ({"state": "จังหวัดเชียงใหม่"}, "50200", AreaMatch("50", "", "")),
        ({"road": "Main Street"}, "", AreaMatch()),
    ],
)
def test_geocoded_parts_are_matched_level_by_level(parts: dict[str, str], postcode: str, expected: AreaMatch) -> None:
    assert match_address(parts, postcode) == expected


# --- the pickers on the form -----------------------------------------------------------------------


async def test_choosing_a_province_resets_the_levels_below() -> None:
    _, form = await open_form(RequestBackend())
    assert form.district_options == [] and form.sub_district_options == []
    form.set_province(CHIANG_MAI_CODE)
    assert MUEANG_CHIANG_MAI in [d.code for d in form.district_options]
    form.set_district(MUEANG_CHIANG_MAI)
    form.set_sub_district(SU_THEP)
    assert (form.province_name, form.district_name, form.sub_district_name) == ("เชียงใหม่", "เมืองเชียงใหม่", "สุเทพ")
    form.set_province(CHIANG_MAI_CODE)  # the same again: nothing lost
    assert form.sub_district_code == SU_THEP
    form.set_district("5002")
    assert (form.district_code, form.sub_district_code) == ("5002", "")
    form.set_province("10")
    assert (form.province_code, form.district_code, form.sub_district_code) == ("10", "", "")
    assert all(d.code.startswith("10") for d in form.district_options)
    # A district of another province, or an unknown code, is not taken.
    form.set_district(MUEANG_CHIANG_MAI)
    assert form.district_code == ""
    form.set_sub_district(SU_THEP)
    assert form.sub_district_code == ""
    form.set_province("")
    assert form.province_code == "" and form.district_options == []


async def test_the_post_carries_the_thai_names_even_in_english() -> None:
    backend = RequestBackend()
    _, form = await open_form(backend, Locale.EN)
    fill_valid(form)
    form.set_province(CHIANG_MAI_CODE)
    form.set_district(MUEANG_CHIANG_MAI)
    form.set_sub_district(SU_THEP)
    assert "Chiang Mai" in [p.name(form.locale) for p in form.province_options]
    assert "Suthep" in [s.name(form.locale) for s in form.sub_district_options]
    await form.submit()
    (body,) = backend.posts()
    assert (body["province"], body["district"], body["sub_district"]) == ("เชียงใหม่", "เมืองเชียงใหม่", "สุเทพ")
    assert body["address"] == "12 ถ.นิมมานเหมินท์"  # the free text stays as typed


async def test_only_a_province_sends_empty_lower_levels() -> None:
    backend = RequestBackend()
    _, form = await open_form(backend)
    fill_valid(form)
    form.set_province("10")
    await form.submit()
    (body,) = backend.posts()
    assert (body["province"], body["district"], body["sub_district"]) == ("กรุงเทพมหานคร", "", "")


async def test_a_saved_draft_reopens_with_its_area() -> None:
    backend = RequestBackend()
    app, form = await open_form(backend)
    fill_valid(form)
    form.set_province(CHIANG_MAI_CODE)
    form.set_district(MUEANG_CHIANG_MAI)
    form.set_sub_district(SU_THEP)
    reopened = RequestFormViewModel(
        backend.client(), app.session, on_done=_noop, on_back=_noop, on_auth_lost=_noop_error,
        from_outbox=form.outbox_item(),
    )
    assert (reopened.province_code, reopened.district_code, reopened.sub_district_code) == (
        CHIANG_MAI_CODE, MUEANG_CHIANG_MAI, SU_THEP,
    )


async def test_the_pickers_on_screen_list_the_level_above() -> None:
    _, form = await open_form(RequestBackend())
    app_tree = _form_tree(form)
    _, province, district, sub_district = find(app_tree, ft.Dropdown)
    assert len(province.options) == 77 and province.options[0].text == "กระบี่"
    assert district.options == [] and district.disabled and sub_district.disabled
    form.set_province(CHIANG_MAI_CODE)
    form.set_district(MUEANG_CHIANG_MAI)
    _, province, district, sub_district = find(_form_tree(form), ft.Dropdown)
    assert province.value == CHIANG_MAI_CODE and district.value == MUEANG_CHIANG_MAI
    assert not sub_district.disabled and "สุเทพ" in [o.text for o in sub_district.options]
    # The chosen name is the Semantics value, so a screen reader says "จังหวัด, เชียงใหม่".
    values = {s.label: s.value for s in find(_form_tree(form), ft.Semantics) if isinstance(s.content, ft.Dropdown)}
    assert values["จังหวัด"] == "เชียงใหม่" and values["อำเภอ/เขต"] == "เมืองเชียงใหม่"

    # Choosing through the control's handler: the view model gets the code.
    await _select(sub_district, SU_THEP)
    assert form.sub_district_code == SU_THEP
    _, province, _, _ = find(_form_tree(form), ft.Dropdown)
    await _select(province, "10")
    assert (form.province_code, form.district_code, form.sub_district_code) == ("10", "", "")


# --- reverse geocoding -------------------------------------------------------------------------------


@dataclass
class FakeLocation:
    address: str
    raw: dict[str, Any]


@dataclass
class FakeGeopy:
    """Stands in for geopy's Nominatim: records each reverse() call and the thread it ran on."""

    answer: FakeLocation | None = None
    error: Exception | None = None
    block: threading.Event | None = None
    calls: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)
    threads: list[int] = field(default_factory=list)

    def reverse(self, query: Any, **kwargs: Any) -> FakeLocation | None:
        self.calls.append((query, kwargs))
        self.threads.append(threading.get_ident())
        if self.block is not None:
            self.block.wait(5)
        if self.error is not None:
            raise self.error
        return self.answer


def chiang_mai_geopy() -> FakeGeopy:
    return FakeGeopy(FakeLocation(CHIANG_MAI_LINE, {"address": NOMINATIM_CHIANG_MAI}))


async def form_with(geocoder: GeopyReverseGeocoder | None, locale: Locale | None = None) -> RequestFormViewModel:
    app = AppViewModel(RequestBackend().client(), MemoryStore(locale=locale), geocoder=geocoder)
    await app.start()
    app.login.set_phone_input(PHONES["citizen"])
    await app.login.request_code()
    app.login.set_code_input(DEV_CODE)
    await app.login.verify()
    assert isinstance(app.home, CitizenHome)
    await app.home.new_request()
    assert app.screen == Screen.REQUEST_FORM and app.request_form is not None
    return app.request_form


async def test_a_pin_fills_the_empty_address_and_the_pickers_off_the_event_loop() -> None:
    fake = chiang_mai_geopy()
    form = await form_with(GeopyReverseGeocoder(fake, timeout_seconds=2))
    form.set_location(*CHIANG_MAI, LocationSource.MAP)
    await form.lookup_address()
    ((query, kwargs),) = fake.calls
    assert query == CHIANG_MAI
    assert kwargs == {"exactly_one": True, "language": "th", "timeout": 2}
    assert fake.threads[0] != threading.get_ident()  # geopy blocks: it ran in a worker thread
    assert form.address == CHIANG_MAI_LINE
    assert (form.province_code, form.district_code, form.sub_district_code) == (
        CHIANG_MAI_CODE, MUEANG_CHIANG_MAI, SU_THEP,
    )
    assert form.address_hint == "เติมที่อยู่จากตำแหน่งให้แล้ว ตรวจสอบและแก้ไขได้"
    # The same pin again is not asked twice.
    await form.lookup_address()
    assert len(fake.calls) == 1


async def test_what_the_person_typed_or_chose_is_kept() -> None:
    fake = chiang_mai_geopy()
    form = await form_with(GeopyReverseGeocoder(fake))
    form.set_address("บ้านเลขที่ 5 หลังวัด")
    form.set_province("10")
    form.set_location(*CHIANG_MAI, LocationSource.GPS)
    await form.lookup_address()
    assert len(fake.calls) == 1
    assert form.address == "บ้านเลขที่ 5 หลังวัด"
    assert (form.province_code, form.district_code) == ("10", "")


async def test_a_new_pin_replaces_what_the_last_pin_filled_in() -> None:
    fake = chiang_mai_geopy()
    form = await form_with(GeopyReverseGeocoder(fake))
    form.set_location(*CHIANG_MAI, LocationSource.MAP)
    await form.lookup_address()
    bangkok = {"quarter": "แขวงลุมพินี", "suburb": "เขตปทุมวัน", "city": "กรุงเทพมหานคร", "postcode": "10330"}
    fake.answer = FakeLocation("ลุมพินี ปทุมวัน กรุงเทพมหานคร", {"address": bangkok})
    form.set_location(13.7310, 100.5410, LocationSource.MAP)
    await form.lookup_address()
    assert form.address == "ลุมพินี ปทุมวัน กรุงเทพมหานคร"
    assert (form.province_code, form.district_code, form.sub_district_code) == ("10", "1007", "100704")
    assert (form.body()["province"], form.body()["district"]) == ("กรุงเทพมหานคร", "เขตปทุมวัน")


@pytest.mark.parametrize("error", [TimeoutError("slow"), OSError("no network"), ValueError("bad json")])
async def test_a_failing_geocoder_leaves_the_fields_alone(error: Exception) -> None:
    fake = FakeGeopy(error=error)
    form = await form_with(GeopyReverseGeocoder(fake))
    form.set_location(*CHIANG_MAI, LocationSource.GPS)
    await form.lookup_address()
    assert len(fake.calls) == 1
    assert form.address == "" and form.province_code == ""
    assert form.address_hint == "หาที่อยู่จากตำแหน่งไม่ได้ กรอกเองได้"
    assert form.errors == {} and form.form_error is None  # a hint, not an error


async def test_an_answer_without_an_address_or_a_hung_geocoder_is_no_address() -> None:
    assert await GeopyReverseGeocoder(FakeGeopy(answer=None)).reverse(*CHIANG_MAI) is None
    release = threading.Event()
    hung = FakeGeopy(answer=FakeLocation("late", {}), block=release)
    try:
        assert await GeopyReverseGeocoder(hung, timeout_seconds=0.05).reverse(*CHIANG_MAI) is None
    finally:
        release.set()


async def test_without_a_geocoder_nothing_is_looked_up() -> None:
    form = await form_with(None)
    form.set_location(*CHIANG_MAI, LocationSource.GPS)
    await form.lookup_address()
    assert form.address == "" and form.province_code == "" and form.address_hint is None


async def test_gps_on_the_screen_looks_the_pin_up(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = chiang_mai_geopy()
    form = await form_with(GeopyReverseGeocoder(fake), Locale.TH)

    class Gps(PickedFiles):
        async def current_position(self) -> tuple[float, float]:
            return CHIANG_MAI

        async def launch_url(self, url: str) -> None:
            raise AssertionError(url)

        async def save_file(self, name: str, data: bytes) -> bool:
            return False

    tree = request_form_view(form, Locale.TH, Gps())
    gps: Any = button_named(tree, "ใช้ตำแหน่งปัจจุบัน")
    await gps.on_click()
    assert len(fake.calls) == 1 and form.address == CHIANG_MAI_LINE
    tree = request_form_view(form, Locale.TH, Gps())
    assert "เติมที่อยู่จากตำแหน่งให้แล้ว ตรวจสอบและแก้ไขได้" in texts(tree)
    (address,) = find(tree, ft.TextField, lambda f: f.label == "ที่อยู่ (ไม่บังคับ)")
    assert address.value == CHIANG_MAI_LINE


def test_place_keeps_only_the_area_parts() -> None:
    place = place_from_location(FakeLocation(CHIANG_MAI_LINE, {"address": NOMINATIM_CHIANG_MAI}))
    assert place == Place(
        CHIANG_MAI_LINE,
        {"suburb": "ตำบลสุเทพ", "county": "อำเภอเมืองเชียงใหม่", "state": "จังหวัดเชียงใหม่"},
        "50200",
    )
    assert place_from_location(None) is None
    assert place_from_location(FakeLocation("somewhere", {})) == Place("somewhere", {}, "")


# --- settings ------------------------------------------------------------------------------------------


class Recorder:
    made: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, **kwargs: Any) -> None:
        Recorder.made.append(kwargs)


def test_off_by_default_and_then_no_geocoder_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIXIT_APP_GEOCODER", raising=False)
    Recorder.made = []
    monkeypatch.setattr("geopy.geocoders.Nominatim", Recorder)
    assert AppSettings().geocoder == ""  # the project's flet.toml
    assert geocoder_from_settings(AppSettings()) is None
    assert geocoder_from_settings(AppSettings(geocoder="")) is None
    assert Recorder.made == []


def test_nominatim_is_made_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    Recorder.made = []
    monkeypatch.setattr("geopy.geocoders.Nominatim", Recorder)
    settings = AppSettings(
        geocoder="nominatim", geocoder_domain="http://nominatim.local:8080/", geocoder_user_agent="fixit-test",
        geocoder_timeout_seconds=3,
    )
    made = geocoder_from_settings(settings)
    assert isinstance(made, GeopyReverseGeocoder)
    assert Recorder.made == [
        {"user_agent": "fixit-test", "domain": "nominatim.local:8080", "scheme": "http", "timeout": 3}
    ]
    Recorder.made = []
    geocoder_from_settings(AppSettings(geocoder="nominatim", geocoder_domain="geo.example.th"))
    assert Recorder.made[0]["domain"] == "geo.example.th" and Recorder.made[0]["scheme"] is None


def test_the_real_nominatim_adapter_builds_without_network() -> None:
    made = geocoder_from_settings(AppSettings(geocoder="nominatim"))
    assert isinstance(made, GeopyReverseGeocoder)


def test_geocoder_settings_come_from_the_file_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = tmp_path / "flet.toml"
    toml.write_text('[app]\ngeocoder = "nominatim"\ngeocoder_domain = "geo.example.th"\n')

    class FromFile(AppSettings):
        model_config = SettingsConfigDict(**{**AppSettings.model_config, "toml_file": toml})

    monkeypatch.delenv("FIXIT_APP_GEOCODER", raising=False)
    settings = FromFile()
    assert (settings.geocoder, settings.geocoder_domain) == ("nominatim", "geo.example.th")
    monkeypatch.setenv("FIXIT_APP_GEOCODER", "")
    assert FromFile().geocoder == ""
    monkeypatch.setenv("FIXIT_APP_GEOCODER", "google")
    with pytest.raises(ValueError, match="geocoder"):
        FromFile()


# --- helpers -------------------------------------------------------------------------------------------


async def _noop() -> None:
    return None


async def _noop_error(error: object) -> None:
    return None


def _form_tree(form: RequestFormViewModel) -> ft.Control:
    return request_form_view(form, form.locale)


async def _select(dropdown: ft.Dropdown, value: str) -> None:
    dropdown.value = value
    handler: Any = dropdown.on_select
    result = handler(ft.Event(name="select", control=dropdown))
    if asyncio.iscoroutine(result):
        await result
