"""Concurrency tests see a transaction wait for another's row lock in pg_stat_activity: no sleeps, no timing."""

import asyncio
from typing import Any

import psycopg


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
