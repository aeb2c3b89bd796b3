"""A shared phone's sign-out: nothing of the last person's session reaches the next person on the phone (their
pushes, their answers arriving late, their drafts), and the sign-out forgets them on the device at once.

Found by the audit14b review (tests/unit/test_audit14b.py had them as xfail)."""

import asyncio
import json

import httpx
import pytest

from mobile.api_client import ApiClient, ApiError
from mobile.models import SessionTokens
from mobile.outbox import ItemState
from mobile.push import OneSignalPush
from mobile.viewmodels.app import AppViewModel, Screen
from shared.wire import UNREAD_COUNT_HEADER
from tests.unit.mobile_fakes import FakeBackend, MemoryStore, OnePersonPerPhone, error_response
from tests.unit.mobile_screens import fill_valid, open_form, sign_in
from tests.unit.test_mobile_account_inbox import SUBSCRIPTION, FakeOneSignal, Inbox, screen_of
from tests.unit.test_mobile_api_client import RefreshingBackend


def devices_registry(backend: FakeBackend) -> dict[str, str]:
    """POST /me/devices and DELETE /me/devices/{token} as the backend keeps them: token -> the role it pushes to.
    Both need a live sign-in (the real routes take the caller from the token)."""
    devices: dict[str, str] = {}

    def register(request: httpx.Request) -> httpx.Response:
        role = backend._role(request)
        if role is None:
            return error_response(401, "token_invalid")
        devices[SUBSCRIPTION] = role
        return httpx.Response(204)

    def drop(request: httpx.Request) -> httpx.Response:
        if backend.offline:
            raise httpx.ConnectError("connection refused", request=request)
        if backend._role(request) is None:
            return error_response(401, "token_invalid")
        devices.pop(SUBSCRIPTION, None)
        return httpx.Response(204)

    backend.overrides[("POST", "/me/devices")] = register
    backend.overrides[("DELETE", f"/me/devices/{SUBSCRIPTION}")] = drop
    return devices


@pytest.mark.parametrize("how", ["session_ended", "offline_sign_out"])
async def test_after_a_sign_out_the_shared_phone_gets_none_of_the_last_persons_pushes(how: str) -> None:
    """Was (audit14b): the backend forgot the device only if DELETE /me/devices succeeded, and the phone only logged
    out of OneSignal. OneSignal's logout keeps the device's push subscription (a new
    anonymous user gets it, same id) and the backend sends to that id (`include_subscription_ids`), so when the
    DELETE fails nothing stops the last person's pushes ("new job FX-…", their request's progress) from showing on
    the phone the next person picks up. It fails whenever the sign-out follows a session the server already ended
    (a 401: refresh token revoked or idle past 30 days) or is done without a connection."""
    backend = FakeBackend()
    Inbox(backend)
    devices = devices_registry(backend)
    onesignal = FakeOneSignal(SUBSCRIPTION)
    vm = AppViewModel(backend.client(), MemoryStore(), push=OneSignalPush(onesignal, "android"))
    await vm.start()
    await sign_in(vm, "citizen")
    assert vm.screen == Screen.HOME and devices == {SUBSCRIPTION: "citizen"}

    if how == "session_ended":
        backend.tokens.clear()  # the server ended the session: the next call answers 401
        await vm.poll()
    else:
        backend.offline = True
        await vm.sign_out()
    assert screen_of(vm) == Screen.LOGIN

    # Either the backend forgot the device, or the phone stopped its push subscription (to opt in again at the
    # next sign-in): otherwise the pushes to SUBSCRIPTION still arrive.
    still_pushed = SUBSCRIPTION in devices and ("opt_out_push", None) not in onesignal.calls
    assert not still_pushed, (devices, onesignal.calls)

    # The next person's sign-in moves the device to them first, and only then lets pushes show again.
    backend.offline = False
    onesignal.calls.clear()
    await sign_in(vm, "technician")
    assert devices == {SUBSCRIPTION: "technician"} and onesignal.calls[-1] == ("opt_in_push", None)


class WeakNetworkPost(OnePersonPerPhone):
    """The first POST /requests hangs on a weak network until `release`, then fails as no connection."""

    def __init__(self) -> None:
        super().__init__()
        self.post_held = asyncio.Event()
        self.post_release = asyncio.Event()
        self._hold = True

    async def _answer(self, request: httpx.Request) -> httpx.Response:
        if self._hold and request.method == "POST" and request.url.path == "/requests":
            self._hold = False
            self.post_held.set()
            await self.post_release.wait()
            raise httpx.ConnectTimeout("no answer on a weak network", request=request)
        return await super()._answer(request)


