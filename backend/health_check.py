"""`/health`'s database check, shared by the callers that ask at the same moment (issue 15).

A load balancer (or several, or one per zone) asks every copy's `/health` again and again; each answer ran its own
`select` on a pooled connection, so a storm of checks took pool connections the app's users were waiting for, and
the workers spent more CPU a check than the check itself costs PostgreSQL (bench/README.md, sessions 10-24).

Here callers that ask while a check is under way share the *next* check, never the one already running: it began
before they asked, and a load balancer asking "is the database reachable now?" must not be told what was true a
moment before its question (the reason sessions 14-16 refused a shared or cached answer). So every answer comes from
a round trip to PostgreSQL that began after its caller asked, as if each had run its own; at most one check runs at
a time in a copy, plus one gathering its callers. Nothing is kept between checks: when nobody asks, nothing runs.

A check answers within `CHECK_SECONDS`, its pool wait included, or says "degraded" (audit26 F1): every caller that
arrives meanwhile waits for the run after it, so one round trip that never returns (a connection to a host gone
silent after a failover, a lock on the migrations table) left /health unanswered for good, the copy out of its load
balancer's rotation long after the database answered again. The round trip left behind is cancelled and not
waited for (not `asyncio.timeout`, which waits for the cancellation to finish): psycopg then asks the server to
cancel it and waits for the query to end, for ever before psycopg 3.3 when the server says nothing (psycopg#1371;
pyproject allows 3.2), up to 5 s + 5 s since, giving up on the connection, which the pool then discards.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, Generic, TypeVar

from psycopg_pool import AsyncConnectionPool

from backend.db import Conn
from backend.schemas import DatabaseHealth

T = TypeVar("T")

POOL_WAIT_SECONDS = 3.0  # a check waiting longer than this for a connection says "degraded" (the pool is starved)
# A whole check, the pool's wait included: past it the answer is "degraded" (a load balancer has given up by then,
# 5 s being the usual limit) and the next run may begin.
CHECK_SECONDS = 5.0
MIGRATIONS_COUNT = "select count(*) as n from private.schema_migrations"
# Round trips a check gave up on, held until they end: the loop keeps only a weak reference to a task.
_LEFT_BEHIND: set["asyncio.Task[Any]"] = set()


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


async def _migrations(pool: AsyncConnectionPool[Conn]) -> int:
    async with pool.connection(timeout=POOL_WAIT_SECONDS) as conn:
        row = await (await conn.execute(MIGRATIONS_COUNT)).fetchone()
    return int(row["n"]) if row else 0


def _left_behind(trip: "asyncio.Task[int]") -> None:
    """A round trip past the check's limit: cancelled, held until it ends, its outcome read (nobody awaits it)."""
    trip.cancel()
    _LEFT_BEHIND.add(trip)

    def ended(done: "asyncio.Task[int]") -> None:
        _LEFT_BEHIND.discard(done)
        if not done.cancelled():
            done.exception()

    trip.add_done_callback(ended)


async def check_database(pool: AsyncConnectionPool[Conn]) -> DatabaseHealth:
    """One check of the copy's database: reachable, how fast, how many migrations applied; "degraded" past
    `CHECK_SECONDS` (TimeoutError), whatever the round trip is waiting for."""
    started = time.perf_counter()
    trip = asyncio.ensure_future(_migrations(pool))
    try:
        done, _ = await asyncio.wait({trip}, timeout=CHECK_SECONDS)
    except BaseException:  # the copy shutting down: its round trip goes too
        _left_behind(trip)
        raise
    if not done:
        _left_behind(trip)
        return DatabaseHealth(ok=False, error=TimeoutError.__name__)
    try:
        migrations = trip.result()
    except Exception as exc:  # any failure here is a health answer, not a crash
        return DatabaseHealth(ok=False, error=type(exc).__name__)
    return DatabaseHealth(ok=True, latency_ms=round((time.perf_counter() - started) * 1000, 2),
                          migrations=migrations)


def database_check(pool: AsyncConnectionPool[Conn]) -> FreshCheck[DatabaseHealth]:
    """The copy's shared check of its database (`app.state.database_check`)."""
    return FreshCheck(partial(check_database, pool))
