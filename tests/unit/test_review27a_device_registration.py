"""review27a #2: the app gives up on POST /me/devices before the backend may answer it.

edges27 #2 made the registration wait for a push under way to the same device (the delivery worker holds the device
row for its whole turn: up to `notify_send_timeout_seconds`, 15 s by default). The app asks with its client's
timeout (`request_timeout_seconds`, 10 s): a send of the former account that takes 10-15 s (a slow push service;
the worker gives it 15 s) makes the app's call fail as "no connection" although the backend then moves the device.
`AppViewModel._register_device` takes any failure as "push unavailable" and never calls `resume()`: on a shared
phone whose last person signed out (opting the phone's pushes out), the next person gets no push for their whole
session. The registration runs in the background (nobody waits on it), so it can wait as long as the backend may."""

import json

import httpx

from backend.settings import Settings
from mobile.api_client import ApiClient
from mobile.settings import AppSettings


async def test_the_app_waits_for_the_device_registration_as_long_as_the_backend_may_hold_it() -> None:
    waits: dict[str, float | None] = {}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/me/devices":
            waits["read"] = request.extensions["timeout"]["read"]
            assert json.loads(request.content)["token"] == "tok"
        return httpx.Response(204)

    app = AppSettings()
    api = ApiClient("http://backend.test", timeout_seconds=app.request_timeout_seconds,
                    transport=httpx.MockTransport(answer), token="t")
    try:
        await api.register_device("android", "tok")
    finally:
        await api.aclose()
    backend_holds_at_most = Settings().notify_send_timeout_seconds
    assert waits["read"] is not None and waits["read"] > backend_holds_at_most, waits
