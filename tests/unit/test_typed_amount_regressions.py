"""Amounts as Thai people write them: a trailing point after thousands (review18b finding 2) and a price written
with the baht sign, the word baht or the price-tag ".-" (review18b extra A)."""

import pytest

from shared.typed_numbers import parse_amount, parse_hours


def test_grouped_amount_with_a_trailing_point_reads_as_without_it() -> None:
    assert parse_amount("1500.") == 1500.0
    assert parse_amount("1,500.") == 1500.0
    assert parse_hours("1,500.") == 1500.0


@pytest.mark.parametrize("typed", ["฿1,500", "฿ 1,500", "1,500 บาท", "1,500บาท", "1,500.-", "1,500.- บาท",
                                   "1500.-", "฿1,500.-", "1,500 baht", "1,500 THB", "๑,๕๐๐ บาท"])
def test_a_price_in_the_thai_ways_reads_as_its_number(typed: str) -> None:
    assert parse_amount(typed) == 1500.0


@pytest.mark.parametrize("typed", ["฿", "บาท", ".-", "฿1,5", "1,50 บาท", "1,500-", "1,500 บาทบาท", "฿฿1,500",
                                   "1,500 ดอลลาร์", "$1,500", "1e3 บาท", "nan บาท", "1,500.-.-"])
def test_other_writing_around_an_amount_is_still_refused(typed: str) -> None:
    assert parse_amount(typed) is None


def test_hours_are_not_read_with_a_currency() -> None:
    assert parse_hours("2 บาท") is None
    assert parse_hours("1,5") == 1.5
    assert parse_amount("1,250.50 บาท") == 1250.5
