"""edges27 #2: a device push token moving between accounts (a family's shared phone or browser: one person signed
out, perhaps offline, another signed in on it; POST /me/devices moves the token to the caller).

What a person expects: from the moment the app has registered the phone for the new person (the app opts the phone's
pushes back in only then, mobile/push.py), it shows the new person's pushes and none of the former's, and the former
account's pushes go nowhere. The delivery worker skipped a delivery whose device was no longer its recipient's
(test_held_deliveries_reach_their_recipient.py), but only as of its turn's first read: a send already under way
went on while the token moved, so the new person's phone showed the former's message after its registration
returned; and when the push service refused that send for good (a stale token), the worker deleted the token
whoever held it by then, the new person's fresh registration too (no pushes for them until their next sign-in).

Driven on a database of its own with the worker's own turn (`deliver_once`) and a push channel that holds its send
until the test lets it go; the registration is what POST /me/devices writes. No sleeps: the registration's wait is
seen in pg_stat_activity."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.local_postgres import LocalPostgres
from backend.notifications.channels import DeliveryError, Message, Target
from backend.notifications.worker import HELD_ELSEWHERE_WAIT, WorkerConfig, deliver_once
from shared.notifications import Pref
from tests.conftest import MigratedDatabases
from tests.integration.lock_waits import until_waiting_or_done
from tests.integration.test_held_deliveries_reach_their_recipient import _ready, _two_people

DAY = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # 12:00 in Bangkok: no quiet hours

# What POST /me/devices writes (backend/routes/notifications.py register_device).
REGISTER = """insert into private.notification_devices (token, user_id, channel, platform, keys, last_seen_at)
              values (%s, %s, 'fcm', 'android', null, now())
              on conflict (token) do update set user_id = excluded.user_id, channel = excluded.channel,
                  platform = excluded.platform, keys = excluded.keys, last_seen_at = excluded.last_seen_at"""


class HeldPhone:
    """FCM's addressing; each send waits until the test lets it go, then succeeds or is refused for good."""

    name, pref, addresses = "fcm", Pref.PUSH, "fcm"

    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.sending = asyncio.Event()
        self.go = asyncio.Event()
        self.order: list[str] = []  # shared with the test: "sent" once a send ended

    async def send(self, message: Message, target: Target, idempotency_key: str) -> None:
        if not self.sending.is_set():  # the first send waits for the test; any other is answered at once
            self.sending.set()
            await self.go.wait()
        self.order.append("sent")
        if self.refuse:
            raise DeliveryError("FCM 404: UNREGISTERED", permanent=True)

    async def aclose(self) -> None:
        return None


@pytest.fixture
def push_db(local_pg: LocalPostgres, migrated_database: MigratedDatabases) -> Iterator[str]:
    """A database of its own: a delivery turn plans and sends every notification waiting in its database."""
    yield migrated_database("fixit_edges27_push")
    local_pg.drop_database("fixit_edges27_push")


@asynccontextmanager
async def worker_pool(url: str) -> AsyncIterator[AsyncConnectionPool[Any]]:
    """The delivery worker's pool, as the backend opens it (autocommit; each step its own transaction)."""
    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
        url, min_size=1, max_size=2, kwargs={"row_factory": dict_row, "autocommit": True}, open=False)
    await pool.open()
    try:
        yield pool
    finally:
        await pool.close()


def _first_persons_phone(url: str) -> tuple[uuid.UUID, uuid.UUID, str]:
    """Two people; the first's phone registered, a message for them waiting. Returns (first, second, token)."""
    token = f"fcm-{uuid.uuid4().hex}"
    with psycopg.connect(url, autocommit=True) as db:
        first, second = _two_people(db)
        db.execute(REGISTER, [token, first])
        _ready(db, first)
    return first, second, token


async def _during_a_send(url: str, phone: HeldPhone, write: str, params: list[Any], done: str) -> None:
    """The first person's push is being sent to their phone when the app writes `write` (a registration, a
    sign-out) and commits: `done` goes into phone.order when it committed, "sent" when the send ended."""
    async with worker_pool(url) as pool:
        turn = asyncio.create_task(deliver_once(pool, {phone.name: phone}, WorkerConfig(), DAY))
        await phone.sending.wait()  # the first person's message is on its way to the phone

        async def app_writes() -> None:
            async with await psycopg.AsyncConnection.connect(url) as app:
                await app.execute(write, params)
                await app.commit()
            phone.order.append(done)

        writing = asyncio.create_task(app_writes())
        await until_waiting_or_done(url, writing)  # it wrote, or waits to
        phone.go.set()
        await turn
        await writing


