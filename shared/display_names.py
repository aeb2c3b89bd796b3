"""What a person may call themselves in the app."""

import unicodedata

from shared.visible_text import is_blank

MAX_LENGTH = 80


def clean_display_name(raw: str) -> str | None:
    """Trim, fold inner white space and NFC-normalise; None when nothing shows, too long or has control characters."""
    name = unicodedata.normalize("NFC", " ".join(raw.split()))
    if is_blank(name) or len(name) > MAX_LENGTH:
        return None
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return None
    return name


def first_word(name: str | None) -> str | None:
    """How a person is named to those who may not read their whole name: the display name up to its first space, or
    None when that is empty (no name, or one that starts with a space). Migration 0065's `private.first_word` is the
    same rule in SQL (tests/integration/test_first_word.py keeps the two equal)."""
    return (name.split(" ", 1)[0] or None) if name is not None else None
