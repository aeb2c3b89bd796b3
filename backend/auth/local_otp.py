"""The local sign-in issuer: a 6-digit code per phone, kept hashed in the database so any backend copy can
check it. Supabase Auth replaces all of this in production (AuthMode.SUPABASE)."""

import hashlib
import hmac
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from backend.db import Conn
from backend.errors import ApiError
from backend.settings import Settings
from shared import otp

log = logging.getLogger("fixit.otp")


@dataclass(frozen=True)
class CodeSent:
    phone: str
    expires_in: int
    code: str


def _hash(settings: Settings, phone: str, code: str) -> str:
    key = settings.jwt_secret.get_secret_value().encode()
    return hmac.new(key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


async def send_code(conn: Conn, settings: Settings, phone: str) -> CodeSent:
    """Store a fresh code for `phone` (E.164) unless it asked too often; 'send' it to the log."""
    code = otp.new_code(settings.otp_length)
    window = timedelta(seconds=settings.otp_window_seconds)
    expires = timedelta(seconds=settings.otp_ttl_seconds)
    row = await (
        await conn.execute(
            """
            insert into private.otp_codes as o (phone, code_hash, expires_at)
            values (%(phone)s, %(hash)s, now() + %(expires)s)
            on conflict (phone) do update set
                code_hash = excluded.code_hash,
                expires_at = excluded.expires_at,
                attempts = 0,
                sends_in_window = case when o.window_started_at < now() - %(window)s then 1
                                       else o.sends_in_window + 1 end,
                window_started_at = case when o.window_started_at < now() - %(window)s then now()
                                         else o.window_started_at end
            returning sends_in_window,
                      ceil(extract(epoch from (window_started_at + %(window)s - now())))::int as window_left
            """,
            {"phone": phone, "hash": _hash(settings, phone, code), "expires": expires, "window": window},
        )
    ).fetchone()
    assert row is not None
    if row["sends_in_window"] > settings.otp_max_sends_per_window:
        # Raising rolls the new code back: the previous one stays valid.
        raise ApiError(429, "otp_rate_limited", headers={"Retry-After": str(row["window_left"])},
                       seconds=row["window_left"])
    if settings.dev_mode:  # a code in a production log would let whoever reads the log sign in as anyone
        log.warning("sign-in code for %s: %s (local issuer; Supabase Auth sends an SMS instead)", phone, code)
    return CodeSent(phone=phone, expires_in=settings.otp_ttl_seconds, code=code)


class CodeRejected(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


async def check_code(conn: Conn, settings: Settings, phone: str, code: str) -> None:
    """Consume a correct code, or count the wrong try and raise CodeRejected (the count must be committed).

    Distinct answers: no code waiting or past its life (otp_expired), too many tries (otp_too_many_attempts),
    a wrong code while one is still valid (otp_invalid).

    The phone's account first, as find_or_create_user's upsert then takes it (FOR NO KEY UPDATE), and the code
    after: the account's deletion locks the auth user and then deletes the phone's codes (private.forget_person),
    so a sign-in that held the code and then wanted the user deadlocked with it (race26 #8). Now one waits for the
    other: a deletion first leaves no account (the sign-in makes a new one, as for any new number)."""
    await conn.execute("select 1 from auth.users where phone = %s for no key update", [phone.removeprefix("+")])
    row = await (
        await conn.execute(
            "select code_hash, expires_at < now() as expired, attempts from private.otp_codes "
            "where phone = %s for update",
            [phone],
        )
    ).fetchone()
    if row is None or row["expired"]:
        raise CodeRejected("otp_expired")
    if row["attempts"] >= settings.otp_max_attempts:
        raise CodeRejected("otp_too_many_attempts")
    if not hmac.compare_digest(row["code_hash"], _hash(settings, phone, code)):
        await conn.execute("update private.otp_codes set attempts = attempts + 1 where phone = %s", [phone])
        raise CodeRejected("otp_invalid")
    await conn.execute("delete from private.otp_codes where phone = %s", [phone])


async def find_or_create_user(conn: Conn, phone: str) -> uuid.UUID:
    """The auth user for this phone, written the way GoTrue writes a verified phone user; a new one gets its
    profile from the database trigger (a citizen, or the role staff onboarding registered the phone for)."""
    supabase_phone = phone.removeprefix("+")  # Supabase Auth keeps phones without the plus
    row = await (
        await conn.execute("select private.create_phone_user(%s, true) as id", [supabase_phone])
    ).fetchone()
    assert row is not None
    user_id: uuid.UUID = row["id"]
    return user_id
