"""audit25: the live stream's back-off (resil24 F3) seen by a fresh pair of eyes. A stream cut (not closed) as soon
as it opens."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from mobile.live import FAILURES_BEFORE_POLLING, POLL_SECONDS, LiveEvents, ServerEvent
from tests.unit.mobile_fakes import BASE_URL


class _CutAfterTheFirstLine(httpx.AsyncByteStream):
    """A proxy or a backend copy shutting down that resets every stream right after its first line: the app reads
    ": connected", then the connection drops (no clean end)."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b": connected\n\n"
        raise httpx.ReadError("connection reset by peer")


async def test_a_stream_cut_as_soon_as_it_opens_is_asked_again_less_and_less_often() -> None:
    opened = 0
    reads = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal opened
        opened += 1
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=_CutAfterTheFirstLine())

    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) >= 8:
            raise asyncio.CancelledError

    async def on_event(_: ServerEvent) -> None:
        return None

    async def on_poll() -> None:  # the screen and GET /me read anew: what every reconnect costs the backend
        nonlocal reads
        reads += 1

    live = LiveEvents(BASE_URL, lambda: "token", on_event, on_poll=on_poll,
                      transport=httpx.MockTransport(handler), sleep=sleep)
    with pytest.raises(asyncio.CancelledError):
        await live.run()
    # As for streams that fail to open (or end cleanly at once, resil24 F3): each cut counts as a failure in a
    # row, so the waits grow and, past FAILURES_BEFORE_POLLING, the app polls (every POLL_SECONDS) rather than
    # asking for a stream every 2 s. Before the fix: waits [2.0] * 8, a stream opened and the screen read anew for
    # each.
    assert waits[:2] == [2.0, 4.0], waits
    assert POLL_SECONDS in waits and opened == FAILURES_BEFORE_POLLING, (opened, waits)
