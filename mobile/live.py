"""Live updates: GET /events (Server-Sent Events) read with httpx streaming, with reconnects and a polling fallback.

No Flet here. The app passes a callback per event and a callback to poll the current screen (`on_poll`: read what
shows anew), called at each poll and when a stream opens after an earlier one ended or failed: the backend ends a
stream that fell behind or whose listener was lost, and a network drops one, and what was committed meanwhile was
not heard. A test passes an httpx.MockTransport and a fake sleep.
"""

import asyncio
import inspect
import json
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from mobile.api_client import EVENT_STREAM_TYPES, from_a_portal
from mobile.outbox import RECENT_WAITS, backoff_delay
from shared.notifications import LIVE_PING_SECONDS, LeadLeft

POLL_SECONDS = 5.0
# A stream that delivers nothing, not even the server's ping, for this long is dead: two pings missed and a third
# late. A half-open connection (the phone changed networks, a NAT dropped its mapping) raises nothing by itself, so
# without a read deadline the app would wait on it for good: no reconnect, no polls, screens that stop following.
READ_TIMEOUT_SECONDS = 3 * LIVE_PING_SECONDS
FAILURES_BEFORE_POLLING = 3
# While polling, the stream is tried again every this many polls (a minute), to get back to push.
POLLS_BETWEEN_STREAM_TRIES = 12

Sleep = Callable[[float], Awaitable[None]]
# Asked at each (re)connect: the app passes ApiClient.fresh_token, which refreshes an access token about to expire
# (the stream outlives the token's hour); a plain function returning the token works too.
TokenSource = Callable[[], str | None] | Callable[[], Awaitable[str | None]]
# Told of a connection the backend refused with an error of its own: (HTTP status, the error's code), e.g.
# (403, "account_suspended"), which the app acts on at once instead of backing off into polling.
Refused = Callable[[int, str], Awaitable[None]]
# Told when the server ended a stream that had opened (not when the network dropped it): the backend does so when
# the person's role or college changed (or the account closed), so the app reads GET /me again. (It also ends a
# stream that fell behind, and every stream when its listener was lost: the next stream reads what shows anew.)
Ended = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class ServerEvent:
    event: str  # "message" when the server named none
    data: str
    id: str | None = None

    def json(self) -> Any:
        return json.loads(self.data)


class SseParser:
    """The text/event-stream format, line by line: fields, multi-line data, comments, blank-line dispatch."""

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None

    def feed(self, line: str) -> ServerEvent | None:
        line = line.rstrip("\r\n")
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None  # a comment, e.g. the server's ": ping" keep-alive
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            self._id = value
        return None  # "retry" and unknown fields are ignored

    def _dispatch(self) -> ServerEvent | None:
        if not self._data:
            self._event = ""
            return None
        event = ServerEvent(self._event or "message", "\n".join(self._data), self._id)
        self._event, self._data = "", []
        return event


def parse_stream(text: str) -> list[ServerEvent]:
    parser = SseParser()
    return [e for e in (parser.feed(line) for line in text.split("\n")) if e is not None]


