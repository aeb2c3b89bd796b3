"""Phone sign-in and sessions through a hosted Supabase project's Auth API (GoTrue; AuthMode.SUPABASE).

A thin adapter over GoTrue's REST endpoints: Supabase sends the SMS, issues the access and refresh tokens and
rotates them; this backend verifies access tokens like any other. Tested against a local fake of the HTTP API,
since a hosted project cannot be reached here.
"""

import logging
import time
from typing import Any

import httpx

from backend.auth.sessions import Tokens
from backend.errors import ApiError
from backend.settings import Settings

log = logging.getLogger("fixit.auth")

# GoTrue error codes (https://supabase.com/docs/guides/auth/debugging/error-codes) -> (status, ours).
# GoTrue answers a wrong code and an expired code alike (403 otp_expired), so the person is told both.
_USER_ERRORS: dict[str, tuple[int, str]] = {
    "otp_expired": (401, "otp_invalid_or_expired"),
    "over_sms_send_rate_limit": (429, "otp_rate_limited"),
    "validation_failed": (400, "invalid_phone"),
    "phone_exists": (409, "phone_in_use"),
    "user_banned": (403, "account_banned"),  # not `account_suspended`: that one still signs in (its data rights)
    "signup_disabled": (403, "signup_disabled"),
    # A session that ended: signed out elsewhere, the user deleted, a refresh token used twice or too old.
    "refresh_token_not_found": (401, "session_expired"),
    "refresh_token_already_used": (401, "session_expired"),
    "session_expired": (401, "session_expired"),
    "session_not_found": (401, "session_expired"),
    "user_not_found": (401, "session_expired"),
    "bad_jwt": (401, "session_expired"),
}
# Not the person's fault: the project's phone provider or Auth settings need an administrator.
_ADMIN_ERRORS = frozenset({
    "phone_provider_disabled", "sms_send_failed", "otp_disabled", "provider_disabled", "hook_timeout",
    "hook_timeout_after_retry", "hook_payload_over_size_limit", "hook_payload_invalid_content_type",
    "unexpected_failure", "request_timeout", "captcha_failed", "no_authorization", "not_admin",
})


def _client(settings: Settings) -> httpx.AsyncClient:
    key = settings.supabase_anon_key.get_secret_value()
    return httpx.AsyncClient(
        base_url=settings.supabase_url.rstrip("/") + "/auth/v1",
        headers={"apikey": key, "Authorization": f"Bearer {key}"},
        timeout=15,
    )


class MaybeSent(ApiError):
    """A failed step whose request may have done its work at GoTrue all the same (audit27 F1): the answer was lost
    or came too late (a read timeout, a connection cut after the request went out), or GoTrue's own step timed out
    (its SMS hook, its request timeout). For a code, the SMS may have gone out: the phone's allowances keep counting
    it (routes/auth.py gives back only what certainly sent nothing)."""


# GoTrue's answers that say its step ran out of time, not that it did nothing: an SMS hook or the request itself
# timing out may have sent the code already. (A 504 from the project's gateway says the same of GoTrue.)
_OUTCOME_UNKNOWN = frozenset({"hook_timeout", "hook_timeout_after_retry", "request_timeout"})
# Transport failures before the request reached GoTrue: nothing of it was done there.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def unavailable(reason: str, *, maybe_sent: bool = False) -> ApiError:
    """Sign-in cannot work until an administrator fixes the project: logged for them, a 503 for the person.
    `maybe_sent`: GoTrue may have done the step all the same (`MaybeSent`)."""
    log.error("Supabase Auth cannot sign people in: %s", reason)
    return (MaybeSent if maybe_sent else ApiError)(503, "sign_in_unavailable", headers={"Retry-After": "60"})


