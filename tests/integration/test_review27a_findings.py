"""review27a: findings in what audit27 and edges27 merged (session 27), each proved here or in
tests/unit/test_review27a_*.py.

#3: the delivery worker's turn counts a delivery it left for later (its device held by another backend copy's send,
edges27 #2) as attempted. A turn whose whole batch was left so reads as "full" and the worker's loop goes on at once
instead of sleeping: another copy sending to a slow phone (up to the 15 s send timeout) makes this copy read, lock
and rewrite the same batch again and again, as fast as the database answers, until the send ends."""

import asyncio
from collections.abc import Iterator

import psycopg
import pytest
from psycopg.rows import dict_row

from backend.local_postgres import LocalPostgres
from backend.notifications.worker import WorkerConfig, deliver_once
from backend.routes.notifications import register_token
from tests.conftest import MigratedDatabases
from tests.integration.lock_waits import until_waiting_or_done
from tests.integration.test_edges27_findings import DAY, HeldPhone, _first_persons_phone, worker_pool
from tests.integration.test_held_deliveries_reach_their_recipient import _ready


@pytest.fixture
def push_db(local_pg: LocalPostgres, migrated_database: MigratedDatabases) -> Iterator[str]:
    yield migrated_database("fixit_review27a_push")
    local_pg.drop_database("fixit_review27a_push")


async def test_a_turn_that_only_left_deliveries_for_later_is_not_a_full_one(push_db: str) -> None:
    first, _, _ = _first_persons_phone(push_db)
    with psycopg.connect(push_db, autocommit=True) as db:
        _ready(db, first)  # a second message for the same phone
    phone = HeldPhone()
    one_each = WorkerConfig(batch_size=1)
    async with worker_pool(push_db) as pool, worker_pool(push_db) as other_pool:
        turn = asyncio.create_task(deliver_once(pool, {phone.name: phone}, one_each, DAY))
        await phone.sending.wait()  # copy one is sending the first message to the phone, holding it
        other = asyncio.create_task(deliver_once(other_pool, {phone.name: phone}, one_each, DAY))
        try:
            await until_waiting_or_done(push_db, other)
            other_turn = await other
        finally:
            phone.go.set()
            await asyncio.gather(turn, return_exceptions=True)
    assert phone.order == ["sent"]  # copy two sent nothing: the phone was held
    assert other_turn.attempted == 0 and not other_turn.full(one_each)  # so its loop sleeps until the next tick


# review27a #4: POST /me/devices, the same person's phone seen again (the app registers at every session's start),
# waited like a move for a push under way to it: up to the worker's send timeout (15 s) per app start while a push
# service is slow, each holding one of the backend's pool connections (10 per process by default), so ten people
# opening the app during a slow send used up a backend copy's pool. Nothing moves there: nothing needs to wait.
async def test_a_phone_registered_again_by_its_own_person_does_not_wait_for_a_send(push_db: str) -> None:
    first, _, token = _first_persons_phone(push_db)
    phone = HeldPhone()
    async with worker_pool(push_db) as pool:
        turn = asyncio.create_task(deliver_once(pool, {phone.name: phone}, WorkerConfig(), DAY))
        await phone.sending.wait()
        async with await psycopg.AsyncConnection.connect(push_db, row_factory=dict_row) as app:

            async def register_again() -> None:
                await register_token(app, first, token, "fcm", "android", None, DAY)
                await app.commit()

            registering = asyncio.create_task(register_again())
            try:
                await until_waiting_or_done(push_db, registering)
                assert registering.done()  # answered while the push is still on its way
            finally:
                phone.go.set()
                await asyncio.gather(turn, registering, return_exceptions=True)
    with psycopg.connect(push_db) as db:
        assert db.execute("select user_id from private.notification_devices").fetchall() == [(first,)]
