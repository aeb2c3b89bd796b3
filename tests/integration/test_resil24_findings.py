"""resil24: the backend when its PostgreSQL restarts or fails over (Supabase restarts its database for upgrades and
fails it over to a replica).

A restart ends every connection the pool holds: the server tells each "terminating connection due to administrator
command" and closes it. Here that is done to one backend copy's own pool only (pg_terminate_backend on the
connections of its `application_name`), so the rest of the session's database and pools are untouched: to the pool,
it is the same as a restart that is over by the time the next request comes.
"""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.conninfo import make_conninfo
from psycopg_pool import AsyncConnectionPool

from backend.app import create_app
from backend.db import _something_arrived
from backend.dispatch_ticks import tick
from backend.settings import Settings

APPLICATION_NAME = "resil24_restart"


@pytest.fixture
async def copy(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Any, Settings]]:
    """A backend copy of its own, whose pool's connections are told apart by their application_name, and whose pool
    keeps three connections open (as a copy under load keeps several)."""
    own = settings.model_copy(update={
        "database_url": make_conninfo(settings.database_url, application_name=APPLICATION_NAME),
        "database_pool_min": 3,
    })
    app = create_app(own)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://fixit.test"
    ) as client:
        await app.state.pool.wait()  # the three connections are open before the "restart"
        yield client, app.state.pool, own


async def _restart(superuser_url: str) -> int:
    """End every connection of the copy's pool the way a restart does, and wait until they are gone."""
    async with await psycopg.AsyncConnection.connect(superuser_url, autocommit=True) as conn:
        rows = await (await conn.execute(
            "select pg_terminate_backend(pid, 5000) from pg_stat_activity where application_name = %s",
            [APPLICATION_NAME])).fetchall()
    return len(rows)


async def test_requests_after_a_database_restart_succeed(copy: Any, superuser_url: str) -> None:
    client, _, _ = copy
    assert (await client.get("/categories")).status_code == 200
    assert await _restart(superuser_url) >= 3
    # The database is back: each of the next requests is answered, none is a 503 for a connection the restart ended.
    statuses = [(await client.get("/categories")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 200]


async def test_health_after_a_database_restart_says_ok(copy: Any, superuser_url: str) -> None:
    client, _, _ = copy
    assert (await client.get("/health")).status_code == 200
    await _restart(superuser_url)
    # A load balancer reading 503 here takes a healthy copy out of service.
    answer = await client.get("/health")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["database"]["ok"] is True


async def test_the_clock_turns_after_a_database_restart(copy: Any, superuser_url: str) -> None:
    _, pool, own = copy
    await _restart(superuser_url)
    await tick(pool, own)  # raised OperationalError: the clock's loop logs it and waits a whole turn more


async def test_an_idle_connection_costs_no_check(copy: Any, superuser_url: str) -> None:
    """The usual case: nothing has arrived on an idle pooled connection, so it is handed out with no round trip; one
    the restart ended shows it has something to read (its "terminating connection" and its end)."""
    _, pool, _ = copy
    async with pool.connection() as conn:
        await conn.execute("select 1")
    conn = await AsyncConnectionPool.getconn(pool)  # the pool's own checkout, without Pool's check
    try:
        assert not _something_arrived(conn)
        await _restart(superuser_url)
        assert _something_arrived(conn)
    finally:
        await pool.putconn(conn)
