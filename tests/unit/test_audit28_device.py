"""audit28 #2: the web app's server read a file of its own disk that a visitor's client named.

`page.web` is what the client says of itself: Flet applies the page patch of the client's register message (the
browser's Flutter client sends `"web": true`), so a hand-made websocket client can say `false`. FletDevice chose by
it how to read a picked file: on a phone or desktop from the file's path, which the picker's answer names, also
written by the client. A visitor of the web app could so have the server read any path the server's account may
read: `/dev/zero` (the read never ends: the web app's process runs out of memory for every visitor), a FIFO (a
worker thread held for ever), or an image of the server's disk (another person's repair photo where photos are kept
on disk beside the web app) sent on as their own request's photo and shown back to them. The server knows itself
whether it serves the app to a browser over the network: it gave FletDevice the upload folder."""

from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import httpx

from mobile.app import backend_client
from mobile.device import FletDevice, PickedFile


class LyingClientPicker:
    """A hand-made client of the web app: says it is no browser (`web: false`) and answers the picker with a path
    of the server's disk. It uploads nothing."""

    def __init__(self) -> None:
        self.page = SimpleNamespace(web=False, get_upload_url=lambda name, _expires: f"/upload?f={name}")
        self.uploads = 0

    async def upload(self, files: list[Any]) -> None:
        self.uploads += 1
        raise RuntimeError("this client uploads nothing")


async def test_a_web_client_cannot_make_the_server_read_a_path_of_its_own_disk(tmp_path: Path) -> None:
    secret = tmp_path / "someone_elses_photo.jpg"
    secret.write_bytes(b"\xff\xd8 another person's photo")
    upload_dir = tmp_path / "uploads"
    upload_dir.mkdir()
    device = FletDevice(upload_dir)  # the web app's server: it serves the upload endpoint
    picker = LyingClientPicker()
    device._picker = cast(Any, picker)
    read = [data async for _f, data in device.read_picked([PickedFile(0, "x.jpg", 30, str(secret))],
                                                           lambda _f, _p: None)]
    assert read == [None]  # only what the client uploads is read, never a path it names
    assert picker.uploads == 1


async def test_a_web_client_saying_it_is_no_browser_still_calls_the_api_as_its_own_address() -> None:
    """The same lie made the web app call the API without the visitor's address (X-Forwarded-For): their sign-in
    tries counted against the web server's own address, one bucket for every such client, not theirs."""
    seen: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("x-forwarded-for"))
        return httpx.Response(200, json={"phone": "+66811111111", "expires_in": 60, "dev_code": None,
                                         "code_length": 6})

    page = cast(Any, SimpleNamespace(web=False, client_ip="203.0.113.7"))
    api = backend_client(page, transport=httpx.MockTransport(answer), served=True)
    await api.request_otp("0811111111")
    await api.aclose()
    assert seen == ["203.0.113.7"]
