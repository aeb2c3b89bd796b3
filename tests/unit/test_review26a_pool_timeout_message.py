"""review26a: a checkout that runs out of time after discarding ended connections says the whole wait in its
PoolTimeout (what the 503's log line shows), not the remainder its last attempt was allowed, as psycopg_pool's own
getconn says its whole timeout. No database, no timing: the fake clock of test_pool_waits_once."""

from typing import Any

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool, PoolTimeout

import backend.db as db


async def test_a_timeout_after_ended_connections_names_the_whole_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(db, "monotonic", lambda: now[0], raising=False)

    async def checkout(self: Any, timeout: float | None = None) -> Any:  # noqa: ASYNC109 (psycopg_pool's signature)
        allowed = self.timeout if timeout is None else timeout
        if allowed < 10.0:  # the second attempt: nothing frees up in time (psycopg_pool's own words)
            now[0] += allowed
            raise PoolTimeout(f"couldn't get a connection after {allowed:.2f} sec")
        now[0] += 4.0  # the first waited 4 s for a connection the server had ended
        return object()

    async def broken(self: Any, conn: Any) -> None:
        raise psycopg.OperationalError("terminating connection due to administrator command")

    async def given_back(self: Any, conn: Any) -> None:
        return None

    monkeypatch.setattr(AsyncConnectionPool, "getconn", checkout)
    monkeypatch.setattr(db.Pool, "check_connection", broken)
    monkeypatch.setattr(db.Pool, "putconn", given_back)
    monkeypatch.setattr(db, "_something_arrived", lambda conn: True)
    pool = db.Pool("postgresql://nowhere/none", min_size=1, max_size=5, timeout=10.0, open=False)
    with pytest.raises(PoolTimeout) as raised:
        await pool.getconn()
    assert str(raised.value) == "couldn't get a connection after 10.00 sec"
