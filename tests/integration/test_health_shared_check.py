"""`/health` under a storm of checks, on the real database (backend/health_check.py): the calls that arrive while a
check is under way wait for one more check, begun after they asked, and share it; the storm takes one connection,
not one each. The check is held up by a real lock on the table it reads, as a slow or stuck database would."""

import asyncio
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from backend import health_check
from backend.app import create_app
from backend.health_check import FreshCheck, check_database
from backend.schemas import DatabaseHealth
from backend.settings import Settings
from tests.integration.lock_waits import until_waiting

APPLICATION_NAME = "health_shared_check"


@pytest.fixture
async def served(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    own = settings.model_copy(update={
        "database_url": make_conninfo(settings.database_url, application_name=APPLICATION_NAME),
    })
    app = create_app(own)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://fixit.test"
    ) as client:
        yield client, app


async def _checks_waiting_on_the_lock(conn: psycopg.AsyncConnection[Any]) -> int:
    row = await (await conn.execute(
        "select count(*) from pg_stat_activity where application_name = %s and wait_event_type = 'Lock'"
        " and query like %s", [APPLICATION_NAME, "%schema_migrations%"])).fetchone()
    assert row is not None
    return int(row[0])


async def _until_gathered(check: FreshCheck[Any], count: int, calls: list["asyncio.Task[Any]"]) -> None:
    deadline = asyncio.get_running_loop().time() + 30
    while asyncio.get_running_loop().time() < deadline:
        if any(call.done() for call in calls):
            raise AssertionError("a call was answered while the check it should wait for was held by the lock")
        if check.gathered >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{check.gathered} calls gathered, not {count}")


async def test_a_storm_of_checks_shares_fresh_round_trips(served: Any, superuser_url: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    client, app = served
    # The lock holds the first check for as long as the storm takes to arrive, not for its limit (a busy machine).
    monkeypatch.setattr(health_check, "CHECK_SECONDS", 300.0)
    runs: list[DatabaseHealth] = []

    async def counted() -> DatabaseHealth:
        answer = await check_database(app.state.pool)
        runs.append(answer)
        return answer

    check: FreshCheck[DatabaseHealth] = FreshCheck(counted)
    app.state.database_check = check
    async with await psycopg.AsyncConnection.connect(superuser_url, autocommit=True) as watcher, \
            await psycopg.AsyncConnection.connect(superuser_url) as locker:
        applied = (await (await watcher.execute("select count(*) from private.schema_migrations")).fetchone() or [0])[0]
        await locker.execute("lock table private.schema_migrations in access exclusive mode")
        first = asyncio.create_task(client.get("/health"))
        await until_waiting(superuser_url, 1, first)  # the first check is under way, held by the lock
        storm = [asyncio.create_task(client.get("/health")) for _ in range(5)]
        await _until_gathered(check, 5, storm)  # every later call has arrived and waits for the next check
        # Five more calls, and still one check at the database: they did not each take a connection.
        assert await _checks_waiting_on_the_lock(watcher) == 1
        await locker.rollback()
        answers = [await first] + [await call for call in storm]
    assert [answer.status_code for answer in answers] == [200] * 6
    assert {answer.json()["database"]["migrations"] for answer in answers} == {applied}
    assert len(runs) == 2  # the first call's check, and one more begun after the other five asked


async def test_each_call_alone_gets_its_own_check(served: Any) -> None:
    client, app = served
    runs = 0
    inner = partial(check_database, app.state.pool)

    async def counted() -> DatabaseHealth:
        nonlocal runs
        runs += 1
        return await inner()

    app.state.database_check = FreshCheck(counted)
    for _ in range(3):
        answer = await client.get("/health")
        assert answer.status_code == 200 and answer.json()["database"]["ok"] is True
    assert runs == 3
