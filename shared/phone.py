"""Thai phone numbers: what people type (081-234-5678, +66 81 234 5678, ๐๘๑-๒๓๔-๕๖๗๘) to one E.164 form.

Every field a phone is typed in (sign-in, the request's contact phone, a teacher's or an admin's invitation, staff
and college CSV imports, the operator's commands, the app's forms) reads it here, so a number reads the same way
everywhere: Thai digits (every Thai keyboard has them) and the other decimal digits a keyboard gives (full-width)
are read as their ASCII digits, as shared.otp.typed_digits reads a typed code. The E.164 form made of them is ASCII
only, as the database's check wants and every phone network dials."""

import re

from shared.otp import typed_digits

_SEPARATORS = re.compile(r"[\s\-().]")
# Mobile: 0 + [6-9] + 8 digits. Landline: 0 + [2-7] + 7 digits. Matched after typed_digits, in ASCII digits only
# (`\d` would let a digit no reading turned into ASCII through to the stored number).
_NATIONAL = re.compile(r"0(?:[689][0-9]{8}|[2-7][0-9]{7})")


class InvalidPhone(ValueError):
    pass


def normalize_thai_phone(raw: str) -> str:
    """Return the number as E.164 (+66…, ASCII digits) or raise InvalidPhone. Thai and other decimal digits are
    read as their ASCII digits (typed_digits)."""
    digits = _SEPARATORS.sub("", typed_digits(raw.strip()))
    if digits.startswith("+66"):
        digits = "0" + digits[3:]
    elif digits.startswith("66") and len(digits) in (10, 11):
        digits = "0" + digits[2:]
    if not _NATIONAL.fullmatch(digits):
        raise InvalidPhone(raw)
    return "+66" + digits[1:]


def national_format(e164: str) -> str:
    """+66812345678 -> 081-234-5678, the way Thai people write it."""
    national = "0" + e164.removeprefix("+66")
    if len(national) == 10:
        return f"{national[:3]}-{national[3:6]}-{national[6:]}"
    return f"{national[:2]}-{national[2:5]}-{national[5:]}"


def mask(e164: str) -> str:
    """Shown where a number may be hinted but not disclosed: 081-xxx-5678."""
    formatted = national_format(e164)
    head, _, tail = formatted.partition("-")
    return f"{head}-xxx-{tail.split('-')[-1]}"
