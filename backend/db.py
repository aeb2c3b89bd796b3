"""PostgreSQL access: one async pool, and transactions that run as a user the way PostgREST does."""

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

from backend.settings import Settings

Conn = AsyncConnection[DictRow]


def make_pool(settings: Settings) -> AsyncConnectionPool[Conn]:
    kwargs: dict[str, Any] = {"row_factory": dict_row, "autocommit": True}
    if not settings.database_prepared_statements:
        kwargs["prepare_threshold"] = None
    return AsyncConnectionPool(
        settings.database_url,
        min_size=settings.database_pool_min,
        max_size=settings.database_pool_max,
        kwargs=kwargs,
        connection_class=AsyncConnection[DictRow],
        open=False,
        name="fixit",
    )


@asynccontextmanager
async def user_tx(pool: AsyncConnectionPool[Conn], claims: Mapping[str, Any]) -> AsyncIterator[Conn]:
    """A transaction as the `authenticated` role with these JWT claims: RLS decides what it sees.

    Both settings are transaction-local, so the pooled connection goes back clean.
    """
    # Pipeline mode: BEGIN, the role switch and the first query leave in one network flush instead of three
    # round trips; a statement whose result is read still waits for it, so nothing changes for the caller.
    async with pool.connection() as conn, conn.pipeline(), conn.transaction():
        await conn.execute(
            "select set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true)",
            [json.dumps(dict(claims))],
        )
        yield conn


@asynccontextmanager
async def service_tx(pool: AsyncConnectionPool[Conn]) -> AsyncIterator[Conn]:
    """A transaction as the connection's owner role: only for work no user may do (sign-in, dispatch, seed).
    Pipelined like `user_tx`: writes whose results nobody reads cost no wait of their own."""
    async with pool.connection() as conn, conn.pipeline(), conn.transaction():
        yield conn


@asynccontextmanager
async def anon_tx(pool: AsyncConnectionPool[Conn]) -> AsyncIterator[Conn]:
    """A transaction as `anon`: what anyone on the internet may read."""
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("select set_config('role', 'anon', true)")
        yield conn
