"""Supabase-format access tokens: verified from the project's signing keys, or issued and verified locally.

- Supabase Auth (AuthMode.SUPABASE): new projects sign with asymmetric keys (ES256 or RS256, `kid` in the header);
  the public keys come from `{SUPABASE_URL}/auth/v1/.well-known/jwks.json`, cached and fetched again when a token
  names a key not seen yet (a rotation). The legacy shared secret (HS256, SUPABASE_JWT_SECRET) is accepted only
  when it is configured.
- The local issuer (AuthMode.LOCAL) signs HS256 with FIXIT_JWT_SECRET.

Every token that is not good is `InvalidToken` (the routes answer 401); keys that cannot be fetched at all are a
503, never a 500: that is not the caller's fault, and the app must not sign its person out for it.

A Fixit account is a phone that answered a code (Fixit's own limits on codes, one account per number). A Supabase
project also signs tokens for accounts made other ways (the Email provider and anonymous sign-ins are on in a new
project): a good token of such an account is `NotAPhoneAccount` (the routes answer 403 phone_sign_in_required).
"""

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from jwt import PyJWK, PyJWKClient
from jwt.exceptions import PyJWKClientConnectionError, PyJWKClientError, PyJWKSetError

from backend.errors import ApiError
from backend.settings import AuthMode, Settings

log = logging.getLogger("fixit.auth")

LOCAL_ISSUER = "fixit-local"
ASYMMETRIC_ALGORITHMS = frozenset({"ES256", "RS256"})
MIN_SECRET_LENGTH = 32
# Keys fetched before an outage of the JWKS endpoint stay usable this long after their last good fetch.
_MAX_STALE_SECONDS = 3600.0


@dataclass(frozen=True)
class Identity:
    user_id: uuid.UUID
    claims: dict[str, Any]


class InvalidToken(Exception):
    pass


class NotAPhoneAccount(InvalidToken):
    """The Supabase project's own good token, for an account that did not sign in with a phone and a code."""


def keys_unavailable() -> ApiError:
    return ApiError(503, "auth_keys_unavailable", headers={"Retry-After": "10"})


class SigningKeys:
    """The JWKS of one Supabase project: fetched with PyJWT's PyJWKClient, kept for `lifespan` seconds, fetched
    again for an unknown `kid` at most once per `cooldown` seconds (so made-up kids cannot hammer the endpoint)."""

    def __init__(self, url: str, *, lifespan: float, cooldown: float, timeout: float = 5.0) -> None:
        self.url = url
        self._client = PyJWKClient(url, cache_jwk_set=False, timeout=timeout)
        self._lifespan = lifespan
        self._cooldown = cooldown
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at = float("-inf")  # last successful fetch (monotonic)
        self._tried_at = float("-inf")  # last attempt
        self._lock = threading.Lock()

    def key(self, kid: str) -> PyJWK:
        now = time.monotonic()
        due = now - self._tried_at >= self._cooldown
        if due and now - self._fetched_at > self._lifespan:
            self._fetch(now)
            due = False
        key = self._keys.get(kid)
        if key is None and due:
            self._fetch(now)
            key = self._keys.get(kid)
        if now - self._fetched_at >= _MAX_STALE_SECONDS:  # never fetched, or only long ago
            raise keys_unavailable()
        if key is None:
            raise InvalidToken(f"no signing key with kid {kid!r}")
        return key

    def _fetch(self, now: float) -> None:
        with self._lock:
            if self._tried_at >= now:  # another thread fetched meanwhile
                return
            self._tried_at = time.monotonic()
            try:
                keys = self._client.get_signing_keys(refresh=True)
            except (PyJWKClientConnectionError, PyJWKClientError, PyJWKSetError) as exc:
                if self._keys and now - self._fetched_at < _MAX_STALE_SECONDS:
                    log.warning("signing keys from %s unavailable, using the last ones: %s", self.url, exc)
                    return
                log.error("signing keys from %s unavailable: %s", self.url, exc)
                raise keys_unavailable() from exc
            self._keys = {str(k.key_id): k for k in keys if k.algorithm_name in ASYMMETRIC_ALGORITHMS}
            self._fetched_at = self._tried_at


_signing_keys: dict[tuple[str, float, float], SigningKeys] = {}
_signing_keys_lock = threading.Lock()


def jwks_url(settings: Settings) -> str:
    if settings.supabase_jwks_url:
        return settings.supabase_jwks_url
    return settings.supabase_url.rstrip("/") + "/auth/v1/.well-known/jwks.json" if settings.supabase_url else ""


def signing_keys(settings: Settings) -> SigningKeys | None:
    """The process-wide key cache for this project (None without SUPABASE_URL)."""
    url = jwks_url(settings)
    if not url:
        return None
    cache_key = (url, float(settings.jwks_cache_seconds), settings.jwks_refresh_cooldown_seconds)
    with _signing_keys_lock:
        keys = _signing_keys.get(cache_key)
        if keys is None:
            keys = SigningKeys(url, lifespan=cache_key[1], cooldown=cache_key[2])
            _signing_keys[cache_key] = keys
        return keys


def expected_issuer(settings: Settings) -> str:
    if settings.jwt_issuer:
        return settings.jwt_issuer
    if settings.auth_mode == AuthMode.SUPABASE:
        return settings.supabase_url.rstrip("/") + "/auth/v1"
    return LOCAL_ISSUER


