"""The pin put in the middle of the chosen sub-district (request form, no GPS, no map to aim at): it is that
sub-district's middle or no pin at all, and a draft kept in the outbox keeps it as one (review16a's findings 1, 2)."""

from mobile.geocoding import GeopyReverseGeocoder
from mobile.outbox import OutboxItem
from mobile.viewmodels.request_form import LocationSource, RequestFormViewModel
from shared.text import Locale, t
from tests.unit.mobile_fakes import DetailBackend
from tests.unit.test_request_form_for_everyone import (
    CHIANG_MAI_CODE,
    MUEANG_CHIANG_MAI,
    SU_THEP,
    FakeLocation,
    FakeNominatim,
    form_with_geocoder,
    live_words,
    su_thep,
)


async def _noop() -> None:
    return None


async def _noop_error(_: object) -> None:
    return None


def _si_phum() -> FakeLocation:
    """Nominatim's answer for another sub-district of the same district (ศรีภูมิ, not สุเทพ)."""
    parts = {"suburb": "ตำบลศรีภูมิ", "county": "อำเภอเมืองเชียงใหม่", "state": "จังหวัดเชียงใหม่",
             "postcode": "50200", "country": "ประเทศไทย", "country_code": "th"}
    return FakeLocation("ตำบลศรีภูมิ, อำเภอเมืองเชียงใหม่, จังหวัดเชียงใหม่, 50200, ประเทศไทย", {"address": parts},
                        18.7953, 98.9862)


async def test_an_answer_naming_another_sub_district_is_not_the_chosen_ones_middle() -> None:
    """Chosen: สุเทพ. The geocoder's best match is ศรีภูมิ (same district, its address parts say so). The form pinned
    it and said "ปักหมุดที่กลางตำบลสุเทพ…" (pin_area_done), though the point is in another sub-district, ~5 km off:
    `where_ok` checked the province and the district only, never `match.sub_district_code`. Now no pin is set and
    the person is told the chosen area was not found (tap the map, or try GPS again)."""
    backend = DetailBackend()
    app, form = await form_with_geocoder(backend, FakeNominatim(_si_phum()))
    form.set_province(CHIANG_MAI_CODE)
    form.set_district(MUEANG_CHIANG_MAI)
    form.set_sub_district(SU_THEP)
    await form.pin_area()
    area = "สุเทพ, เมืองเชียงใหม่, เชียงใหม่"
    assert t("pin_area_done", Locale.TH, area=area) not in live_words(app)
    assert t("pin_area_not_found", Locale.TH, area=area) in live_words(app)
    assert form.lat is None and form.location_source is None


async def test_an_answer_naming_no_sub_district_is_not_the_chosen_ones_middle() -> None:
    """The geocoder's answer names the district only (no sub-district in its parts): it does not say it is สุเทพ's
    middle, so the form does not claim it is."""
    parts = {"county": "อำเภอเมืองเชียงใหม่", "state": "จังหวัดเชียงใหม่", "country": "ประเทศไทย",
             "country_code": "th"}
    district_only = FakeLocation("อำเภอเมืองเชียงใหม่, จังหวัดเชียงใหม่, ประเทศไทย", {"address": parts}, 18.79, 98.98)
    backend = DetailBackend()
    app, form = await form_with_geocoder(backend, FakeNominatim(district_only))
    form.set_province(CHIANG_MAI_CODE)
    form.set_district(MUEANG_CHIANG_MAI)
    form.set_sub_district(SU_THEP)
    await form.pin_area()
    area = "สุเทพ, เมืองเชียงใหม่, เชียงใหม่"
    assert t("pin_area_not_found", Locale.TH, area=area) in live_words(app)
    assert form.lat is None and form.location_source is None


async def test_a_reopened_draft_keeps_its_area_pin_as_one() -> None:
    """Pinned at สุเทพ's middle, kept in the outbox (held or refused), reopened: `_restore` set every pin to
    LocationSource.MAP. The person then chose the right sub-district (ศรีภูมิ): `_area_pin_left` saw a map pin and
    kept it, so the request went with สุเทพ's middle and ศรีภูมิ's names, and nothing said the place is approximate.
    The stored draft (through its JSON, as the device keeps it) now says which sub-district its pin is the middle of."""
    backend = DetailBackend()
    app, form = await form_with_geocoder(backend, FakeNominatim(su_thep()))
    form.set_province(CHIANG_MAI_CODE)
    form.set_district(MUEANG_CHIANG_MAI)
    form.set_sub_district(SU_THEP)
    await form.pin_area()
    assert form.location_source == LocationSource.AREA
    stored = OutboxItem.from_json(form.held_item().to_json())
    reopened = RequestFormViewModel(
        backend.client(), app.session, on_done=_noop, on_back=_noop, on_auth_lost=_noop_error,
        from_outbox=stored, geocoder=GeopyReverseGeocoder(FakeNominatim(su_thep()), timeout_seconds=2),
    )
    assert reopened.sub_district_code == SU_THEP and reopened.lat is not None
    assert reopened.location_source == LocationSource.AREA
    assert reopened.pinned_area == "สุเทพ, เมืองเชียงใหม่, เชียงใหม่"  # the screen says "กลางพื้นที่ … โดยประมาณ"
    reopened.set_sub_district("500101")
    assert reopened.lat is None and reopened.location_source is None
    assert reopened.area_pin_hint == t("pin_area_left", Locale.TH)


async def test_the_request_sent_says_its_area_pin_is_approximate() -> None:
    """known17be: the form pinned the chosen sub-district's middle and sent it as any pin, so the student who took
    the job drove to the sub-district's centre believing it was the house. The body (and the outbox's stored draft,
    through its JSON, which is what goes out later) says `location_approximate`; a pin put on the map does not."""
    backend = DetailBackend()
    app, form = await form_with_geocoder(backend, FakeNominatim(su_thep()))
    form.set_province(CHIANG_MAI_CODE)
    form.set_district(MUEANG_CHIANG_MAI)
    form.set_sub_district(SU_THEP)
    await form.pin_area()
    assert form.body()["location_approximate"] is True
    stored = OutboxItem.from_json(form.held_item().to_json())
    assert stored.body["location_approximate"] is True
    reopened = RequestFormViewModel(
        backend.client(), app.session, on_done=_noop, on_back=_noop, on_auth_lost=_noop_error,
        from_outbox=stored, geocoder=GeopyReverseGeocoder(FakeNominatim(su_thep()), timeout_seconds=2),
    )
    assert reopened.body()["location_approximate"] is True
    form.set_location(18.80, 98.95, LocationSource.MAP)  # the person aims the pin on the map: exact
    assert form.body()["location_approximate"] is False