async def test_a_send_that_fails_after_a_sign_out_never_becomes_the_next_persons_draft() -> None:
    """Was (audit14b): `_saved_offline` added the failed form's draft to `self.outbox`, the outbox of whoever is
    signed in when the send gives up, and `Outbox.add` stamped it with that person's id. On a weak network a send
    can hang for tens of seconds (10 s per connect/write/read): the citizen gives up, goes back to the home (the app
    asks, they leave), signs out and hands the phone over; a student signs in; then the send fails. The citizen's
    request (their address, their phone, their photos) is now on the student's home as the student's draft, and the
    student's sender files it as a request of the student's account."""
    backend = WeakNetworkPost()
    app, form = await open_form(backend)
    fill_valid(form)
    sending = asyncio.ensure_future(form.submit())
    await backend.post_held.wait()

    await app.open_route("/")  # the citizen gives up waiting
    assert app.leave_target == "/"
    await app.confirm_leave()
    await app.sign_out()
    await sign_in(app, "technician")  # the next person on this phone
    outbox = app.outbox
    assert outbox is not None and outbox.items == []

    backend.post_release.set()
    await sending
    assert [item.body["address"] for item in outbox.items] == [], "the citizen's draft is the student's now"
    await outbox.flush()
    sent_as_student = [json.loads(r.content) for r in backend.calls("POST", "/requests")
                       if r.headers["authorization"].startswith("Bearer token-technician")]
    assert sent_as_student == [], "the citizen's request was filed under the student's account"
    assert screen_of(app) == Screen.HOME and app.session.signed_in, "the student's session was disturbed"

    # The draft is its writer's, held: the citizen finds it when they sign in again, to send, edit or discard.
    await app.sign_out()
    await sign_in(app, "citizen")
    assert app.outbox is not None
    assert [(item.body["address"], item.state) for item in app.outbox.items] == [(form.address, ItemState.HELD)]


