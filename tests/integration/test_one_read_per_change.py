"""The app reads what the backend really sends and reads its open request screen once per change (client21).

A teacher gives the citizen's request to a student: one commit writes its status event (a `request` event) and the
citizen's "accepted" message (a `notification` event), both stamped with the commit's `now()`. The app, signed in as
the citizen on the real backend with the request open, is handed the events its stream carried (`GET /events` as it
opens it, parsed by its own parser) and reads the request once for both. A message the clock writes in a commit of
its own (`job_waits_for_teacher`: nothing of the request changed) reads it once more. Real PostgreSQL, the app's
own view-model and API client; the GETs counted on the way out. As in test_helper_hears_job.py, `area` comes
before `api`."""

import uuid
from typing import Any

import httpx
import psycopg

from backend.settings import Settings
from mobile.api_client import ApiClient
from mobile.live import change_heard, parse_stream
from mobile.viewmodels.app import AppViewModel, Screen
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft
from tests.integration.dispatch_area import HOME, Area, assigned_to_bee
from tests.integration.test_helper_hears_job import listening
from tests.unit.mobile_fakes import MemoryStore


class Counted(httpx.AsyncBaseTransport):
    """The in-process backend, each request the app sends written down first."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(f"{request.method} {request.url.path}")
        return await self.inner.handle_async_request(request)


async def _app_signed_in(transport: httpx.AsyncBaseTransport, phone: str) -> AppViewModel:
    vm = AppViewModel(ApiClient("http://fixit.test", transport=transport), MemoryStore())
    await vm.start()
    vm.login.set_phone_input(phone)
    await vm.login.request_code()
    assert vm.login.dev_code is not None
    vm.login.set_code_input(vm.login.dev_code)
    await vm.login.verify()
    assert vm.screen == Screen.HOME
    return vm


async def test_a_change_and_its_message_read_the_open_request_once(
    area: Area, api: httpx.AsyncClient, database_url: str, settings: Settings,
) -> None:
    phone = fresh_phone()
    citizen, profile = await sign_in(api, phone)
    made = await api.post("/requests", json=draft(lat=HOME[0], lon=HOME[1]), headers=bearer(citizen))
    assert made.status_code == 201, made.text
    rid = made.json()["id"]
    transport = Counted(api._transport)
    app = await _app_signed_in(transport, phone)
    await app.open_request(uuid.UUID(rid))
    detail = app.request_detail
    assert app.screen == Screen.REQUEST_DETAIL and detail is not None and detail.detail is not None
    reads = f"GET /requests/{rid}"

    async with listening(api, settings, database_url, citizen, str(profile["id"])) as stream:
        await assigned_to_bee(api, area, rid)
        await stream.heard()
        events = parse_stream(stream.wire.decode())
        about = [e for e in events if change_heard(e) is not None and change_heard(e)[0] == rid]  # type: ignore[index]
        kinds = sorted(e.event for e in about)
        assert kinds.count("notification") == 1 and "request" in kinds, kinds
        assert len({change_heard(e) for e in about}) == 1  # one change: the same commit's `at` on every event
        before = transport.sent.count(reads)
        for event in events:
            await app.live_event(event)
        assert transport.sent.count(reads) == before + 1, transport.sent
        assert detail.detail is not None and detail.detail.status == "accepted"

        # The clock's message in a commit of its own (as backend/notifications/outbox.py writes it): read again.
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("insert into public.notifications (recipient_id, kind, params, request_id) "
                         "values (%s, 'job_waits_for_teacher', %s, %s)",
                         [profile["id"], '{"item": "x", "college_th": "ก", "college_en": "A"}', rid])
        stream.wire = b""
        await stream.heard()
        clock: list[Any] = parse_stream(stream.wire.decode())
        assert [e.event for e in clock if change_heard(e) is not None] == ["notification"]
        for event in clock:
            await app.live_event(event)
        assert transport.sent.count(reads) == before + 2, transport.sent
    app.stop()
