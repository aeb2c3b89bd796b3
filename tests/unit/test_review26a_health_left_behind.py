"""review26a: a /health check's round trip left behind past CHECK_SECONDS (audit26 F1) holds its pool connection
until it ends. With a host gone silent, each later check took one more connection and left it behind too, so the
health checks alone could hold the whole pool (every request then a 503 PoolTimeout) for as long as those round
trips last: for ever with psycopg 3.2 (its cancel waits for the server; pyproject allows it), ~10 s each with 3.3.

A fake pool (no database, no timing asserted): its connections' round trips never answer and outlive their
cancellation, as psycopg 3.2's do against a silent host, until the test lets the host answer again."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from backend import health_check


class SilentHost:
    """A pool whose every round trip waits for `answers` and is not ended by a cancellation before it."""

    def __init__(self) -> None:
        self.answers = asyncio.Event()
        self.held = 0  # connections out of the pool now
        self.most_held = 0

    async def execute(self, _query: str) -> Any:
        while not self.answers.is_set():
            try:
                await self.answers.wait()
            except asyncio.CancelledError:  # psycopg 3.2: the cancel is sent, the query's end waited for
                continue
        raise OSError("connection lost")  # the old host's connection ends at last

    @asynccontextmanager
    async def connection(self, **_: Any) -> AsyncIterator["SilentHost"]:
        self.held += 1
        self.most_held = max(self.most_held, self.held)
        try:
            yield self
        finally:
            self.held -= 1


async def test_checks_against_a_silent_host_leave_at_most_one_round_trip_behind(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health_check, "CHECK_SECONDS", 0.01)  # the limit only: nothing below is timed
    host = SilentHost()
    try:
        for _ in range(4):  # a load balancer asking again after each "degraded"
            health = await health_check.check_database(host)  # type: ignore[arg-type]
            assert not health.ok and health.error == "TimeoutError"
        assert host.most_held == 1, f"{host.most_held} pool connections held by health round trips left behind"
    finally:
        host.answers.set()
        await asyncio.gather(*health_check._LEFT_BEHIND, return_exceptions=True)
    assert host.held == 0