def _raise_for(response: httpx.Response, step: str) -> None:
    """GoTrue's error as ours. `step`: "otp" (send a code), "verify", "refresh" or "logout"."""
    if response.is_success:
        return
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        body = {}
    # error_code, or `code` as a string in GoTrue's 2024-01-01 API version (older answers: `code` is the status).
    raw_code = body.get("error_code") or body.get("code")
    gotrue_code = raw_code if isinstance(raw_code, str) else ""
    status = response.status_code
    if gotrue_code == "over_request_rate_limit" or (status == 429 and not gotrue_code):
        # /verify is limited per address: at that step the person has tried too many codes.
        code = "otp_too_many_attempts" if step == "verify" else "otp_rate_limited"
        raise ApiError(429, code, headers={"Retry-After": "60"}, seconds=60)
    if gotrue_code == "validation_failed" and step == "verify":
        raise ApiError(400, "invalid_code_format")
    if gotrue_code in _USER_ERRORS:
        our_status, code = _USER_ERRORS[gotrue_code]
        if code == "otp_rate_limited":
            raise ApiError(our_status, code, headers={"Retry-After": "60"}, seconds=60)
        raise ApiError(our_status, code)
    # 401 without a code: the API key itself was refused (wrong SUPABASE_ANON_KEY).
    if gotrue_code in _ADMIN_ERRORS or status >= 500 or (status == 401 and not gotrue_code):
        raise unavailable(f"{step}: HTTP {status} {gotrue_code or body.get('msg') or body.get('message') or ''}",
                          maybe_sent=gotrue_code in _OUTCOME_UNKNOWN or (status == 504 and not gotrue_code))
    if step == "verify":
        raise ApiError(401, "otp_invalid_or_expired")
    if step == "refresh":
        raise ApiError(401, "session_expired")
    raise unavailable(f"{step}: HTTP {status} {gotrue_code or body}")


async def _post(settings: Settings, step: str, path: str, *, json: dict[str, Any],
                params: dict[str, str] | None = None, bearer: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else None
    try:
        async with _client(settings) as client:
            response = await client.post(path, json=json, params=params, headers=headers)
    except httpx.TransportError as exc:
        raise unavailable(f"{step}: {settings.supabase_url} unreachable ({type(exc).__name__})",
                          maybe_sent=not isinstance(exc, _NEVER_SENT)) from exc
    _raise_for(response, step)
    return response


def _tokens(settings: Settings, response: httpx.Response) -> Tokens:
    try:
        body = response.json()
        expires_in = int(body.get("expires_in") or settings.jwt_ttl_seconds)
        return Tokens(
            access_token=str(body["access_token"]),
            refresh_token=str(body["refresh_token"]) if body.get("refresh_token") else None,
            expires_in=expires_in,
            expires_at=int(body.get("expires_at") or time.time() + expires_in),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise unavailable(f"unexpected session answer ({type(exc).__name__})") from exc


async def send_code(settings: Settings, phone: str) -> None:
    await _post(settings, "otp", "/otp", json={"phone": phone, "create_user": True})


async def verify_code(settings: Settings, phone: str, code: str) -> Tokens:
    """Supabase's session (access and refresh token) for the phone's user."""
    response = await _post(settings, "verify", "/verify", json={"phone": phone, "token": code, "type": "sms"})
    return _tokens(settings, response)


async def refresh(settings: Settings, refresh_token: str) -> Tokens:
    """A new session from a refresh token; GoTrue rotates it (the old one stops working)."""
    response = await _post(settings, "refresh", "/token", params={"grant_type": "refresh_token"},
                           json={"refresh_token": refresh_token})
    return _tokens(settings, response)


async def sign_out(settings: Settings, access_token: str) -> None:
    """Ends this session at Supabase (its refresh tokens stop working); the access token lives until it expires."""
    try:
        await _post(settings, "logout", "/logout", params={"scope": "local"}, json={}, bearer=access_token)
    except ApiError as exc:
        if exc.code != "session_expired":  # already ended: that is what was asked
            raise
