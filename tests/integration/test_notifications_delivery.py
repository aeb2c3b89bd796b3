"""Delivery workers on a real PostgreSQL: two workers deliver each notification exactly once; a channel that fails
three times then succeeds delivers once; after the limit a delivery fails with its reason; quiet hours defer;
preferences are honoured; SMS only for the kinds that need it.

A database of its own: the app the other tests run has a delivery worker of its own in the background."""

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
import respx
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from backend.db import Conn
from backend.notifications.channels import Channel, DeliveryError, Message, Target
from backend.notifications.channels.onesignal import OneSignalChannel
from backend.notifications.worker import PLAN_BATCH, WorkerConfig, backoff, deliver_once, delivery_worker
from backend.settings import Settings
from shared.notifications import Pref
from tests.conftest import MigratedDatabases

DB = "fixit_notify_test"
NOON = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # 12:00 in Bangkok
NIGHT = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # 23:00 in Bangkok


class FakeChannel:
    """Counts what it was asked to send, by idempotency key; fails the first `fail_first` calls per key."""

    def __init__(self, name: str = "fake", pref: Pref = Pref.PUSH, addresses: str = "person",
                 fail_first: int = 0, delay: float = 0.0) -> None:
        self.name, self.pref, self.addresses = name, pref, addresses
        self.fail_first = fail_first
        self.delay = delay
        self.calls: Counter[str] = Counter()
        self.sent: list[tuple[Message, Target, str]] = []
        self.sent_one = asyncio.Event()  # what a waiting test wakes on: a message went out

    async def send(self, message: Message, target: Target, idempotency_key: str) -> None:
        self.calls[idempotency_key] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.calls[idempotency_key] <= self.fail_first:
            raise DeliveryError(f"fake outage #{self.calls[idempotency_key]}")
        self.sent.append((message, target, idempotency_key))
        self.sent_one.set()

    async def aclose(self) -> None:
        return None


@pytest.fixture(scope="module")
def notify_db(migrated_database: MigratedDatabases) -> str:
    return migrated_database(DB)


@pytest.fixture
async def pool(notify_db: str) -> AsyncIterator[AsyncConnectionPool[Conn]]:
    p: AsyncConnectionPool[Conn] = AsyncConnectionPool(
        notify_db, min_size=1, max_size=8, kwargs={"row_factory": dict_row, "autocommit": True},
        connection_class=psycopg.AsyncConnection[dict[str, Any]], open=False)
    await p.open()
    yield p
    await p.close()


@pytest.fixture
def db(notify_db: str) -> Iterator[psycopg.Connection[dict[str, Any]]]:
    with psycopg.connect(notify_db, autocommit=True, row_factory=dict_row) as conn:
        conn.execute("delete from public.notifications")
        yield conn


def person(db: psycopg.Connection[dict[str, Any]], phone: str | None = None, locale: str = "th") -> uuid.UUID:
    user_id = uuid.uuid4()
    digits = phone or f"6689{uuid.uuid4().int % 10**7:07d}"
    db.execute("select private.create_phone_user(%s, %s, true)", [user_id, digits])
    db.execute("update public.profiles set locale = %s where id = %s", [locale, user_id])
    return user_id


def enqueue(db: psycopg.Connection[dict[str, Any]], recipient: uuid.UUID, kind: str = "ready", n: int = 1) -> None:
    db.execute(
        "insert into public.notifications (recipient_id, kind, params) "
        "select %s, %s, %s from generate_series(1, %s)",
        [recipient, kind, Jsonb({"item": "พัดลม", "place": "centre", "college_th": "วิทยาลัยทดสอบ",
                                 "college_en": "Test College"}), n],
    )


def deliveries(db: psycopg.Connection[dict[str, Any]]) -> list[dict[str, Any]]:
    return db.execute("select channel, target, status, attempts, last_error, next_attempt_at "
                      "from private.notification_deliveries order by id").fetchall()


CONFIG = WorkerConfig(batch_size=50, max_attempts=5, retry_base_seconds=30, link_base="https://app.example")


