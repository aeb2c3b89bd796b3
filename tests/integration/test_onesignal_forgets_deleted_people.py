"""OneSignal forgets a deleted person's phone (migration 0066): the erasure queues, in its own transaction, each
OneSignal subscription id the person had (not their FCM or Web Push devices, not anyone else's); the delivery
worker asks OneSignal to delete each (the real adapter against a local fake of OneSignal's API), once even with two
workers at once; 404 is done, a 503 is asked again after a backoff, a 400 is given up on without logging the id.

Since 0067 (review16b): the queue's times are the deletion's day (they name nobody); a refused App API key keeps
the erasures for the fixed key; a copy without OneSignal's keys leaves them to a copy with them; the person's
OneSignal user (external_id = their id) is deleted too, also for someone who signed out first.

A database of its own: the queue is the whole database's, and other tests' workers would take it."""

import asyncio
import contextlib
import logging
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
import respx
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.db import Conn, service_tx
from backend.notifications.channels import Channel
from backend.notifications.channels.onesignal import OneSignalChannel
from backend.notifications.worker import ERASE_TRIED_FOR, WorkerConfig, deliver_once, erase_subscriptions
from backend.services import account
from backend.services.dispatch import DispatchPolicy
from shared.roles import AppRole
from tests.conftest import MigratedDatabases

DB = "fixit_onesignal_erasure_test"
APP_ID = "5eb5a37e-b458-11e3-ac11-000c2940e62c"
SUBSCRIPTIONS = f"https://api.onesignal.com/apps/{APP_ID}/subscriptions/"
USERS = f"https://api.onesignal.com/apps/{APP_ID}/users/by/external_id/"
APPS = f"https://api.onesignal.com/apps/{APP_ID}/"
CONFIG = WorkerConfig(batch_size=50, max_attempts=5, retry_base_seconds=30, link_base="https://app.example")


@pytest.fixture(scope="module")
def erasure_db(migrated_database: MigratedDatabases) -> str:
    return migrated_database(DB)


@pytest.fixture
async def pool(erasure_db: str) -> AsyncIterator[AsyncConnectionPool[Conn]]:
    p: AsyncConnectionPool[Conn] = AsyncConnectionPool(
        erasure_db, min_size=1, max_size=8, kwargs={"row_factory": dict_row, "autocommit": True},
        connection_class=psycopg.AsyncConnection[dict[str, Any]], open=False)
    await p.open()
    yield p
    await p.close()


@pytest.fixture
def db(erasure_db: str) -> Iterator[psycopg.Connection[dict[str, Any]]]:
    with psycopg.connect(erasure_db, autocommit=True, row_factory=dict_row) as conn:
        conn.execute("delete from private.onesignal_erasures")
        yield conn


def person(db: psycopg.Connection[dict[str, Any]]) -> uuid.UUID:
    user_id = uuid.uuid4()
    db.execute("select private.create_phone_user(%s, %s, true)", [user_id, f"6689{uuid.uuid4().int % 10**7:07d}"])
    return user_id


def device(db: psycopg.Connection[dict[str, Any]], owner: uuid.UUID, channel: str) -> str:
    token = {"onesignal": str(uuid.uuid4()), "fcm": f"fcm-{uuid.uuid4().hex}",
             "webpush": f"https://fcm.googleapis.com/fcm/send/{uuid.uuid4().hex}"}[channel]
    db.execute("insert into private.notification_devices (token, user_id, channel, platform) values (%s, %s, %s, %s)",
               [token, owner, channel, "web" if channel == "webpush" else "android"])
    return token


def queued(db: psycopg.Connection[dict[str, Any]], kind: str | None = "subscription") -> dict[str, dict[str, Any]]:
    """The queued erasures of one kind (None: every kind: subscriptions and deleted people's ids) by their id."""
    return {r["subscription_id"]: r for r in db.execute(
        "select * from private.onesignal_erasures where %(kind)s::text is null or kind = %(kind)s",
        {"kind": kind}).fetchall()}


def users_forgotten() -> respx.Route:
    """OneSignal's Delete user, asked for each deleted person besides their subscriptions (migration 0067)."""
    return respx.delete(url__startswith=USERS).mock(return_value=httpx.Response(200, json={}))


def deleted_person_with_phones(db: psycopg.Connection[dict[str, Any]], phones: int = 2) -> list[str]:
    """A person with `phones` OneSignal subscriptions, deleted as GoTrue deletes (Supabase's dashboard)."""
    gone = person(db)
    ids = [device(db, gone, "onesignal") for _ in range(phones)]
    db.execute("delete from auth.users where id = %s", [gone])
    return ids


