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
