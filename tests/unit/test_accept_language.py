"""shared/accept_language.py: which of Thai and English a call's `Accept-Language` asks for, or neither."""

import pytest

from shared.accept_language import ACCEPT_LANGUAGE_RANGES_MAX, requested_locale
from shared.text import Locale

TH, EN = Locale.TH, Locale.EN


@pytest.mark.parametrize(("header", "asked"), [
    ("th", TH),  # what the app sends
    ("en", EN),
    ("TH", TH),  # ranges are case-insensitive
    ("th-TH", TH),  # a region narrows the language, which stays Thai
    ("en-GB", EN),
    ("en-US,en;q=0.9,th;q=0.8", EN),  # a browser's: the highest weight wins
    ("th;q=0.5, en;q=0.6", EN),
    ("en;q=0.7, th", TH),  # no weight is 1
    ("th, en", TH),  # of equal weights, the first named
    ("en ; q=0.8 , th ; q=0.3", EN),  # spaces around the separators
    ("fr, en;q=0.5", EN),  # French is not one of ours: the next choice
    ("fr-CA, th-TH;q=0.1", TH),
    ("*, en;q=0.1", EN),  # "*" chooses nothing of ours
    ("th;q=1.000", TH),
    ("th;q=0.001", TH),
])
def test_the_language_asked_for(header: str, asked: Locale) -> None:
    assert requested_locale(header) == asked


@pytest.mark.parametrize("header", [
    None, "", " ", ",", "*",  # nothing, or anything: the profile's language applies
    "fr", "de-DE, ja;q=0.9",  # neither of ours
    "en;q=0", "th;q=0.000",  # refused outright
    "th;q=2", "th;q=1.5", "th;q=0.0001", "th;q=-1", "th;q=abc", "th;level=1", "th;q",  # no such weight
    "t h", "th_TH", "thai-language-tag-too-long-subtag123", "th-", "-th", "\u0e44\u0e17\u0e22",  # no such range
    "english", "thai",  # names, not tags
])
def test_nothing_of_ours_asks_for_nothing(header: str | None) -> None:
    assert requested_locale(header) is None


def test_a_malformed_range_does_not_hide_a_good_one() -> None:
    assert requested_locale("th;q=oops, en;q=0.2") == EN
    assert requested_locale("en;q=0, th;q=0.1") == TH  # English refused, Thai accepted however little


def test_only_the_first_ranges_are_read() -> None:
    """A header of thousands of ranges costs no more than a handful: the ones past the limit are not looked at."""
    filler = ["fr"] * (ACCEPT_LANGUAGE_RANGES_MAX - 1)
    assert requested_locale(", ".join([*filler, "en"])) == EN
    assert requested_locale(", ".join([*filler, "fr", "en"])) is None
    assert requested_locale(", ".join(["fr"] * 100_000 + ["th"])) is None
