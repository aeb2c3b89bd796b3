"""review16b: a hostile review of session 16's backend code, on real PostgreSQL. Each test proves one finding and is
marked `xfail(strict=True)` until it is fixed (then the mark goes and the test guards the fix).

A database of its own: the OneSignal erasure queue is the whole database's, and other tests' workers would take it."""

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

from backend.db import Conn
from backend.local_postgres import LocalPostgres
from backend.migrate import migrate
from backend.notifications.channels import Channel
from backend.notifications.channels.onesignal import OneSignalChannel
from backend.notifications.worker import WorkerConfig, deliver_once

DB = "fixit_review16b_test"
APP_ID = "5eb5a37e-b458-11e3-ac11-000c2940e62c"
SUBSCRIPTIONS = f"https://api.onesignal.com/apps/{APP_ID}/subscriptions/"
CONFIG = WorkerConfig(batch_size=50, max_attempts=5, retry_base_seconds=30, link_base="https://app.example")


@pytest.fixture(scope="module")
def review_db(local_pg: LocalPostgres) -> str:
    local_pg.drop_database(DB)
    url = local_pg.url_for(DB)
    migrate(url)
    return url


@pytest.fixture
async def pool(review_db: str) -> AsyncIterator[AsyncConnectionPool[Conn]]:
    p: AsyncConnectionPool[Conn] = AsyncConnectionPool(
        review_db, min_size=1, max_size=4, kwargs={"row_factory": dict_row, "autocommit": True},
        connection_class=psycopg.AsyncConnection[dict[str, Any]], open=False)
    await p.open()
    yield p
    await p.close()


@pytest.fixture
def db(review_db: str) -> Iterator[psycopg.Connection[dict[str, Any]]]:
    with psycopg.connect(review_db, autocommit=True, row_factory=dict_row) as conn:
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
    return {r["subscription_id"]: r for r in db.execute("select * from private.onesignal_erasures").fetchall()}


def asked(calls: Sequence[respx.models.Call]) -> list[str]:
    return [str(c.request.url).removeprefix(SUBSCRIPTIONS) for c in calls]


def onesignal() -> OneSignalChannel:
    return OneSignalChannel(APP_ID, "app-api-key")


@respx.mock
@pytest.mark.xfail(strict=True, reason="review16b: in a fleet where one copy lacks OneSignal's keys, that copy's "
                                       "worker drops the erasure queue before a configured copy asks OneSignal")
async def test_a_copy_without_onesignal_leaves_the_erasures_to_a_copy_with_it(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]]) -> None:
    """Every copy runs the worker every 2 s. A copy started without FIXIT_ONESIGNAL_* (a rolling change of
    FIXIT_NOTIFY_CHANNELS, a copy started by hand or by another deploy unit with other settings; production refuses
    only a channel it names without keys, not one it leaves out) drops the whole queue at its next turn
    (`delete … for update skip locked`), so the configured copies never ask OneSignal: whichever copy's turn comes
    first decides whether a deleted person's subscription is deleted. A copy that cannot delete should leave the
    rows (dropping only those past ERASE_TRIED_FOR)."""
    _, phone = deleted_with_a_phone(db)
    now = datetime.now(UTC)
    api = respx.delete(url__startswith=SUBSCRIPTIONS).mock(return_value=httpx.Response(200, json={}))
    without_onesignal: dict[str, Channel] = {}
    await deliver_once(pool, without_onesignal, CONFIG, now)  # the copy without the keys takes its turn first
    await deliver_once(pool, {"onesignal": onesignal()}, CONFIG, now)  # then a copy with them
    assert asked(api.calls) == [phone], "the subscription was never deleted at OneSignal"
    assert queued(db) == {}


REFUSED_NOTE = "ตู้เย็นไม่เย็นเลย"


def _failing_row_error(database_url: str, address: str) -> psycopg.Error:
    """A real check violation whose DETAIL repeats the refused row (as a citizen's request's constraint would)."""
    with psycopg.connect(database_url) as conn:
        conn.execute("create temporary table log_probe (address text, note text check (length(note) < 5))")
        try:
            conn.execute("insert into log_probe values (%s, %s)", [address, REFUSED_NOTE])
        except psycopg.Error as exc:
            return exc
    raise AssertionError("the check did not refuse the row")


@pytest.mark.xfail(strict=True, reason="review16b: a 'Failing row contains (…)' whose value has a ')' at the end of "
                                       "one of its lines is redacted only up to that line: the rest of the row is "
                                       "logged")
@pytest.mark.parametrize("log_format", ["json", "text"])
def test_a_row_with_a_parenthesis_ending_a_line_is_kept_out_of_the_log(review_db: str, log_format: str) -> None:
    """backend/logs.py's pattern ends the row at the first ')' followed by a line end. An address written on two
    lines whose first line ends in parentheses ('7 (ตึกแดง)' then 'ซอย 4') is cut there: the
    next line and the rest of the row (the request's other values) reach the log."""
    import io
    import logging

    from backend.logs import RedactingFilter, make_formatter

    error = _failing_row_error(review_db, "7 (ตึกแดง)\nซอย 4")  # short: PostgreSQL cuts a long value
    assert "ซอย 4" in str(error)  # the row is in the error's text
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(make_formatter(log_format))
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("fixit.review16b_probe")
    logger.addHandler(handler)
    try:
        logger.exception("unhandled error", exc_info=error)
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "unhandled error" in written
    assert "ซอย 4" not in written and REFUSED_NOTE not in written, written