def deleted_with_a_phone(db: psycopg.Connection[dict[str, Any]]) -> tuple[uuid.UUID, str]:
    """A person with one OneSignal subscription, deleted as GoTrue deletes: their id and the subscription's."""
    gone = person(db)
    phone = device(db, gone, "onesignal")
    db.execute("delete from auth.users where id = %s", [gone])
    return gone, phone


def onesignal() -> OneSignalChannel:
    return OneSignalChannel(APP_ID, "app-api-key")


def asked(calls: Sequence[respx.models.Call]) -> list[str]:
    return [str(c.request.url).removeprefix(SUBSCRIPTIONS) for c in calls]


def asked_any(calls: Sequence[respx.models.Call]) -> list[str]:
    """Every delete asked of OneSignal (subscriptions and users), by its path under the app."""
    return sorted(c.request.url.path.removeprefix(f"/apps/{APP_ID}/") for c in calls)


async def test_a_deletion_queues_exactly_the_persons_onesignal_subscriptions(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]]) -> None:
    citizen, neighbour = person(db), person(db)
    phones = {device(db, citizen, "onesignal"), device(db, citizen, "onesignal")}
    others = {device(db, citizen, "fcm"), device(db, citizen, "webpush")}
    neighbours_phone = device(db, neighbour, "onesignal")
    # The app's "delete my account" (and the operator's delete-person) runs the service's deletion.
    async with service_tx(pool) as owner:
        await account.delete(owner, citizen, AppRole.CITIZEN, None, datetime.now(UTC), DispatchPolicy())
    assert set(queued(db)) == phones
    assert not others & set(queued(db)) and neighbours_phone not in queued(db)
    # Nothing about the person is kept beside the id: not who, not their phone number.
    row = next(iter(queued(db).values()))
    assert set(row) == {"kind", "subscription_id", "queued_at", "attempts", "next_attempt_at"}
    # and the person's own id, for OneSignal to delete its user keyed by it (the neighbour's is not)
    assert set(queued(db, "user")) == {str(citizen)}
    left = db.execute("select token from private.notification_devices where user_id = any(%s)",
                      [[citizen, neighbour]]).fetchall()
    assert [r["token"] for r in left] == [neighbours_phone]


async def test_a_deletion_that_rolls_back_queues_nothing(db: psycopg.Connection[dict[str, Any]]) -> None:
    citizen = person(db)
    phone = device(db, citizen, "onesignal")

    class Refused(Exception):
        pass

    with pytest.raises(Refused), db.transaction():
        db.execute("delete from auth.users where id = %s", [citizen])
        assert set(queued(db)) == {phone}  # queued in the deletion's own transaction
        raise Refused
    assert queued(db) == {} and queued(db, "user") == {}
    assert db.execute("select 1 from private.notification_devices where token = %s", [phone]).fetchone()


@respx.mock
async def test_the_worker_deletes_them_at_onesignal_and_404_counts_as_done(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]],
        caplog: pytest.LogCaptureFixture) -> None:
    deleted, already_gone = deleted_person_with_phones(db)
    now = datetime.now(UTC)
    users_forgotten()
    api = respx.delete(url__startswith=SUBSCRIPTIONS).mock(side_effect=lambda request: httpx.Response(
        404 if str(request.url).endswith(already_gone) else 200, json={}))
    with caplog.at_level(logging.WARNING, logger="fixit.notifications"):
        await deliver_once(pool, {"onesignal": onesignal()}, CONFIG, now)
    assert sorted(asked(api.calls)) == sorted([deleted, already_gone])
    assert {c.request.headers["Authorization"] for c in api.calls} == {"Key app-api-key"}
    assert queued(db) == {}
    assert caplog.records == []  # gone already is done, not given up on
    await deliver_once(pool, {"onesignal": onesignal()}, CONFIG, now + timedelta(hours=1))
    assert len(api.calls) == 2  # nothing is asked twice


