"""What a person may call themselves in the app."""

import unicodedata

MAX_LENGTH = 80


def clean_display_name(raw: str) -> str | None:
    """Trim, fold inner white space and NFC-normalise; None when empty, too long or has control characters."""
    name = unicodedata.normalize("NFC", " ".join(raw.split()))
    if not name or len(name) > MAX_LENGTH:
        return None
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return None
    return name
