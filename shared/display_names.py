"""What a person may call themselves in the app."""

import unicodedata

from shared.visible_text import is_blank, normal_form, typed_text_problem

MAX_LENGTH = 80


def clean_display_name(raw: str, max_length: int = MAX_LENGTH) -> str | None:
    """Trim, fold inner white space, NFC-normalise and join a SARA AM typed as two characters (normal_form); None
    when nothing shows, too long, or with control characters, direction controls or stacked marks
    (typed_text_problem). Display names and request items both."""
    name = normal_form(" ".join(raw.split()))
    if is_blank(name) or len(name) > max_length:
        return None
    if any(unicodedata.category(ch) == "Cc" for ch in name) or typed_text_problem(name) is not None:
        return None
    return name


def first_word(name: str | None) -> str | None:
    """How a person is named to those who may not read their whole name: the display name up to its first space, or
    None when that is empty (no name, or one that starts with a space). Migration 0065's `private.first_word` is the
    same rule in SQL (tests/integration/test_first_word.py keeps the two equal)."""
    return (name.split(" ", 1)[0] or None) if name is not None else None
