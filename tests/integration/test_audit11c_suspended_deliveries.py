"""Audit 11c: a delivery planned before the operator suspends the account still goes out after it.

`plan` skips a suspended recipient (worker.py:96), but `_DUE` (worker.py:133) sends every pending delivery without
looking at the recipient's profile: one held for quiet hours (or waiting for a retry) when the suspension lands
reaches the suspended person's phone, LINE or device with the request's item and place. Right behaviour: a due
delivery of a suspended recipient is skipped, as one planned after the suspension is."""

from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from backend.db import Conn
from backend.notifications.worker import deliver_once
from tests.integration.test_notifications_delivery import (  # noqa: F401 - the module's fixtures
    CONFIG,
    NIGHT,
    FakeChannel,
    db,
    enqueue,
    notify_db,
    person,
    pool,
)


async def test_a_delivery_held_for_quiet_hours_is_not_sent_once_suspended(
        pool: AsyncConnectionPool[Conn], db: psycopg.Connection[dict[str, Any]]) -> None:  # noqa: F811
    citizen = person(db)
    enqueue(db, citizen, "ready")
    fake = FakeChannel()
    await deliver_once(pool, {"fake": fake}, CONFIG, NIGHT)  # planned, held until 07:00
    assert fake.sent == []
    db.execute("update public.profiles set is_active = false where id = %s", [citizen])  # the operator suspends
    morning = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
    await deliver_once(pool, {"fake": fake}, CONFIG, morning)
    assert [(m.kind.value, str(t.address)) for m, t, _ in fake.sent] == [], "sent to a suspended account"
