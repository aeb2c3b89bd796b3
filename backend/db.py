"""PostgreSQL access: one async pool, and transactions that run as a user the way PostgREST does."""

import contextlib
import json
import select
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from time import monotonic
from typing import Any

import psycopg
from psycopg import AsyncConnection
from psycopg.abc import Params, QueryNoTemplate
from psycopg.pq import TransactionStatus
from psycopg.rows import DictRow, TupleRow, dict_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from backend.settings import Settings

Conn = AsyncConnection[DictRow]

# How long an operator's command (backend/cli.py) and the production start check (backend/production.py, used by
# `serve` and backend.asgi) wait for the database to answer, per address: psycopg's own default is 130 s, which a host
# that drops packets (a firewall, a wrong private IP) holds before anything is said.
CONNECT_TIMEOUT_SECONDS = 10


def connect(url: str, *, autocommit: bool = False) -> psycopg.Connection[TupleRow]:
    """One connection to DATABASE_URL for a command or the start check: at most CONNECT_TIMEOUT_SECONDS per address.
    A host name psycopg cannot encode for its look-up (an empty label as in `db..example.th`, a label over 63
    characters) raises UnicodeError before any connection: raised as the OperationalError libpq gives for a host
    name it cannot translate, so that callers tell it as an unreachable host rather than a traceback."""
    try:
        return psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_SECONDS, autocommit=autocommit)
    except UnicodeError as exc:
        raise psycopg.OperationalError(f"could not translate host name ({exc})") from None


def _something_arrived(conn: Conn) -> bool:
    """Has the server sent anything to this idle connection? Nothing is ever due to one (no LISTEN on pooled
    connections; the live events listen on a connection of their own): what arrives is a restart's or a failover's
    "terminating connection" and the end of the connection, or a rare notice. One poll of the socket, no round trip."""
    try:
        fd = conn.fileno()
        if hasattr(select, "poll"):  # select() refuses descriptors past 1023, which a busy server process reaches
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            return bool(poller.poll(0))  # a hang-up or an error is reported too
        ready, _, _ = select.select([fd], [], [], 0)  # Windows (a developer's machine): no poll()
    except (OSError, ValueError, psycopg.Error):  # closed already: no socket to ask
        return True
    return bool(ready)


class Pool(AsyncConnectionPool[Conn]):
    """The pool, which never hands out a connection the database has ended. A restart of PostgreSQL (Supabase's
    upgrades, a failover) ends every pooled connection; handed out as they were, each failed one request with a 503
    after the database was back, /health said "degraded" of a copy whose database answered (a load balancer takes
    it out), and the SLA clock lost a turn (resil24 F1). A connection to which the server sent something is checked
    with a round trip first; an ended one is discarded (the pool opens another in its place) and the next is taken
    at once. psycopg_pool's own `check=` would cost every request a round trip (issue 15 counts them) and waits 1, 2,
    4... seconds after each failed check: up to `max_size` dead connections in a row outlast the pool's timeout. A
    failover to a host that says nothing is not seen here: its request fails as one in flight, a 503 with a reason.
    The checkouts of one call share one deadline, the pool's timeout (or `timeout`): each waited it afresh, so a
    request could wait that long once per ended connection it was handed (race26)."""

    async def getconn(self, timeout: float | None = None) -> Conn:  # noqa: ASYNC109 (psycopg_pool's signature)
        wait = self.timeout if timeout is None else timeout
        deadline = monotonic() + wait
        for _ in range(self.max_size):  # at most every connection the pool holds is one the restart ended
            conn = await super().getconn(_left(deadline, wait))
            if not _something_arrived(conn):
                return conn
            try:
                await self.check_connection(conn)
            except psycopg.Error:
                await self.putconn(conn)  # broken: discarded, and replaced by the pool
                continue
            except BaseException:
                # Cancelled (or failed otherwise) during the check: given back, else the pool counted it in use by
                # nobody for good, one slot fewer each time (audit25 F2). A connection the check left mid-query is
                # discarded by putconn, one still good kept.
                await self.putconn(conn)
                raise
            return conn
        return await super().getconn(_left(deadline, wait))


