"""Audit 8: a browser's Web Push subscription is an address the backend itself later POSTs to. Any signed-in
person could register `https://127.0.0.1:…` or a host inside the network as "their browser" and have the
notification worker send requests there (server-side request forgery); only the push services browsers use are
taken now."""

import uuid
from datetime import timedelta

import httpx
import psycopg
import pytest

from shared.notifications import DEVICES_PER_PERSON_MAX
from tests.helpers import bearer, browser_push_keys, fresh_phone, sign_in
from tests.integration.dispatch_area import AppClock

KEYS = browser_push_keys()


@pytest.mark.parametrize("endpoint", [
    "https://127.0.0.1:8443/internal/reset",
    "https://10.0.0.5/admin",
    "https://localhost/x",
    "https://fcm.googleapis.com.evil.example/fcm/send/x",  # a look-alike host
    "https://fcm.googleapis.com@evil.example/fcm/send/x",  # the real host as a user name
    "https://fcm.googleapis.com:8443/fcm/send/x",  # the right host on another port
    "https://evilnotify.windows.com/w/x",  # not a sub-domain of notify.windows.com
])
async def test_a_web_push_endpoint_that_is_no_push_service_is_refused(api: httpx.AsyncClient, database_url: str,
                                                                      endpoint: str) -> None:
    token, profile = await sign_in(api, fresh_phone())
    refused = await api.post("/me/devices", json={"platform": "web", "token": endpoint, "keys": KEYS},
                             headers=bearer(token))
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert error["code"] == "push_endpoint_invalid" and error["message_th"] and error["message_en"]
    with psycopg.connect(database_url) as conn:
        kept = conn.execute("select count(*) from private.notification_devices where user_id = %s",
                            [profile["id"]]).fetchone()
    assert kept is not None and kept[0] == 0


@pytest.mark.parametrize("endpoint", [
    "https://fcm.googleapis.com/fcm/send/{id}",  # Chrome, Edge on Android, Opera, Samsung Internet
    "https://updates.push.services.mozilla.com/wpush/v2/{id}",  # Firefox
    "https://wns2-par02p.notify.windows.com/w/?token={id}",  # Edge on Windows
    "https://web.push.apple.com/{id}",  # Safari
])
async def test_the_push_services_of_the_browsers_are_taken(api: httpx.AsyncClient, endpoint: str) -> None:
    token, _ = await sign_in(api, fresh_phone())
    taken = await api.post("/me/devices", json={"platform": "web", "token": endpoint.format(id=uuid.uuid4().hex),
                                                "keys": KEYS}, headers=bearer(token))
    assert taken.status_code == 204, taken.text


async def test_a_person_keeps_at_most_the_newest_devices(app_and_clock: AppClock, database_url: str) -> None:
    """Every device registered gets every notification: with no bound one account could register a million
    made-up tokens and turn each notification into a million pushes. The newest ones stay (the others were
    phones and browsers not seen since)."""
    api, clock = app_and_clock
    token, profile = await sign_in(api, fresh_phone())
    tokens = [f"fcm-{n:02d}-{uuid.uuid4().hex}" for n in range(DEVICES_PER_PERSON_MAX + 3)]
    for device in tokens:
        clock.now += timedelta(seconds=1)
        answer = await api.post("/me/devices", json={"platform": "android", "token": device}, headers=bearer(token))
        assert answer.status_code == 204, answer.text
    clock.now += timedelta(seconds=1)  # the first phone is seen again: it is among the newest now
    assert (await api.post("/me/devices", json={"platform": "android", "token": tokens[0]},
                           headers=bearer(token))).status_code == 204
    with psycopg.connect(database_url) as conn:
        kept = {r[0] for r in conn.execute("select token from private.notification_devices where user_id = %s",
                                           [profile["id"]]).fetchall()}
    assert kept == {tokens[0], *tokens[4:]}
    assert (await api.get("/me/notification-settings", headers=bearer(token))).json()["devices"] == len(kept)
