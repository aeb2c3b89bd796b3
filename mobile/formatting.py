"""Dates and numbers the way Thai (and English) readers expect them."""

from datetime import UTC, datetime

from shared.phone import InvalidPhone, national_format, normalize_thai_phone
from shared.text import Locale, date_text, datetime_text
from shared.thai_time import BANGKOK


def _local(moment: datetime) -> datetime:
    # A timestamp without zone is taken as UTC, which is what the backend sends.
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(BANGKOK)


def format_date(moment: datetime, locale: Locale) -> str:
    """25 พ.ย. 2568 / 25 Nov 2025, in Thai time, as one piece for line breaking (see `unbroken`): every screen that
    shows a date keeps it whole on a 360 px phone, not only the ones somebody checked."""
    return unbroken(date_text(_local(moment).date(), locale))


def unbroken(text: str) -> str:
    """The text as one piece for line breaking (its spaces non-breaking): on a narrow phone, or with a large system
    font, a line holding it wraps before it, never inside it ("ตอบรับภายใน 9 ธ.ค." / "2569")."""
    return text.replace(" ", "\u00a0")


def format_datetime(moment: datetime, locale: Locale) -> str:
    """25 พ.ย. 2568 14:05 / 25 Nov 2025 14:05, in Thai time, one piece like `format_date`."""
    return unbroken(datetime_text(moment, locale))


def format_time(moment: datetime) -> str:
    """14:05, the time of day in Thai time (24-hour, as both languages' texts write it)."""
    return f"{_local(moment):%H:%M}"


def format_km(km: float) -> str:
    """One decimal below 10 km, where it matters for a walk or a ride; whole kilometres above."""
    return f"{km:.1f}" if km < 10 else f"{km:.0f}"


def format_phone(phone: str) -> str:
    """+66812345678 -> 081-234-5678 for reading; a number that is not a Thai one is shown as it came."""
    try:
        return national_format(normalize_thai_phone(phone))
    except InvalidPhone:
        return phone
