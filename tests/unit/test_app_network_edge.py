"""The app's network edge: what a build may talk to, and how answers that are not the backend's (a proxy's page, a
garbled body, a connection that died silently) reach the person. Findings of audit14b."""

import contextlib
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from backend.settings import Settings
from mobile.api_client import ApiClient, ApiError
from mobile.configure import main as configure_main
from mobile.live import LiveEvents, ServerEvent
from mobile.viewmodels.app import AppViewModel
from mobile.viewmodels.invitation import InvitationCard
from mobile.viewmodels.loadable import LoadState
from mobile.viewmodels.request_form import FormState
from mobile.viewmodels.session import Session
from shared.notifications import LIVE_PING_SECONDS
from shared.text import Locale, error_text
from shared.wire import NETWORK_UNREACHABLE, StaffInvitation
from tests.unit.mobile_fakes import COLLEGE, PHOTO_PATH, FakeBackend, MemoryStore, RequestBackend, jpeg_with_exif
from tests.unit.mobile_screens import fill_valid, open_form, sign_in


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


class ProxyBodyLimit(RequestBackend):
    """A reverse proxy in front of the backend with its own body limit (nginx's default client_max_body_size is
    1 MB): a photo PUT above it is answered 413 with the proxy's HTML page, never reaching the backend."""

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT" and PHOTO_PATH.match(request.url.path):
            self.requests.append(request)
            return httpx.Response(413, text="<html><head><title>413 Request Entity Too Large</title></head>"
                                            "<body><center><h1>413 Request Entity Too Large</h1></center>"
                                            "<hr><center>nginx</center></body></html>",
                                  headers={"content-type": "text/html"})
        return super().handle(request)


async def test_a_proxys_413_on_a_photo_does_not_tell_the_person_to_just_try_again() -> None:
    """mobile/api_client.py `_error_from_response`: an error whose body is not the backend's JSON was `internal_error`
    (401 aside), so a proxy's 413 on a photo upload told the person "ระบบขัดข้อง กรุณาลองใหม่อีกครั้ง" and the form
    offered a retry that fails the same way every time (the outbox, sending it later, turns it "failed" with the same
    words). The person is never told that a photo is too large to send."""
    backend = ProxyBodyLimit()
    _, form = await open_form(backend)
    fill_valid(form)
    form.add_photos([("a.jpg", jpeg_with_exif())])
    await form.submit()
    # No retry either (edge15): the form says what to change (tests/unit/test_app_network_last_edges.py).
    assert form.state == FormState.EDITING and not form.can_retry and len(backend.calls("POST", "/requests")) == 1
    assert form.form_error != error_text("internal_error").th, "told to try again, which fails the same way"




@pytest.mark.parametrize(("status", "code"), [
    (401, "not_authenticated"), (408, NETWORK_UNREACHABLE), (413, "upload_too_large"), (429, "too_many_requests_later"),
    (502, "server_unavailable"), (503, "server_unavailable"), (504, "server_unavailable"), (403, "request_refused"),
    (404, "request_refused"), (500, "internal_error"),
])
async def test_a_proxys_own_error_page_is_named_by_its_status(status: int, code: str) -> None:
    """Any error answer without the backend's body (a proxy's HTML page, an empty body, another JSON) is told by its
    status in both languages; only the backend's own 500 and unknown 5xx say "something went wrong"."""
    def proxy(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, text=f"<html><body><h1>{status}</h1>nginx</body></html>",
                              headers={"content-type": "text/html"})

    api = ApiClient("http://backend.test", transport=httpx.MockTransport(proxy))
    try:
        with pytest.raises(ApiError) as raised:
            await api.my_requests()
    finally:
        await api.aclose()
    text = error_text(code, status=status)
    assert (raised.value.status, raised.value.code, raised.value.text) == (status, code, text)
    assert "{" not in text.th + text.en and str(status) in error_text("request_refused", status=status).en


async def test_the_live_streams_reads_have_a_deadline_longer_than_the_servers_pings() -> None:
    """mobile/live.py built its client with `httpx.Timeout(connect, read=None)`. The server pings every 15 s, but a
    half-open connection (the phone changed networks, a NAT dropped the mapping) delivers nothing and raises nothing:
    with no read deadline `stream_once` waits on it forever, so the app neither reconnects nor falls back to polling,
    and the person's screens stop following their requests, offers and bell until the app is restarted."""
    asked: list[dict[str, float | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(dict(request.extensions["timeout"]))
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=b": ping\n\n")

    async def on_event(_: ServerEvent) -> None:
        return None

    live = LiveEvents("http://backend.test", lambda: "token", on_event, transport=httpx.MockTransport(handler))
    try:
        assert await live.stream_once()
    finally:
        await live.aclose()
    (timeout,) = asked
    assert timeout["read"] is not None, "the stream's reads wait forever on a connection that died silently"
    assert timeout["read"] > 2 * LIVE_PING_SECONDS, "a stream quiet between two pings is no dead one"


def test_a_backend_pings_at_least_as_often_as_the_apps_count_on() -> None:
    """The apps' read deadline is counted in shared's LIVE_PING_SECONDS: a backend set to ping less often would have
    every quiet stream dropped and reopened."""
    assert Settings().sse_ping_seconds == LIVE_PING_SECONDS
    with pytest.raises(ValidationError):
        Settings(sse_ping_seconds=LIVE_PING_SECONDS * 3)


async def test_an_invitations_deadline_says_when_on_the_last_day_it_lapses() -> None:
    """mobile/viewmodels/invitation.py `deadline` showed "ตอบรับภายใน 9 ธ.ค. 2569" (format_date), while the backend lets
    it lapse at `now() + 14 days` (0036), the very hour the teacher sent it. Sent at 09:00 on 25 Nov (Bangkok), it
    lapses at 09:00 on 9 Dec: a student who reads "by 9 Dec" and answers after morning classes finds it gone
    ("invitation_expired"). The same date-only deadline is on the teacher's list of invites ("หมดอายุ 9 ธ.ค.")."""
    backend = FakeBackend()
    card = InvitationCard(backend.client(), Session(Locale.TH), changed=lambda: None,
                          lost_sign_in=_never_lost, show=lambda _: None)
    card.invitation = StaffInvitation.model_validate({
        "role": "technician", "college": COLLEGE, "skills": {},
        "invited_at": "2026-11-25T02:00:00+00:00",  # 09:00 in Bangkok
        "expires_at": "2026-12-09T02:00:00+00:00",  # 14 days on: 09:00 on 9 Dec in Bangkok
    })
    shown = card.deadline(Locale.TH).replace("\u00a0", " ")
    assert "09:00" in shown or "8 ธ.ค." in shown, shown
    assert shown == "ตอบรับภายใน 9 ธ.ค. 2569 เวลา 09:00 น."
    assert card.deadline(Locale.EN).replace("\u00a0", " ") == "Answer by 09:00 on 9 Dec 2026"


async def _never_lost(_: object) -> bool:
    return False
