"""`service_tx`/`user_tx` send BEGIN and COMMIT inside their pipeline with one sync at the end (issue 15): what is
written commits, and whatever goes wrong, in the block or in a statement nobody read, leaves nothing behind and
gives the pool back an idle connection. `read_one` (a one-statement read: its row read after that one sync) answers
as `user_tx` would, errors included."""

import itertools
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import psycopg
import pytest
from psycopg.pq import Trace, TransactionStatus
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.db import Conn, read_one, service_tx, user_tx

_ADD = """insert into public.colleges (code, name_th, name_en, province_th, province_en, region, lat, lon, is_active)
          values (%s, 'ทดสอบธุรกรรม', 'Transaction test', 'ตาก', 'Tak', 'west', 16.9, 98.5, false)"""


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[AsyncConnectionPool[Conn]]:
    async with AsyncConnectionPool(database_url, min_size=1, max_size=1, connection_class=Conn,
                                   kwargs={"row_factory": dict_row, "autocommit": True}) as pool:
        yield pool


def _code() -> str:
    return f"TX-{uuid.uuid4().hex[:10].upper()}"


async def _exists(pool: AsyncConnectionPool[Conn], code: str) -> bool:
    async with pool.connection() as conn:
        assert conn.info.transaction_status == TransactionStatus.IDLE  # nothing left open on the pooled connection
        return await (await conn.execute("select 1 from public.colleges where code = %s", [code])).fetchone() \
            is not None


async def test_what_the_block_writes_commits(pool: AsyncConnectionPool[Conn]) -> None:
    code = _code()
    async with service_tx(pool) as owner:
        await owner.execute(_ADD, [code])
    try:
        assert await _exists(pool, code)
    finally:
        async with pool.connection() as conn:
            await conn.execute("delete from public.colleges where code = %s", [code])


async def test_an_error_raised_in_the_block_rolls_back(pool: AsyncConnectionPool[Conn]) -> None:
    code = _code()
    with pytest.raises(RuntimeError, match="refused"):
        async with service_tx(pool) as owner:
            await owner.execute(_ADD, [code])
            raise RuntimeError("refused")
    assert not await _exists(pool, code)


async def test_a_failed_statement_nobody_read_fails_the_commit_and_rolls_back(
    pool: AsyncConnectionPool[Conn],
) -> None:
    code = _code()
    with pytest.raises(psycopg.errors.UniqueViolation):
        async with service_tx(pool) as owner:
            await owner.execute(_ADD, [code])
            await owner.execute(_ADD, [code])  # its result is never read: the error arrives with the commit's sync
    assert not await _exists(pool, code)


async def test_a_failed_read_rolls_back_and_the_connection_serves_the_next_transaction(
    pool: AsyncConnectionPool[Conn],
) -> None:
    code = _code()
    claims: dict[str, Any] = {"sub": str(uuid.uuid4()), "role": "authenticated"}
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        async with user_tx(pool, claims) as conn:
            await (await conn.execute(_ADD, [code])).fetchone()  # a user may not add colleges
    assert not await _exists(pool, code)
    async with user_tx(pool, claims) as conn:
        row = await (await conn.execute("select current_user as who")).fetchone()
    assert row is not None and row["who"] == "authenticated"


async def test_read_one_answers_the_statement_as_the_caller(pool: AsyncConnectionPool[Conn]) -> None:
    sub = str(uuid.uuid4())
    row = await read_one(pool, {"sub": sub, "role": "authenticated"},
                         "select current_user as who, auth.uid() as uid, %s::int + 1 as n, "
                         "current_setting('transaction_isolation') as iso", [41], binary=True)
    assert row == {"who": "authenticated", "uid": uuid.UUID(sub), "n": 42, "iso": "read committed"}
    async with pool.connection() as conn:  # the role and the claims were the transaction's own
        assert conn.info.transaction_status == TransactionStatus.IDLE
        after = await (await conn.execute(
            "select current_user as who, current_setting('request.jwt.claims', true) as claims")).fetchone()
    assert after is not None and after["who"] != "authenticated" and not after["claims"]


async def test_read_one_hides_what_rls_hides(pool: AsyncConnectionPool[Conn]) -> None:
    async with pool.connection() as conn:
        someone = await (await conn.execute("select id from public.profiles limit 1")).fetchone()
    assert someone is not None  # there is a profile: a stranger's claims see none of it
    stranger = {"sub": str(uuid.uuid4()), "role": "authenticated"}
    assert await read_one(pool, stranger, "select id from public.profiles where id = %s", [someone["id"]]) is None


@pytest.mark.parametrize(("query", "error"), [
    ("select 1 / (%s::int - 1) as n", psycopg.errors.DivisionByZero),
    ("select count(*) + %s as n from private.schema_migrations", psycopg.errors.InsufficientPrivilege),
])
async def test_a_failed_read_one_raises_its_error_and_leaves_the_connection_clean(
    pool: AsyncConnectionPool[Conn], query: str, error: type[psycopg.Error],
) -> None:
    claims: dict[str, Any] = {"sub": str(uuid.uuid4()), "role": "authenticated"}
    with pytest.raises(error):
        await read_one(pool, claims, query, [1])
    async with pool.connection() as conn:  # the pool's one connection: rolled back, idle, not the user any more
        assert conn.info.transaction_status == TransactionStatus.IDLE
        row = await (await conn.execute("select current_user as who")).fetchone()
    assert row is not None and row["who"] != "authenticated"
    assert await read_one(pool, claims, "select current_user as who") == {"who": "authenticated"}


def _waits(trace: str) -> int:
    """How often the client waited for the database in libpq's trace: each time what it sends (F) is followed by
    what it receives (B)."""
    sides = [line[0] for line in trace.splitlines() if line[:2] in ("F\t", "B\t")]
    return sum(1 for sent, received in itertools.pairwise(sides) if (sent, received) == ("F", "B"))


async def _traced(pool: AsyncConnectionPool[Conn], work: Callable[[], Awaitable[None]]) -> str:
    """libpq's trace of what `work` exchanges with the database on the pool's one connection."""
    with tempfile.TemporaryFile("w+") as trace:
        async with pool.connection() as conn:
            conn.pgconn.trace(trace.fileno())
            conn.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS | Trace.REGRESS_MODE)
        try:
            await work()
        finally:
            async with pool.connection() as conn:
                conn.pgconn.untrace()
        trace.seek(0)
        return trace.read()


async def test_read_one_waits_for_the_database_once(pool: AsyncConnectionPool[Conn]) -> None:
    claims: dict[str, Any] = {"sub": str(uuid.uuid4()), "role": "authenticated"}

    async def one() -> None:
        assert await read_one(pool, claims, "select current_user as who") == {"who": "authenticated"}

    async def with_user_tx() -> None:
        async with user_tx(pool, claims) as conn:
            row = await (await conn.execute("select current_user as who")).fetchone()
        assert row == {"who": "authenticated"}

    assert _waits(await _traced(pool, one)) == 1
    assert _waits(await _traced(pool, with_user_tx)) == 2  # the row, then COMMIT
