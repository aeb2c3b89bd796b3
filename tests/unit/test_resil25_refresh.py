"""resil25: a refresh whose answer is lost to a *timeout* (not a reset) is asked again inside Supabase Auth's reuse
interval (resil24 F2 asked again at once, but only once the app's 10 s timeout had passed: as long as the interval).

The fake network here is at its slowest that the app still waits for: every phase of a call (a pooled connection,
the connection, the request's bytes) takes as long as the app allows it before the server sees the call, and an
answer that never comes is waited for as long as the app's read timeout. The clock moves by exactly that, read from
the limits each call carries (httpx puts them in `request.extensions["timeout"]`): no sleeps.
"""

import json

import httpx

from mobile.api_client import ApiClient
from shared.text import error_text
from shared.wire import REFRESH_TOKEN_REUSE_SECONDS
from tests.unit.mobile_fakes import BASE_URL

# GoTrue's default reuse interval; after it, a repeat is taken for a copied token ("Invalid Refresh Token: Already
# Used") and the whole session ends.
REUSE_INTERVAL_SECONDS = float(REFRESH_TOKEN_REUSE_SECONDS)
PROFILE = {"id": "00000000-0000-0000-0000-000000000001", "role": "citizen", "display_name": "ก"}


def _error(code: str) -> dict[str, object]:
    text = error_text(code)
    return {"error": {"code": code, "message_th": text.th, "message_en": text.en}}


class SlowGoTrue:
    """Single-use refresh tokens with GoTrue's reuse interval, on the slowest network the app waits for; the first
    refresh's answer never arrives (the server rotated the token)."""

    def __init__(self, clock: list[float]) -> None:
        self.clock = clock
        self.n = 0
        self.access: set[str] = set()
        self.live: set[str] = set()
        self.used_at: dict[str, float] = {}
        self.revoked = False
        self.lose_next_refresh_answer = False
        self.refreshes = 0

    def issue(self) -> dict[str, object]:
        self.n += 1
        access, refresh = f"access-{self.n}", f"refresh-{self.n}"
        self.access.add(access)
        self.live.add(refresh)
        return {"access_token": access, "refresh_token": refresh, "expires_in": 3600,
                "expires_at": self.clock[0] + 3600, "profile": PROFILE}

    def handler(self, request: httpx.Request) -> httpx.Response:
        limits = request.extensions["timeout"]
        if request.url.path != "/auth/refresh":
            if request.url.path == "/auth/otp/verify":
                return httpx.Response(200, json=self.issue())
            token = request.headers.get("authorization", "").removeprefix("Bearer ")
            if token not in self.access:
                return httpx.Response(401, json=_error("token_invalid"))
            return httpx.Response(200, json=PROFILE)
        self.refreshes += 1
        # On its way: a pooled connection, a new connection, the request's bytes, each as slow as the app allows.
        self.clock[0] += limits["pool"] + limits["connect"] + limits["write"]
        token = json.loads(request.content)["refresh_token"]
        if self.revoked:
            return httpx.Response(401, json=_error("session_expired"))
        if token in self.live:
            self.live.discard(token)
            self.used_at[token] = self.clock[0]
        elif token not in self.used_at or self.clock[0] - self.used_at[token] > REUSE_INTERVAL_SECONDS:
            self.revoked = True  # a reuse after the interval: the whole session ends
            return httpx.Response(401, json=_error("session_expired"))
        answer = self.issue()
        if self.lose_next_refresh_answer:
            self.lose_next_refresh_answer = False
            self.clock[0] += limits["read"]  # the app waits for the answer as long as it allows, then gives up
            raise httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(200, json=answer)


async def test_a_refresh_lost_to_a_timeout_is_asked_again_inside_the_reuse_interval() -> None:
    clock = [1_000_000.0]
    backend = SlowGoTrue(clock)
    api = ApiClient(BASE_URL, transport=httpx.MockTransport(backend.handler), clock=lambda: clock[0])
    await api.verify_otp("+66811111111", "123456")
    backend.access.clear()  # the access token ran out on the server mid-session: the next call is answered 401
    backend.lose_next_refresh_answer = True
    profile = await api.me()  # the refresh is stored, its answer lost to the timeout, asked again: the session goes on
    assert profile.display_name == "ก"
    assert backend.refreshes == 2 and not backend.revoked
    clock[0] += 30  # the person's next tap: the new tokens work
    await api.me()
    assert not backend.revoked
