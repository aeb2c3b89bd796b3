"""Profiles: who is calling, in which role, at which college."""

import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from psycopg_pool import AsyncConnectionPool

from backend.db import Conn, read_one, user_tx
from backend.errors import ApiError
from shared.roles import AppRole


def profile_sql(user: str) -> str:
    """The profile of the user whose id is the expression `user`, as a route's role check reads it."""
    return f"""
    select p.id, p.role, p.display_name, p.phone, p.locale, p.is_active, p.takes_jobs,
           case when c.id is null then null
                else json_build_object('id', c.id, 'code', c.code, 'name_th', c.name_th, 'name_en', c.name_en)
           end as college
    from public.profiles p
    left join public.colleges c on c.id = p.college_id
    where p.id = {user}
"""


_PROFILE_SQL = profile_sql("%s")


async def load_own_profile(owner: Conn, user_id: uuid.UUID) -> dict[str, Any]:
    """The caller's profile, suspended or not, read in an owner transaction (RLS shows a suspended account nothing,
    migration 0040): only for what a suspended person may still do (download their data, delete their account:
    PDPA rights a suspension does not take away). Its `is_active` says which."""
    row = await (await owner.execute(_PROFILE_SQL, [user_id])).fetchone()
    if row is None:
        raise ApiError(403, "profile_missing")
    return row


async def _suspended(conn: Conn) -> bool:
    row = await (await conn.execute("select private.my_account_suspended() as suspended")).fetchone()
    return bool(row is not None and row["suspended"])


async def suspended_as(pool: AsyncConnectionPool[Conn], claims: Mapping[str, Any]) -> bool:
    """`private.my_account_suspended()` for these claims, in a transaction of its own: for a `read_one` that found
    nothing (asked only then, as `suspended_told` asks)."""
    async with user_tx(pool, claims) as conn:
        return await _suspended(conn)


@asynccontextmanager
async def suspended_told(conn: Conn) -> AsyncIterator[None]:
    """For a read under the caller's claims that RLS alone guards: RLS shows a suspended account nothing (0040), so
    its read ends in 404; that 404 becomes 403 `account_suspended`, so the app knows why. Asked only on the 404, so a
    hot read (a request's detail, a photo, the job record) pays no profile read of its own."""
    try:
        yield
    except ApiError as exc:
        if exc.status == 404 and await _suspended(conn):
            raise ApiError(403, "account_suspended") from exc
        raise


async def load_profile(conn: Conn, user_id: uuid.UUID) -> dict[str, Any]:
    """The caller's profile under their claims, for everything else: 403 `account_suspended` when an operator
    suspended the account (RLS then hides the profile; nothing about it is told), `profile_missing` when there is
    none (e.g. deleted while a token still lives)."""
    return await _present(conn, await (await conn.execute(_PROFILE_SQL, [user_id])).fetchone())


async def _present(conn: Conn, row: dict[str, Any] | None) -> dict[str, Any]:
    if row is None:
        raise absent_profile(await _suspended(conn))
    return _active(row)


def absent_profile(suspended: bool) -> ApiError:
    """The refusal when the caller's claims see no profile of theirs: RLS hides a suspended account's."""
    return ApiError(403, "account_suspended" if suspended else "profile_missing")


def _active(row: dict[str, Any]) -> dict[str, Any]:
    if not row["is_active"]:  # an owner transaction (no RLS) reading someone suspended
        raise ApiError(403, "account_suspended")
    return row


def role_checked(row: dict[str, Any], *roles: AppRole) -> dict[str, Any]:
    """`checked_profile` for a profile that was visible."""
    profile = _active(row)
    if AppRole(profile["role"]) not in roles:
        raise ApiError(403, "forbidden_role")
    return profile


async def read_checked(pool: AsyncConnectionPool[Conn], claims: Mapping[str, Any], query: str,
                       params: Mapping[str, Any], *roles: AppRole) -> dict[str, Any]:
    """`read_one` (binary) of a statement whose one row is the caller's profile as RLS shows it (`role` as text and
    `is_active`, at least) with what the route reads beside it, or no row when none is visible: the row once it
    passes `require_role`'s check, with the same refusals (whether a missing profile is a suspended account is asked
    then, in a transaction of its own). For a route whose role check and body are one statement: one wait."""
    row = await read_one(pool, claims, query, params, binary=True)
    if row is None:
        raise absent_profile(await suspended_as(pool, claims))
    return role_checked(row, *roles)


async def checked_profile(conn: Conn, row: dict[str, Any] | None, *roles: AppRole) -> dict[str, Any]:
    """`require_role`'s answer and refusals for a profile row read with `profile_sql` (None: none was visible), for a
    route that read it within a statement of its own."""
    return role_checked(await _present(conn, row), *roles)


async def require_role(conn: Conn, user_id: uuid.UUID, *roles: AppRole) -> dict[str, Any]:
    return await checked_profile(conn, await (await conn.execute(_PROFILE_SQL, [user_id])).fetchone(), *roles)


async def update_profile(
    conn: Conn, user_id: uuid.UUID, display_name: str | None, locale: str | None
) -> dict[str, Any]:
    # An owner transaction: users have no write grants (see 0007), so this is the only way a name changes.
    await conn.execute(
        "update public.profiles set display_name = coalesce(%s, display_name), locale = coalesce(%s, locale) "
        "where id = %s",
        [display_name, locale, user_id],
    )
    return await load_profile(conn, user_id)
