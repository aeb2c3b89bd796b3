"""backend.db.Pool: one checkout waits the pool's timeout once in all, however many ended connections it is handed
and discards on the way (race26). Each retry waited the whole timeout afresh: a request handed a dead connection
after a long wait for one waited that long again, once per dead connection, before its 503.

No database and no timing: psycopg_pool's own checkout is replaced by one that records the wait it was allowed and
moves a fake clock by a given time, as a busy pool would make it wait."""

from typing import Any

import pytest
from psycopg_pool import PoolTimeout

from tests.unit.pool_fakes import ended_connections_pool


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _checkouts(monkeypatch: pytest.MonkeyPatch, waits: list[float], given: float | None = None
                     ) -> tuple[list[float], BaseException | None]:
    """A pool of 5 with a 10 s timeout whose checkouts take `waits` (one per checkout, in order) and hand out only
    connections the server ended (each fails its check and is given back). Returns the waits each checkout was
    allowed and what the call raised."""
    clock = _Clock()
    allowed: list[float] = []
    pending = list(waits)

    async def checkout(self: Any, timeout: float | None = None) -> Any:  # noqa: ASYNC109 (psycopg_pool's signature)
        allowed.append(self.timeout if timeout is None else timeout)
        took = pending.pop(0)
        if took >= allowed[-1]:
            clock.now += allowed[-1]
            raise PoolTimeout("no connection")
        clock.now += took
        return object()

    pool = ended_connections_pool(monkeypatch, checkout, clock)
    try:
        await pool.getconn(given)
    except PoolTimeout as exc:
        return allowed, exc
    return allowed, None


async def test_the_retries_after_ended_connections_share_one_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    allowed, raised = await _checkouts(monkeypatch, [4.0, 4.0, 4.0, 4.0, 4.0, 4.0])
    # 4 s, then 4 s more for the next, then what is left (2 s) for the third: 10 s in all, the pool's timeout.
    assert allowed == [10.0, 6.0, 2.0]
    assert isinstance(raised, PoolTimeout)


async def test_a_timeout_given_is_the_whole_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    allowed, raised = await _checkouts(monkeypatch, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0], given=2.5)
    assert allowed == [2.5, 1.5, 0.5]
    assert isinstance(raised, PoolTimeout)


async def test_quick_retries_are_not_cut_short(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dead connections handed out at once (a restart): every one is tried, each with the time still left."""
    allowed, raised = await _checkouts(monkeypatch, [0.0] * 6)
    assert allowed == [10.0] * 6  # max_size checks, then the last plain checkout
    assert raised is None
