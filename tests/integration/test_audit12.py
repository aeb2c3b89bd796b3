"""Audit 12: a hostile review of the parts not yet attacked. Each test here proves a defect that is still open: it
is marked `xfail(strict=True)`, so it fails (as expected) today and turns the suite red once the fix lands, when
the marker goes."""

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool
from starlette.requests import Request

from backend.auth.tokens import verify_token
from backend.local_postgres import LocalPostgres
from backend.migrate import migrate
from backend.notifications.channels import Message, Target
from backend.notifications.worker import WorkerConfig, deliver_once
from backend.routes.events import events
from backend.settings import Settings
from shared.notifications import Pref
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, submit


def _request_row(database_url: str, request_id: str) -> dict[str, Any]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        row = conn.execute("select status, technician_id, college_id from public.repair_requests where id = %s",
                           [request_id]).fetchone()
    assert row is not None
    return row


# --- 3. A live stream keeps the role and college it opened with ----------------------------------------------------

async def _chunks_until_notification(chunks: Any) -> list[bytes]:
    """The stream's chunks up to its person's own notification (or its end)."""
    seen: list[bytes] = []
    while True:
        try:
            chunk = bytes(await asyncio.wait_for(anext(chunks), 30))
        except StopAsyncIteration:
            return seen
        seen.append(chunk)
        if chunk.startswith(b"event: notification"):
            return seen


@pytest.mark.xfail(strict=True, reason="audit12: GET /events fixes the viewer's role and college when the stream "
                                       "opens; a supervisor moved to another college (or demoted) keeps hearing "
                                       "the old college's requests until the token expires")
async def test_a_supervisor_moved_away_stops_hearing_the_old_college(
    app_and_clock: AppClock, area: Area, database_url: str, settings: Settings
) -> None:
    """Only an account's suspension or deletion ends its streams (account_closed, 0040). An admin moving the
    teacher to the far college (or making them a citizen) changes what RLS lets them read at once, but the open
    stream still carries the near college's requests and offers (their ids and statuses) until the token it
    opened with expires (up to an hour). Here: the teacher's stream, opened at the near college, hears a request
    dispatched to that college after the admin moved them."""
    api, _ = app_and_clock
    app = api._transport.app  # type: ignore[attr-defined]
    await asyncio.wait_for(app.state.hub.listening.wait(), 10)
    teacher_id, teacher_phone = area.students["teacher"]
    teacher, _ = await sign_in(api, teacher_phone)
    admin, _ = await sign_in(api, "0844444444")

    async def receive() -> dict[str, Any]:
        await asyncio.Event().wait()  # the app stays connected
        return {"type": "http.disconnect"}

    request = Request({"type": "http", "method": "GET", "path": "/events", "headers": [], "query_string": b"",
                       "app": app}, receive)
    chunks: Any = (await events(request, verify_token(settings, teacher), app.state.pool)).body_iterator
    try:
        assert bytes(await asyncio.wait_for(anext(chunks), 5)) == b": connected\n\n"
        moved = await api.post(f"/admin/colleges/{area.far}/supervisors", json={"phone": teacher_phone},
                               headers=bearer(admin))
        assert moved.status_code == 201, moved.text
        me = await api.get("/me", headers=bearer(teacher))
        assert me.json()["college"]["id"] == str(area.far)  # RLS now shows them the far college only
        _, created = await submit(api)  # offered to the near college's students
        assert _request_row(database_url, created["id"])["college_id"] == area.near
        with psycopg.connect(database_url, autocommit=True) as conn:  # something the teacher may still hear
            conn.execute("insert into public.notifications (recipient_id, kind, params) "
                         "values (%s, 'invite_accepted', '{}')", [teacher_id])
        heard = b"".join(await _chunks_until_notification(chunks))
    finally:
        await chunks.aclose()
    assert created["id"].encode() not in heard, heard.decode()


# --- 8. A held push goes to the device's next owner --------------------------------------------------------------

class _Phone:
    """A push channel that records what it was asked to send (FCM's addressing: device tokens)."""

    name, pref, addresses = "fcm", Pref.PUSH, "fcm"

    def __init__(self) -> None:
        self.sent: list[tuple[Message, Target]] = []

    async def send(self, message: Message, target: Target, idempotency_key: str) -> None:
        self.sent.append((message, target))

    async def aclose(self) -> None:
        return None


@pytest.fixture
def notify_db(local_pg: LocalPostgres) -> Iterator[str]:
    """A database of its own: a delivery turn plans and sends every notification waiting in its database."""
    local_pg.drop_database("fixit_audit12_notify")
    url = local_pg.url_for("fixit_audit12_notify")
    migrate(url)
    yield url
    local_pg.drop_database("fixit_audit12_notify")


@pytest.mark.xfail(strict=True, reason="audit12: the send step joins the device by token only, not by its owner: "
                                       "a delivery held for quiet hours goes to whoever registered the token since")
async def test_a_held_push_does_not_follow_the_device_to_its_next_owner(notify_db: str) -> None:
    """POST /me/devices: "Registering a token another account held moves it to the caller" (a family's shared
    phone or browser: one person's session ended, another signed in on it). A delivery planned for the first
    person and held (quiet hours, or a retry's backoff) is sent to its target token when due; the worker skips it
    only when no device row has that token any more (`device signed out`), not when the row now belongs to
    someone else. The next owner's phone shows the first person's notification (their item, where to collect it,
    in their language)."""
    first, second = uuid.uuid4(), uuid.uuid4()
    token = f"fcm-{uuid.uuid4().hex}"
    night = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # 23:00 in Bangkok: quiet hours
    with psycopg.connect(notify_db, autocommit=True) as db:
        for who, digits in ((first, "66891200001"), (second, "66891200002")):
            db.execute("select private.create_phone_user(%s, %s, true)", [who, digits])
        db.execute("insert into private.notification_devices (token, user_id, channel, platform) "
                   "values (%s, %s, 'fcm', 'android')", [token, first])
        db.execute("insert into public.notifications (recipient_id, kind, params) values (%s, 'ready', %s)",
                   [first, Jsonb({"item": "พัดลม", "place": "centre", "college_th": "วิทยาลัยทดสอบ",
                                  "college_en": "Test College"})])
    phone = _Phone()
    config = WorkerConfig(link_base="https://app.example")
    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
        notify_db, min_size=1, max_size=2, kwargs={"row_factory": dict_row, "autocommit": True}, open=False)
    await pool.open()
    try:
        await deliver_once(pool, {"fcm": phone}, config, night)
        assert phone.sent == []  # held until the quiet hours end
        with psycopg.connect(notify_db, autocommit=True) as db:  # what POST /me/devices writes for the second
            db.execute(
                """insert into private.notification_devices (token, user_id, channel, platform, last_seen_at)
                   values (%s, %s, 'fcm', 'android', now())
                   on conflict (token) do update set user_id = excluded.user_id, channel = excluded.channel,
                       platform = excluded.platform, last_seen_at = excluded.last_seen_at""", [token, second])
        await deliver_once(pool, {"fcm": phone}, config, night + timedelta(hours=9))
    finally:
        await pool.close()
    assert [(m.body, t.address) for m, t in phone.sent] == [], "the first person's push reached the second's phone"
