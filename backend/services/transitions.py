"""Moving a request to another status: the shared state machine decides, the database records the event.

Status changes never run as the user (who could otherwise set any status through Supabase's public API); they
run as the owner after this check, with the actor and note handed to the status-log trigger.
"""

import json
import uuid
from collections.abc import Mapping
from typing import Any

from psycopg import sql

from backend.db import Conn
from backend.errors import ApiError
from shared.roles import Actor
from shared.statuses import RequestStatus, can_transition


async def act_as(conn: Conn, actor: Actor, claims: Mapping[str, Any] | None, note: str = "") -> None:
    """Tell the status-log trigger (and auth.uid()) who is acting in this owner transaction."""
    await conn.execute(
        "select set_config('request.jwt.claims', %s, true), set_config('fixit.actor', %s, true), "
        "set_config('fixit.note', %s, true)",
        [json.dumps(dict(claims)) if claims else "", actor.value, note],
    )


async def lock_status(conn: Conn, request_id: uuid.UUID, *, check_visible: bool) -> RequestStatus:
    row = await (
        await conn.execute(
            "select status, private.can_see_request(id) as visible from public.repair_requests "
            "where id = %s for update",
            [request_id],
        )
    ).fetchone()
    if row is None or (check_visible and not row["visible"]):
        raise ApiError(404, "not_found")
    return RequestStatus(row["status"])


async def transition(
    conn: Conn,
    actor: Actor,
    request_id: uuid.UUID,
    to_status: RequestStatus,
    *,
    claims: Mapping[str, Any] | None = None,
    note: str = "",
    set_columns: Mapping[str, Any] | None = None,
    check_visible: bool = True,
) -> RequestStatus:
    """`conn` is an owner transaction. Returns the previous status.

    404 when the caller may not see the request (checked for people; the system sees all), 409 when the move is not
    allowed from where the request is now. `set_columns` are written in the same update (e.g. the technician)."""
    await act_as(conn, actor, claims, note)
    current = await lock_status(conn, request_id, check_visible=check_visible and actor != Actor.SYSTEM)
    if not can_transition(current, to_status, actor):
        raise ApiError(409, "illegal_transition", from_status=current.value, to_status=to_status.value)
    columns = {"status": to_status.value, **(set_columns or {})}
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(name)) for name in columns
    )
    await conn.execute(
        sql.SQL("update public.repair_requests set {} where id = %(request_id)s").format(assignments),
        {**columns, "request_id": request_id},
    )
    return current


async def log_event(conn: Conn, request_id: uuid.UUID, status: RequestStatus, actor: Actor,
                    actor_id: uuid.UUID | None, note: str) -> None:
    """A timeline entry without a status change (escalation to another college, reassignment)."""
    await conn.execute(
        "insert into public.status_events (request_id, actor, actor_id, from_status, to_status, note) "
        "values (%s, %s, %s, %s, %s, %s)",
        [request_id, actor.value, actor_id, status.value, status.value, note],
    )
