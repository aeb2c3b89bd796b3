"""The pin put in the middle of the chosen sub-district (request form, no GPS, no map to aim at): it is that
sub-district's middle or no pin at all, and a draft kept in the outbox keeps it as one (review16a's findings 1, 2)."""

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
)


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