async def test_two_workers_deliver_each_exactly_once(pool: AsyncConnectionPool[Conn],
                                                     db: psycopg.Connection[dict[str, Any]]) -> None:
    people = [person(db) for _ in range(5)]
    for who in people:
        enqueue(db, who, n=60)
    fake = FakeChannel(delay=0.001)
    channels: dict[str, Channel] = {"fake": fake}

    async def worker() -> None:  # turns until one finds nothing new to plan and nothing due to send
        while (turn := await deliver_once(pool, channels, CONFIG, NOON)).planned or turn.attempted:
            pass

    await asyncio.gather(worker(), worker(), worker())
    assert len(fake.sent) == 300
    assert set(fake.calls.values()) == {1}  # no key was sent twice
    assert Counter(d["status"] for d in deliveries(db)) == {"sent": 300}
    message = fake.sent[0][0]
    assert (message.title, message.body) == ("ซ่อมเสร็จแล้ว", "พัดลม: มารับได้ที่วิทยาลัยทดสอบ")
    assert message.link == "https://app.example/notifications"  # no request: the inbox


async def test_fails_three_times_then_delivers_once(pool: AsyncConnectionPool[Conn],
                                                    db: psycopg.Connection[dict[str, Any]]) -> None:
    enqueue(db, person(db))
    fake = FakeChannel(fail_first=3)
    now = NOON
    for attempt in range(1, 4):
        await deliver_once(pool, {"fake": fake}, CONFIG, now)
        (row,) = deliveries(db)
        assert (row["status"], row["attempts"]) == ("pending", attempt)
        assert row["last_error"] == f"fake outage #{attempt}"
        assert row["next_attempt_at"] == now + backoff(attempt, 30)
        assert (await deliver_once(pool, {"fake": fake}, CONFIG, now)).attempted == 0  # not before its time
        now = row["next_attempt_at"]
    await deliver_once(pool, {"fake": fake}, CONFIG, now)
    (row,) = deliveries(db)
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 4, None)
    assert len(fake.sent) == 1 and list(fake.calls.values()) == [4]  # one key, the same on every attempt
    await deliver_once(pool, {"fake": fake}, CONFIG, now + timedelta(hours=2))
    assert len(fake.sent) == 1


async def test_gives_up_after_the_limit_and_keeps_the_reason(pool: AsyncConnectionPool[Conn],
                                                             db: psycopg.Connection[dict[str, Any]]) -> None:
    enqueue(db, person(db))
    fake = FakeChannel(fail_first=100)
    now = NOON
    for _ in range(CONFIG.max_attempts):
        await deliver_once(pool, {"fake": fake}, CONFIG, now)
        now += timedelta(hours=2)
    (row,) = deliveries(db)
    assert (row["status"], row["attempts"], row["last_error"]) == ("failed", 5, "fake outage #5")
    await deliver_once(pool, {"fake": fake}, CONFIG, now + timedelta(days=1))
    assert sum(fake.calls.values()) == 5


async def test_quiet_hours_defer_except_offers_for_students_who_opted_in(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]]) -> None:
    citizen, night_owl = person(db), person(db)
    db.execute("insert into private.notification_preferences (user_id, offers_in_quiet_hours) values (%s, true)",
               [night_owl])
    enqueue(db, citizen, "ready")
    enqueue(db, night_owl, "offer_new")
    enqueue(db, night_owl, "rework")
    fake = FakeChannel()
    await deliver_once(pool, {"fake": fake}, CONFIG, NIGHT)
    assert [m.kind.value for m, _, _ in fake.sent] == ["offer_new"]
    morning = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)  # 07:00 in Bangkok
    waiting = [d for d in deliveries(db) if d["status"] == "pending"]
    assert len(waiting) == 2 and {d["next_attempt_at"] for d in waiting} == {morning}
    await deliver_once(pool, {"fake": fake}, CONFIG, morning - timedelta(minutes=1))
    assert len(fake.sent) == 1
    await deliver_once(pool, {"fake": fake}, CONFIG, morning)
    assert sorted(m.kind.value for m, _, _ in fake.sent) == ["offer_new", "ready", "rework"]