@respx.mock
async def test_a_503_is_asked_again_after_a_backoff_and_a_400_is_given_up_without_the_id(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]],
        caplog: pytest.LogCaptureFixture) -> None:
    busy, refused = deleted_person_with_phones(db)
    now = datetime.now(UTC)
    answers = {busy: [503, 200], refused: [400]}
    users_forgotten()
    api = respx.delete(url__startswith=SUBSCRIPTIONS).mock(side_effect=lambda request: httpx.Response(
        answers[str(request.url).removeprefix(SUBSCRIPTIONS)].pop(0), json={}))
    with caplog.at_level(logging.WARNING, logger="fixit.notifications"):
        await deliver_once(pool, {"onesignal": onesignal()}, CONFIG, now)
    assert sorted(asked(api.calls)) == sorted([busy, refused])
    assert set(queued(db)) == {busy}  # the 400 is given up on, the 503 waits
    assert queued(db)[busy]["attempts"] == 1
    assert queued(db)[busy]["next_attempt_at"] == now + timedelta(seconds=CONFIG.retry_base_seconds)
    assert "400" in caplog.text and "503" in caplog.text
    assert busy not in caplog.text and refused not in caplog.text
    await deliver_once(pool, {"onesignal": onesignal()}, CONFIG, now + timedelta(seconds=10))
    assert len(api.calls) == 2  # not yet due
    await deliver_once(pool, {"onesignal": onesignal()}, CONFIG, now + timedelta(seconds=31))
    assert asked(api.calls[2:]) == [busy]
    assert queued(db) == {}


@respx.mock
async def test_two_workers_at_once_send_each_delete_once(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]]) -> None:
    ids = [i for _ in range(3) for i in deleted_person_with_phones(db, phones=2)]
    now = datetime.now(UTC)
    in_flight, most = 0, 0
    both_asking = asyncio.Event()

    async def answer(request: httpx.Request) -> httpx.Response:
        # The first answers wait until two deletes are in flight at once: with one row a batch, two workers each
        # holding a row. The bound only keeps a broken lock (a worker waiting for the other's row) from hanging
        # the run: it then fails below.
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        if in_flight >= 2:
            both_asking.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(both_asking.wait(), 10)
        both_asking.set()
        in_flight -= 1
        return httpx.Response(200, json={})

    users_forgotten()
    api = respx.delete(url__startswith=SUBSCRIPTIONS).mock(side_effect=answer)
    channel = onesignal()
    small = WorkerConfig(batch_size=1, retry_base_seconds=30)

    async def worker() -> None:
        while True:
            async with service_tx(pool) as owner:
                if not await erase_subscriptions(owner, channel, now, small):
                    return

    await asyncio.gather(worker(), worker())
    assert most >= 2  # they did run at once
    assert Counter(asked(api.calls)) == Counter(ids)  # each asked exactly once
    assert queued(db) == {}


@respx.mock
async def test_a_subscription_registered_again_or_without_onesignal_keys_is_dropped_unasked(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]]) -> None:
    users_forgotten()
    api = respx.delete(url__startswith=SUBSCRIPTIONS).mock(return_value=httpx.Response(200, json={}))
    # The phone signed in to another account before the worker's turn: that subscription is theirs now.
    (phone,) = deleted_person_with_phones(db, phones=1)
    now = datetime.now(UTC)
    newcomer = person(db)
    db.execute("insert into private.notification_devices (token, user_id, channel, platform) "
               "values (%s, %s, 'onesignal', 'android')", [phone, newcomer])
    await deliver_once(pool, {"onesignal": onesignal()}, CONFIG, now)
    assert api.calls.call_count == 0 and queued(db) == {}
    # A backend without OneSignal's keys cannot delete them: it leaves them to a copy with the keys, and drops them,
    # unasked, only once ERASE_TRIED_FOR has passed (the times are the deletion's UTC day, at most that long ago).
    deleted_person_with_phones(db)
    assert len(queued(db)) == 2 and len(queued(db, "user")) == 1
    channels: dict[str, Channel] = {}
    await deliver_once(pool, channels, CONFIG, now)
    assert len(queued(db)) == 2 and len(queued(db, "user")) == 1
    await deliver_once(pool, channels, CONFIG, now + ERASE_TRIED_FOR)
    assert api.calls.call_count == 0 and queued(db) == {} and queued(db, "user") == {}


def test_a_queued_subscription_cannot_be_linked_to_the_deleted_person(db: psycopg.Connection[dict[str, Any]]) -> None:
    """`queued_at` (and the first `next_attempt_at`) were the deletion's own now(), equal to the audit trail's
    account.delete `at` (kept for years, readable by admins): one equality join named whose phone each queued
    subscription was. Now they are the deletion's UTC day."""
    gone, phone = deleted_with_a_phone(db)
    _, other_phone = deleted_with_a_phone(db)
    assert {phone, other_phone} <= set(queued(db, None))
    for column in ("queued_at", "next_attempt_at"):
        linked = db.execute(
            f"""select a.target_id from private.onesignal_erasures e
                join public.audit_events a on a.action = 'account.delete' and a.at = e.{column}
                where e.subscription_id = %s""", [phone]).fetchall()
        assert gone not in [r["target_id"] for r in linked], f"the queue's {column} names whose subscription it was"
    day = db.execute("select date_trunc('day', now(), 'UTC') as d").fetchone()
    assert day is not None and queued(db, None)[phone]["queued_at"] == day["d"]


