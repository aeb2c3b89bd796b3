"""Rules for one-time sign-in codes. The local issuer makes `CODE_LENGTH` digits; Supabase Auth's length is set
per project (6–10 digits, "OTP length"), so a code is well formed when it has the issuer's length, or any length in
that range when the app does not know it yet."""

import re
import secrets

CODE_LENGTH = 6
MIN_LENGTH = 6
MAX_LENGTH = 10
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: \d also matches Thai digits


def new_code(length: int = CODE_LENGTH) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(length))


def is_well_formed(code: str, length: int | None = None) -> bool:
    code = code.strip()
    if not _DIGITS.fullmatch(code):
        return False
    return len(code) == length if length is not None else MIN_LENGTH <= len(code) <= MAX_LENGTH
