"""The app's network edge: what a build may talk to, and how answers that are not the backend's (a proxy's page, a
garbled body, a connection that died silently) reach the person. Findings of audit14b."""

import contextlib
from pathlib import Path

import httpx
import pytest

from mobile.api_client import NETWORK_UNREACHABLE
from mobile.configure import main as configure_main
from mobile.viewmodels.app import AppViewModel
from mobile.viewmodels.loadable import LoadState
from shared.text import error_text
from tests.unit.mobile_fakes import FakeBackend, MemoryStore
from tests.unit.mobile_screens import sign_in


def test_a_phone_build_refuses_a_plain_http_backend_on_a_public_host(tmp_path: Path) -> None:
    """mobile/configure.py `checked` took any http(s) URL and `main` only printed a note for http: the build then
    carried `http://api…`, and every sign-in code, token, address and phone number of the app would cross the
    network in clear text (on a phone that allows it; where Android or iOS refuses it, a build that cannot reach its
    backend at all). Loopback and the emulator's host (10.0.2.2) are a developer's; a public host is not."""
    toml = tmp_path / "flet.toml"
    toml.write_text('[app]\nbackend_url = "http://127.0.0.1:8000"\n', encoding="utf-8")
    status = configure_main(["--file", str(toml), "--backend-url", "http://api.fixit-centers.example.th"])
    assert status != 0, "written: " + toml.read_text(encoding="utf-8")


@pytest.mark.parametrize(("url", "status"), [
    ("http://127.0.0.1:8000", 0), ("http://localhost:8000", 0), ("http://10.0.2.2:8000", 0), ("http://[::1]:8000", 0),
    ("https://api.fixit-centers.example.th", 0),
    # A school's LAN is a shared Wi-Fi: its codes and phone numbers must not cross it in clear text either.
    ("http://192.168.1.20:8000", 2), ("http://203.0.113.7", 2), ("http://LOCALHOST.example.th", 2),
])
def test_plain_http_is_for_the_developers_own_machine_only(tmp_path: Path, url: str, status: int) -> None:
    toml = tmp_path / "flet.toml"
    toml.write_text('[app]\nport = 9000\n', encoding="utf-8")
    before = toml.read_bytes()
    assert configure_main(["--file", str(toml), "--backend-url", url]) == status
    assert (toml.read_bytes() == before) == (status != 0)


def test_a_hand_edited_plain_http_backend_is_refused_when_shown_too(tmp_path: Path) -> None:
    """`python -m mobile.configure` with no changes (a build script's check of what it will carry) fails too."""
    toml = tmp_path / "flet.toml"
    toml.write_text('[app]\nbackend_url = "http://api.fixit-centers.example.th"\n', encoding="utf-8")
    assert configure_main(["--file", str(toml)]) == 2


class GarbledBody(FakeBackend):
    """While `garbled`, GET /requests/mine comes back through a middlebox that says gzip and sends something else."""

    def __init__(self) -> None:
        super().__init__()
        self.garbled = False

    async def _answer(self, request: httpx.Request) -> httpx.Response:
        if self.garbled and request.method == "GET" and request.url.path == "/requests/mine":
            self.requests.append(request)
            return httpx.Response(200, headers={"content-type": "application/json", "content-encoding": "gzip"},
                                  stream=httpx.ByteStream(b"<html>portal</html>"))
        return await super()._answer(request)


async def test_a_garbled_answer_shows_an_error_and_the_screen_loads_again_afterwards() -> None:
    """mobile/api_client.py `_request` turned only httpx.TransportError into ApiError. A body that does not decode
    (a proxy or captive portal that says gzip and sends something else) raises httpx.DecodingError, a RequestError
    but no TransportError: it leaves `Loadable.load` with the state still LOADING (no message, a spinner), and as
    every later load returns at once while one is LOADING, the home never loads again, not even once the network
    is fine."""
    backend = GarbledBody()
    vm = AppViewModel(backend.client(), MemoryStore())
    await vm.start()
    await sign_in(vm, "citizen")
    home = vm.home
    assert home is not None and home.state == LoadState.READY

    backend.garbled = True
    with contextlib.suppress(httpx.HTTPError):  # what Flet's handler would do with it: log it
        await home.load()
    assert (home.state, home.error) == (LoadState.FAILED, error_text(NETWORK_UNREACHABLE).th), \
        "no answer of the backend's arrived: the person is told to check their connection"
    backend.garbled = False
    await home.retry()  # the network is fine again; the person taps retry or pulls to refresh
    assert home.state == LoadState.READY, "the home stays on its spinner for good"