async def test_a_send_under_way_ends_before_the_token_moves_to_the_next_person(push_db: str) -> None:
    phone = HeldPhone()
    _, second, token = _first_persons_phone(push_db)
    await _during_a_send(push_db, phone, REGISTER, [token, second], "registered")
    # The app opts the phone back in once its registration returned: the former's message reached it before.
    assert phone.order == ["sent", "registered"]


async def test_a_token_refused_for_the_former_account_stays_registered_to_the_next(push_db: str) -> None:
    phone = HeldPhone(refuse=True)
    first, second, token = _first_persons_phone(push_db)
    await _during_a_send(push_db, phone, REGISTER, [token, second], "registered")
    with psycopg.connect(push_db) as db:
        owners = [r[0] for r in db.execute("select user_id from private.notification_devices").fetchall()]
        ends = db.execute("select status, last_error from private.notification_deliveries").fetchall()
    assert ends == [("failed", "FCM 404: UNREGISTERED")]  # the first person's message, refused
    assert owners == [second]  # the second person's registration stands: their pushes still reach the phone
    assert first not in owners


async def test_a_sign_out_returns_once_no_push_is_on_its_way_to_the_phone(push_db: str) -> None:
    """DELETE /me/devices (the app's sign-out) waits, like a registration, for a send under way to the device."""
    phone = HeldPhone()
    first, _, token = _first_persons_phone(push_db)
    await _during_a_send(push_db, phone, "delete from private.notification_devices where token = %s and user_id = %s",
                         [token, first], "signed out")  # what DELETE /me/devices writes
    assert phone.order == ["sent", "signed out"]


async def test_a_push_for_a_device_being_registered_waits_for_the_next_turn(push_db: str) -> None:
    """The other side of the hold: a registration (or a sign-out) holding the device row right now is not waited for
    (the worker holds other devices meanwhile); its delivery is not attempted, not skipped, and the next turn sends
    it to the device's owner as of then."""
    first, _, token = _first_persons_phone(push_db)
    phone = HeldPhone()
    phone.go.set()
    async with worker_pool(push_db) as pool:
        async with await psycopg.AsyncConnection.connect(push_db) as app:
            await app.execute(REGISTER, [token, first])  # the same person seen again, not committed yet
            await deliver_once(pool, {phone.name: phone}, WorkerConfig(), DAY)
            assert phone.order == []
            with psycopg.connect(push_db) as db:
                assert db.execute("select status, attempts from private.notification_deliveries").fetchall() == [
                    ("pending", 0)]
            await app.commit()
        # The next turn: a tick on (a delivery found held is due again HELD_ELSEWHERE_WAIT later, import28 #3).
        await deliver_once(pool, {phone.name: phone}, WorkerConfig(), DAY + HELD_ELSEWHERE_WAIT)
    assert phone.order == ["sent"]


async def test_two_turns_sending_to_one_phone_never_wait_for_each_other(push_db: str) -> None:
    """Two backend copies' turns at once, each with a delivery to the same phone: the second leaves its delivery for
    a later turn instead of sending beside the first. (Both holding the device shared, a stale-token refusal to both
    made each wait for the other's hold to delete it: a deadlock.)"""
    first, _, token = _first_persons_phone(push_db)
    with psycopg.connect(push_db, autocommit=True) as db:
        _ready(db, first)  # a second message for the same phone
    phone = HeldPhone(refuse=True)
    one_each = WorkerConfig(batch_size=1)
    async with worker_pool(push_db) as pool, worker_pool(push_db) as other_pool:
        turn = asyncio.create_task(deliver_once(pool, {phone.name: phone}, one_each, DAY))
        await phone.sending.wait()
        other = asyncio.create_task(deliver_once(other_pool, {phone.name: phone}, one_each, DAY))
        try:
            await until_waiting_or_done(push_db, other)
            assert other.done()  # it did not wait for the first turn's hold
        finally:
            phone.go.set()
            await asyncio.gather(turn, other, return_exceptions=True)
    assert phone.order == ["sent"]  # one send, refused; the token is gone for both messages
    with psycopg.connect(push_db) as db:
        ends = db.execute("select status from private.notification_deliveries order by id").fetchall()
        left = db.execute("select count(*) from private.notification_devices where token = %s", [token]).fetchone()
    assert sorted(e[0] for e in ends) == ["failed", "pending"] and left == (0,)
