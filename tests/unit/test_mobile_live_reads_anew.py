"""After a live stream ended or failed, the next one reads anew what the app shows: the backend ends a stream that
fell behind (a slow network) and every stream of a copy whose listener was lost (audit 16b, findings 13 and 10), and
what was committed meanwhile was never heard on any stream. The first stream of a session reads nothing more (the
screen has just loaded)."""

import asyncio
from collections.abc import AsyncIterator

import httpx

from mobile.live import LiveEvents, ServerEvent
from mobile.viewmodels.app import Screen
from mobile.viewmodels.home import CitizenHome
from tests.unit.mobile_fakes import BASE_URL, FakeBackend
from tests.unit.mobile_screens import current_screen
from tests.unit.test_mobile_access_changed import App

EVENT = b'event: request\ndata: {"request_id": "r1", "status": "done"}\n\n'


async def _body(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part
        await asyncio.sleep(0)


async def test_a_stream_after_an_ended_or_failed_one_reads_anew_once_it_listens() -> None:
    said: list[str] = []
    answers = ["open", "open", "down", "open"]

    def handler(request: httpx.Request) -> httpx.Response:
        answer = answers.pop(0)
        said.append(f"GET /events ({answer})")
        if answer == "down":
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, headers={"content-type": "text/event-stream"},
                              content=_body(b": connected\n\n", EVENT))

    async def on_event(event: ServerEvent) -> None:
        said.append(f"event {event.event}")

    async def on_poll() -> None:
        said.append("read anew")

    live = LiveEvents(BASE_URL, lambda: "tok", on_event, on_poll=on_poll, transport=httpx.MockTransport(handler))
    assert await live.stream_once() is True  # the session's first stream: the screen has just loaded
    assert said == ["GET /events (open)", "event request"]
    assert await live.stream_once() is True  # the server ended the first one
    assert said[2:] == ["GET /events (open)", "read anew", "event request"]
    assert await live.stream_once() is False  # the network
    assert await live.stream_once() is True
    assert said[5:] == ["GET /events (down)", "GET /events (open)", "read anew", "event request"]
    await live.aclose()


async def test_the_home_reloads_when_the_stream_comes_back_after_the_server_ended_it() -> None:
    """A citizen's home: their stream ended (its listener was lost on that backend copy, or it fell behind); the
    job they wait for became ready meanwhile, announced on no stream. The next stream's opening reloads the home."""
    app = await App(FakeBackend()).start("citizen")
    assert isinstance(app.vm.home, CitizenHome)
    asked = len(app.backend.requests)
    await app.stream_ended()  # the session's first stream, ended by the server
    assert "GET /requests/mine" not in app.backend.paths()[asked:]
    asked = len(app.backend.requests)
    await app.stream_ended()  # the stream after it
    again = app.backend.paths()[asked:]
    assert again[0] == "GET /events" and "GET /requests/mine" in again
    assert current_screen(app.vm) == Screen.HOME
