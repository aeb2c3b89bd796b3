"""edges27 #1: the web app's upload endpoint (Flet's `PUT /upload`, signed URLs, `FLET_MAX_UPLOAD_SIZE`) leaves
nothing on disk that nobody will read: an upload cut at its cap, a browser gone mid-upload, a signed URL replayed
after the app read (and deleted) its file, a body still arriving after the app gave up on it. Driven through the app
exactly as `python -m mobile` serves it; the app's side (FletDevice awaiting one name at a time) as in
test_device_reading.py."""

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from flet_web.uploads import build_upload_url  # type: ignore[import-untyped]  # flet-web ships no types

from mobile.device import AWAITED_UPLOADS, AwaitedUploads, FletDevice, PickedFile
from mobile.server import RemovedAtShutdown
from shared.asgi import Message
from shared.text import error_text
from tests.unit.test_device_reading import FakeBrowserPicker, read_all
from tests.unit.web_upload_app import served_web_app

SECRET = "unit-" + "k" * 32
CAP = 1000


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[RemovedAtShutdown]:
    with served_web_app(monkeypatch, SECRET, CAP) as app:
        yield app


@contextlib.contextmanager
def awaited(name: str) -> Iterator[None]:
    """The app waits for `name` (FletDevice does so from its signed URL until it read, or gave up on, the file)."""
    AWAITED_UPLOADS.expect(name)
    try:
        yield
    finally:
        AWAITED_UPLOADS.forget(name)


def left_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*"))


async def put(app: Any, url: str, body: bytes) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as web:
        return await web.put(url, content=body)


async def test_an_upload_cut_at_its_cap_leaves_nothing(served: RemovedAtShutdown) -> None:
    url = build_upload_url("upload", "a" * 32, 60, SECRET)
    with awaited("a" * 32):
        answer = await put(served, url, b"x" * (CAP + 500))
    assert answer.status_code == 413
    assert left_in(served.folder) == []


async def test_a_browser_gone_mid_upload_leaves_nothing(served: RemovedAtShutdown) -> None:
    url = build_upload_url("upload", "b" * 32, 60, SECRET)
    path, query = url.split("?", 1)
    parts: list[Message] = [{"type": "http.request", "body": b"y" * 400, "more_body": True},
                            {"type": "http.disconnect"}]
    sent: list[Message] = []

    async def receive() -> Message:
        return parts.pop(0) if parts else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "PUT", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(b"host", b"t")], "client": ("203.0.113.9", 5000), "server": ("t", 80)}
    with awaited("b" * 32), contextlib.suppress(Exception):  # how a gone client is reported is not the point
        await served(scope, receive, send)
    assert left_in(served.folder) == []


async def test_a_url_replayed_after_the_app_read_its_file_writes_nothing(served: RemovedAtShutdown) -> None:
    name = "c" * 32
    url = build_upload_url("upload", name, 60, SECRET)
    with awaited(name):
        assert (await put(served, url, b"photo")).status_code == 200
        assert (served.folder / name).read_bytes() == b"photo"
        # Twice while the app still waits (a browser's retry, a copied URL): the first body is the one read.
        assert (await put(served, url, b"other")).status_code == 410
        assert (served.folder / name).read_bytes() == b"photo"
        (served.folder / name).unlink()  # what the app does once it read the upload
    # The URL stays signed for its whole life (15 minutes): each replay left up to the cap until the server stopped.
    answer = await put(served, url, b"z" * CAP)
    assert answer.status_code == 410
    assert answer.json()["error"]["message_th"] == error_text("upload_not_awaited").th
    assert left_in(served.folder) == []


async def test_a_name_nobody_awaits_is_refused_before_any_byte_is_written(served: RemovedAtShutdown) -> None:
    # Signed by this server, but no session of the app waits for it (a URL from a session that closed).
    answer = await put(served, build_upload_url("upload", "d" * 32, 60, SECRET), b"w" * 10)
    assert answer.status_code == 410 and answer.json()["error"]["code"] == "upload_not_awaited"
    assert left_in(served.folder) == []


async def test_a_body_still_arriving_when_the_app_gives_up_is_cut_and_deleted(served: RemovedAtShutdown) -> None:
    """The app gives up on an upload (it stalled for UPLOAD_STALL_SECONDS, or the tab's session closed): the rest of
    the body is not taken and what came is deleted, so one session holds at most one upload on disk at a time."""
    name = "e" * 32
    path, query = build_upload_url("upload", name, 60, SECRET).split("?", 1)
    taken: list[int] = []

    async def receive() -> Message:
        taken.append(len(taken))
        if len(taken) == 2:  # the second chunk arrives after the app gave up
            AWAITED_UPLOADS.forget(name)
        return {"type": "http.request", "body": b"v" * 100, "more_body": True}

    async def send(message: Message) -> None:
        pass

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "PUT", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(b"host", b"t")], "client": ("203.0.113.9", 5000), "server": ("t", 80)}
    with awaited(name), contextlib.suppress(Exception):
        await served(scope, receive, send)
    assert len(taken) == 2  # nothing asked of the browser after the app gave up
    assert left_in(served.folder) == []


async def test_the_app_awaits_each_name_only_while_its_upload_is_read(tmp_path: Path) -> None:
    names = AwaitedUploads()
    device = FletDevice(tmp_path, names)
    picker = FakeBrowserPicker(device, tmp_path, {0: b"first", 1: b"second"}, fail={1})
    seen: list[bool] = []
    upload = picker.upload

    async def upload_while_awaited(files: list[Any]) -> None:
        name = files[0].upload_url.split("f=", 1)[1]
        seen.append(names.awaited(name))
        await upload(files)

    picker.upload = upload_while_awaited  # type: ignore[method-assign]
    device._picker = picker  # type: ignore[assignment]
    read, _ = await read_all(device, [PickedFile(0, "0.jpg", 5), PickedFile(1, "1.jpg", 6)])
    assert read == {"0.jpg": b"first", "1.jpg": None} and seen == [True, True]
    assert names._done == {} and names._claimed == set()  # a read and a failed upload alike: none left
