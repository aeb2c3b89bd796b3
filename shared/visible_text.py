"""Whether a text says anything: one rule for every field that must not be left empty or nearly so.

`str.strip()` keeps Unicode format characters (zero-width space and joiners, the word joiner, the BOM, direction
marks), so a text made only of them passed every "is it written?" check while showing nothing. They are not
removed from what is stored: Thai puts a zero-width space between words, which is ordinary Thai. They only do not
count as writing."""

import unicodedata


def visible_length(text: str) -> int:
    """How many characters of `text` show: neither white space nor a format character (Unicode category Cf)."""
    return sum(1 for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf")


def is_blank(text: str) -> bool:
    """Nothing in `text` shows (empty, white space, zero-width characters)."""
    return visible_length(text) == 0