class SlowSignOut(FakeBackend):
    """POST /auth/sign-out hangs on a weak network (until the test ends)."""

    def __init__(self) -> None:
        super().__init__()
        self.sign_out_held = asyncio.Event()

    async def _answer(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/auth/sign-out":
            self.sign_out_held.set()
            await asyncio.Event().wait()
        return await super()._answer(request)


async def test_a_sign_out_forgets_the_person_on_the_device_before_it_waits_for_the_network() -> None:
    """Was (audit14b): `sign_out` awaited DELETE /me/devices and POST /auth/sign-out (each up to the 10 s timeout
    per connect/write/read) before it cleared the stored session and closed the screens. On a weak network the
    person taps "sign out", sees their home stay, closes the app and hands the phone over: opened again, the app is
    still signed in as them (and the session was never revoked)."""
    backend = SlowSignOut()
    store = MemoryStore()
    vm = AppViewModel(backend.client(), store)
    await vm.start()
    await sign_in(vm, "citizen")
    signing_out = asyncio.ensure_future(vm.sign_out())
    try:
        await backend.sign_out_held.wait()
        assert screen_of(vm) == Screen.LOGIN, "the home stays while the network is waited on"
        vm.stop()  # the person gives up waiting and closes the app
        reopened = AppViewModel(backend.client(), store)
        await reopened.start()
        assert reopened.screen == Screen.LOGIN, "the app opens again as the person who signed out"
    finally:
        signing_out.cancel()


class RevokingBackend(OnePersonPerPhone):
    """Sessions with refresh tokens, revoked at sign-out (as the local issuer does); the first POST /requests is held
    by a weak network and reaches the server only after `post_release`."""

    def __init__(self) -> None:
        super().__init__()
        self.post_held = asyncio.Event()
        self.post_release = asyncio.Event()
        self._hold = True

    def _otp_verify(self, request: httpx.Request) -> httpx.Response:
        answer = super()._otp_verify(request)
        body = json.loads(answer.content)
        return httpx.Response(answer.status_code, json={**body, "refresh_token": f"refresh-{body['access_token']}"})

    async def _answer(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/auth/sign-out":
            self.requests.append(request)
            self.tokens.pop(request.headers.get("authorization", "").removeprefix("Bearer "), None)
            return httpx.Response(204)
        if self._hold and request.method == "POST" and request.url.path == "/requests":
            self._hold = False
            self.post_held.set()
            await self.post_release.wait()  # reaches the server now, after the sign-out
        if request.method == "POST" and request.url.path == "/requests" and self._role(request) is None:
            self.requests.append(request)
            return error_response(401, "token_invalid")
        return await super()._answer(request)


async def test_a_call_refused_for_the_last_persons_ended_session_is_never_resent_with_the_next_persons_token() -> None:
    """Was (audit14b): ApiClient `_send`, on a 401, called `_refresh_session(token)`, which returns at once when the
    access token changed meanwhile ("another call refreshed"), and sent the call again with `self._access`. After
    a sign-out and someone else's sign-in, that is the next person's token: the citizen's request, sent on a weak
    network and reaching the server after their sign-out revoked the session, is filed under the student's account
    (with the citizen's address and phone), and the student's screen jumps to their home."""
    backend = RevokingBackend()
    app, form = await open_form(backend)
    fill_valid(form)
    sending = asyncio.ensure_future(form.submit())
    await backend.post_held.wait()
    await app.open_route("/")
    await app.confirm_leave()
    await app.sign_out()
    await sign_in(app, "technician")
    await app.open_route("/inbox")  # the student is on a screen of their own

    backend.post_release.set()
    await sending
    as_student = [r for r in backend.calls("POST", "/requests")
                  if r.headers["authorization"].startswith("Bearer token-technician")]
    assert as_student == [], "the citizen's request was sent again with the student's token"
    assert screen_of(app) == Screen.INBOX and app.session.signed_in, "the student was moved or signed out"


async def test_the_last_persons_unread_count_never_shows_on_the_next_persons_bell() -> None:
    """Was (audit14b): `_unread_counted` handed every X-Unread-Count the API client saw to the inbox of whoever is
    signed in now. A reload of the citizen's home held by a weak network, answered after the citizen
    signed out and a student signed in, puts the citizen's 7 unread on the student's bell (which stays there: the
    student's own count was already asked)."""
    backend = FakeBackend()
    unread = {"citizen": 7, "technician": 0}

    def mine(request: httpx.Request) -> httpx.Response:
        role = backend._role(request)
        if role is None:
            return error_response(401, "token_invalid")
        body = backend.my_requests if role == "citizen" else []
        return httpx.Response(200, json=body, headers={UNREAD_COUNT_HEADER: str(unread[role])})

    def count(request: httpx.Request) -> httpx.Response:
        role = backend._role(request)
        if role is None:
            return error_response(401, "token_invalid")
        return httpx.Response(200, json={"unread_count": unread[role]})

    backend.overrides[("GET", "/requests/mine")] = mine
    backend.overrides[("GET", "/me/notifications/unread-count")] = count
    vm = AppViewModel(backend.client(), MemoryStore())
    await vm.start()
    await sign_in(vm, "citizen")
    assert vm.inbox is not None and vm.inbox.unread == 7

    backend.hold_next("/requests/mine")
    polling = asyncio.ensure_future(vm.poll())  # the citizen's home reloads on a weak network
    await backend.held.wait()
    await vm.sign_out()
    await sign_in(vm, "technician")
    student_inbox = vm.inbox
    assert student_inbox is not None and student_inbox.unread == 0

    backend.release.set()
    await polling
    assert student_inbox.unread == 0, "the citizen's unread count is on the student's bell"


async def test_a_refresh_answered_after_a_sign_out_never_brings_the_ended_session_back() -> None:
    """The same rule for the session's own tokens: a refresh under way at the sign-out (the access token was due,
    on a weak network) answered after it must not make the ended session current again, nor be stored."""
    clock = [1_000_000.0]
    backend = RefreshingBackend(clock)
    held, release = asyncio.Event(), asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        answer = backend.handler(request)  # the server answers when the call arrives ...
        if request.url.path == "/auth/refresh":
            held.set()
            await release.wait()  # ... and the answer reaches the phone late
        return answer

    api = ApiClient("http://backend.test", transport=httpx.MockTransport(handler), clock=lambda: clock[0])
    stored: list[SessionTokens | None] = []

    async def remember(tokens: SessionTokens | None) -> None:
        stored.append(tokens)

    api.on_tokens_changed = remember
    await api.verify_otp("+66811111111", "123456")
    clock[0] += 3600 + 1  # the access token is due: the next call refreshes first
    calling = asyncio.ensure_future(api.me())
    await held.wait()
    await api.sign_out()
    release.set()
    with pytest.raises(ApiError) as caught:
        await calling
    assert caught.value.is_session_ended and caught.value.is_auth_lost
    assert api.session is None and stored[-1] is None, "the signed-out session is current again"
