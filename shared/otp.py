"""Rules for one-time sign-in codes. The local issuer makes `CODE_LENGTH` digits; Supabase Auth's length is set
per project (6–10 digits, "OTP length"), so a code is well formed when it has the issuer's length, or any length in
that range when the app does not know it yet."""

import re
import secrets
import unicodedata

CODE_LENGTH = 6
MIN_LENGTH = 6
MAX_LENGTH = 10
# SMS codes one phone may be sent in a (UTC) day, whoever asks (attack26 #6): the 15-minute window alone let anyone
# have a stranger's phone sent 20 SMS an hour all day, each paid for by the project. A person who signs in on a few
# devices and mistypes a few times stays far below it. (The local issuer sends no SMS and is not held to it.)
SENDS_PER_PHONE_PER_DAY = 10
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: \d also matches Thai digits


def typed_digits(text: str) -> str:
    """`text` with every decimal digit a keyboard gives (Thai ๐-๙ on every Thai keyboard, Arabic-Indic, full-width)
    as its ASCII digit, the rest as it is: one rule for every code a person types (the sign-in code, the handover
    code, a LINE link code), which are made and stored in ASCII. Superscripts and circled digits are no decimal
    digits (unicodedata.decimal refuses them) and stay as they are, refused by the codes' own checks."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def typed_code(text: str) -> str:
    """A code as typed, to check and send: trimmed, its digits in ASCII."""
    return typed_digits(text.strip())


def new_code(length: int = CODE_LENGTH) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(length))


def is_well_formed(code: str, length: int | None = None) -> bool:
    code = code.strip()
    if not _DIGITS.fullmatch(code):
        return False
    return len(code) == length if length is not None else MIN_LENGTH <= len(code) <= MAX_LENGTH


# The error code of a code Supabase Auth may have sent although its answer was lost or came late (audit28 #1): the
# backend answers it (503, routes/auth.py) and the app opens the code step for it (mobile/viewmodels/login.py). One
# name for both halves (review28a #2): a rename of either left the other reading it as "sign-in is down".
MAYBE_SENT = "otp_maybe_sent"
