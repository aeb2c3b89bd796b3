"""review27a #1: a body that stops arriving keeps its file open past the app's give-up.

Flet's upload handler opens the file before the first chunk and then waits in `receive()` for the next; the guard
(`AwaitedUploadsOnly`, edges27 #1) asks whether the app still awaits the name only before each `receive()`. A PUT
that sends part of a body and then nothing (a visitor's own script, or a phone whose network died mid-upload) is
never asked again: after the app gives up (UPLOAD_STALL_SECONDS) and unlinks the file, the handler still holds it
open, so its bytes stay on disk for as long as the connection stays open (uvicorn sets no limit on a body's pauses).
The same session then picks again: one more name, one more stalled PUT, up to the cap each: "one session holds at
most one upload on disk at a time" did not hold."""

import asyncio
import contextlib
from collections.abc import Iterator

import pytest
from flet_web.uploads import build_upload_url  # type: ignore[import-untyped]  # flet-web ships no types

from mobile.device import AWAITED_UPLOADS
from mobile.server import RemovedAtShutdown
from shared.asgi import Message
from tests.unit.web_upload_app import served_web_app

SECRET = "unit-" + "r" * 32
CAP = 100_000
# Only a bound on a hang (the handler never ending): nothing here is timed, the cut follows the give-up at once.
HANG = 10.0
CHUNK = 20_000


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[RemovedAtShutdown]:
    with served_web_app(monkeypatch, SECRET, CAP) as app:
        yield app


async def test_a_body_that_stops_arriving_is_let_go_when_the_app_gives_up(served: RemovedAtShutdown) -> None:
    name = "f" * 32
    path, query = build_upload_url("upload", name, 60, SECRET).split("?", 1)
    asked: list[int] = []
    waiting_for_more = asyncio.Event()  # the first chunk written, the handler asks for the next
    never = asyncio.Event()  # the rest of the body: it never comes

    async def receive() -> Message:
        asked.append(len(asked))
        if len(asked) == 1:
            return {"type": "http.request", "body": b"s" * CHUNK, "more_body": True}
        waiting_for_more.set()
        await never.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        pass

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "PUT", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(b"host", b"t")], "client": ("203.0.113.9", 5000), "server": ("t", 80)}

    async def serve() -> None:
        with contextlib.suppress(Exception):  # how a cut body is reported is not the point
            await served(scope, receive, send)

    AWAITED_UPLOADS.expect(name)
    handling = asyncio.create_task(serve())
    try:
        await waiting_for_more.wait()
        target = served.folder / name
        assert target.stat().st_size == CHUNK  # the first chunk on disk (past the file's write buffer)
        # The app gives up on the upload (it stalled for UPLOAD_STALL_SECONDS), as FletDevice._read_uploaded does.
        AWAITED_UPLOADS.forget(name)
        target.unlink()
        done, _ = await asyncio.wait({handling}, timeout=HANG)
        # Still waiting for a body that never comes: the unlinked file stays open, its bytes on the disk.
        assert handling in done
    finally:
        AWAITED_UPLOADS.forget(name)
        handling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await handling
