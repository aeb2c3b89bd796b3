"""A backend.db.Pool handed only connections the server ended, with no database and no timing (race26's
test_pool_waits_once, review26a's timeout message): psycopg_pool's own checkout is replaced by the test's, every
connection it hands out fails its check and is given back, and backend.db reads the test's clock."""

from collections.abc import Callable, Coroutine
from typing import Any

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

import backend.db as db

Checkout = Callable[[Any, float | None], Coroutine[Any, Any, Any]]


def ended_connections_pool(monkeypatch: pytest.MonkeyPatch, checkout: Checkout,
                           clock: Callable[[], float]) -> db.Pool:
    """A pool of 5 with a 10 s timeout whose checkouts are `checkout(pool, timeout)` (psycopg_pool's signature), each
    connection ended by the server, and `clock` as backend.db's monotonic clock."""

    async def broken(self: Any, conn: Any) -> None:
        raise psycopg.OperationalError("terminating connection due to administrator command")

    async def given_back(self: Any, conn: Any) -> None:
        return None

    monkeypatch.setattr(db, "monotonic", clock, raising=False)
    monkeypatch.setattr(AsyncConnectionPool, "getconn", checkout)
    monkeypatch.setattr(db.Pool, "check_connection", broken)
    monkeypatch.setattr(db.Pool, "putconn", given_back)
    monkeypatch.setattr(db, "_something_arrived", lambda conn: True)
    return db.Pool("postgresql://nowhere/none", min_size=1, max_size=5, timeout=10.0, open=False)
