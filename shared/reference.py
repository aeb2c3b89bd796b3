"""A request's short human reference number, e.g. FX-690001: to quote on the phone and to search by."""

import re

PREFIX = "FX-"
_REFERENCE = re.compile(r"^\s*(?:FX)?[\s\-]*([0-9]{1,12})\s*$", re.IGNORECASE)


def format_reference(number: int) -> str:
    return f"{PREFIX}{number}"


def parse_reference(text: str) -> int | None:
    """The number in "FX-690001", "fx 690001" or "690001"; None when the text is not a reference."""
    match = _REFERENCE.match(text)
    return int(match.group(1)) if match else None
