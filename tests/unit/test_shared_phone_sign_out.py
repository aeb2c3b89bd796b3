"""A shared phone's sign-out: nothing of the last person's session reaches the next person on the phone (their
pushes, their answers arriving late, their drafts), and the sign-out forgets them on the device at once.

Found by the audit14b review (tests/unit/test_audit14b.py had them as xfail)."""

import httpx
import pytest

from mobile.push import OneSignalPush
from mobile.viewmodels.app import AppViewModel, Screen
from tests.unit.mobile_fakes import FakeBackend, MemoryStore, error_response
from tests.unit.mobile_screens import sign_in
from tests.unit.test_mobile_account_inbox import SUBSCRIPTION, FakeOneSignal, Inbox, screen_of


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
    """mobile/viewmodels/app.py `_drop_device`: the backend forgets the device only if DELETE /me/devices succeeds,
    and the phone only logs out of OneSignal. OneSignal's logout keeps the device's push subscription (a new
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
