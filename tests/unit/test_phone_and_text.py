import pytest

from shared import otp
from shared.display_names import clean_display_name
from shared.phone import InvalidPhone, mask, national_format, normalize_thai_phone
from shared.roles import AppRole
from shared.statuses import RequestStatus
from shared.text import ERRORS, STATUS_LABELS, UI, Locale, error_text, role_label, status_label, ui


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0812345678", "+66812345678"),
        ("081-234-5678", "+66812345678"),
        ("+66 81 234 5678", "+66812345678"),
        ("66812345678", "+66812345678"),
        ("02 123 4567", "+6621234567"),
        (" 0961112222 ", "+66961112222"),
    ],
)
def test_thai_numbers_normalise(raw: str, e164: str) -> None:
    assert normalize_thai_phone(raw) == e164


@pytest.mark.parametrize("raw", ["", "12345", "081234567", "08123456789", "0112345678", "+1 415 555 0100", "abc"])
def test_bad_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        normalize_thai_phone(raw)


def test_phone_display_forms() -> None:
    assert national_format("+66812345678") == "081-234-5678"
    assert national_format("+6621234567") == "02-123-4567"
    assert mask("+66812345678") == "081-xxx-5678"


def test_otp_codes() -> None:
    codes = {otp.new_code() for _ in range(50)}
    assert all(otp.is_well_formed(c) for c in codes) and len(codes) > 40
    assert not otp.is_well_formed("12345") and not otp.is_well_formed("12a456")


def test_every_label_exists_in_both_languages() -> None:
    assert set(STATUS_LABELS) == set(RequestStatus)
    for text in [*ERRORS.values(), *STATUS_LABELS.values(), *UI.values()]:
        assert text.th.strip() and text.en.strip()
        # Thai first: the Thai side must really be Thai (a Thai letter in it), not an English copy.
        assert any("\u0e00" <= ch <= "\u0e7f" for ch in text.th) or text.th == "English"


def test_lookups_format_and_fall_back() -> None:
    assert ui("code_sent", Locale.EN, phone="081") == "We sent a code to 081"
    assert status_label(RequestStatus.QUALITY_CHECK, Locale.TH) == "ครูกำลังตรวจงาน"
    assert role_label(AppRole.TECHNICIAN, Locale.EN) == "Student technician"
    assert error_text("no-such-code") == ERRORS["internal_error"]
    assert "30" in error_text("otp_rate_limited", seconds=30).th


def test_display_names() -> None:
    assert clean_display_name("  สมชาย   ใจดี ") == "สมชาย ใจดี"
    assert clean_display_name("   ") is None
    assert clean_display_name("x" * 81) is None
    assert clean_display_name("a\x00b") is None
