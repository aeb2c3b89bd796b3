"""Moving a request to another status: the shared state machine decides, the database records the event.

Status changes never run as the user (who could otherwise set any status through Supabase's public API); they
run as the owner after this check, with the actor and note handed to the status-log trigger.
"""

import json
import uuid
from collections.abc import Mapping
from typing import Any

from backend.db import Conn
from backend.errors import ApiError
from shared.roles import Actor
from shared.statuses import RequestStatus, can_transition


async def transition(
    conn: Conn, claims: Mapping[str, Any], actor: Actor, request_id: uuid.UUID, to_status: RequestStatus,
    note: str = "", extra_sql: str = "", extra_values: Mapping[str, Any] | None = None,
) -> RequestStatus:
    """`conn` is an owner transaction. Returns the previous status; 404 if the caller may not see the request,
    409 if the move is not allowed from where it is now."""
    await conn.execute(
        "select set_config('request.jwt.claims', %s, true), set_config('fixit.actor', %s, true), "
        "set_config('fixit.note', %s, true)",
        [json.dumps(dict(claims)), actor.value, note],
    )
    row = await (
        await conn.execute(
            "select status, private.can_see_request(id) as visible from public.repair_requests "
            "where id = %s for update",
            [request_id],
        )
    ).fetchone()
    if row is None or not row["visible"]:
        raise ApiError(404, "not_found")
    current = RequestStatus(row["status"])
    if not can_transition(current, to_status, actor):
        raise ApiError(409, "illegal_transition", from_status=current.value, to_status=to_status.value)
    await conn.execute(
        f"update public.repair_requests set status = %(to)s{extra_sql} where id = %(id)s",  # extra_sql: fixed text
        {"to": to_status.value, "id": request_id, **(extra_values or {})},
    )
    return current
