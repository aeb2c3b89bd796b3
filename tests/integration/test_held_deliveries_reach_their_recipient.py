"""A delivery held for quiet hours (or a retry's backoff) goes to the person it was planned for, or nowhere: never
to whoever registered its device token or linked its LINE account since (a family's shared phone or browser).
Moved here from the audit 12 findings (8)."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from backend.local_postgres import LocalPostgres
from backend.notifications.channels import Channel, Message, Target
from backend.notifications.worker import WorkerConfig, deliver_once
from shared.notifications import Pref
from tests.conftest import MigratedDatabases

NIGHT = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # 23:00 in Bangkok: quiet hours
MORNING = NIGHT + timedelta(hours=9)


class _Recorder:
    """A channel that records what it was asked to send."""

    def __init__(self, name: str, pref: Pref, addresses: str) -> None:
        self.name, self.pref, self.addresses = name, pref, addresses
        self.sent: list[tuple[Message, Target]] = []

    async def send(self, message: Message, target: Target, idempotency_key: str) -> None:
        self.sent.append((message, target))

    async def aclose(self) -> None:
        return None


class _Phone(_Recorder):
    """A push channel (FCM's addressing: device tokens)."""

    def __init__(self) -> None:
        super().__init__("fcm", Pref.PUSH, "fcm")


class _Line(_Recorder):
    """The LINE channel's addressing: a linked LINE user id."""

    def __init__(self) -> None:
        super().__init__("line", Pref.LINE, "line")


@pytest.fixture
def notify_db(local_pg: LocalPostgres, migrated_database: MigratedDatabases) -> Iterator[str]:
    """A database of its own: a delivery turn plans and sends every notification waiting in its database."""
    yield migrated_database("fixit_held_deliveries")
    local_pg.drop_database("fixit_held_deliveries")


def _two_people(db: psycopg.Connection[Any]) -> tuple[uuid.UUID, uuid.UUID]:
    first, second = uuid.uuid4(), uuid.uuid4()
    for who, digits in ((first, "66891200001"), (second, "66891200002")):  # a database of their own
        db.execute("select private.create_phone_user(%s, %s, true)", [who, digits])
    return first, second


def _ready(db: psycopg.Connection[Any], recipient: uuid.UUID) -> None:
    db.execute("insert into public.notifications (recipient_id, kind, params) values (%s, 'ready', %s)",
               [recipient, Jsonb({"item": "พัดลม", "place": "centre", "college_th": "วิทยาลัยทดสอบ",
                                  "college_en": "Test College"})])


async def _turns(url: str, channel: Channel, *steps: Any) -> None:
    """A delivery turn at night, each step (something written between turns), then a turn in the morning."""
    config = WorkerConfig(link_base="https://app.example")
    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
        url, min_size=1, max_size=2, kwargs={"row_factory": dict_row, "autocommit": True}, open=False)
    await pool.open()
    try:
        await deliver_once(pool, {channel.name: channel}, config, NIGHT)
        with psycopg.connect(url, autocommit=True) as db:
            for step in steps:
                step(db)
        await deliver_once(pool, {channel.name: channel}, config, MORNING)
    finally:
        await pool.close()


def _skips(url: str) -> list[tuple[str, str | None]]:
    with psycopg.connect(url) as db:
        return [(r[0], r[1]) for r in db.execute(
            "select status, last_error from private.notification_deliveries order by id").fetchall()]


async def test_a_held_push_does_not_follow_the_device_to_its_next_owner(notify_db: str) -> None:
    """POST /me/devices: "Registering a token another account held moves it to the caller" (a family's shared
    phone or browser: one person's session ended, another signed in on it). A delivery planned for the first
    person and held (quiet hours, or a retry's backoff) is sent to its target token when due; the worker skipped it
    only when no device row had that token any more (`device signed out`), not when the row now belonged to
    someone else. The next owner's phone showed the first person's notification (their item, where to collect it,
    in their language)."""
    token = f"fcm-{uuid.uuid4().hex}"
    with psycopg.connect(notify_db, autocommit=True) as db:
        first, second = _two_people(db)
        db.execute("insert into private.notification_devices (token, user_id, channel, platform) "
                   "values (%s, %s, 'fcm', 'android')", [token, first])
        _ready(db, first)
    phone = _Phone()

    def second_signs_in_on_it(db: psycopg.Connection[Any]) -> None:  # what POST /me/devices writes for them
        assert phone.sent == []  # held until the quiet hours end
        db.execute(
            """insert into private.notification_devices (token, user_id, channel, platform, last_seen_at)
               values (%s, %s, 'fcm', 'android', now())
               on conflict (token) do update set user_id = excluded.user_id, channel = excluded.channel,
                   platform = excluded.platform, last_seen_at = excluded.last_seen_at""", [token, second])

    await _turns(notify_db, phone, second_signs_in_on_it)
    assert [(m.body, t.address) for m, t in phone.sent] == [], "the first person's push reached the second's phone"
    assert _skips(notify_db) == [("skipped", "device signed out or now another account's")]


async def test_a_held_push_still_reaches_its_own_device(notify_db: str) -> None:
    """The other side: the device still the recipient's (seen again meanwhile), the held push goes in the morning."""
    token = f"fcm-{uuid.uuid4().hex}"
    with psycopg.connect(notify_db, autocommit=True) as db:
        first, _ = _two_people(db)
        db.execute("insert into private.notification_devices (token, user_id, channel, platform) "
                   "values (%s, %s, 'fcm', 'android')", [token, first])
        _ready(db, first)
    phone = _Phone()

    def seen_again(db: psycopg.Connection[Any]) -> None:
        db.execute("update private.notification_devices set last_seen_at = now() where token = %s", [token])

    await _turns(notify_db, phone, seen_again)
    assert [t.address for _, t in phone.sent] == [token]
    assert _skips(notify_db) == [("sent", None)]


async def test_a_held_line_message_does_not_follow_the_line_account_to_another_person(notify_db: str) -> None:
    """A link code sent from a LINE account (the LINE webhook) moves that LINE account to the code's person even
    when it was linked to someone else: a LINE message held for the first person must not go to it once the
    second has linked it (the worker sent LINE deliveries without looking at the links at all)."""
    line_user = "U" + uuid.uuid4().hex
    with psycopg.connect(notify_db, autocommit=True) as db:
        first, second = _two_people(db)
        db.execute("insert into private.line_links (user_id, line_user_id) values (%s, %s)", [first, line_user])
        _ready(db, first)
    line = _Line()

    def second_links_it(db: psycopg.Connection[Any]) -> None:  # what the webhook writes for them
        assert line.sent == []  # held until the quiet hours end
        db.execute("delete from private.line_links where line_user_id = %s and user_id <> %s", [line_user, second])
        db.execute("insert into private.line_links (user_id, line_user_id) values (%s, %s)", [second, line_user])

    await _turns(notify_db, line, second_links_it)
    assert line.sent == [], "the first person's LINE message reached the second's LINE account"
    assert _skips(notify_db) == [("skipped", "LINE unlinked or now another account's")]
