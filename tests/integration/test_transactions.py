"""`service_tx`/`user_tx` send BEGIN and COMMIT inside their pipeline with one sync at the end (issue 15): what is
written commits, and whatever goes wrong, in the block or in a statement nobody read, leaves nothing behind and
gives the pool back an idle connection."""

import uuid
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.db import Conn, service_tx, user_tx

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
