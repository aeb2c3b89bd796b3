"""OneSignal erasure regressions (review16b's findings 3-6, fixed by migration 0067 and the worker): the queue's times
name nobody; a refused App API key keeps the erasures for the fixed key; a copy without OneSignal's keys leaves the
erasures to a copy with them; a deletion deletes the person's OneSignal user (external_id = their id) too.

A database of its own: the OneSignal erasure queue is the whole database's, and other tests' workers would take it."""

import logging
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
import psycopg
import pytest
import respx
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.db import Conn, service_tx
from backend.local_postgres import LocalPostgres
from backend.migrate import migrate
from backend.notifications.channels import Channel
from backend.notifications.channels.onesignal import OneSignalChannel
from backend.notifications.worker import ERASE_TRIED_FOR, WorkerConfig, deliver_once, erase_subscriptions

DB = "fixit_onesignal_erasure_regressions_test"
APP_ID = "5eb5a37e-b458-11e3-ac11-000c2940e62c"
APPS = f"https://api.onesignal.com/apps/{APP_ID}/"
CONFIG = WorkerConfig(batch_size=50, max_attempts=5, retry_base_seconds=30, link_base="https://app.example")


@pytest.fixture(scope="module")
def erasure_db(local_pg: LocalPostgres) -> str:
    local_pg.drop_database(DB)
    url = local_pg.url_for(DB)
    migrate(url)
    return url


@pytest.fixture
async def pool(erasure_db: str) -> AsyncIterator[AsyncConnectionPool[Conn]]:
    p: AsyncConnectionPool[Conn] = AsyncConnectionPool(
        erasure_db, min_size=1, max_size=4, kwargs={"row_factory": dict_row, "autocommit": True},
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


def deleted_with_a_phone(db: psycopg.Connection[dict[str, Any]]) -> tuple[uuid.UUID, str]:
    """A person with one OneSignal subscription, deleted as GoTrue deletes (Supabase's dashboard)."""
    gone, phone = person(db), str(uuid.uuid4())
    db.execute("insert into private.notification_devices (token, user_id, channel, platform) "
               "values (%s, %s, 'onesignal', 'android')", [phone, gone])
    db.execute("delete from auth.users where id = %s", [gone])
    return gone, phone


def queued(db: psycopg.Connection[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every queued erasure by its id: subscription ids and deleted people's ids (OneSignal's external_id)."""
    return {r["subscription_id"]: r for r in db.execute("select * from private.onesignal_erasures").fetchall()}


def asked(calls: Sequence[respx.models.Call]) -> list[str]:
    return sorted(c.request.url.path.removeprefix(f"/apps/{APP_ID}/") for c in calls)


def onesignal() -> OneSignalChannel:
    return OneSignalChannel(APP_ID, "app-api-key")


def test_a_queued_subscription_cannot_be_linked_to_the_deleted_person(db: psycopg.Connection[dict[str, Any]]) -> None:
    """`queued_at` (and the first `next_attempt_at`) were the deletion's own now(), equal to the audit trail's
    account.delete `at` (kept for years, readable by admins): one equality join named whose phone each queued
    subscription was. Now they are the deletion's UTC day."""
    gone, phone = deleted_with_a_phone(db)
    _, other_phone = deleted_with_a_phone(db)
    assert {phone, other_phone} <= set(queued(db))
    for column in ("queued_at", "next_attempt_at"):
        linked = db.execute(
            f"""select a.target_id from private.onesignal_erasures e
                join public.audit_events a on a.action = 'account.delete' and a.at = e.{column}
                where e.subscription_id = %s""", [phone]).fetchall()
        assert gone not in [r["target_id"] for r in linked], f"the queue's {column} names whose subscription it was"
    day = db.execute("select date_trunc('day', now(), 'UTC') as d").fetchone()
    assert day is not None and queued(db)[phone]["queued_at"] == day["d"]


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
    assert asked(api.calls) == sorted([f"subscriptions/{phone}", f"users/by/external_id/{gone}"])
    assert phone in queued(db), "given up on a rejected key: the subscription is never deleted at OneSignal"
    assert queued(db)[phone]["attempts"] == 1 and queued(db)[str(gone)]["attempts"] == 1
    refused = [r for r in caplog.records if "API key" in r.getMessage()]
    assert [r.levelno for r in refused] == [logging.ERROR]  # once a turn, loudly
    assert phone not in caplog.text and str(gone) not in caplog.text
    # The key fixed: the next due turn deletes both.
    api.mock(return_value=httpx.Response(200, json={}))
    async with service_tx(pool) as owner:
        await erase_subscriptions(owner, onesignal(), now + ERASE_TRIED_FOR / 2, CONFIG)
    assert queued(db) == {}


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
    assert asked(api.calls) == sorted([f"subscriptions/{phone}", f"users/by/external_id/{gone}"]), \
        "never deleted at OneSignal"
    assert queued(db) == {}


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
    assert queued(db) == {}
