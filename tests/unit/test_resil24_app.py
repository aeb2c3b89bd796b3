"""resil24: the app on a bad network. A refresh whose answer is lost (F2), and a stream that ends as soon as it
opens (F3)."""

import asyncio
import json

import httpx
import pytest

from mobile.api_client import ApiClient
from mobile.live import LiveEvents, ServerEvent
from shared.text import error_text
from tests.unit.mobile_fakes import BASE_URL

# Supabase Auth (GoTrue) lets a refresh token that was just used be used again for this long
# (GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL, 10 s by default): a refresh whose answer was lost can be asked
# again. Used again later, it ends the whole session ("Invalid Refresh Token: Already Used").
REUSE_INTERVAL_SECONDS = 10.0


def _error(code: str) -> dict[str, object]:
    text = error_text(code)
    return {"error": {"code": code, "message_th": text.th, "message_en": text.en}}


class GoTrueLike:
    """Single-use refresh tokens with GoTrue's reuse interval, and a network that loses the first refresh's answer
    after the server rotated the token."""

    def __init__(self, clock: list[float]) -> None:
        self.clock = clock
        self.n = 0
        self.access: set[str] = set()
        self.live_refresh: set[str] = set()
        self.used_at: dict[str, float] = {}
        self.revoked = False
        self.lose_next_refresh_answer = False
        self.calls: list[str] = []

    def issue(self) -> dict[str, object]:
        self.n += 1
        access, refresh = f"access-{self.n}", f"refresh-{self.n}"
        self.access.add(access)
        self.live_refresh.add(refresh)
        return {"access_token": access, "refresh_token": refresh, "expires_in": 3600,
                "expires_at": self.clock[0] + 3600,
                "profile": {"id": "00000000-0000-0000-0000-000000000001", "role": "citizen", "display_name": "ก"}}

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request.url.path)
        if request.url.path == "/auth/otp/verify":
            return httpx.Response(200, json=self.issue())
        if request.url.path == "/auth/refresh":
            token = json.loads(request.content)["refresh_token"]
            if self.revoked:
                return httpx.Response(401, json=_error("session_expired"))
            if token in self.live_refresh:
                self.live_refresh.discard(token)
                self.used_at[token] = self.clock[0]
            elif token in self.used_at and self.clock[0] - self.used_at[token] <= REUSE_INTERVAL_SECONDS:
                pass  # GoTrue: reused within the interval, a new pair for the same session
            else:
                self.revoked = True  # reuse detected: the whole session ends
                return httpx.Response(401, json=_error("session_expired"))
            answer = self.issue()
            if self.lose_next_refresh_answer:
                self.lose_next_refresh_answer = False
                raise httpx.ReadError("connection reset by peer", request=request)  # stored, answer lost
            return httpx.Response(200, json=answer)
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.access:
            return httpx.Response(401, json=_error("token_invalid"))
        return httpx.Response(200, json={"id": "00000000-0000-0000-0000-000000000001", "role": "citizen",
                                         "display_name": "ก"})


async def test_a_refresh_whose_answer_was_lost_keeps_the_session() -> None:
    clock = [1_000_000.0]
    backend = GoTrueLike(clock)
    api = ApiClient(BASE_URL, transport=httpx.MockTransport(backend.handler), clock=lambda: clock[0])
    await api.verify_otp("+66811111111", "123456")
    backend.access.clear()  # the access token expired on the server mid-session: the next call is answered 401
    backend.lose_next_refresh_answer = True
    await api.me()  # the refresh's answer is lost on the way (the server rotated the token): asked again at once
    assert backend.calls.count("/auth/refresh") == 2
    clock[0] += 30  # the person's next tap, half a minute later on a weak network
    await api.me()  # not thrown out: the session goes on
    assert not backend.revoked


async def test_a_stream_that_ends_at_once_is_asked_again_with_backoff() -> None:
    opened = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal opened
        opened += 1
        if opened > 20:  # a guard for this test: without back-off the loop never waits
            raise asyncio.CancelledError
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=b": connected\n\n")

    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) >= 3:
            raise asyncio.CancelledError

    async def on_event(_: ServerEvent) -> None:
        return None

    live = LiveEvents(BASE_URL, lambda: "token", on_event, transport=httpx.MockTransport(handler), sleep=sleep)
    with pytest.raises(asyncio.CancelledError):
        await live.run()
    # Three streams that each ended at once: the app waited before asking again, more each time.
    assert opened <= 5
    assert waits and waits == sorted(waits) and waits[0] > 0