async def test_a_delivery_held_for_quiet_hours_is_skipped_once_the_account_is_suspended(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]]) -> None:
    """Audit 11c: `plan` skips a suspended recipient, and so does the send of a delivery planned before the
    suspension (held for quiet hours, or waiting for a retry): it carries the request's item and place."""
    citizen = person(db)
    enqueue(db, citizen, "ready")
    fake = FakeChannel()
    await deliver_once(pool, {"fake": fake}, CONFIG, NIGHT)  # planned, held until 07:00
    assert fake.sent == [] and [d["status"] for d in deliveries(db)] == ["pending"]
    db.execute("update public.profiles set is_active = false where id = %s", [citizen])  # the operator suspends
    morning = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
    await deliver_once(pool, {"fake": fake}, CONFIG, morning)
    assert fake.sent == [], "sent to a suspended account"
    assert [(d["status"], d["last_error"]) for d in deliveries(db)] == [("skipped", "account suspended")]


async def test_preferences_choose_channels_and_sms_only_where_it_is_needed(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]]) -> None:
    push = FakeChannel("fake", Pref.PUSH)
    line = FakeChannel("fakeline", Pref.LINE, addresses="line")
    sms = FakeChannel("fakesms", Pref.SMS, addresses="phone")
    channels: dict[str, Channel] = {"fake": push, "fakeline": line, "fakesms": sms}
    # Linked to LINE, chose LINE only for "ready": no push, no SMS (reachable, fallback not needed).
    linked = person(db, "66891110001")
    db.execute("insert into private.line_links (user_id, line_user_id) values (%s, %s)",
               [linked, "U" + uuid.uuid4().hex])
    db.execute("insert into private.notification_preferences (user_id, channels) values (%s, %s)",
               [linked, Jsonb({"ready": ["line"]})])
    enqueue(db, linked, "ready")
    # No app and no LINE: "ready" falls back to SMS; "rate" never goes by SMS.
    offline = person(db, "66891110002")
    enqueue(db, offline, "ready")
    enqueue(db, offline, "rate")
    # Turned SMS fallback off and everything else off for "accepted": only the inbox has it.
    quiet = person(db, "66891110003")
    db.execute("insert into private.notification_preferences (user_id, channels, sms_fallback) "
               "values (%s, %s, false)", [quiet, Jsonb({"accepted": []})])
    enqueue(db, quiet, "accepted")
    await deliver_once(pool, channels, CONFIG, NOON)
    assert [(m.kind.value, t.address.startswith("U")) for m, t, _ in line.sent] == [("ready", True)]
    assert [(m.kind.value, t.address) for m, t, _ in sms.sent] == [("ready", "+66891110002")]
    assert sorted((m.kind.value, t.address) for m, t, _ in push.sent) == sorted(
        [("ready", str(offline)), ("rate", str(offline))])
    inbox = db.execute("select count(*) as n from public.notifications where recipient_id = %s", [quiet]).fetchone()
    assert inbox is not None and inbox["n"] == 1


