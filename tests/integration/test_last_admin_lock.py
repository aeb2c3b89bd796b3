"""The last active admin is never suspended (`fixit-backend suspend-person`), deleted nor made something else, even by
two commands at the same moment: each locks every active admin's profile (staff.lock_active_admins) before it counts
the others, so the second waits for the first and then finds itself the last. A database of its own, where these two
are the only admins (the shared one has the seed's)."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from backend.db import Conn
from backend.errors import ApiError
from backend.services import account
from backend.services.dispatch import DispatchPolicy
from backend.services.staff import StaffError, register_staff
from shared.roles import AppRole
from tests.conftest import MigratedDatabases
from tests.integration.lock_waits import until_waiting
from tests.integration.wall_clock import wall

DB = "fixit_last_admin_lock_test"


@pytest.fixture(scope="module")
def own_db(migrated_database: MigratedDatabases) -> str:
    return migrated_database(DB)


def two_admins(url: str) -> tuple[uuid.UUID, uuid.UUID]:
    """Two fresh admins, and no other active admin."""
    ids = (uuid.uuid4(), uuid.uuid4())
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("update public.profiles set is_active = false where role = 'admin'")
        for user_id in ids:
            conn.execute("select private.create_phone_user(%s, %s, true)", [user_id, f"6689{user_id.int % 10**7:07d}"])
            conn.execute("update public.profiles set role = 'admin' where id = %s", [user_id])
    return ids


def active_admins(url: str) -> set[uuid.UUID]:
    with psycopg.connect(url) as conn:
        return {row[0] for row in conn.execute("select id from public.profiles where role = 'admin' and is_active")}


async def operator(url: str, work: Callable[[Conn], Awaitable[Any]]) -> Any:
    """One operator transaction, as the CLI runs it."""
    async with await psycopg.AsyncConnection.connect(url, row_factory=dict_row) as conn, conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        return await work(conn)


Work = Callable[[Conn], Awaitable[Any]]


def suspending(admin: uuid.UUID) -> Work:
    return lambda conn: account.suspend(conn, admin, AppRole.ADMIN, "ทำผิดกฎ", *wall())


async def the_second_waits_then_is_refused(url: str, first: uuid.UUID | Work, second: Work) -> ApiError | StaffError:
    """The first command (an admin's suspension, unless given) holds its transaction open while the second runs:
    the second must wait for it (without the lock it counted the first admin as still one and went through), then
    be refused."""
    async with await psycopg.AsyncConnection.connect(url, row_factory=dict_row) as conn:
        async with conn.transaction():
            await conn.execute("select set_config('fixit.actor', 'operator', true)")
            await (suspending(first) if isinstance(first, uuid.UUID) else first)(conn)
            racing = asyncio.create_task(operator(url, second))
            await until_waiting(url, 1, racing)
        with pytest.raises((ApiError, StaffError)) as refused:
            await racing
    assert isinstance(refused.value, ApiError | StaffError)
    return refused.value


async def test_two_suspensions_of_the_last_two_admins_at_once_leave_one_admin(own_db: str) -> None:
    a, b = two_admins(own_db)
    refused = await the_second_waits_then_is_refused(own_db, a, suspending(b))
    assert (refused.status, refused.code) == (409, "last_admin_suspend")
    assert active_admins(own_db) == {b}
    with psycopg.connect(own_db) as conn:
        suspended = conn.execute("select target_id from public.audit_events where action = 'account.suspend' "
                                 "and target_id = any(%s)", [[a, b]]).fetchall()
    assert suspended == [(a,)]  # nothing of the refused one is kept


async def test_a_suspension_and_the_other_admins_deletion_at_once_leave_one_admin(own_db: str) -> None:
    a, b = two_admins(own_db)
    refused = await the_second_waits_then_is_refused(
        own_db, a, lambda conn: account.delete(conn, b, AppRole.ADMIN, None, datetime.now(UTC), DispatchPolicy()))
    assert (refused.status, refused.code) == (409, "last_admin")
    assert active_admins(own_db) == {b}
    with psycopg.connect(own_db) as conn:
        assert conn.execute("select count(*) from auth.users where id = %s", [b]).fetchone() == (1,)


async def test_the_last_two_admins_made_teachers_at_once_leave_one_admin(own_db: str) -> None:
    """Each demotion locked its own admin's profile alone and counted the other still active: both went through."""
    a, b = two_admins(own_db)
    with psycopg.connect(own_db) as conn:
        phones = {row[0]: "0" + row[1].removeprefix("+66") for row in conn.execute(
            "select id, phone from public.profiles where id = any(%s)", [[a, b]])}
        college = conn.execute(
            """insert into public.colleges (code, name_th, name_en, province_th, province_en, region, lat, lon)
               values (%s, 'วิทยาลัยล็อก', 'Lock College', 'แม่ฮ่องสอน', 'Mae Hong Son', 'north', 19.3, 97.97)
               returning id""", [f"L-{uuid.uuid4().hex[:10].upper()}"]).fetchone()
    assert college is not None

    def teacher(admin: uuid.UUID) -> Work:
        return lambda conn: register_staff(conn, phones[admin], AppRole.SUPERVISOR, college[0], now=wall()[0],
                                           policy=wall()[1])

    refused = await the_second_waits_then_is_refused(own_db, teacher(a), teacher(b))
    assert (refused.status, refused.code) == (409, "last_admin")
    assert active_admins(own_db) == {b}
    with psycopg.connect(own_db) as conn:
        assert conn.execute("select role::text from public.profiles where id = %s", [a]).fetchone() == ("supervisor",)
