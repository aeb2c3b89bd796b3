"""Rating, reopening within 7 days, and the duplicate hint."""

import uuid
from datetime import datetime
from typing import Any

from backend.db import Conn
from backend.errors import ApiError
from backend.services.credit import close_round
from backend.services.dispatch import DispatchPolicy, dispatch, offer_again_at_college, owner_active, teacher_missing
from backend.services.transitions import Note, act_as, transition
from shared.aftercare import (
    DUPLICATE_CELL_DEG,
    DUPLICATE_COUNT_CAP,
    DUPLICATE_NEIGHBOUR_CELLS,
    DUPLICATE_WINDOW,
    RATEABLE,
    duplicate_cell_index,
    may_reopen,
)
from shared.roles import Actor
from shared.statuses import OPEN_STATUSES, RequestStatus, Route

S = RequestStatus


async def _own_request(conn: Conn, claims: dict[str, Any], request_id: uuid.UUID) -> dict[str, Any]:
    await act_as(conn, Actor.CITIZEN, claims)
    row = await (
        await conn.execute(
            "select status, college_id, citizen_id = auth.uid() as mine from public.repair_requests "
            "where id = %s for update",
            [request_id],
        )
    ).fetchone()
    if row is None or not row["mine"]:
        raise ApiError(404, "not_found")
    return row


async def rate(conn: Conn, claims: dict[str, Any], request_id: uuid.UUID, rating: int, comment: str) -> None:
    row = await _own_request(conn, claims, request_id)
    if RequestStatus(row["status"]) not in RATEABLE:
        raise ApiError(409, "not_rateable")
    await conn.execute(
        "update public.repair_requests set rating = %s, rating_comment = %s where id = %s",
        [rating, comment, request_id],
    )


async def reopen(
    conn: Conn, claims: dict[str, Any], request_id: uuid.UUID, note: str, now: datetime, policy: DispatchPolicy
) -> None:
    """Back to the same college: the student who did the job is offered it first, else its other fitting students.
    A college an admin has closed since takes no more jobs (an accept there answers 409 college_closed): the job
    goes on like a new request, to the nearest open college that fits (not one tried for it before), else
    `no_centre`. So does a high-risk job when the college has no active teacher any more (its last one left): nobody
    there could be present at its diagnosing and repairing steps, and its former student's accept would be refused
    (409 offer_no_teacher); its timeline says why (`reopened_no_teacher`), and a job no college with a teacher can
    take waits as `no_centre`, its citizen and the admins told. The college and its teachers are read, not locked:
    the request is held already and both come before it in the lock order (dispatch.py); a close or a teacher's
    leaving committing meanwhile is caught by the accept's own checks, as for a dispatch.

    The owner's own profile is shared first (the lock order's step 1, as an administrator's send-on: audit21 #2): a
    handed-back request is not among the open requests a suspension locks, so a reopen under way would go on to a
    student after the suspension parked the owner's other requests. A suspension under way is waited for and then
    refused, 403 `account_suspended`, what the owner's token answers from then on (nothing stored); or the
    suspension waits for the reopen and parks the request it offered (`park_for_suspended_owner`)."""
    active = await owner_active(conn, request_id)
    row = await _own_request(conn, claims, request_id)  # not theirs: 404 before anything about its owner
    if not active:
        raise ApiError(403, "account_suspended")
    handed = await (
        await conn.execute(
            "select max(created_at) as at from public.status_events "
            "where request_id = %s and to_status = 'handed_back'",
            [request_id],
        )
    ).fetchone()
    if RequestStatus(row["status"]) == S.HANDED_BACK and not may_reopen(handed["at"] if handed else None, now):
        raise ApiError(409, "reopen_too_late")
    await close_round(conn, request_id)  # the round's team and hours stay approvable, at this college
    await transition(conn, Actor.CITIZEN, request_id, S.SUBMITTED, route=Route.REOPEN, claims=claims,
                     note=Note(note, code=None if note else "still_broken"),
                     set_columns={"technician_id": None, "rating": None, "rating_comment": None})
    open_college = await (await conn.execute(
        "select 1 from public.colleges where id = %s and is_active", [row["college_id"]])).fetchone()
    no_teacher = open_college is not None and await teacher_missing(conn, request_id, row["college_id"])
    usable = open_college is not None and not no_teacher
    # The student who did it, if they are still an active student of that college, it is open and (a high-risk job)
    # has a teacher (else nobody could accept it): a usable account (not suspended), on the roster (takes_jobs), a
    # student of that college.
    previous = await (
        await conn.execute(
            """update public.offers o set status = 'pending', created_at = %s, expires_at = %s, responded_at = null
               where o.request_id = %s and o.status = 'accepted' and %s
                 and o.technician_id is distinct from (select r.citizen_id from public.repair_requests r
                                                       where r.id = o.request_id)
                 and exists (select 1 from public.profiles p where p.id = o.technician_id and p.is_active
                             and p.takes_jobs and p.role = 'technician' and p.college_id = o.college_id)
               returning id""",
            [now, policy.expires_at(now), request_id, usable],
        )
    ).fetchone()
    if previous is None:
        gone = await (await conn.execute(
            "update public.offers set status = 'withdrawn', responded_at = %s "
            "where request_id = %s and status = 'accepted' returning college_id",
            [now, request_id])).fetchone()
        if not usable:
            await dispatch(conn, request_id, now, policy, note=Note(code="reopened_no_teacher") if no_teacher else None)
            return
        if gone is None or not await offer_again_at_college(conn, request_id, gone["college_id"], now, policy):
            await dispatch(conn, request_id, now, policy, only_college=row["college_id"])
            return
    await transition(conn, Actor.SYSTEM, request_id, S.OFFERED, route=Route.DISPATCH, note=Note(code="reopened"))


async def nearby_open_count(conn: Conn, category: str, lat: float, lon: float, now: datetime) -> int:
    """How many open requests of this category this week in the grid cell of (lat, lon) or its neighbours, capped:
    a coarse answer that says "someone nearby already asked", never who, what exactly or where. A request is
    placed by its cell alone (shared/aftercare.py), so the answers cannot place it more closely than that."""
    cell_lat, cell_lon = duplicate_cell_index(lat, lon)
    reach = DUPLICATE_NEIGHBOUR_CELLS
    row = await (
        await conn.execute(
            """
            select count(*)::int as n from (
                select 1 from public.repair_requests r
                where r.category_code = %(category)s and r.status = any(%(open)s::public.request_status[])
                  and r.created_at >= %(since)s
                  and r.lat between (%(lat)s::bigint - %(reach)s::int - 1) * %(deg)s::float8
                                and (%(lat)s::bigint + %(reach)s::int + 1) * %(deg)s::float8
                  and abs(round(r.lat / %(deg)s::float8)::bigint - %(lat)s::bigint) <= %(reach)s::int
                  and abs(round(r.lon / %(deg)s::float8)::bigint - %(lon)s::bigint) <= %(reach)s::int
                limit %(cap)s
            ) near
            """,
            {"category": category, "lat": cell_lat, "lon": cell_lon, "deg": DUPLICATE_CELL_DEG, "reach": reach,
             "since": now - DUPLICATE_WINDOW, "open": [s.value for s in OPEN_STATUSES], "cap": DUPLICATE_COUNT_CAP},
        )
    ).fetchone()
    return int(row["n"]) if row else 0
