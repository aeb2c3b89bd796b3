"""Supabase-format access tokens (HS256, `sub`/`role`/`aud`/`exp`), issued locally or by Supabase Auth."""

import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

from backend.settings import Settings

LOCAL_ISSUER = "fixit-local"


@dataclass(frozen=True)
class Identity:
    user_id: uuid.UUID
    claims: dict[str, Any]


class InvalidToken(Exception):
    pass


def issue_token(settings: Settings, user_id: uuid.UUID, phone: str | None, now: float | None = None) -> str:
    """The same claims Supabase Auth puts in a phone sign-in's access token."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "iss": LOCAL_ISSUER,
        "aud": settings.jwt_audience,
        "sub": str(user_id),
        "role": "authenticated",
        "iat": issued,
        "exp": issued + settings.jwt_ttl_seconds,
        "phone": (phone or "").removeprefix("+"),
        "aal": "aal1",
        "amr": [{"method": "otp", "timestamp": issued}],
        "session_id": str(uuid.uuid4()),
        "is_anonymous": False,
        "app_metadata": {"provider": "phone", "providers": ["phone"]},
        "user_metadata": {},
    }
    return jwt.encode(claims, _secret(settings), algorithm="HS256")


def verify_token(settings: Settings, token: str) -> Identity:
    try:
        claims = jwt.decode(
            token,
            _secret(settings),
            algorithms=["HS256"],
            audience=settings.jwt_audience,
            options={"require": ["exp", "sub", "aud", "role"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    # Only signed-in users: an anon or service_role key is not a person.
    if claims.get("role") != "authenticated":
        raise InvalidToken("role claim must be 'authenticated'")
    try:
        user_id = uuid.UUID(str(claims["sub"]))
    except ValueError as exc:
        raise InvalidToken("sub is not a UUID") from exc
    return Identity(user_id=user_id, claims=claims)


def _secret(settings: Settings) -> str:
    secret = settings.jwt_secret.get_secret_value()
    if len(secret) < 32:
        raise RuntimeError("FIXIT_JWT_SECRET / SUPABASE_JWT_SECRET must be set (32+ characters)")
    return secret
