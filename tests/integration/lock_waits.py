"""Concurrency tests see a transaction wait for another's row lock in pg_stat_activity: no sleeps, no timing."""

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import Any

import httpx
import psycopg

from tests.helpers import bearer


async def until_waiting(database_url: str, count: int, *tasks: "asyncio.Task[Any]") -> None:
    """Until `count` backends wait on a lock (the tasks must still be under way: one that answered did not wait)."""
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as watcher:
        deadline = asyncio.get_running_loop().time() + 30
        while asyncio.get_running_loop().time() < deadline:
            for task in tasks:
                if task.done():
                    result = task.result()
                    raise AssertionError(f"answered without waiting: {getattr(result, 'text', result)}")
            cur = await watcher.execute(
                "select count(*) from pg_stat_activity where cardinality(pg_blocking_pids(pid)) > 0")
            row = await cur.fetchone()
            if row is not None and row[0] >= count:
                return
            await asyncio.sleep(0.01)
    raise AssertionError("never waited")


async def until_waiting_or_done(database_url: str, task: "asyncio.Task[Any]") -> None:
    """Until `task` has answered or waits on a lock: for a step that waits on one path and not on another."""
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as watcher:
        while not task.done():
            row = await (await watcher.execute(
                "select count(*) from pg_stat_activity where cardinality(pg_blocking_pids(pid)) > 0")).fetchone()
            if row is not None and row[0] > 0:
                return
            await asyncio.sleep(0.01)


async def committed(conn: psycopg.AsyncConnection[Any], statement: str, params: Sequence[Any]) -> str:
    """Runs one writing statement on `conn` and commits: "committed", or the class name of the error that refused it
    (rolled back): a deadlock shows as "DeadlockDetected"."""
    try:
        await conn.execute(statement, params)
        await conn.commit()
    except psycopg.Error as e:
        await conn.rollback()
        return type(e).__name__
    return "committed"


async def against_a_held_row(database_url: str, hold: str, hold_params: Sequence[Any],
                             answer: Callable[[], Coroutine[Any, Any, httpx.Response]], write: str,
                             write_params: Sequence[Any]) -> tuple[httpx.Response, str]:
    """Two writers in the order that crossed, each made to wait: a holder takes a row (`hold`, a SELECT … FOR
    UPDATE) as a third writer at that moment would, the app's path (`answer`) starts and waits for it, then `write`
    (plain SQL: Supabase's dashboard, the operator) starts and waits too; then the holder lets go. Returns the app's
    answer and how the write ended (`committed`); no sleeps, the waits seen in pg_stat_activity."""
    async with (await psycopg.AsyncConnection.connect(database_url) as holder,
                await psycopg.AsyncConnection.connect(database_url) as writer):
        await holder.execute(hold, hold_params)
        answering = asyncio.create_task(answer())
        await until_waiting(database_url, 1, answering)
        writing = asyncio.create_task(committed(writer, write, write_params))
        await until_waiting(database_url, 2, answering, writing)
        await holder.rollback()
        return await answering, await writing


@asynccontextmanager
async def reassign_waiting(api: httpx.AsyncClient, database_url: str, teacher: str, request_id: str,
                           student_id: str) -> AsyncIterator["asyncio.Task[httpx.Response]"]:
    """The teacher's reassign of `request_id` to `student_id`, begun (its transaction's now()) and waiting for that
    student's profile, the lock order's first step, while the body of the `with` runs (what the former student
    writes meanwhile commits after the reassign began). Another transaction holds the profile FOR NO KEY UPDATE, as
    an accept or a switch-off of that student would. Yields the reassign's task; on leaving, the profile is let go
    and the reassign has answered (the task is done: its answer is the test's to read, never left running)."""
    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from public.profiles where id = %s for no key update", [student_id])
        moving = asyncio.create_task(api.post(f"/requests/{request_id}/assign", json={"technician_id": student_id},
                                              headers=bearer(teacher)))
        try:
            await until_waiting(database_url, 1, moving)  # begun, waiting for the student's profile
            yield moving
        finally:
            await holder.rollback()
            await asyncio.wait([moving])
