"""Profiles: who is calling, in which role, at which college."""

import uuid
from typing import Any

from backend.db import Conn
from backend.errors import ApiError
from shared.roles import AppRole

_PROFILE_SQL = """
    select p.id, p.role, p.display_name, p.phone, p.locale, p.is_active, p.takes_jobs,
           case when c.id is null then null
                else json_build_object('id', c.id, 'code', c.code, 'name_th', c.name_th, 'name_en', c.name_en)
           end as college
    from public.profiles p
    left join public.colleges c on c.id = p.college_id
    where p.id = %s
"""


async def load_own_profile(conn: Conn, user_id: uuid.UUID) -> dict[str, Any]:
    """The caller's profile, suspended or not: only for what a suspended person may still do (sign in, download
    their data, delete their account: PDPA rights a suspension does not take away). Its `is_active` says which."""
    row = await (await conn.execute(_PROFILE_SQL, [user_id])).fetchone()
    if row is None:
        raise ApiError(403, "profile_missing")
    return row


async def load_profile(conn: Conn, user_id: uuid.UUID) -> dict[str, Any]:
    """The caller's profile, for everything else: 403 `account_suspended` when an operator suspended the account
    (nothing about it is told), `profile_missing` when there is none (e.g. deleted while a token still lives)."""
    row = await load_own_profile(conn, user_id)
    if not row["is_active"]:
        raise ApiError(403, "account_suspended")
    return row


async def require_role(conn: Conn, user_id: uuid.UUID, *roles: AppRole) -> dict[str, Any]:
    profile = await load_profile(conn, user_id)
    if AppRole(profile["role"]) not in roles:
        raise ApiError(403, "forbidden_role")
    return profile


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
