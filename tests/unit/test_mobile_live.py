"""Live events: the SSE parser, reconnects with backoff, the polling fallback, and what the app reloads."""

import asyncio
from collections.abc import AsyncIterator

import httpx

from mobile.live import LiveEvents, ServerEvent, SseParser, parse_stream, request_event
from mobile.viewmodels.app import Screen
from mobile.viewmodels.home import CitizenHome
from tests.unit.mobile_fakes import BASE_URL, DetailBackend, FakeBackend
from tests.unit.mobile_screens import signed_in


def test_parser_handles_events_comments_and_multi_line_data() -> None:
    text = (
        ": ping\n\n"
        "event: request\ndata: {\"request_id\": \"r1\",\ndata:  \"status\": \"done\"}\n\n"
        ":another comment\r\n"
        "data: plain\r\nid: 7\r\n\r\n"
        "event: request\n"  # no data, no dispatch
        "\n"
        "retry: 1000\nunknown: x\ndata:no-space\n\n"
    )
    events = parse_stream(text)
    assert events == [
        ServerEvent("request", '{"request_id": "r1",\n "status": "done"}'),
        ServerEvent("message", "plain", "7"),
        ServerEvent("message", "no-space", "7"),
    ]
    assert request_event(events[0]) == ("r1", "done")
    assert request_event(events[1]) is None


def test_parser_keeps_state_between_lines() -> None:
    parser = SseParser()
    assert parser.feed("event: request") is None
    assert parser.feed('data: {"request_id": "x", "status": "offered", "at": "2026-01-01T00:00:00Z"}') is None
    event = parser.feed("")
    assert event is not None and request_event(event) == ("x", "offered")
    assert request_event(ServerEvent("request", "not json")) is None


class Clock:
    def __init__(self) -> None:
        self.slept: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        await asyncio.sleep(0)


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part
        await asyncio.sleep(0)


async def test_streams_events_and_reconnects_after_the_server_ends_or_drops() -> None:
    seen: list[ServerEvent] = []
    calls: list[httpx.Request] = []
    clock = Clock()

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        n = len(calls)
        if n == 1:  # a good stream, split mid-line, then the server closes it
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=chunks(
                b": ping\n\nevent: request\ndata: {\"request_id\": \"a\", \"sta", b"tus\": \"done\"}\n\n"))
        if n == 2:
            raise httpx.ConnectError("refused", request=request)
        if n == 3:
            return httpx.Response(503)
        return httpx.Response(200, headers={"content-type": "text/event-stream"},
                              content=b"event: request\ndata: {\"request_id\": \"b\", \"status\": \"x\"}\n\n")

    async def on_event(event: ServerEvent) -> None:
        seen.append(event)

    live = LiveEvents(BASE_URL, lambda: "tok", on_event, transport=httpx.MockTransport(handler), sleep=clock.sleep)
    assert await live.stream_once() is True
    assert await live.stream_once() is False
    assert await live.stream_once() is False
    assert live.failures == 2
    assert await live.stream_once() is True
    assert live.failures == 0 and live.connections == 2
    assert [request_event(e) for e in seen] == [("a", "done"), ("b", "x")]
    assert calls[0].headers["authorization"] == "Bearer tok"
    assert calls[0].headers["accept"] == "text/event-stream"
    assert calls[0].url.path == "/events"
    await live.aclose()


async def test_three_failures_in_a_row_fall_back_to_polling_every_five_seconds() -> None:
    polls: list[int] = []
    clock = Clock()
    attempts: list[int] = []

    def down(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        raise httpx.ConnectError("refused", request=request)

    async def on_poll() -> None:
        polls.append(1)

    async def on_event(event: ServerEvent) -> None:
        raise AssertionError("no events while down")

    live = LiveEvents(BASE_URL, lambda: None, on_event, on_poll=on_poll,
                      transport=httpx.MockTransport(down), sleep=clock.sleep)
    task = asyncio.ensure_future(live.run())
    for _ in range(200):
        await asyncio.sleep(0)
        if len(polls) >= 3:
            break
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert clock.slept[:2] == [2, 4]  # backoff after the 1st and 2nd failures
    assert clock.slept[2:5] == [5, 5, 5]  # then polling
    assert live.polling and len(attempts) == 3 and len(polls) >= 3


async def test_an_event_for_a_shown_request_reloads_the_home_and_the_open_detail() -> None:
    backend = DetailBackend()
    app = await signed_in("citizen", backend)
    home = app.home
    assert isinstance(home, CitizenHome)
    shown_id = home.requests[0].id
    before = len(backend.calls("GET", "/requests/mine"))
    await app.live_event(ServerEvent("request", f'{{"request_id": "{shown_id}", "status": "done"}}'))
    assert len(backend.calls("GET", "/requests/mine")) == before + 1
    await app.live_event(ServerEvent("request", '{"request_id": "someone-elses", "status": "done"}'))
    assert len(backend.calls("GET", "/requests/mine")) == before + 1
    await home.open_request(shown_id)
    assert app.screen == Screen.REQUEST_DETAIL
    detail_path = f"/requests/{shown_id}"
    n = len(backend.calls("GET", detail_path))
    await app.live_event(ServerEvent("request", f'{{"request_id": "{shown_id}", "status": "done"}}'))
    assert len(backend.calls("GET", detail_path)) == n + 1
    await app.poll()
    assert len(backend.calls("GET", detail_path)) == n + 2


async def test_technician_home_reloads_on_any_event() -> None:
    backend = FakeBackend()
    app = await signed_in("technician", backend)
    before = len(backend.calls("GET", "/technician/offers"))
    await app.live_event(ServerEvent("request", '{"request_id": "any", "status": "offered"}'))
    assert len(backend.calls("GET", "/technician/offers")) == before + 1
    await app.live_event(ServerEvent("message", "hello"))
    assert len(backend.calls("GET", "/technician/offers")) == before + 1
