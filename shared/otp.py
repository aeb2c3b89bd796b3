"""Rules for one-time sign-in codes (the local issuer; Supabase Auth has its own)."""

import re
import secrets

CODE_LENGTH = 6
_CODE = re.compile(rf"^[0-9]{{{CODE_LENGTH}}}$")  # ASCII only: \\d also matches Thai digits


def new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_LENGTH))


def is_well_formed(code: str) -> bool:
    return bool(_CODE.match(code.strip()))
