"""audit17b: the app left open all day. Each test proves one finding and is marked xfail(strict=True) until it is
fixed: memory a signed-in session keeps growing with what it has seen, never given back while the app stays open."""

import asyncio

import httpx
import pytest

from mobile.live import LiveEvents, ServerEvent

WAITS_IN_A_DAY = 17_280  # a day offline: one poll every 5 s (POLL_SECONDS)


@pytest.mark.xfail(strict=True, reason="audit17b: LiveEvents.delays appends every backoff and poll wait for the "
                                       "session's life: memory grows every 5 s while the backend is unreachable")
async def test_a_day_without_the_live_stream_keeps_no_growing_record_of_its_waits() -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route to host", request=request)

    waits = 0

    async def a_while(seconds: float) -> None:
        nonlocal waits
        waits += 1
        if waits >= WAITS_IN_A_DAY:
            raise asyncio.CancelledError  # the app closes at the end of the day

    polls = 0

    async def poll() -> None:
        nonlocal polls
        polls += 1

    async def no_event(event: ServerEvent) -> None:
        raise AssertionError(event)

    live = LiveEvents("http://backend.test", lambda: "token", no_event, on_poll=poll,
                      transport=httpx.MockTransport(unreachable), sleep=a_while)
    with pytest.raises(asyncio.CancelledError):
        await live.run()
    assert polls > WAITS_IN_A_DAY // 2  # it polled all day, as it should
    assert len(live.delays) <= 100, f"{len(live.delays)} waits kept in memory after a day"
