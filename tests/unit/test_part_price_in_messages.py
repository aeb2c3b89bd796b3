"""A part's price reads the same in the owner's inbox and push as on the request's screen: shared/notifications.render
writes the amount with shared.credit.format_baht, as the app's screens do. Found by audit15b."""

from datetime import UTC, datetime

import pytest

from shared.credit import format_baht
from shared.notifications import Kind, render
from shared.text import Locale


def part_proposed(price: object, locale: Locale) -> str:
    return render(Kind.PART_PROPOSED, {"item": "ตู้เย็น", "part": "คอมเพรสเซอร์", "price": price}, locale,
                  datetime.now(UTC), ref_no=690001).body


@pytest.mark.parametrize("locale", list(Locale))
def test_a_parts_price_reads_the_same_in_the_inbox_as_on_the_job_screen(locale: Locale) -> None:
    """Migration 0017's private.notify_part_proposed stores 'price' = to_char(qty * price_baht, 'FM999999990.00'):
    a compressor at 12,500 baht was "12500.00" in the owner's inbox and push, while the request's screen shows the
    same part as format_baht(12500) = "12,500.00" (mobile/views/request_detail.py)."""
    stored = "12500.00"  # what to_char(12500, 'FM999999990.00') gives
    body = part_proposed(stored, locale)
    assert format_baht(12500) in body and "12,500.00" in body, body


@pytest.mark.parametrize("stored", ["", "abc", "NaN", None])
def test_a_price_that_is_not_an_amount_is_quoted_as_it_came(stored: object) -> None:
    body = part_proposed(stored, Locale.EN)
    assert "compressor" not in body and "คอมเพรสเซอร์" in body  # still renders: the part is named, nothing raised
    if stored == "abc":
        assert "abc" in body