def has_secret(settings: Settings) -> bool:
    return len(settings.jwt_secret.get_secret_value()) >= MIN_SECRET_LENGTH


def issue_token(
    settings: Settings, user_id: uuid.UUID, phone: str | None, now: float | None = None,
    session_id: uuid.UUID | None = None,
) -> str:
    """The local issuer's access token: the same claims Supabase Auth puts in a phone sign-in's token."""
    if not has_secret(settings):
        raise ApiError(503, "auth_not_configured")
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "iss": expected_issuer(settings),
        "aud": settings.jwt_audience,
        "sub": str(user_id),
        "role": "authenticated",
        "iat": issued,
        "exp": issued + settings.jwt_ttl_seconds,
        "phone": (phone or "").removeprefix("+"),
        "aal": "aal1",
        "amr": [{"method": "otp", "timestamp": issued}],
        "session_id": str(session_id or uuid.uuid4()),
        "is_anonymous": False,
        "app_metadata": {"provider": "phone", "providers": ["phone"]},
        "user_metadata": {},
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


def _verification_key(settings: Settings, token: str) -> tuple[Any, str]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    alg = header.get("alg")
    if alg in ASYMMETRIC_ALGORITHMS:
        keys = signing_keys(settings) if settings.auth_mode == AuthMode.SUPABASE else None
        if keys is None:
            raise InvalidToken(f"{alg} token but no Supabase project (SUPABASE_URL) to take keys from")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken(f"{alg} token without a kid")
        key = keys.key(kid)
        if key.algorithm_name != alg:
            raise InvalidToken(f"key {kid!r} is {key.algorithm_name}, the token says {alg}")
        return key.key, alg
    if alg == "HS256":
        if not has_secret(settings):
            raise InvalidToken("HS256 token but no shared secret is configured")
        return settings.jwt_secret.get_secret_value(), alg
    raise InvalidToken(f"algorithm {alg!r} is not accepted")


def verify_token(settings: Settings, token: str) -> Identity:
    """The caller behind a bearer token, or InvalidToken. Checks signature, `iss`, `aud`, `exp` and the role."""
    key, alg = _verification_key(settings, token)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[alg],
            audience=settings.jwt_audience,
            issuer=expected_issuer(settings),
            options={"require": ["exp", "sub", "aud", "role", "iss"]},
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
    if settings.auth_mode == AuthMode.SUPABASE and not signed_in_by_phone(claims):
        raise NotAPhoneAccount("not a phone sign-in")
    return Identity(user_id=user_id, claims=claims)


def signed_in_by_phone(claims: dict[str, Any]) -> bool:
    """GoTrue's token of a phone sign-in with a code: a phone, not anonymous, and `otp` among the ways the session
    was authenticated (`amr`; kept by every refresh of the session). An e-mail or password sign-in, an anonymous
    one, or a sign-in by e-mail code of an account without a phone is not."""
    amr = claims.get("amr")
    methods = {m.get("method") for m in amr if isinstance(m, dict)} if isinstance(amr, list) else set()
    phone = claims.get("phone")
    return isinstance(phone, str) and phone != "" and claims.get("is_anonymous") is not True and "otp" in methods


def phone_sign_in_required() -> ApiError:
    return ApiError(403, "phone_sign_in_required")


# Verified tokens, for a request that carries one seen before (an app sends the same token until it refreshes):
# PyJWT's parsing and signature check were a quarter of a worker's CPU on GET /requests/mine (cProfile, issue 15).
# Bounded; a hit is still refused once its `exp` has passed, exactly when PyJWT (leeway 0) would refuse it. Keyed
# by everything the check depends on, so a process serving two configurations (tests) never mixes them.
_VERIFIED_MAX = 4096
_verified: dict[tuple[str, str, str, str, str], Identity] = {}
_verified_lock = threading.Lock()


def _verified_key(settings: Settings, token: str) -> tuple[str, str, str, str, str]:
    return (token, settings.auth_mode.value, settings.jwt_audience, expected_issuer(settings),
            settings.jwt_secret.get_secret_value())


def known_identity(settings: Settings, token: str) -> Identity | None:
    """The identity of a token this process verified before and that has not expired since, or None."""
    identity = _verified.get(_verified_key(settings, token))
    if identity is None:
        return None
    if time.time() >= identity.claims["exp"]:
        with _verified_lock:
            _verified.pop(_verified_key(settings, token), None)
        return None
    return identity


def remember_identity(settings: Settings, token: str, identity: Identity) -> None:
    """Keep a freshly verified token's identity for `known_identity`."""
    with _verified_lock:
        if len(_verified) >= _VERIFIED_MAX:
            # Oldest first (dicts keep insertion order): a burst of new tokens pushes out the longest-held ones.
            for stale in list(_verified)[: _VERIFIED_MAX // 4]:
                del _verified[stale]
        _verified[_verified_key(settings, token)] = identity


def verify_token_cached(settings: Settings, token: str) -> Identity:
    """`verify_token`, remembering the answer for this token until it expires (failures are not remembered)."""
    identity = known_identity(settings, token)
    if identity is None:
        identity = verify_token(settings, token)
        remember_identity(settings, token, identity)
    return identity
