"""review26a: a checkout that runs out of time after discarding ended connections says the whole wait in its
PoolTimeout (what the 503's log line shows), not the remainder its last attempt was allowed, as psycopg_pool's own
getconn says its whole timeout. No database, no timing: the fake clock of test_pool_waits_once."""

from typing import Any

import pytest
from psycopg_pool import PoolTimeout

from tests.unit.pool_fakes import ended_connections_pool


async def test_a_timeout_after_ended_connections_names_the_whole_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]

    async def checkout(self: Any, timeout: float | None = None) -> Any:  # noqa: ASYNC109 (psycopg_pool's signature)
        allowed = self.timeout if timeout is None else timeout
        if allowed < 10.0:  # the second attempt: nothing frees up in time (psycopg_pool's own words)
            now[0] += allowed
            raise PoolTimeout(f"couldn't get a connection after {allowed:.2f} sec")
        now[0] += 4.0  # the first waited 4 s for a connection the server had ended
        return object()

    pool = ended_connections_pool(monkeypatch, checkout, lambda: now[0])
    with pytest.raises(PoolTimeout) as raised:
        await pool.getconn()
    assert str(raised.value) == "couldn't get a connection after 10.00 sec"