class LiveEvents:
    def __init__(
        self,
        base_url: str,
        token: TokenSource,
        on_event: Callable[[ServerEvent], Awaitable[None]],
        *,
        on_poll: Callable[[], Awaitable[None]] | None = None,
        on_refused: Refused | None = None,
        on_ended: Ended | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
        connect_timeout: float = 10.0,
    ) -> None:
        self._token = token
        self._on_event = on_event
        self._on_poll = on_poll
        self._on_refused = on_refused
        self.on_ended = on_ended  # the app sets it after its factory made the stream
        self._sleep = sleep
        # Quiet stretches are fine (the server pings through them), a stream silent past READ_TIMEOUT_SECONDS is not.
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            transport=transport,
            timeout=httpx.Timeout(connect_timeout, read=READ_TIMEOUT_SECONDS),
        )
        self.failures = 0  # failed connections in a row
        self.connections = 0  # streams opened (a reconnect counts again)
        self.polling = False
        # Streams in a row that ended having carried nothing after their first line (no event, no ping).
        self.quick_ends = 0
        self._delays: deque[float] = deque(maxlen=RECENT_WAITS)

    @property
    def delays(self) -> list[float]:
        """The last backoff and poll waits (at most RECENT_WAITS), oldest first: for tests and diagnostics."""
        return list(self._delays)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def run(self) -> None:
        """Until cancelled: stream, reconnect with backoff; after 3 failures in a row, poll every 5 s."""
        try:
            while True:
                if await self.stream_once():
                    if self.quick_ends <= 1:
                        continue  # the server ended a good stream: reconnect at once
                    # Streams that end as soon as they open, one after another (a backend copy shutting down, a
                    # proxy that cuts every stream): asked again at once, each time, the app asked without end
                    # (and read its screen and GET /me anew each time). Waited for like failures (resil24 F3).
                    delay = backoff_delay(self.quick_ends - 1)
                    self._delays.append(delay)
                    await self._sleep(delay)
                    continue
                if self.failures >= FAILURES_BEFORE_POLLING:
                    await self._poll_for_a_while()
                else:
                    delay = backoff_delay(self.failures)
                    self._delays.append(delay)
                    await self._sleep(delay)
        finally:
            await self.aclose()

    async def stream_once(self) -> bool:
        """One connection: True if it opened (and later ended), False if it failed."""
        found = self._token()
        token = await found if inspect.isawaitable(found) else found
        headers = {"Accept": "text/event-stream"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        lines: int | None = None  # lines the stream carried; None: it never opened
        failed_before = 0
        try:
            async with self._http.stream("GET", "/events", headers=headers) as response:
                if response.status_code != 200:
                    self.failures += 1
                    code = _error_code(await response.aread()) if response.is_client_error else None
                    if code is not None and self._on_refused is not None:
                        await self._on_refused(response.status_code, code)
                    return False
                if from_a_portal(response, EVENT_STREAM_TYPES):
                    # A captive portal's page (the Wi-Fi wants a sign-in), not the backend's stream: a failed
                    # connection, tried again with backoff. Taken for a stream that ended, it was asked again at once,
                    # over and over, while the hotel's page answered.
                    self.failures += 1
                    return False
                resumed = self.connections > 0 or self.failures > 0
                # A stream cut before it carried more than its first line (a proxy or a copy shutting down that
                # resets every stream) is one more failure in a row, not a fresh start: zeroed here, the count gave
                # each cut the first wait (2 s) for ever, never the longer ones nor the polling (audit25 F1).
                failed_before, self.failures = self.failures, 0
                self.polling = False
                self.connections += 1
                parser = SseParser()
                lines = 0
                async for line in response.aiter_lines():
                    lines += 1
                    if resumed:
                        # The stream's first line (": connected") comes once the server listens for this person:
                        # what changed before it, since the last stream ended or failed, was not heard. Read what
                        # shows anew now; anything later comes on this stream.
                        resumed = False
                        await self._read_anew()
                    event = parser.feed(line)
                    if event is not None:
                        await self._on_event(event)
        # Refused, dropped mid-stream, silent past the read deadline, DNS, a body that does not decode: all the
        # same, try again later.
        except httpx.RequestError:
            if lines is not None and lines <= 2:
                self.failures = failed_before
            self.failures += 1
            return False
        # ": connected" and its blank line are all a stream ended at once carries.
        self.quick_ends = self.quick_ends + 1 if lines <= 2 else 0
        if self.on_ended is not None:  # the server closed it: the person's access may have changed
            await self.on_ended()
        return True

    async def _poll_for_a_while(self) -> None:
        self.polling = True
        for _ in range(POLLS_BETWEEN_STREAM_TRIES):
            self._delays.append(POLL_SECONDS)
            await self._sleep(POLL_SECONDS)
            await self._read_anew()

    async def _read_anew(self) -> None:
        if self._on_poll is not None:
            await self._on_poll()


def _error_code(body: bytes) -> str | None:
    """The code of the backend's error body ({"error": {"code": ...}}); None for anything else (a proxy's page)."""
    try:
        code = json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None
    return code if isinstance(code, str) else None


def request_event(event: ServerEvent) -> tuple[str, str] | None:
    """(request_id, status) of a "request" event; None for anything else or unreadable data."""
    if event.event != "request":
        return None
    try:
        data = event.json()
        return str(data["request_id"]), str(data.get("status", ""))
    except (ValueError, KeyError, TypeError):
        return None


def lead_left_event(event: ServerEvent) -> tuple[str, LeadLeft, bool] | None:
    """(request_id, how, kept) of the event that tells a student the job they led left them (0056): taken back or
    given to another student, and whether they stay on its team with their hours. None for any other event."""
    if event.event != "request":
        return None
    try:
        data = event.json()
        return str(data["request_id"]), LeadLeft(data["lead_left"]), data.get("kept") is True
    except (ValueError, KeyError, TypeError):
        return None


def commit_at(event: ServerEvent) -> str | None:
    """The commit's time (`at`) a "request", "offer" or "notification" event carries, about a request or not (a
    closed-messages event, migration 0127, names none): the events one commit sends carry the same. None when it has
    none."""
    if event.event not in ("request", "offer", "notification"):
        return None
    try:
        at = event.json().get("at")
    except (ValueError, AttributeError):
        return None
    return str(at) if at else None


def change_heard(event: ServerEvent) -> tuple[str, str] | None:
    """(request_id, at) of a "request" or "notification" event about a request: which request, and the commit that
    changed it. The database stamps a change's status event and the messages it writes with the same `now()` (their
    `created_at`, `at` on the wire: backend/live.py `public_part`), so two events with the same pair tell of one
    change, and a screen read again after the first already shows it. None for an event about no request, or
    unreadable data."""
    if event.event not in ("request", "notification"):
        return None
    try:
        data = event.json()
        request_id, at = data["request_id"], data["at"]
    except (ValueError, KeyError, TypeError):
        return None
    if not request_id or not at:
        return None
    return str(request_id), str(at)
