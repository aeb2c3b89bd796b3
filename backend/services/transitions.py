"""Moving a request to another status: the shared state machine decides, the database records the event.

Status changes never run as the user (who could otherwise set any status through Supabase's public API); they
run as the owner after this check, with the actor and note handed to the status-log trigger.
"""

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import errors as pg_errors
from psycopg import sql
from psycopg.types.json import Jsonb

from backend.db import Conn
from backend.errors import ApiError, refusal_error
from backend.request_context import client_address
from backend.services.handover_rule import HANDED_OVER_SQL
from shared.credit import (
    CATEGORY_TIERS,
    PRESENCE_STEPS,
    needs_teacher_present,
    required_level,
    teacher_named_present,
)
from shared.roles import Actor
from shared.statuses import Mover, MoveRefused, RequestStatus, Route, decide_move


@dataclass(frozen=True)
class Note:
    """A timeline note: what a person typed, and/or a system note as a code of shared.text.EVENT_NOTES with its
    parameters (rendered in each reader's language)."""

    text: str = ""
    code: str | None = None
    params: Mapping[str, Any] | None = None


async def act_as(conn: Conn, actor: Actor, claims: Mapping[str, Any] | None, note: Note | str = "") -> None:
    """Tell the status-log and audit triggers (and auth.uid()) who is acting, from where, in this owner
    transaction."""
    note = note if isinstance(note, Note) else Note(note)
    await conn.execute(
        "select set_config('request.jwt.claims', %s, true), set_config('fixit.actor', %s, true), "
        "set_config('fixit.note', %s, true), set_config('fixit.note_code', %s, true), "
        "set_config('fixit.note_params', %s, true), set_config('fixit.client_ip', %s, true)",
        [json.dumps(dict(claims)) if claims else "", actor.value, note.text, note.code or "",
         json.dumps(dict(note.params)) if note.params else "", client_address.get() or ""],
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


# What the shared rule needs to know about the caller and the request, read once the request's row is locked so
# nothing can change between the decision and the write. auth.uid() is the caller's (act_as set the claims).
_FACTS = """
    select r.status,
           private.can_see_request(r.id) as visible,
           coalesce(r.citizen_id = auth.uid(), false) as owns,
           coalesce(r.technician_id = auth.uid(), false) as on_job,
           exists (select 1 from public.job_team t where t.request_id = r.id and t.technician_id = auth.uid())
               as on_team,
           -- pending, not run out, at the student's college (one moved since holds the old college's offer no
           -- more): the rule the photos and the offers feed ask too (0115, 0121)
           private.holds_offer_open_at(r.id, coalesce(%(now)s::timestamptz, now())) as offer_open,
           coalesce(private.my_role() = 'supervisor' and r.college_id = private.my_college(), false) as staff
    from public.repair_requests r
    where r.id = %(id)s
"""


async def transition(
    conn: Conn,
    actor: Actor,
    request_id: uuid.UUID,
    to_status: RequestStatus,
    *,
    route: Route = Route.STEP,
    claims: Mapping[str, Any] | None = None,
    note: Note | str = "",
    set_columns: Mapping[str, Any] | None = None,
    now: datetime | None = None,
    current: RequestStatus | None = None,
    teacher_present_id: uuid.UUID | None = None,
) -> RequestStatus:
    """The only way a request changes status. `conn` is an owner transaction. Returns the previous status.

    The shared rule (`decide_move`) decides from the actor, how they stand to the request and the route, before
    anything is written: 404 when the caller may not see the request (people only; the system sees all), 403
    when they may never do this to it, 409 when not from where it is now. `set_columns` are written in the same
    update (e.g. the technician). `current`: the system's caller already holds the row lock and knows the status
    (dispatch), so no query is needed to decide."""
    await act_as(conn, actor, claims, note)
    if actor == Actor.SYSTEM and current is not None:
        decide_move(current, to_status, Mover(actor, route))  # a refusal here is a bug in the caller: let it raise
        await _write(conn, request_id, to_status, set_columns)
        return current
    # Lock first, then read the facts in a statement of their own: under READ COMMITTED a statement that waited
    # for the lock would re-read the locked row but still judge the offers as of before the wait.
    await conn.execute("select 1 from public.repair_requests where id = %s for update", [request_id])
    row = await (await conn.execute(_FACTS, {"id": request_id, "now": now})).fetchone()
    # The system sees everything; a student accepting holds an offer of this job (checked by the caller), so an
    # offer withdrawn a moment ago answers "no longer open" rather than "not found".
    if row is None or (actor != Actor.SYSTEM and route != Route.ACCEPT_OFFER and not row["visible"]):
        raise ApiError(404, "not_found")
    current = RequestStatus(row["status"])
    record = await _record_facts(conn, request_id, to_status, (set_columns or {}).get("technician_id"),
                                 teacher_present_id)
    mover = Mover(actor, route, owns_request=row["owns"], on_the_job=row["on_job"], on_the_team=row["on_team"],
                  holds_open_offer=row["offer_open"], staff_of_college=row["staff"],
                  meets_safety_tier=record.meets_tier, teacher_present=record.teacher_present,
                  college_has_teacher=record.college_has_teacher, handover_settled=record.handover_settled)
    try:
        decide_move(current, to_status, mover)
    except MoveRefused as refused:
        if refused.code == "below_safety_tier" and not refused.hidden:
            raise ApiError(403, refused.code, level=record.level_needed) from refused
        raise refusal_error(refused) from refused
    await _write(conn, request_id, to_status, set_columns)
    if record.presence_needed:
        # The teacher named present is part of the step's own timeline entry (the one the trigger just wrote). Its
        # result is read so that a foreign-key failure is raised here, not at the pipeline's commit: the caller
        # locked the teacher (lock_teacher_present), so a deletion cannot get in between; were it to, it is the
        # same refusal as a teacher found gone, never a 500.
        try:
            await (await conn.execute(
                "update public.status_events set teacher_present_id = %s "
                "where id = (select max(id) from public.status_events where request_id = %s) returning id",
                [teacher_present_id, request_id])).fetchone()
        except pg_errors.ForeignKeyViolation as gone:  # the statement's one foreign key: teacher_present_id
            raise ApiError(409, "teacher_presence_required", from_status=current,
                           to_status=to_status) from gone
    return current


async def lock_teacher_present(conn: Conn, request_id: uuid.UUID, to_status: RequestStatus, actor: Actor,
                               caller: uuid.UUID, named: uuid.UUID | None) -> uuid.UUID | None:
    """Who the move records as the teacher present (shared.credit.teacher_named_present: the one named, or a
    teacher's own send-back for rework), their profile locked FOR SHARE until commit; None where the step needs
    nobody. Called before the request is locked (the lock order of backend/services/dispatch.py, 1 then 2, as
    dispatch.roster_teacher_and_owner does for an accept): a suspension, a move, a role change or a deletion of that
    teacher under way finishes first and the move then finds them gone (409 teacher_presence_required, nothing
    written), or waits for this move. `transition` checks the teacher as locked: its facts are read by a later
    statement, under the request's lock, so they are the profile's row as this lock holds it (role supervisor,
    active, the job's college as the request now has it). The category is read unlocked: it never changes."""
    if to_status not in PRESENCE_STEPS:
        return named
    row = await (await conn.execute("select category_code from public.repair_requests where id = %s",
                                    [request_id])).fetchone()
    if row is None:
        return named  # transition answers 404
    teacher = teacher_named_present(row["category_code"], to_status, actor, caller, named)
    if teacher is not None:
        await conn.execute("select 1 from public.profiles where id = %s for share", [teacher])
    return teacher


@dataclass(frozen=True)
class _RecordFacts:
    meets_tier: bool = True
    level_needed: int = 1
    teacher_present: bool = True
    college_has_teacher: bool = True
    presence_needed: bool = False
    handover_settled: bool = True


# Issue 14's facts about the job record, read under the request's row lock (shared/credit.py decides from them).
# Whether the college has a teacher is asked only of a move that may need one present (`presence`: the categories
# whose move into this status does, shared.credit.needs_teacher_present), not of every accept, step and hand back:
# the rule reads it nowhere else.
_RECORD_FACTS = f"""
    select r.category_code,
           (select coalesce(max(ts.level), 0) from public.technician_skills ts
            join public.category_skills cs on cs.skill_code = ts.skill_code and cs.category_code = r.category_code
                 and ts.level >= cs.min_level
            where ts.technician_id = %(student)s) as best_level,
           {HANDED_OVER_SQL} as handed_over,
           exists (select 1 from private.active_teachers(r.college_id) t(id) where t.id = %(teacher)s)
               as teacher_of_college,
           case when r.category_code = any(%(presence)s::text[])
                then private.college_has_teacher(r.college_id) end as college_has_teacher
    from public.repair_requests r where r.id = %(id)s
"""


def _presence_categories(to_status: RequestStatus) -> list[str]:
    """The categories whose move into `to_status` needs a teacher of the college present, by the shared rule itself.
    A category missing from shared.credit.CATEGORY_TIERS takes DEFAULT_TIER, below the tier that needs one
    (tests/unit/test_credit_rules.py holds it), so none is left out."""
    return sorted(code for code in CATEGORY_TIERS if needs_teacher_present(code, to_status))


async def _record_facts(conn: Conn, request_id: uuid.UUID, to_status: RequestStatus, student: Any,
                        teacher: uuid.UUID | None) -> _RecordFacts:
    if to_status not in PRESENCE_STEPS | {RequestStatus.ACCEPTED, RequestStatus.HANDED_BACK}:
        return _RecordFacts()
    if to_status == RequestStatus.ACCEPTED and student is None:
        student = (await (await conn.execute("select auth.uid() as uid")).fetchone() or {}).get("uid")
    row = await (await conn.execute(_RECORD_FACTS, {"id": request_id, "student": student, "teacher": teacher,
                                                    "presence": _presence_categories(to_status)})).fetchone()
    if row is None:
        return _RecordFacts()
    category = row["category_code"]
    presence = needs_teacher_present(category, to_status)
    return _RecordFacts(
        meets_tier=to_status != RequestStatus.ACCEPTED or int(row["best_level"]) >= required_level(category),
        level_needed=required_level(category),
        teacher_present=not presence or bool(row["teacher_of_college"]),
        college_has_teacher=not presence or bool(row["college_has_teacher"]),
        presence_needed=presence,
        handover_settled=to_status != RequestStatus.HANDED_BACK or bool(row["handed_over"]),
    )


async def check_student_tier(conn: Conn, request_id: uuid.UUID, student: uuid.UUID) -> None:
    """For paths that give a job in hand to another student without a status change (a teacher's reassign):
    the same tier rule, under the lock the caller holds."""
    facts = await _record_facts(conn, request_id, RequestStatus.ACCEPTED, student, None)
    if not facts.meets_tier:
        raise ApiError(403, "below_safety_tier", level=facts.level_needed)


async def _write(conn: Conn, request_id: uuid.UUID, to_status: RequestStatus,
                 set_columns: Mapping[str, Any] | None) -> None:
    columns = {"status": to_status.value, **(set_columns or {})}
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(name)) for name in columns
    )
    await conn.execute(
        sql.SQL("update public.repair_requests set {} where id = %(request_id)s").format(assignments),
        {**columns, "request_id": request_id},
    )


async def log_event(conn: Conn, request_id: uuid.UUID, status: RequestStatus, actor: Actor,
                    actor_id: uuid.UUID | None, note: Note) -> None:
    """A timeline entry without a status change (escalation to another college, reassignment)."""
    await conn.execute(
        "insert into public.status_events (request_id, actor, actor_id, from_status, to_status, note, note_code, "
        "note_params) values (%s, %s, %s, %s, %s, %s, %s, %s)",
        [request_id, actor.value, actor_id, status.value, status.value, note.text, note.code,
         Jsonb(dict(note.params)) if note.params else None],
    )
