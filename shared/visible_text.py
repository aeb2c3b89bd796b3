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


# Bidirectional embeddings, overrides and isolates and their ends (U+202A-U+202E, U+2066-U+2069). In a name other
# people see in a list, on a page or a PDF they turn the text that follows backwards ("\u202e" + "abc" shows "cba").
# The direction marks U+200E/U+200F and the zero-width characters of ordinary Thai are not among them.
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# The same rule as a pattern (a JSON Schema keyword): something besides spaces, no C0/C1 control character, no
# direction control.
PLAIN_NAME_PATTERN = r"^(?=.*\S)[^\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]*$"


def is_plain_name(text: str) -> bool:
    """A name shown to everyone (a college, a province): something visible, on one line, with no control character
    (NUL, escape sequences, line breaks) and no direction control."""
    return not is_blank(text) and not any(
        unicodedata.category(ch) == "Cc" or ch in DIRECTION_CONTROLS for ch in text)
