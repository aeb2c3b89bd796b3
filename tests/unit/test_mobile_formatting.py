"""Dates in Thai time and the Buddhist Era; distances readable at a glance; the app's text lookup."""

from datetime import UTC, datetime

from mobile.formatting import format_date, format_datetime, format_km
from mobile.models import OfferStatus
from mobile.strings import offer_status_label
from shared.text import APP_UI, OFFER_STATUS_LABELS, UI, Locale, t


def test_thai_date_uses_buddhist_era_and_bangkok_time() -> None:
    late_evening_utc = datetime(2026, 11, 24, 20, 30, tzinfo=UTC)  # already the 25th in Bangkok
    # Non-breaking spaces: a date never wraps inside itself on a narrow phone (see the test below).
    assert format_date(late_evening_utc, Locale.TH) == "25\u00a0พ.ย.\u00a02569"
    assert format_date(late_evening_utc, Locale.EN) == "25\u00a0Nov\u00a02026"
    assert format_datetime(late_evening_utc, Locale.TH) == "25\u00a0พ.ย.\u00a02569\u00a003:30"


def test_every_date_the_app_shows_is_one_piece_for_line_breaking() -> None:
    """The admin's invite lists, the offers' "answer by", the inbox: each formats through these two, so none of them
    can split "9 ธ.ค." from "2569" at 360 px."""
    moment = datetime(2026, 12, 9, 5, 0, tzinfo=UTC)
    for locale in Locale:
        for text in (format_date(moment, locale), format_datetime(moment, locale)):
            assert " " not in text, text


def test_naive_timestamps_are_taken_as_utc() -> None:
    assert format_datetime(datetime(2026, 1, 1, 0, 0), Locale.EN) == "1\u00a0Jan\u00a02026\u00a007:00"


def test_km() -> None:
    assert format_km(3.24) == "3.2"
    assert format_km(12.6) == "13"


def test_extra_strings_are_complete_and_do_not_shadow_the_catalog() -> None:
    assert set(OFFER_STATUS_LABELS) == set(OfferStatus)
    assert offer_status_label(OfferStatus.PENDING, Locale.TH) == "รอตอบรับ"  # an enum member finds its str key
    assert not set(APP_UI) & set(UI)
    assert t("hello", Locale.EN, name="A") == "Hello A"  # shared catalog keys work through t() too
    assert t("colleges_count", Locale.TH, count=3) == "วิทยาลัยในระบบ 3 แห่ง"