@respx.mock
async def test_a_rejected_api_key_keeps_the_erasures_for_the_fixed_key(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]],
        caplog: pytest.LogCaptureFixture) -> None:
    """A 401/403 (a key rotated in OneSignal's dashboard before the backends got the new one) was 'permanent': one
    turn gave up every queued erasure. Now it is asked again (as a send's 401 is), within ERASE_TRIED_FOR, and said
    loudly once a turn, without ids."""
    gone, phone = deleted_with_a_phone(db)
    now = datetime.now(UTC)
    api = respx.delete(url__startswith=APPS).mock(return_value=httpx.Response(
        401, json={"errors": ["Access denied.  Please include an 'Authorization: ...' header with a valid API key"]}))
    with caplog.at_level(logging.WARNING, logger="fixit.notifications"):
        async with service_tx(pool) as owner:
            await erase_subscriptions(owner, onesignal(), now, CONFIG)
    assert asked_any(api.calls) == sorted([f"subscriptions/{phone}", f"users/by/external_id/{gone}"])
    assert phone in queued(db, None), "given up on a rejected key: the subscription is never deleted at OneSignal"
    assert queued(db, None)[phone]["attempts"] == 1 and queued(db, None)[str(gone)]["attempts"] == 1
    refused = [r for r in caplog.records if "API key" in r.getMessage()]
    assert [r.levelno for r in refused] == [logging.ERROR]  # once a turn, loudly
    assert phone not in caplog.text and str(gone) not in caplog.text
    # The key fixed: the next due turn deletes both.
    api.mock(return_value=httpx.Response(200, json={}))
    async with service_tx(pool) as owner:
        await erase_subscriptions(owner, onesignal(), now + ERASE_TRIED_FOR / 2, CONFIG)
    assert queued(db, None) == {}


@respx.mock
async def test_a_copy_without_onesignal_leaves_the_erasures_to_a_copy_with_it(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]]) -> None:
    """A copy started without FIXIT_ONESIGNAL_* (a rolling change of settings) dropped the whole queue at its turn,
    so the configured copies never asked OneSignal. Now it leaves the rows, dropping only those past
    ERASE_TRIED_FOR."""
    gone, phone = deleted_with_a_phone(db)
    now = datetime.now(UTC)
    api = respx.delete(url__startswith=APPS).mock(return_value=httpx.Response(200, json={}))
    without_onesignal: dict[str, Channel] = {}
    await deliver_once(pool, without_onesignal, CONFIG, now)  # the copy without the keys takes its turn first
    await deliver_once(pool, {"onesignal": onesignal()}, CONFIG, now)  # then a copy with them
    assert asked_any(api.calls) == sorted([f"subscriptions/{phone}", f"users/by/external_id/{gone}"]), \
        "never deleted at OneSignal"
    assert queued(db, None) == {}


@respx.mock
async def test_a_deletion_deletes_the_persons_onesignal_user_too(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]]) -> None:
    """The app logs in to OneSignal with the person's id (external_id), so OneSignal keeps a user keyed by it, with
    their aliases and properties. A deletion now asks OneSignal's Delete user for it too, also for a person who
    signed out first (no device row); a 404 (never known there) is done."""
    gone, phone = deleted_with_a_phone(db)
    signed_out = person(db)
    db.execute("delete from auth.users where id = %s", [signed_out])
    now = datetime.now(UTC)
    any_delete = respx.delete(url__startswith=APPS).mock(side_effect=lambda request: httpx.Response(
        404 if request.url.path.endswith(str(signed_out)) else 200, json={}))
    await deliver_once(pool, {"onesignal": onesignal()}, CONFIG, now)
    paths = [c.request.url.path for c in any_delete.calls]
    assert f"/apps/{APP_ID}/subscriptions/{phone}" in paths
    assert f"/apps/{APP_ID}/users/by/external_id/{gone}" in paths, f"OneSignal keeps the user: asked only {paths}"
    assert f"/apps/{APP_ID}/users/by/external_id/{signed_out}" in paths
    assert {c.request.headers["Authorization"] for c in any_delete.calls} == {"Key app-api-key"}
    assert queued(db, None) == {}