def _left(deadline: float, wait: float) -> float:
    """What is left of one checkout's wait; none left is the pool's own timeout, said of the whole wait (psycopg_pool
    would say "after 0.00 sec")."""
    left = deadline - monotonic()
    if left <= 0:
        raise PoolTimeout(f"couldn't get a connection after {wait:.2f} sec")
    return left


def make_pool(settings: Settings) -> AsyncConnectionPool[Conn]:
    kwargs: dict[str, Any] = {"row_factory": dict_row, "autocommit": True}
    if not settings.database_prepared_statements:
        kwargs["prepare_threshold"] = None
    return Pool(
        settings.database_url,
        min_size=settings.database_pool_min,
        max_size=settings.database_pool_max,
        kwargs=kwargs,
        connection_class=AsyncConnection[DictRow],
        open=False,
        name="fixit",
    )


@asynccontextmanager
async def _pipelined_tx(conn: Conn) -> AsyncIterator[None]:
    """BEGIN … COMMIT in one pipeline with a single sync at the end: a transaction waits for the database once per
    result it reads plus once for the commit. psycopg's `transaction()` inside a pipeline also syncs after BEGIN and
    before COMMIT, two more waits each (5 in all for a dispatch; issue 15 asks for at most two)."""
    try:
        async with conn.pipeline():
            await conn.execute(b"begin", prepare=False)
            yield
            await conn.execute(b"commit", prepare=False)
    except BaseException:
        # The pipeline is synced by now: the transaction is open (an error raised here) or failed (the database's
        # error); a failed COMMIT has already ended it. A broken connection is the pool's to discard.
        if not conn.closed and conn.info.transaction_status != TransactionStatus.IDLE:
            with contextlib.suppress(psycopg.Error):
                await conn.execute(b"rollback")
        raise


@asynccontextmanager
async def user_tx(pool: AsyncConnectionPool[Conn], claims: Mapping[str, Any]) -> AsyncIterator[Conn]:
    """A transaction as the `authenticated` role with these JWT claims: RLS decides what it sees.

    Both settings are transaction-local, so the pooled connection goes back clean.
    """
    # Pipeline mode: BEGIN, the role switch and the first query leave in one network flush instead of three
    # round trips; a statement whose result is read still waits for it, so nothing changes for the caller.
    async with pool.connection() as conn, _pipelined_tx(conn):
        await _as_user(conn, claims)
        yield conn


async def _as_user(conn: Conn, claims: Mapping[str, Any]) -> None:
    await conn.execute(
        "select set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true)",
        [json.dumps(dict(claims))],
    )


async def read_one(pool: AsyncConnectionPool[Conn], claims: Mapping[str, Any], query: QueryNoTemplate,
                   params: Params | None = None, *, binary: bool = False) -> DictRow | None:
    """The first row of one statement run as `user_tx` runs it (RLS, these claims), for a read that is one statement
    and nothing else: BEGIN, the role switch, the statement and COMMIT leave in one pipeline sync and the row is read
    after it, one wait for the database where `user_tx` waits for the row and then for COMMIT (issue 15). A statement's
    error is raised as from `user_tx` (the transaction rolled back, the connection back to the pool idle)."""
    async with pool.connection() as conn:
        async with _pipelined_tx(conn):
            await _as_user(conn, claims)
            cursor = await conn.execute(query, params, binary=binary)
        return await cursor.fetchone()


@asynccontextmanager
async def service_tx(pool: AsyncConnectionPool[Conn]) -> AsyncIterator[Conn]:
    """A transaction as the connection's owner role: only for work no user may do (sign-in, dispatch, seed).
    Pipelined like `user_tx`: writes whose results nobody reads cost no wait of their own."""
    async with pool.connection() as conn, _pipelined_tx(conn):
        yield conn


@asynccontextmanager
async def anon_tx(pool: AsyncConnectionPool[Conn]) -> AsyncIterator[Conn]:
    """A transaction as `anon`: what anyone on the internet may read."""
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("select set_config('role', 'anon', true)")
        yield conn
