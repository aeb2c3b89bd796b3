"""Sessions of the local issuer, shaped like Supabase Auth's: a short-lived access token plus a refresh token that
is rotated on every use (a used one never works again) and revoked at sign-out.

Refresh tokens are random (256 bits) and stored only as their SHA-256 in private.refresh_tokens, so a copy of the
database signs nobody in. Presenting a refresh token that was already rotated ends the whole session: either the
app lost track, or someone copied it. One exception, as in Supabase Auth (its reuse interval): the session's latest
rotation presented again within `refresh_token_reuse_seconds` is the app asking again for an answer it lost on the
way; it gets a new pair for the same session, and the one whose answer was lost is superseded: presented later it
ends the session as any reuse does (no app presents it: its answer never reached the app, so whoever does holds a
copy, or the app holds it and a copy was replayed within the interval; audit26 F2).
"""

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from backend.auth.tokens import issue_token
from backend.db import Conn
from backend.errors import ApiError
from backend.settings import Settings


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str | None
    expires_in: int  # seconds the access token lives
    expires_at: int  # unix time it stops working


def _hash(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()


async def _new_refresh_token(conn: Conn, session_id: uuid.UUID) -> str:
    token = secrets.token_urlsafe(32)
    await conn.execute("insert into private.refresh_tokens (token_hash, session_id) values (%s, %s)",
                       [_hash(token), session_id])
    return token


def _access(settings: Settings, user_id: uuid.UUID, phone: str | None, session_id: uuid.UUID,
            refresh_token: str) -> Tokens:
    now = int(time.time())
    return Tokens(
        access_token=issue_token(settings, user_id, phone, now=now, session_id=session_id),
        refresh_token=refresh_token,
        expires_in=settings.jwt_ttl_seconds,
        expires_at=now + settings.jwt_ttl_seconds,
    )


async def start(conn: Conn, settings: Settings, user_id: uuid.UUID, phone: str | None) -> Tokens:
    """A new session after a correct one-time code (an owner transaction)."""
    session_id = uuid.uuid4()
    await conn.execute(  # this person's ended sessions are not needed any more
        "delete from private.auth_sessions "
        "where user_id = %s and (revoked_at is not null or refreshed_at < now() - %s)",
        [user_id, timedelta(seconds=settings.session_idle_seconds)],
    )
    await conn.execute("insert into private.auth_sessions (id, user_id) values (%s, %s)", [session_id, user_id])
    return _access(settings, user_id, phone, session_id, await _new_refresh_token(conn, session_id))


class SessionEnded(Exception):
    """The refresh token is unknown, used, revoked or idle too long (must be committed: a reuse revokes)."""


async def refresh(conn: Conn, settings: Settings, refresh_token: str) -> tuple[Tokens, uuid.UUID]:
    """Rotate: the presented token is used up, a new one is returned with a new access token."""
    row = await (
        await conn.execute(
            """select t.session_id, t.used_at is not null or t.superseded_at is not null as used, s.user_id,
                      s.revoked_at is not null as revoked, s.refreshed_at < now() - %s as idle, u.phone,
                      -- asked again for a lost answer: within the interval, and no token of the session used since
                      -- (a superseded token is never asked again for: its answer did reach someone)
                      t.superseded_at is null and t.used_at >= now() - %s and not exists (
                          select from private.refresh_tokens n
                          where n.session_id = t.session_id and n.used_at > t.used_at) as asked_again
               from private.refresh_tokens t
               join private.auth_sessions s on s.id = t.session_id
               join auth.users u on u.id = s.user_id
               where t.token_hash = %s
               for update of s""",
            [timedelta(seconds=settings.session_idle_seconds),
             timedelta(seconds=settings.refresh_token_reuse_seconds), _hash(refresh_token)],
        )
    ).fetchone()
    if row is None or row["revoked"] or row["idle"]:
        raise SessionEnded()
    if row["used"] and not row["asked_again"]:
        await revoke(conn, session_id=row["session_id"])
        raise SessionEnded()
    asked_again = bool(row["used"])
    if not asked_again:
        # Used only if still unused: a refresh with the same token that held the session's lock before this one
        # (the select above waited for it and re-checked the session row only, not the token's) has used it and
        # committed; this is then a second use within the interval (review25 F1: both rotated it, two live tokens).
        # (`returning` read back: in a pipelined transaction a cursor's rowcount is not known until a sync.)
        # (Unsuperseded too: an asking again that held the lock first superseded it, unseen by the select above.)
        used_now = await (await conn.execute("update private.refresh_tokens set used_at = now() "
                                             "where token_hash = %s and used_at is null and superseded_at is null "
                                             "returning 1",
                                             [_hash(refresh_token)])).fetchone()
        if used_now is None:
            if settings.refresh_token_reuse_seconds <= 0:  # no interval: any second use is a copy
                await revoke(conn, session_id=row["session_id"])
                raise SessionEnded()
            asked_again = True
    if asked_again:
        # The answer the app never got named the session's one live token: superseded, the new one takes its place
        # (one live token a session). Kept, not deleted: whoever presents it holds a copy (the lost answer caught on
        # the way, or the app's own token after a copy of its parent was replayed here), and that use ends the
        # session (audit26 F2: deleted, it only signed the app out and left the copy the session). The interval
        # still counts from the first use: asking again does not stretch it.
        await conn.execute("update private.refresh_tokens set superseded_at = now() "
                           "where session_id = %s and used_at is null and superseded_at is null",
                           [row["session_id"]])
    await conn.execute("update private.auth_sessions set refreshed_at = now() where id = %s", [row["session_id"]])
    user_id: uuid.UUID = row["user_id"]
    tokens = _access(settings, user_id, row["phone"], row["session_id"],
                     await _new_refresh_token(conn, row["session_id"]))
    return tokens, user_id


async def revoke(conn: Conn, *, session_id: uuid.UUID | None = None, refresh_token: str | None = None) -> None:
    """End a session, named by its id (the access token's `session_id`) or by one of its refresh tokens."""
    if session_id is None and refresh_token is not None:
        row = await (await conn.execute("select session_id from private.refresh_tokens where token_hash = %s",
                                        [_hash(refresh_token)])).fetchone()
        session_id = row["session_id"] if row else None
    if session_id is None:
        return
    await conn.execute("update private.auth_sessions set revoked_at = coalesce(revoked_at, now()) where id = %s",
                       [session_id])
    await conn.execute("delete from private.refresh_tokens where session_id = %s", [session_id])


async def revoke_all(conn: Conn, user_id: uuid.UUID) -> int:
    """End every session of a person (an operator's suspension: a lost phone or an abuser keeps refreshing none of
    them); returns how many were still open. Supabase Auth's own sessions are GoTrue's, not these."""
    rows = await (await conn.execute(
        "update private.auth_sessions set revoked_at = now() where user_id = %s and revoked_at is null returning id",
        [user_id])).fetchall()
    await conn.execute("delete from private.refresh_tokens t using private.auth_sessions s "
                       "where s.id = t.session_id and s.user_id = %s", [user_id])
    return len(rows)


async def purge(conn: Conn, settings: Settings) -> None:
    """Forget sessions that ended or went idle (a housekeeping step; nothing depends on when it runs)."""
    await conn.execute(
        "delete from private.auth_sessions where revoked_at is not null or refreshed_at < now() - %s",
        [timedelta(seconds=settings.session_idle_seconds)],
    )


def session_ended() -> ApiError:
    return ApiError(401, "session_expired", headers={"WWW-Authenticate": "Bearer"})