@respx.mock
async def test_onesignal_devices_get_the_push_and_a_gone_one_is_dropped(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]]) -> None:
    """The real OneSignal adapter against a local fake of its API: each registered subscription id gets the
    message in the person's language; one OneSignal says is unsubscribed is dropped and gets nothing more."""
    citizen = person(db)
    phone, gone = str(uuid.uuid4()), str(uuid.uuid4())
    for subscription in (phone, gone):
        db.execute("insert into private.notification_devices (token, user_id, channel, platform) "
                   "values (%s, %s, 'onesignal', 'android')", [subscription, citizen])

    def answer(request: httpx.Request) -> httpx.Response:
        (target,) = json.loads(request.content)["include_subscription_ids"]
        if target == gone:
            return httpx.Response(200, json={"id": "", "errors": ["All included players are not subscribed"]})
        return httpx.Response(200, json={"id": str(uuid.uuid4())})

    api = respx.post("https://api.onesignal.com/notifications").mock(side_effect=answer)
    channel = OneSignalChannel("5eb5a37e-b458-11e3-ac11-000c2940e62c", "key")
    enqueue(db, citizen)
    await deliver_once(pool, {"onesignal": channel}, CONFIG, NOON)
    bodies = {json.loads(c.request.content)["include_subscription_ids"][0]: json.loads(c.request.content)
              for c in api.calls}
    assert set(bodies) == {phone, gone}
    assert bodies[phone]["contents"]["th"] == "พัดลม: มารับได้ที่วิทยาลัยทดสอบ"
    assert bodies[phone]["data"]["link"] == "https://app.example/notifications"
    outcome = {d["target"]: d for d in deliveries(db)}
    assert outcome[phone]["status"] == "sent" and outcome[gone]["status"] == "failed"
    assert "not subscribed" in outcome[gone]["last_error"]
    left = db.execute("select token from private.notification_devices where user_id = %s", [citizen]).fetchall()
    assert [r["token"] for r in left] == [phone]
    enqueue(db, citizen)
    await deliver_once(pool, {"onesignal": channel}, CONFIG, NOON)
    assert [json.loads(c.request.content)["include_subscription_ids"] for c in api.calls[2:]] == [[phone]]


async def test_a_web_push_endpoint_outside_the_push_services_gets_nothing_and_is_dropped(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]]) -> None:
    """A subscription registered before the API checked the address (audit 8): the worker never sends to a host
    that is not a browser's push service (it would be the backend's own request into the network)."""
    citizen = person(db)
    browser, inner = f"https://fcm.googleapis.com/fcm/send/{uuid.uuid4().hex}", "https://127.0.0.1:8443/reset"
    for endpoint in (browser, inner):
        db.execute("insert into private.notification_devices (token, user_id, channel, platform, keys) "
                   "values (%s, %s, 'webpush', 'web', %s)", [endpoint, citizen, Jsonb({"p256dh": "B", "auth": "A"})])
    fake = FakeChannel(name="webpush", addresses="webpush")
    enqueue(db, citizen)
    await deliver_once(pool, {"webpush": fake}, CONFIG, NOON)
    assert [target.address for _, target, _ in fake.sent] == [browser]
    outcome = {d["target"]: d for d in deliveries(db)}
    assert outcome[browser]["status"] == "sent" and outcome[inner]["status"] == "failed"
    assert "push service" in outcome[inner]["last_error"]
    left = db.execute("select token from private.notification_devices where user_id = %s", [citizen]).fetchall()
    assert [r["token"] for r in left] == [browser]


async def test_a_backlog_that_sends_nothing_does_not_hold_back_a_new_message(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]], settings: Settings) -> None:
    """Notifications planned oldest first, one batch a turn: a backlog that sends nothing (a suspended account's, or
    rows written while no worker ran) made the worker sleep between batches, and a new message behind three
    batches waited three of its sleeps (the browser suite's offer waited a minute behind the integration tests'
    rows). A turn that plans a whole batch now goes on at once, as one that sends a whole batch did."""
    gone = person(db)
    db.execute("update public.profiles set is_active = false where id = %s", [gone])
    enqueue(db, gone, n=3 * PLAN_BATCH)
    reader = person(db)
    db.execute("insert into private.notification_preferences (user_id, quiet_hours) values (%s, false)", [reader])
    enqueue(db, reader)
    fake = FakeChannel()
    # A sleep between turns no test would wait out: only turns that go on at once reach the new message.
    asleep = settings.model_copy(update={"notify_worker_seconds": 3600.0})
    worker = asyncio.create_task(delivery_worker(pool, asleep, {"fake": fake}))
    try:
        await asyncio.wait_for(fake.sent_one.wait(), timeout=120)
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
    assert [target.address for _, target, _ in fake.sent] == [str(reader)]
