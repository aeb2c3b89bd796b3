"""Phone sign-in through a hosted Supabase project's Auth API (AuthMode.SUPABASE).

A thin adapter over GoTrue's REST endpoints: Supabase sends the SMS and issues the JWT; this backend verifies
the JWT like any other. Tested against a fake of the HTTP API, since a hosted project cannot be reached here.
"""

from typing import Any

import httpx

from backend.errors import ApiError
from backend.settings import Settings

# GoTrue error codes -> ours (https://supabase.com/docs/guides/auth/debugging/error-codes)
_CODES = {
    "otp_expired": "otp_expired",
    "over_sms_send_rate_limit": "otp_rate_limited",
    "over_request_rate_limit": "otp_rate_limited",
    "validation_failed": "invalid_phone",
    "sms_send_failed": "internal_error",
}


def _client(settings: Settings) -> httpx.AsyncClient:
    key = settings.supabase_anon_key.get_secret_value()
    return httpx.AsyncClient(
        base_url=settings.supabase_url.rstrip("/") + "/auth/v1",
        headers={"apikey": key, "Authorization": f"Bearer {key}"},
        timeout=15,
    )


def _raise_for(response: httpx.Response) -> None:
    if response.is_success:
        return
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        body = {}
    fallback = "otp_invalid" if response.status_code < 500 else "internal_error"
    code = _CODES.get(str(body.get("error_code", "")), fallback)
    if code == "otp_rate_limited":
        raise ApiError(429, code, seconds=60)
    raise ApiError(401 if code.startswith("otp_") else 400 if response.status_code < 500 else 502, code)


async def send_code(settings: Settings, phone: str) -> None:
    async with _client(settings) as client:
        _raise_for(await client.post("/otp", json={"phone": phone, "create_user": True}))


async def verify_code(settings: Settings, phone: str, code: str) -> str:
    """Returns Supabase's access token for the phone's user."""
    async with _client(settings) as client:
        response = await client.post("/verify", json={"phone": phone, "token": code, "type": "sms"})
    _raise_for(response)
    token: str = response.json()["access_token"]
    return token
