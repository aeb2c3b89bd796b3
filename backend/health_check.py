"""`/health`'s database check, shared by the callers that ask at the same moment (issue 15).

A load balancer (or several, or one per zone) asks every copy's `/health` again and again; each answer ran its own
`select` on a pooled connection, so a storm of checks took pool connections the app's users were waiting for, and
the workers spent more CPU a check than the check itself costs PostgreSQL (bench/README.md, sessions 10-24).

Here callers that ask while a check is under way share the *next* check, never the one already running: it began
before they asked, and a load balancer asking "is the database reachable now?" must not be told what was true a
moment before its question (the reason sessions 14-16 refused a shared or cached answer). So every answer comes from
a round trip to PostgreSQL that began after its caller asked, as if each had run its own; at most one check runs at
a time in a copy, plus one gathering its callers. Nothing is kept between checks: when nobody asks, nothing runs.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Generic, TypeVar

from psycopg_pool import AsyncConnectionPool

from backend.db import Conn
from backend.schemas import DatabaseHealth

T = TypeVar("T")

POOL_WAIT_SECONDS = 3.0  # a check waiting longer than this for a connection says "degraded" (the pool is starved)
MIGRATIONS_COUNT = "select count(*) as n from private.schema_migrations"


class FreshCheck(Generic[T]):
    """Runs `check` for its callers, one run at a time; a caller gets the result of a run that began after it asked.

    `check` returns a failure as a value (one run's answer goes to every caller waiting on it); a caller that leaves
    (its client hung up) does not cancel the run the others wait for."""

    def __init__(self, check: Callable[[], Awaitable[T]]) -> None:
        self._check = check
        self._running: asyncio.Future[T] | None = None  # began before anyone now arriving asked
        self._gathering: asyncio.Future[T] | None = None  # the next run, for those who asked during this one
        self._task: asyncio.Task[None] | None = None  # held: the loop keeps only a weak reference to a task
        self.gathered = 0  # callers waiting for the next run (they asked while one was under way)

    async def __call__(self) -> T:
        if self._running is None:
            answer = self._start(asyncio.get_running_loop().create_future())
        else:
            if self._gathering is None:
                self._gathering = asyncio.get_running_loop().create_future()
            answer = self._gathering
            self.gathered += 1
        return await asyncio.shield(answer)

    def _start(self, answer: asyncio.Future[T]) -> asyncio.Future[T]:
        self._running = answer
        # Marked as read whatever happens: a failed run whose callers all left would otherwise be logged as an
        # exception nobody retrieved.
        answer.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._task = asyncio.get_running_loop().create_task(self._run(answer), name="health-check")
        return answer

    async def _run(self, answer: asyncio.Future[T]) -> None:
        try:
            answer.set_result(await self._check())
        except asyncio.CancelledError:  # the copy shutting down: no next run either
            answer.cancel()
            if self._gathering is not None:
                self._gathering.cancel()
                self._gathering, self.gathered = None, 0
            raise
        except Exception as exc:  # a bug in `check`: each of its callers gets the app's 500
            answer.set_exception(exc)
        finally:
            self._running = None
            waiting, self._gathering, self.gathered = self._gathering, None, 0
            if waiting is not None:
                self._start(waiting)


async def check_database(pool: AsyncConnectionPool[Conn]) -> DatabaseHealth:
    """One check of the copy's database: reachable, how fast, how many migrations applied."""
    started = time.perf_counter()
    try:
        async with pool.connection(timeout=POOL_WAIT_SECONDS) as conn:
            row = await (await conn.execute(MIGRATIONS_COUNT)).fetchone()
    except Exception as exc:  # any failure here is a health answer, not a crash
        return DatabaseHealth(ok=False, error=type(exc).__name__)
    return DatabaseHealth(ok=True, latency_ms=round((time.perf_counter() - started) * 1000, 2),
                          migrations=row["n"] if row else 0)


def database_check(pool: AsyncConnectionPool[Conn]) -> FreshCheck[DatabaseHealth]:
    """The copy's shared check of its database (`app.state.database_check`)."""
    return FreshCheck(partial(check_database, pool))
