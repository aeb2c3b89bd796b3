"""The job record and the student's credit (issue 14): outcome, parts with the owner's approval, handover, team
members and their hours, the teacher's approval, skill progression, portfolios and college figures.

Writes run on an owner transaction (`acting`) after the request's row is locked, in the same order as every other
path (request first); the rules are shared/credit.py's. Reads that a person makes run as them (RLS)."""

import hashlib
import hmac
import secrets
import uuid
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from backend.db import Conn
from backend.errors import ApiError
from backend.paging import After, after_sql, keyset_params, split_page
from backend.photo_store import PhotoStore
from backend.services.dispatch import _KM_REQ, roster_teacher_and_owner
from backend.services.json_sql import json_object
from backend.services.transitions import check_student_tier, lock_status
from shared import credit_wire as cw
from shared.credit import (
    DEFAULT_HOURS_TARGET,
    DEFAULT_PROGRESSION_JOBS,
    ENV_FACTORS,
    HANDOVER_CODE_ATTEMPTS,
    HANDOVER_CODE_DIGITS,
    HANDOVER_FROM,
    HANDOVER_REASON_MIN,
    HOURS_DECIMALS,
    HOURS_WAITING_PAGE,
    PARTS_PER_JOB_MAX,
    TEAM_MAX,
    TEAM_OPEN,
    UNREPAIRABLE_TO_OUTCOME_REASON,
    HandoverMethod,
    Outcome,
    PartApproval,
    PartStatus,
    check_hours,
    check_outcome,
    check_part,
    check_phone_approval,
    check_task,
    credited_skill,
    due_for_progression,
    env_estimate,
    env_sourced,
    helper_hours_refusal,
    is_handover_code,
    needs_teacher_at_college,
    outcome_fits_status,
    required_level,
    term_bounds,
    term_of,
    verify_code_from,
    work_window_hours,
)
from shared.display_names import first_word
from shared.notifications import Kind, PartWithdrawnBy
from shared.paging import LIST_PAGE
from shared.statuses import REASSIGNABLE, WORK_EDITABLE, RequestStatus
from shared.visible_text import visible_length

S = RequestStatus
_KM = _KM_REQ.replace("req.", "r.")
APPROVABLE: frozenset[RequestStatus] = frozenset({S.DONE, S.HANDED_BACK, S.UNREPAIRABLE})


async def _request(owner: Conn, request_id: uuid.UUID) -> dict[str, Any]:
    """The request, locked (request first, as on every path)."""
    await lock_status(owner, request_id, check_visible=False)
    row = await (await owner.execute(
        "select id, status, citizen_id, technician_id, college_id, category_code from public.repair_requests "
        "where id = %s", [request_id])).fetchone()
    assert row is not None
    return row


async def holder(owner: Conn, request_id: uuid.UUID) -> uuid.UUID | None:
    """The student who has the job now, read under the request's lock (taken first, as on every path)."""
    found: uuid.UUID | None = (await _request(owner, request_id))["technician_id"]
    return found


def _on_job(req: dict[str, Any], user: uuid.UUID) -> None:
    if req["technician_id"] != user:
        raise ApiError(403, "not_assigned")


async def _staff_of(owner: Conn, req: dict[str, Any], user: uuid.UUID) -> bool:
    row = await (await owner.execute(
        "select role, college_id from public.profiles where id = %s and is_active", [user])).fetchone()
    return row is not None and (row["role"] == "admin"
                                or (row["role"] == "supervisor" and row["college_id"] == req["college_id"]))


async def _is_admin(owner: Conn, user: uuid.UUID) -> bool:
    row = await (await owner.execute("select role = 'admin' as admin from public.profiles where id = %s",
                                     [user])).fetchone()
    return bool(row and row["admin"])


async def _student_of(owner: Conn, req: dict[str, Any], user: uuid.UUID) -> bool:
    """An active student of the request's college: one moved to another college or switched off since they joined
    the team no longer reports hours the old college's teacher then credits.

    Read without a lock, on purpose (tests/integration/test_helper_hours_switch_off.py). A switch-off, a move or a
    suspension at the same moment decides nothing on what a report writes (the team's hours and task): it counts
    only the jobs in hand, and a job whose hours may still be reported is past the work. So whichever way the two
    interleave, the outcome is one of the two orders: this read before the switch-off committed is a report made
    before it (kept, the hours were worked on the team), after it a report by someone gone (refused, nothing kept).
    A `FOR SHARE` of the profile (as dispatch.roster_college takes for an accept) would only make one wait for the
    other to reach the same outcomes, and here, after the request's lock, it would break the lock order."""
    row = await (await owner.execute(
        "select 1 from public.profiles where id = %s and is_active and takes_jobs and role = 'technician' "
        "and college_id = %s",
        [user, req["college_id"]])).fetchone()
    return row is not None


# --- Outcome ----------------------------------------------------------------------------------------------------

async def record_outcome(owner: Conn, request_id: uuid.UUID, user: uuid.UUID, outcome: str, reason: str | None,
                         fault_found: str) -> dict[str, Any]:
    req = await _request(owner, request_id)
    _on_job(req, user)
    code = check_outcome(outcome, reason, fault_found)
    if code:
        raise ApiError(400, code)
    if not outcome_fits_status(Outcome(outcome), RequestStatus(req["status"])):
        raise ApiError(409, "outcome_not_now")
    row = await (await owner.execute(
        """insert into public.job_outcomes (request_id, outcome, reason, fault_found, recorded_by)
           values (%s, %s, %s, %s, %s)
           on conflict (request_id) do update set outcome = excluded.outcome, reason = excluded.reason,
               fault_found = excluded.fault_found, recorded_by = excluded.recorded_by, recorded_at = now()
           returning outcome, reason, fault_found, recorded_at""",
        [request_id, outcome, reason, fault_found.strip(), user])).fetchone()
    assert row is not None
    return row


async def outcome_after_move(owner: Conn, request_id: uuid.UUID, to_status: RequestStatus, reason: str | None,
                             user: uuid.UUID) -> None:
    """Every finished job has an outcome: a job approved without one was fixed; one marked unrepairable takes the
    step's reason (unless the student recorded a not-repaired outcome with its own reason). Only an outcome of this
    work counts as recorded: one a former lead recorded before a take back or a reassign (its `work_event`, stamped by
    the insert's trigger as `excluded.work_event` is, migration 0115) gives way, with its fault found (gaps26 #3)."""
    if to_status == S.DONE:
        await owner.execute(
            """insert into public.job_outcomes (request_id, outcome, recorded_by) values (%s, 'fixed', %s)
               on conflict (request_id) do update set outcome = excluded.outcome, reason = null, fault_found = '',
                   recorded_by = excluded.recorded_by, recorded_at = now()
               where public.job_outcomes.work_event is distinct from excluded.work_event""", [request_id, user])
    elif to_status == S.UNREPAIRABLE:
        await withdraw_waiting_parts(owner, request_id)
        mapped = UNREPAIRABLE_TO_OUTCOME_REASON.get(reason or "", "beyond_repair")
        await owner.execute(
            """insert into public.job_outcomes (request_id, outcome, reason, recorded_by)
               values (%s, 'unrepairable', %s, %s)
               on conflict (request_id) do update set outcome = excluded.outcome, reason = excluded.reason,
                   fault_found = case when public.job_outcomes.work_event is not distinct from excluded.work_event
                                      then public.job_outcomes.fault_found else '' end,
                   recorded_by = excluded.recorded_by, recorded_at = now()
               where public.job_outcomes.outcome in ('fixed', 'repaired_partly')
                  or public.job_outcomes.work_event is distinct from excluded.work_event""",
            [request_id, mapped, user])


# --- Parts --------------------------------------------------------------------------------------------------------

# `withdrawn_by_hand` (migration 0075): withdrawn by `withdraw_part` (its student or the job's teacher), not by the
# job ending or changing hands.
_PART_COLUMNS = ("id, name, qty, price_baht::float as price_baht, status, approval, approval_note, proposed_at, "
                 "decided_at, proposed_by, withdrawn_by_hand")


async def propose_part(owner: Conn, request_id: uuid.UUID, user: uuid.UUID, name: str, qty: int,
                       price_baht: float, key: uuid.UUID | None = None) -> dict[str, Any]:
    req = await _request(owner, request_id)
    _on_job(req, user)
    if key is not None:  # proposed already with this key: the same part, whatever has happened to it since
        again = await (await owner.execute(
            f"select {_PART_COLUMNS} from public.job_parts where request_id = %s and idempotency_key = %s",
            [request_id, key])).fetchone()
        if again is not None:
            return again
    if RequestStatus(req["status"]) not in WORK_EDITABLE:
        raise ApiError(409, "parts_not_now")
    code = check_part(name, qty, price_baht)
    if code:
        raise ApiError(400, code)
    count = await (await owner.execute("select count(*)::int as n from public.job_parts where request_id = %s",
                                       [request_id])).fetchone()
    if count and count["n"] >= PARTS_PER_JOB_MAX:
        raise ApiError(409, "parts_too_many")
    row = await (await owner.execute(
        f"insert into public.job_parts (request_id, name, qty, price_baht, proposed_by, idempotency_key) "
        f"values (%s, %s, %s, %s, %s, %s) returning {_PART_COLUMNS}",
        [request_id, name.strip(), qty, price_baht, user, key])).fetchone()
    assert row is not None
    return row


async def decide_part(owner: Conn, request_id: uuid.UUID, part_id: uuid.UUID, user: uuid.UUID, *,
                      approve: bool, phone_note: str | None = None) -> dict[str, Any]:
    """The owner approves or declines in the app; or the student on the job records the owner's answer given by
    phone (`phone_note`: who said so and when), stored as a phone approval, never as the owner's own."""
    req = await _request(owner, request_id)
    if phone_note is None:
        if req["citizen_id"] != user:
            raise ApiError(404, "not_found")
        approval: str | None = PartApproval.OWNER_APP if approve else None
        note = ""
    else:
        _on_job(req, user)
        code = check_phone_approval(phone_note)
        if code:
            raise ApiError(400, code)
        approval, note = (PartApproval.PHONE if approve else None), phone_note.strip()
    if RequestStatus(req["status"]) not in WORK_EDITABLE:
        # Once the job has gone to the teacher's check (or ended), what was bought is settled: a late "yes" would
        # add to a bill the teacher has already checked.
        raise ApiError(409, "parts_decision_closed")
    part = await (await owner.execute(
        "select status from public.job_parts where id = %s and request_id = %s for update",
        [part_id, request_id])).fetchone()
    if part is None:
        raise ApiError(404, "part_not_found")
    if part["status"] != PartStatus.PROPOSED:
        raise ApiError(409, "part_already_decided")
    row = await (await owner.execute(
        f"""update public.job_parts set status = %s, approval = %s, approval_note = %s, decided_by = %s,
                decided_at = now()
            where id = %s returning {_PART_COLUMNS}""",
        [PartStatus.APPROVED if approve else PartStatus.DECLINED, approval, note, user, part_id])).fetchone()
    assert row is not None
    return row


async def withdraw_part(owner: Conn, request_id: uuid.UUID, part_id: uuid.UUID, user: uuid.UUID) -> dict[str, Any]:
    """A part proposed by mistake, withdrawn while it still waits for the owner's answer: by the student who proposed
    it while the job is theirs, or by the job's teacher (an admin too). The owner is told (`part_withdrawn`, in this
    transaction, naming who: `params.by`). An answered part (approved or declined) stays as answered (409
    part_answered: an approved one may be bought already); a part withdrawn already (a retry of this, or the job's
    take back or reassign withdrew it) is answered as it is. Locks: the request, then the part
    (a row of that request: the module's order, dispatch.py)."""
    req = await _request(owner, request_id)
    part = await (await owner.execute(
        "select status, proposed_by, withdrawn_by_hand from public.job_parts where id = %s and request_id = %s "
        "for update",
        [part_id, request_id])).fetchone()
    if part is None:
        raise ApiError(404, "part_not_found")
    proposer = part["proposed_by"] == user and req["technician_id"] == user
    if not proposer and not await _staff_of(owner, req, user):
        raise ApiError(403, "not_assigned")
    if part["status"] == PartStatus.WITHDRAWN:
        # Withdrawn already: by hand (a retry), or with the job's end or change of hands (a take back, a reassign,
        # a cancel). Nobody answered it: the part is answered as it is, never as the owner's answer.
        again = await (await owner.execute(f"select {_PART_COLUMNS} from public.job_parts where id = %s",
                                           [part_id])).fetchone()
        assert again is not None
        return again
    if part["status"] != PartStatus.PROPOSED:
        raise ApiError(409, "part_answered", part_status=part["status"])
    if RequestStatus(req["status"]) not in WORK_EDITABLE:
        raise ApiError(409, "parts_decision_closed")
    row = await (await owner.execute(
        f"""update public.job_parts set status = %s, decided_by = %s, decided_at = now(), withdrawn_by_hand = true
            where id = %s returning {_PART_COLUMNS}""",
        [PartStatus.WITHDRAWN, user, part_id])).fetchone()
    assert row is not None
    # The owner is told who withdrew it: the student who proposed it, or the job's teacher (an admin).
    by = PartWithdrawnBy.STUDENT if proposer else (
        PartWithdrawnBy.ADMIN if await _is_admin(owner, user) else PartWithdrawnBy.TEACHER)
    await owner.execute(
        "select private.notify(r.citizen_id, %s, jsonb_build_object('item', r.item, 'part', %s::text, 'by', %s::text), "
        "r.id) from public.repair_requests r where r.id = %s and r.citizen_id is not null",
        [Kind.PART_WITHDRAWN.value, row["name"], by.value, request_id])
    return row


async def withdraw_waiting_parts(owner: Conn, request_id: uuid.UUID) -> None:
    """The job ended without a repair (unrepairable, cancelled): a part still waiting for the owner's answer is
    withdrawn, not left for an answer nobody may give any more (and not counted as the owner's "no")."""
    await owner.execute(
        "update public.job_parts set status = %s, decided_at = now() where request_id = %s and status = %s",
        [PartStatus.WITHDRAWN, request_id, PartStatus.PROPOSED])


async def require_parts_answered(owner: Conn, request_id: uuid.UUID) -> None:
    """No teacher's check (and no approval) of a job with a part still waiting for the owner's answer: the
    student gets the answer first (the owner in the app, or by phone), so the checked bill is the final one."""
    row = await (await owner.execute(
        "select count(*)::int as n from public.job_parts where request_id = %s and status = %s",
        [request_id, PartStatus.PROPOSED])).fetchone()
    if row and row["n"]:
        raise ApiError(409, "parts_undecided", count=row["n"])


# --- Handover -----------------------------------------------------------------------------------------------------

def _hash_code(request_id: uuid.UUID, code: str) -> str:
    return hashlib.sha256(f"{request_id}:{code}".encode()).hexdigest()


async def handover_code(owner: Conn, request_id: uuid.UUID, user: uuid.UUID) -> str:
    """A fresh one-time code for the owner's app to show at the counter (a new one replaces the last)."""
    req = await _request(owner, request_id)
    if req["citizen_id"] != user:
        raise ApiError(404, "not_found")
    if RequestStatus(req["status"]) not in HANDOVER_FROM:
        raise ApiError(409, "handover_not_now")
    code = f"{secrets.randbelow(10 ** HANDOVER_CODE_DIGITS):0{HANDOVER_CODE_DIGITS}d}"
    await owner.execute(
        """insert into private.handover_codes (request_id, code_hash) values (%s, %s)
           on conflict (request_id) do update set code_hash = excluded.code_hash, attempts = 0, created_at = now()""",
        [request_id, _hash_code(request_id, code)])
    return code


async def confirm_handover(owner: Conn, request_id: uuid.UUID, user: uuid.UUID) -> None:
    req = await _request(owner, request_id)
    if req["citizen_id"] != user:
        raise ApiError(404, "not_found")
    if RequestStatus(req["status"]) not in HANDOVER_FROM:
        raise ApiError(409, "handover_not_now")
    await _record_handover(owner, request_id, HandoverMethod.OWNER_APP, "", user)


async def check_handover_code(owner: Conn, request_id: uuid.UUID, user: uuid.UUID, code: str) -> bool:
    """Counts the attempt; the caller commits a wrong one in its own transaction so a guess is never free. Only
    the student on the job or the college's staff may try (nobody else can use up the owner's attempts). A right
    code stays until the hand back it settles commits (`settle_handover_for_move`): a move the state machine
    refuses does not use it up."""
    req = await _request(owner, request_id)
    if req["technician_id"] != user and not await _staff_of(owner, req, user):
        raise ApiError(404, "not_found")
    row = await (await owner.execute(
        "select code_hash, attempts from private.handover_codes where request_id = %s for update",
        [request_id])).fetchone()
    if row is None or row["attempts"] >= HANDOVER_CODE_ATTEMPTS:
        return False
    if is_handover_code(code) and hmac.compare_digest(row["code_hash"], _hash_code(request_id, code)):
        return True
    await owner.execute("update private.handover_codes set attempts = attempts + 1 where request_id = %s",
                        [request_id])
    return False


async def settle_handover_for_move(owner: Conn, request_id: uuid.UUID, user: uuid.UUID, *, code_ok: bool,
                                   teacher_reason: str) -> None:
    """Before a move to handed back (the transition then checks a handover is recorded, under the same lock): a
    code the owner gave the student, or the teacher's recorded reason when the owner cannot confirm."""
    req = await _request(owner, request_id)
    if code_ok:
        # Used up with the move's commit; if the move is refused, the rollback keeps it for the next try.
        await owner.execute("delete from private.handover_codes where request_id = %s", [request_id])
        await _record_handover(owner, request_id, HandoverMethod.OWNER_CODE, "", user)
    elif visible_length(teacher_reason) >= HANDOVER_REASON_MIN and await _staff_of(owner, req, user):
        await _record_handover(owner, request_id, HandoverMethod.TEACHER_REASON, teacher_reason.strip(), user)


async def _record_handover(owner: Conn, request_id: uuid.UUID, method: HandoverMethod, reason: str,
                           user: uuid.UUID) -> None:
    await owner.execute(
        """insert into public.job_handovers (request_id, method, reason, confirmed_by) values (%s, %s, %s, %s)
           on conflict (request_id) do update set method = excluded.method, reason = excluded.reason,
               confirmed_by = excluded.confirmed_by, confirmed_at = now()
           where public.job_handovers.confirmed_at < (
               select max(e.created_at) from public.status_events e
               where e.request_id = excluded.request_id and e.to_status in ('done', 'unrepairable'))""",
        [request_id, method.value, reason, user])


# --- Team ---------------------------------------------------------------------------------------------------------

# The round of work a job is in: 1, plus one each time its owner reopened it (the only move from handed back to
# submitted), and the timeline event that began it (the last reopen's id; null in the first round). Hours belong to a
# round; a new round is reported and approved again, and only a report saved and after photos uploaded since it began
# count for its check (routes/work.py). `{rid}`: the request's id in SQL, a column or a parameter.
_REOPENS = ("from public.status_events e where e.request_id = {rid} "
            "and e.from_status = 'handed_back' and e.to_status = 'submitted'")
# The round's one definition is the SQL function private.request_round (migration 0057), which RLS (helps_on), the
# triggers and jobs_in_hand ask too: never spell it again here. Asked in FROM, where the planner inlines it.
ROUND_SQL = "(select round from private.request_round({rid}))"
# An event's id, not its time (migration 0092): events are written under the request's lock and their ids handed out
# there, so a later event of the request has a greater id whatever its transaction's `now()`. A row of the round is
# an event with a greater id, or a report whose `work_event` is at least this one.
ROUND_BEGAN_SQL = f"(select max(e.id) {_REOPENS})"
# The work the job's record must now evidence (the teacher's check: the after photos and the report of this work
# count, routes/work.py, and the detail shows which; the college's job list shows the hours of that report): the
# id of the timeline event that began it, the round's start or the last time the job changed hands after it: a take
# back (a move to `offered` from a student's hands, shared.statuses.REASSIGNABLE: the teacher took the job from a
# student who could not go on; or an admin's from the check, migration 0109) or a reassign (the teacher moved it
# straight to another student: no status changes, its timeline note is dispatch.REASSIGN_NOTE); null: the first
# work of the first round. One definition, the SQL
# function private.work_began (migration 0092), which also stamps each after photo and the report with the work they
# were written in (`work_event`), under the request's lock: a row is this work's when its stamp is this (shared.work
# of_the_work), never judged by the start times of two transactions (audit20 #5). One rule for both changes of
# hands: the next student photographs and reports their own work; the former student's stay on the record (its
# photos, the timeline, their portfolio) and their hours on the round's team (keep_former_student), but do not pass
# the next student's check. Not a new round: a round is what a reopen starts, its hours reported and approved again
# and its team anew; a take back's (or a reassign's) former student is credited in the same round as the next one.
WORK_BEGAN_SQL = "(select event from private.work_began({rid}))"
_CURRENT_ROUND = f"select {ROUND_SQL.format(rid='%(rid)s')} as round, {ROUND_BEGAN_SQL.format(rid='%(rid)s')} as since"


# Who is on a job's team (`t`: a job_team row): not handed off (`handed_on_at`, migrations 0048 and 0054: the job was
# taken from them, or from the lead they came with). Such a row keeps the hours to credit, never a place on the team:
# it counts for neither its size (add_member) nor reading the job (0050's private.helps_on asks the same), and the
# app reads it as `TeamMember.handed_on` (shared.credit.on_team).
ON_TEAM = "t.handed_on_at is null"


async def current_round(conn: Conn, request_id: uuid.UUID) -> tuple[int, int | None]:
    """The job's round and the timeline event that began it (ROUND_BEGAN_SQL; None: the first round)."""
    row = await (await conn.execute(_CURRENT_ROUND, {"rid": request_id})).fetchone()
    assert row is not None
    return int(row["round"]), row["since"]


# The hours of a student's own work report in the round (a report is the job's, one per request: after a reassign it
# may be the former student's, whose hours are theirs, never the new lead's). `%(id)s`, `%(who)s`, `%(since)s`: the
# round's first event (current_round): a report saved since was stamped with it or a later one (migration 0092).
_OWN_REPORT_HOURS = """(select j.hours from public.job_reports j where j.request_id = %(id)s
                          and j.technician_id = %(who)s
                          and (%(since)s::bigint is null or j.work_event >= %(since)s::bigint))"""


async def _ensure_lead(owner: Conn, req: dict[str, Any]) -> None:
    """The student on the job is the team's lead; their hours are their own work report's (a report the student
    the job was taken from wrote stays theirs: `keep_former_student`). In a later round only a report saved since
    the reopen counts: the first round's hours were credited already."""
    if req["technician_id"] is None:
        return
    round_, since = await current_round(owner, req["id"])
    # A reassigned job's former lead stays on the team as a helper with what they reported (first: one lead).
    await owner.execute(
        "update public.job_team set role = 'helper', handed_on_at = coalesce(handed_on_at, now()) "
        "where request_id = %s and round = %s and role = 'lead' "
        "and technician_id <> %s and approved_at is null", [req["id"], round_, req["technician_id"]])
    # A lead without a report of their own keeps the hours they had on the team (a helper made lead again).
    await owner.execute(
        f"""insert into public.job_team (request_id, round, technician_id, role, hours)
            select %(id)s, %(round)s, %(who)s, 'lead', {_OWN_REPORT_HOURS}
            on conflict (request_id, round, technician_id) do update
                set role = 'lead', hours = coalesce(excluded.hours, public.job_team.hours), handed_on_at = null
            where public.job_team.approved_at is null""",
        {"id": req["id"], "round": round_, "who": req["technician_id"], "since": since})


async def keep_former_student(owner: Conn, request_id: uuid.UUID, former: uuid.UUID | None) -> bool:
    """The job was taken from `former` (a teacher's reassign or take back, under the request's lock): what they did
    stays theirs. They stay on the round's team as a helper with the hours of their own report (kept here, before the
    next student's report replaces it), so the teacher credits them and not the next lead; one who reported nothing
    and was not on the team is left off (the lead or the teacher may add them, and they report their hours). Their
    row says the job was taken from them (`handed_on_at`, migration 0048): it credits hours but holds nothing, so
    their move or deletion is not refused for it (private.jobs_in_hand). True when they are on the team.

    Their helpers go with them (review14): the lead brought them (add_member), so once the job is taken from its
    lead (offered again, or given to another student) none of them reads it any more (the citizen's phone and
    address included: migration 0050's `private.helps_on` asks `handed_on_at`) nor holds it. Each keeps their row
    and the hours they reported for the teacher to credit; the next lead (or the teacher) adds any of them again,
    which puts them on the job anew (add_member clears `handed_on_at`)."""
    if former is None:
        return False
    round_, since = await current_round(owner, request_id)
    # (Not the student it was given to, when one of them: they hold it now, as its lead.)
    left = await (await owner.execute(
        "update public.job_team t set handed_on_at = now() where t.request_id = %(id)s and t.round = %(round)s "
        "and t.role = 'helper' and t.technician_id <> %(who)s and t.handed_on_at is null and t.approved_at is null "
        "and t.technician_id is distinct from (select r.technician_id from public.repair_requests r "
        "where r.id = %(id)s) returning t.technician_id",
        {"id": request_id, "round": round_, "who": former})).fetchall()
    for helper in left:  # told why the job left their list, and that their hours stay
        await _tell(owner, helper["technician_id"], request_id, Kind.HELPER_LEFT)
    kept = await (await owner.execute(
        f"""insert into public.job_team (request_id, round, technician_id, role, hours, handed_on_at)
            select %(id)s, %(round)s, %(who)s, 'helper', h.hours, now()
            from (select {_OWN_REPORT_HOURS} as hours) h
            where h.hours is not null or exists (
                select 1 from public.job_team t where t.request_id = %(id)s and t.round = %(round)s
                  and t.technician_id = %(who)s)
            on conflict (request_id, round, technician_id) do update
                set role = 'helper', hours = coalesce(excluded.hours, public.job_team.hours),
                    handed_on_at = excluded.handed_on_at
            where public.job_team.approved_at is null
            returning 1""",
        {"id": request_id, "round": round_, "who": former, "since": since})).fetchone()
    if kept is not None:
        await _tell(owner, former, request_id, Kind.HELPER_KEPT)
    return kept is not None


async def _tell(owner: Conn, student: uuid.UUID, request_id: uuid.UUID, kind: Kind) -> None:
    """A notification about the student's place on a job's team (the outbox, in this transaction)."""
    await owner.execute(
        "select private.notify(%s, %s, jsonb_build_object('item', r.item), r.id) from public.repair_requests r "
        "where r.id = %s", [student, kind.value, request_id])


async def _approved(owner: Conn, request_id: uuid.UUID) -> bool:
    """The current round's hours are approved (an earlier round's approval does not close a reopened job's)."""
    row = await (await owner.execute(
        f"""select exists (select 1 from public.job_team where request_id = %(rid)s and approved_at is not null
                           and round = {ROUND_SQL.format(rid='%(rid)s')}) as a""",
        {"rid": request_id})).fetchone()
    return bool(row and row["a"])


async def add_member(owner: Conn, request_id: uuid.UUID, user: uuid.UUID, member: uuid.UUID, task: str) -> None:
    if code := check_task(task):
        raise ApiError(400, code)
    # The helper's profile before the request (dispatch.py's lock order): on the roster until this commits; a
    # high-risk job's, with their college's active teachers (the category, read before the lock: no path changes it).
    kind = await (await owner.execute("select category_code from public.repair_requests where id = %s",
                                      [request_id])).fetchone()
    # And the request's owner's: a suspended citizen's job gets no new hands (review18a #2, 409 owner_suspended).
    hands = await roster_teacher_and_owner(
        owner, member, kind is not None and needs_teacher_at_college(kind["category_code"]), request_id)
    member_college, teacher = hands.college_id, hands.teacher
    req = await _request(owner, request_id)
    if req["technician_id"] != user and not await _staff_of(owner, req, user):
        raise ApiError(403, "not_assigned")
    if req["citizen_id"] == user:
        # A teacher who asked for this repair: who helps on it is the college's decision, not theirs.
        raise ApiError(403, "own_request_staff")
    status = RequestStatus(req["status"])
    if status == S.HANDED_BACK and not await _approved(owner, request_id):
        raise ApiError(409, "team_job_ended")  # a helper named now worked on nothing the teacher checked
    if await _approved(owner, request_id):
        raise ApiError(409, "team_not_now")
    if status not in TEAM_OPEN:  # cancelled, not yet taken: said by its status, not as "after hours are approved"
        raise ApiError(409, "team_closed", request_status=status)
    if member_college is None or member_college != req["college_id"] or member == req["technician_id"]:
        raise ApiError(400, "team_member_invalid")
    if member == req["citizen_id"]:
        # A helper reports hours and is credited for the job: never for a repair they asked for themselves.
        raise ApiError(409, "own_request_team")
    await check_student_tier(owner, request_id, member)  # a helper's hands are on the work too
    if status in REASSIGNABLE and not hands.owner_active:
        raise ApiError(409, "owner_suspended")  # work still ahead: nobody may answer for it (review18a #2)
    if status in REASSIGNABLE and not teacher:
        # High-risk work still ahead (or under way) at a college whose last teacher left: nobody could be present
        # for the helper's hands either. Named once the work is checked (for their hours), a helper joins nothing.
        raise ApiError(409, "team_no_teacher")
    await _ensure_lead(owner, req)
    round_, _ = await current_round(owner, request_id)
    # The team's size is who is on it now (ON_TEAM): a helper who left with the lead the job was taken from keeps
    # their row for their hours, not their place; one named again (the member themselves) takes no new place.
    size = await (await owner.execute(
        f"select count(*)::int as n from public.job_team t where t.request_id = %s and t.round = %s and {ON_TEAM} "
        "and t.technician_id <> %s",
        [request_id, round_, member])).fetchone()
    if size and size["n"] >= TEAM_MAX:
        raise ApiError(409, "team_full")
    await owner.execute(
        """insert into public.job_team (request_id, round, technician_id, role, task)
           values (%s, %s, %s, 'helper', %s)
           on conflict (request_id, round, technician_id) do update set task = excluded.task, handed_on_at = null""",
        [request_id, round_, member, task.strip()])


async def report_member_hours(owner: Conn, request_id: uuid.UUID, user: uuid.UUID, hours: float,
                              task: str | None) -> None:
    """A helper's own hours and what they did (the lead's hours are their work report's): a helper of the current
    round, while shared.credit.helper_hours_refusal allows it (on the team, the job in a status that takes hours,
    the round not approved), read under the request's lock that a take back, a reassign, a cancel and the approval
    take first too."""
    if code := check_task(task):
        raise ApiError(400, code)
    req = await _request(owner, request_id)
    round_, _ = await current_round(owner, request_id)
    row = await (await owner.execute(
        f"select {ON_TEAM} as on_team from public.job_team t "
        "where t.request_id = %s and t.round = %s and t.technician_id = %s and t.role = 'helper'",
        [request_id, round_, user])).fetchone()
    if row is None:
        raise ApiError(403 if req["technician_id"] != user else 409, "team_not_member")
    status = RequestStatus(req["status"])
    if refusal := helper_hours_refusal(status, approved=await _approved(owner, request_id),
                                       handed_on=not row["on_team"]):
        raise ApiError(409, refusal, request_status=status)
    await owner.execute(
        "update public.job_team set hours = %s, task = coalesce(%s, task) "
        "where request_id = %s and round = %s and technician_id = %s and role = 'helper'",
        [hours, task.strip() if task is not None else None, request_id, round_, user])
    if not await _student_of(owner, req, user):
        raise ApiError(403, "team_member_left")  # the update above is rolled back with the refusal


async def team(conn: Conn, request_id: uuid.UUID, round_: int | None = None) -> list[dict[str, Any]]:
    """The current round's team, or the given round's (a reopened job's earlier rounds are in the members'
    portfolios)."""
    cur = await conn.execute(
        f"""select t.technician_id, p.display_name, t.role, t.task, t.hours::float as hours,
                  t.approved_hours::float as approved_hours, t.approved_at, t.skill_code, t.skill_level, t.round,
                  not ({ON_TEAM}) as handed_on
           from public.job_team t left join public.profiles p on p.id = t.technician_id
           where t.request_id = %(rid)s
             and t.round = coalesce(%(round)s::int, {ROUND_SQL.format(rid='%(rid)s')})
           order by t.role desc, t.added_at""", {"rid": request_id, "round": round_})
    return await cur.fetchall()


async def _team_with_lead(conn: Conn, req: dict[str, Any]) -> list[dict[str, Any]]:
    """The current round's team as the record shows it: a job nobody joined has no team row until its hours are
    approved, yet its lead is on it with their report's hours (what the approval will read), so the teacher sees
    whose hours they approve."""
    members = await team(conn, req["id"])
    if req["technician_id"] is None:
        return members
    round_, since = await current_round(conn, req["id"])
    report = await (await conn.execute(
        f"select {_OWN_REPORT_HOURS}::float as hours",
        {"id": req["id"], "who": req["technician_id"], "since": since})).fetchone()
    if any(m["role"] == "lead" for m in members):
        for m in members:  # a lead row written before their report: the report's hours, as the approval reads them
            if m["technician_id"] == req["technician_id"] and m["approved_at"] is None and report \
                    and report["hours"] is not None:
                m["hours"] = report["hours"]
        return members
    lead = {"technician_id": req["technician_id"], "display_name": None, "role": "lead", "task": "",
            "hours": report["hours"] if report else None, "approved_hours": None, "approved_at": None,
            "skill_code": None, "skill_level": None, "round": round_, "handed_on": False}
    return [lead, *members]


async def name_team(owner: Conn, members: list[dict[str, Any]]) -> None:
    """Fill in the names a student's RLS hides (a lead does not see other students' profiles): the rows were read
    as the caller, so they are members of a job the caller may see; only their display names are added."""
    hidden = [m["technician_id"] for m in members if m["display_name"] is None]
    if not hidden:
        return
    names = {r["id"]: r["display_name"] for r in await (await owner.execute(
        "select id, display_name from public.profiles where id = any(%s)", [hidden])).fetchall()}
    for member in members:
        if member["display_name"] is None:
            member["display_name"] = names.get(member["technician_id"]) or ""


async def earlier_rounds_hours(conn: Conn, request_id: uuid.UUID) -> float:
    """Hours approved on the job in rounds before the current one (shown on the record beside the new round)."""
    row = await (await conn.execute(
        f"""select coalesce(sum(approved_hours), 0)::float as h from public.job_team
            where request_id = %(rid)s and round < {ROUND_SQL.format(rid='%(rid)s')}""",
        {"rid": request_id})).fetchone()
    return float(row["h"]) if row else 0.0


def helped_place(row: Mapping[str, Any]) -> After:
    """A helped job's place in the helper's list: waiting for approval (0) or approved (1), then newest help first,
    the job's id the tie-break (the cursor of the next page after it)."""
    return After(row["added_at"], row["request_id"], int(row["approved_at"] is not None))


async def helper_jobs(owner: Conn, user: uuid.UUID, limit: int = LIST_PAGE, offset: int = 0,
                      after: After | None = None) -> tuple[list[dict[str, Any]], int, str | None]:
    """The jobs the student helps on, in their current round: what they need to see to report their own hours.
    Read as the owner (a helper does not see the request under RLS), so only what a helper needs goes out: no
    citizen's name, phone or address. Those waiting for approval first, newest first, `limit` after the cursor's
    place (keyset, backend.paging: a job approved meanwhile moves no other) or from an older app's `offset` (audit
    17b: the list was cut at 50, and the jobs past it could get no hours), how many there are in all and the next
    page's cursor: one statement (a helper's rows, on job_team_technician)."""
    rows = await (await owner.execute(
        f"""with helped as (
                select t.request_id, r.ref_no, r.item, r.status, r.category_code, cat.name_th as category_th,
                       cat.name_en as category_en, lead.display_name as lead_name, t.task, t.hours::float as hours,
                       t.approved_hours::float as approved_hours, t.approved_at, t.round,
                       not ({ON_TEAM}) as handed_on, t.added_at, (t.approved_at is not null)::int as approved
                from public.job_team t
                join public.repair_requests r on r.id = t.request_id
                join public.categories cat on cat.code = r.category_code
                left join public.profiles lead on lead.id = r.technician_id
                where t.technician_id = %(me)s and t.role = 'helper' and r.status <> 'cancelled'
                  and t.round = {ROUND_SQL.format(rid='t.request_id')}),
            page as (
                select * from helped h
                where h.approved > coalesce(%(after_group)s::int, -1)
                   or (h.approved = %(after_group)s::int and {after_sql('h.added_at', 'h.request_id',
                                                                        newest_first=True)})
                order by h.approved, h.added_at desc, h.request_id
                limit %(peek)s offset %(offset)s)
            select n.total, p.request_id, p.ref_no, p.item, p.status, p.category_code, p.category_th, p.category_en,
                   p.lead_name, p.task, p.hours, p.approved_hours, p.approved_at, p.round, p.handed_on, p.added_at
            from (select count(*)::int as total from helped) n
            left join page p on true
            order by p.approved, p.added_at desc, p.request_id""",
        {"me": user, "offset": offset, **keyset_params(after, limit)})).fetchall()
    total = int(rows[0]["total"]) if rows else 0
    page, next_cursor = split_page([dict(row) for row in rows if row["request_id"] is not None], limit, helped_place)
    return [{k: v for k, v in row.items() if k not in ("total", "added_at")} for row in page], total, next_cursor


# --- The teacher's approval of hours -------------------------------------------------------------------------------

async def _window(owner: Conn, request_id: uuid.UUID, ended_round: int | None = None) -> float | None:
    """The job's timeline: its last acceptance → sent for the check; of an ended round, the last ones before the
    reopen that ended it."""
    row = await (await owner.execute(
        f"""with ended as (select e.created_at {_REOPENS.format(rid='%(rid)s')} and %(round)s::int is not null
                          order by e.created_at, e.id offset coalesce(%(round)s::int - 1, 0) limit 1)
            select max(e.created_at) filter (where e.to_status = 'accepted') as accepted_at,
                   max(e.created_at) filter (where e.to_status in ('quality_check', 'unrepairable')) as finished_at
            from public.status_events e
            where e.request_id = %(rid)s and e.from_status is distinct from e.to_status
              and e.created_at < coalesce((select created_at from ended), 'infinity')""",
        {"rid": request_id, "round": ended_round})).fetchone()
    return work_window_hours(row["accepted_at"], row["finished_at"]) if row else None


async def close_round(owner: Conn, request_id: uuid.UUID) -> None:
    """Its owner reopened the job (under the request's lock, before the job leaves its student): the round of work
    ends here, whether or not the teacher approved its hours yet. Its team is kept as it stands (the lead on it with
    their report's hours, which the next round's report will replace) and each row names the college the round was
    done for: the teacher may still approve the round's hours after the reopen (approve_hours), and they count at
    that college wherever the job goes on to."""
    req = await _request(owner, request_id)
    if await _approved(owner, request_id):
        return
    await _ensure_lead(owner, req)
    await owner.execute(
        f"""update public.job_team set college_id = %(college)s
            where request_id = %(rid)s and round = {ROUND_SQL.format(rid='%(rid)s')} and approved_at is null""",
        {"rid": request_id, "college": req["college_id"]})


# The rounds its owner reopened before the teacher approved them, with hours reported on them (a round nobody
# reported anything on has nothing to credit), earliest first, each with the college it was done for.
# `%(rid)s`: the request's id.
_WAITING_ROUNDS = f"""select t.round, (array_agg(t.college_id))[1] as college_id from public.job_team t
    where t.request_id = %(rid)s and t.round < {ROUND_SQL.format(rid='%(rid)s')}
    group by t.round having bool_and(t.approved_at is null) and bool_or(t.hours > 0)
    order by t.round"""


async def waiting_round(conn: Conn, request_id: uuid.UUID) -> dict[str, Any] | None:
    """The earliest ended round whose hours wait for the teacher's approval, with its team; None when there is
    none. A teacher (`conn` as the caller) is shown only a round done for their college, the only ones they may
    approve: a job that went on to another college after its reopen keeps the first college's round from its new
    teacher, whose app would otherwise show that round's card in place of the approval of the round they checked."""
    row = await (await conn.execute(
        f"""select w.round from ({_WAITING_ROUNDS}) w
            where private.my_role() is distinct from 'supervisor' or w.college_id = private.my_college()
            order by w.round limit 1""", {"rid": request_id})).fetchone()
    if row is None:
        return None
    return {"round": int(row["round"]), "team": await team(conn, request_id, int(row["round"]))}


# The college's rounds whose hours wait for its teacher's approval, a page of them in one statement (oldest job
# first: by the job's ref_no, then the round), each with its team as JSON (TeamMember's keys) and the count of them
# from where the page starts: all of them, or those after a round given by its sort key (`after_ref`, `after_round`:
# the last round the app lists; keyset, so a round approved meanwhile shifts nothing). A current round's team is
# `_team_with_lead`'s: the lead's row carries their work report's hours (saved since the round began), and a lead
# with no row yet is on it first; an ended round's team is its rows as close_round kept them.
_MEMBER = json_object(cw.TeamMember, "m")
_HOURS_WAITING = f"""
    with ended as (
        select t.request_id, t.round from public.job_team t
        where t.college_id = %(college)s and t.round < {ROUND_SQL.format(rid='t.request_id')}
        group by t.request_id, t.round
        having bool_and(t.approved_at is null) and bool_or(t.hours > 0)),
    current as (
        select r.id as request_id, {ROUND_SQL.format(rid='r.id')} as round from public.repair_requests r
        where r.college_id = %(college)s and r.status = any(%(approvable)s::public.request_status[])),
    waiting as (
        select request_id, round, true as ended from ended
        union all
        select c.request_id, c.round, false from current c
        where not exists (select 1 from public.job_team t where t.request_id = c.request_id
                          and t.round = c.round and t.approved_at is not null)),
    onward as (
        select w.request_id, w.round, w.ended from waiting w
        join public.repair_requests r on r.id = w.request_id
        where %(after_ref)s::bigint is null
           or (r.ref_no, w.round) > (%(after_ref)s::bigint, %(after_round)s::int)),
    page as (
        select w.request_id, w.round, w.ended, r.ref_no, r.item, r.status, r.technician_id,
               r.college_id is distinct from %(college)s as moved_on,
               cat.name_th as category_th, cat.name_en as category_en
        from onward w
        join public.repair_requests r on r.id = w.request_id
        join public.categories cat on cat.code = r.category_code
        order by r.ref_no, w.round
        limit %(limit)s offset %(offset)s)
    select n.total, p.request_id, p.round, p.ended, p.ref_no, p.item, p.status, p.moved_on, p.category_th,
           p.category_en, team.members as team
    from (select count(*)::int as total from onward) n
    left join page p on true
    left join lateral (
        -- the lead's own work report, saved since the round began (a current round only)
        select (select j.hours::float8 from public.job_reports j
                where j.request_id = p.request_id and j.technician_id = p.technician_id
                  and (b.began is null or j.work_event >= b.began)) as hours
        from (select {ROUND_BEGAN_SQL.format(rid='p.request_id')} as began) b
        where not p.ended and p.technician_id is not null) report on true
    left join lateral (
        select coalesce(json_agg({_MEMBER} order by m.synthetic desc, m.role desc, m.added_at), '[]') as members
        from (
            select t.technician_id, coalesce(pr.display_name, '') as display_name, t.role, t.task,
                   case when not p.ended and t.technician_id = p.technician_id and t.approved_at is null
                             and report.hours is not null then report.hours
                        else t.hours::float8 end as hours,
                   t.approved_hours::float8 as approved_hours, t.approved_at, t.skill_code, t.skill_level,
                   t.round, not ({ON_TEAM}) as handed_on, t.added_at, false as synthetic
            from public.job_team t left join public.profiles pr on pr.id = t.technician_id
            where t.request_id = p.request_id and t.round = p.round
            union all
            select p.technician_id, coalesce(pr.display_name, ''), 'lead', '', report.hours, null, null, null,
                   null, p.round, false, null, true
            from (select 1) one left join public.profiles pr on pr.id = p.technician_id
            where not p.ended and p.technician_id is not null
              and not exists (select 1 from public.job_team t where t.request_id = p.request_id
                              and t.round = p.round and t.role = 'lead')) m) team on p.request_id is not null
    order by p.ref_no, p.round
"""


async def hours_waiting(owner: Conn, college_id: uuid.UUID, limit: int = HOURS_WAITING_PAGE, offset: int = 0,
                        after: tuple[int, int] | None = None) -> tuple[list[dict[str, Any]], int]:
    """The college's rounds of work whose hours wait for its teacher's approval, each with its team: the current
    round of a job of the college checked and not approved yet, and a round its owner reopened before the approval
    that was done for this college (close_round kept it there) - also when the job has since moved on to another
    college, whose record the teacher no longer sees (RLS). Read as the owner, for the routes' teacher of
    `college_id`; the teacher approves each with approve_hours(round=...). One page in one statement, oldest job
    first: `limit` rounds after the round `after` ((ref_no, round), the last one listed: the next page whatever was
    approved meanwhile; `offset` is not read then) or from `offset` (an older app's pages), and how many wait from
    the page's start on (all of them without `after`)."""
    rows = await (await owner.execute(
        _HOURS_WAITING,
        {"college": college_id, "approvable": sorted(s.value for s in APPROVABLE), "limit": limit,
         "offset": 0 if after else offset, "after_ref": after[0] if after else None,
         "after_round": after[1] if after else None})).fetchall()
    total = int(rows[0]["total"]) if rows else 0
    return [{k: v for k, v in row.items() if k != "total"} for row in rows if row["request_id"] is not None], total


async def _round_to_approve(owner: Conn, req: dict[str, Any], wanted: int | None
                            ) -> tuple[int, uuid.UUID | None, bool, str | None]:
    """The round whose hours the teacher approves now: `wanted`, else the current round when it may be approved,
    else the earliest round its owner reopened before its approval (kept by close_round). With the college it was
    done for, whether it has ended, and the refusal's code when it may not be approved now."""
    current, _ = await current_round(owner, req["id"])
    waiting = {int(r["round"]): r["college_id"]
               for r in await (await owner.execute(_WAITING_ROUNDS, {"rid": req["id"]})).fetchall()}
    current_open = RequestStatus(req["status"]) in APPROVABLE and not await _approved(owner, req["id"])
    if wanted is None:
        wanted = min(waiting) if waiting and not current_open else current
    if wanted in waiting:
        return wanted, waiting[wanted], True, None
    if wanted != current:
        done = await (await owner.execute(
            "select 1 from public.job_team where request_id = %s and round = %s and approved_at is not null",
            [req["id"], wanted])).fetchone()
        return wanted, req["college_id"], True, "hours_already_approved" if done else "hours_not_now"
    if RequestStatus(req["status"]) not in APPROVABLE:
        return current, req["college_id"], False, "hours_not_now"
    return current, req["college_id"], False, None if current_open else "hours_already_approved"


async def _on_round_team(owner: Conn, request_id: uuid.UUID, round_: int, user: uuid.UUID) -> bool:
    """The teacher was on an ended round's team (a student named a teacher since): they do not approve it."""
    row = await (await owner.execute(
        "select 1 from public.job_team where request_id = %s and round = %s and technician_id = %s",
        [request_id, round_, user])).fetchone()
    return row is not None


async def approve_hours(owner: Conn, request_id: uuid.UUID, user: uuid.UUID,
                        adjusted: dict[uuid.UUID, float], round_wanted: int | None = None) -> list[dict[str, Any]]:
    """The teacher approves each member's hours (as reported, or as the teacher corrects them), once the job is
    checked. Hours must fit the job's own timeline (accepted → sent for the check); each member is then credited
    with the skill the job counts for, and a progression proposal is made when they reach the college's N."""
    req = await _request(owner, request_id)
    # A round its owner reopened before the approval stays to approve, whatever the job's status now, by the
    # college it was done for (audit 13): the owner's "still broken" does not take the student's hours away.
    round_, college, ended, refusal = await _round_to_approve(owner, req, round_wanted)
    if not await _staff_of(owner, {**req, "college_id": college}, user):
        raise ApiError(403, "not_your_college")
    if await _worked_on(owner, req, user) or (ended and await _on_round_team(owner, request_id, round_, user)):
        raise ApiError(403, "own_work_check")
    if req["citizen_id"] == user:
        raise ApiError(403, "own_request_check")
    if refusal:
        raise ApiError(409, refusal)
    if not ended:
        await _ensure_lead(owner, req)
    members = await (await owner.execute(
        "select technician_id, role, hours::float as hours from public.job_team where request_id = %s "
        "and round = %s", [request_id, round_])).fetchall()
    window = await _window(owner, request_id)
    if ended:  # a round ended by a reopen: its own timeline
        window = await _window(owner, request_id, round_)
    shown = f"{window:.1f}" if window is not None else "0"
    if zeroed := [m for m in members if adjusted.get(m["technician_id"]) == 0]:
        if any(m["role"] == "lead" for m in zeroed):
            raise ApiError(409, "hours_lead_zero", technician_id=str(req["technician_id"]))
        await _not_credited(owner, request_id, round_, [m["technician_id"] for m in zeroed])
        members = [m for m in members if m not in zeroed]
    for member in members:
        # Checked as stored (to 0.01 h): a figure that rounds to nothing is no hours, not a broken row.
        hours = round(float(adjusted.get(member["technician_id"], member["hours"]) or 0), HOURS_DECIMALS)
        code = check_hours(hours, window)
        if code:
            raise ApiError(409, code, window=shown, technician_id=str(member["technician_id"]))
        member["hours"] = hours
    needs = {r["skill_code"]: int(r["min_level"]) for r in await (await owner.execute(
        "select skill_code, min_level from public.category_skills where category_code = %s",
        [req["category_code"]])).fetchall()}
    to_count: list[tuple[uuid.UUID, str, int]] = []
    for member in members:
        skills = {r["skill_code"]: int(r["level"]) for r in await (await owner.execute(
            "select skill_code, level from public.technician_skills where technician_id = %s",
            [member["technician_id"]])).fetchall()}
        credited = credited_skill(needs, skills)
        await owner.execute(
            """update public.job_team set approved_hours = %s, approved_by = %s, approved_at = now(),
                   skill_code = %s, skill_level = %s, college_id = %s
               where request_id = %s and round = %s and technician_id = %s""",
            [member["hours"], user, credited[0] if credited else None, credited[1] if credited else None, college,
             request_id, round_, member["technician_id"]])
        if credited:
            to_count.append((member["technician_id"], *credited))
    if college is not None:
        # Two approvals at once (two teachers, two jobs of the same students) would each count the students'
        # approved jobs without the other's, and neither propose the next level: each student's count and proposal
        # wait for the other approval's commit, under a lock taken last in the lock order (nothing else takes it;
        # in id order, so two approvals never deadlock on it).
        for student in sorted({counted[0] for counted in to_count}):
            await owner.execute("select pg_advisory_xact_lock(hashtextextended(%s, 0))",
                                [progression_lock_key(student)])
        for student, skill, level in to_count:
            await _maybe_propose(owner, student, college, skill, level)
    return await team(owner, request_id, round_)


async def _not_credited(owner: Conn, request_id: uuid.UUID, round_: int, helpers: list[uuid.UUID]) -> None:
    """Helpers the teacher gave 0 hours did not work on the job: they leave the round's team (nothing credited, the
    job is not in their portfolio), the audit trail keeps who was taken off with what they had reported, and each is
    told (undone with the approval if anything else in it is refused)."""
    gone = await (await owner.execute(
        "delete from public.job_team where request_id = %s and round = %s and technician_id = any(%s) "
        "and role = 'helper' and approved_at is null returning technician_id, hours::float as hours, task",
        [request_id, round_, helpers])).fetchall()
    for member in gone:
        await owner.execute(
            "select private.audit('credit.not_credited', 'job_team', %s, jsonb_build_object('technician_id', "
            "%s::text, 'round', %s::int, 'hours', %s::numeric, 'task', %s::text), null)",
            [request_id, member["technician_id"], round_, member["hours"], member["task"]])
        await _tell(owner, member["technician_id"], request_id, Kind.NOT_CREDITED)


async def _worked_on(owner: Conn, req: dict[str, Any], user: uuid.UUID) -> bool:
    """The teacher is the job's student or on its team this round (a student named a teacher meanwhile): nobody
    approves their own hours."""
    if req["technician_id"] == user:
        return True
    row = await (await owner.execute(
        f"""select exists (select 1 from public.job_team where request_id = %(rid)s and technician_id = %(me)s
                           and round = {ROUND_SQL.format(rid='%(rid)s')}) as member""",
        {"rid": req["id"], "me": user})).fetchone()
    return bool(row and row["member"])


def progression_lock_key(student: uuid.UUID) -> str:
    """The name of the advisory lock under which a student's approved jobs are counted for a progression proposal."""
    return f"fixit.progression:{student}"


async def _maybe_propose(owner: Conn, student: uuid.UUID, college: uuid.UUID, skill: str, level: int) -> None:
    row = await (await owner.execute(
        """select (select count(distinct t.request_id)::int from public.job_team t
                   where t.technician_id = %(s)s and t.skill_code = %(k)s and t.skill_level = %(l)s
                     and t.approved_at is not null) as jobs,
                  (select progression_jobs from public.college_credit_settings where college_id = %(c)s) as n""",
        {"s": student, "k": skill, "l": level, "c": college})).fetchone()
    assert row is not None
    if due_for_progression(row["jobs"], level, row["n"] or DEFAULT_PROGRESSION_JOBS):
        await owner.execute(
            """insert into public.skill_proposals (technician_id, skill_code, from_level, to_level, jobs)
               values (%s, %s, %s, %s, %s) on conflict do nothing""",
            [student, skill, level, level + 1, row["jobs"]])


async def proposals(conn: Conn, college_id: uuid.UUID) -> list[dict[str, Any]]:
    cur = await conn.execute(
        """select s.id, s.technician_id, p.display_name, s.skill_code, s.from_level, s.to_level, s.jobs, s.status,
                  s.created_at, s.decided_at
           from public.skill_proposals s join public.profiles p on p.id = s.technician_id
           where p.college_id = %s order by (s.status = 'proposed') desc, s.created_at desc""", [college_id])
    return await cur.fetchall()


async def decide_proposal(owner: Conn, proposal_id: uuid.UUID, college_id: uuid.UUID, user: uuid.UUID,
                          confirm: bool) -> dict[str, Any]:
    # The student's profile first (dispatch.py's lock order, 1), kept from a deletion (FOR KEY SHARE: what the level
    # history's foreign key takes below anyway), then the proposal and the skill: a deletion of the account holds
    # the profile and then deletes its proposals and skills (on delete cascade), so taken after them, this waited
    # for the deletion while the deletion waited for them (race26 #6). A proposal never changes its student.
    # The teacher's own profile with it, in one statement by id (`decided_by` is a foreign key to it): their own
    # deletion committing while this waited left that key nothing to find, a 500 (race27 #2); now a deletion under
    # way finishes first and is seen (409 decider_gone, nothing stored), or waits for this decision.
    held = await (await owner.execute(
        """select p.id from public.profiles p
           where p.id = (select s.technician_id from public.skill_proposals s where s.id = %s) or p.id = %s
           order by p.id for key share""", [proposal_id, user])).fetchall()
    if user not in {r["id"] for r in held}:
        raise ApiError(409, "decider_gone")
    row = await (await owner.execute(
        """select s.*, p.college_id from public.skill_proposals s join public.profiles p on p.id = s.technician_id
           where s.id = %s for update of s""", [proposal_id])).fetchone()
    if row is None or row["college_id"] != college_id:
        raise ApiError(404, "not_found")
    if row["status"] != "proposed":
        raise ApiError(409, "proposal_not_open")
    await owner.execute(
        "update public.skill_proposals set status = %s, decided_by = %s, decided_at = now() where id = %s",
        ["confirmed" if confirm else "declined", user, proposal_id])
    if confirm:
        # Only from the level proposed: a teacher who set the level by hand meanwhile is not overridden.
        await owner.execute(
            "update public.technician_skills set level = %s where technician_id = %s and skill_code = %s "
            "and level = %s", [row["to_level"], row["technician_id"], row["skill_code"], row["from_level"]])
    return {"id": proposal_id, "status": "confirmed" if confirm else "declined"}


async def level_history(conn: Conn, student: uuid.UUID) -> list[dict[str, Any]]:
    cur = await conn.execute(
        "select skill_code, level, changed_at from public.skill_level_history where technician_id = %s "
        "order by id", [student])
    return await cur.fetchall()


async def set_settings(owner: Conn, college_id: uuid.UUID, progression_jobs: int | None,
                       hours_target: float | None) -> dict[str, Any]:
    row = await (await owner.execute(
        """insert into public.college_credit_settings (college_id, progression_jobs, hours_target)
           values (%s, %s, %s)
           on conflict (college_id) do update set progression_jobs = excluded.progression_jobs,
               hours_target = excluded.hours_target, updated_at = now()
           returning progression_jobs, hours_target::float as hours_target""",
        [college_id, progression_jobs, hours_target])).fetchone()
    assert row is not None
    return {"progression_jobs": row["progression_jobs"] or DEFAULT_PROGRESSION_JOBS,
            "hours_target": row["hours_target"] or DEFAULT_HOURS_TARGET}


# --- The job record as one read -----------------------------------------------------------------------------------

async def job_record(conn: Conn, request_id: uuid.UUID) -> dict[str, Any]:
    """As the caller (RLS): the owner, the student, the college's teachers and admins see it; others get 404. The
    row through `private.request_as_read` (0060), as the detail reads it: the student keeps their record of a job
    that is over, whose row the policy no longer shows them."""
    req = await (await conn.execute(
        "select id, category_code, status, technician_id from private.request_as_read(%s)",
        [request_id])).fetchone()
    if req is None:
        raise ApiError(404, "not_found")
    # The outcome of the work the record now evidences (WORK_BEGAN_SQL, its stamp `work_event`, migration 0115), or
    # none: a former lead's, recorded before a take back or a reassign, is not the next student's finding (close27
    # #4: the job screen showed it until done, when the step's own replaces it), as their photos and report are not.
    outcome = await (await conn.execute(
        f"""select o.outcome, o.reason, o.fault_found, o.recorded_at from public.job_outcomes o
            where o.request_id = %(rid)s
              and o.work_event is not distinct from {WORK_BEGAN_SQL.format(rid='%(rid)s')}""",
        {"rid": request_id})).fetchone()
    parts = await (await conn.execute(
        f"select {_PART_COLUMNS} from public.job_parts where request_id = %s order by proposed_at",
        [request_id])).fetchall()
    handover = await (await conn.execute(
        "select method, reason, confirmed_at from public.job_handovers where request_id = %s",
        [request_id])).fetchone()
    kg, co2e = env_estimate(req["category_code"], outcome["outcome"] if outcome else None)
    return {
        "request_id": request_id,
        "safety_level_needed": required_level(req["category_code"]),
        "outcome": outcome,
        "parts": parts,
        "parts_approved_total_baht": round(sum(p["qty"] * p["price_baht"] for p in parts
                                               if p["status"] == PartStatus.APPROVED), 2),
        "handover": handover,
        "team": await _team_with_lead(conn, req),
        "round": (await current_round(conn, request_id))[0],
        "earlier_rounds_hours": await earlier_rounds_hours(conn, request_id),
        "waiting_round": await waiting_round(conn, request_id),
        "kg_diverted": kg,
        "kg_co2e_avoided": co2e,
    }


# --- Portfolio --------------------------------------------------------------------------------------------------

def _term_range(term: str) -> tuple[datetime, datetime]:
    """The term's [start, end) as moments, Bangkok midnights (shared.credit.term_bounds): compared with timestamptz
    columns they cut where a Thai calendar does, whatever the session's TimeZone."""
    bounds = term_bounds(term)
    if bounds is None:
        raise ApiError(400, "term_invalid")
    return bounds


async def portfolio(conn: Conn, student: uuid.UUID, term: str) -> dict[str, Any]:
    """Every job the teacher approved for the student in the term: outcome, hours, role, the approving teacher,
    photo ids. No citizen's name, phone or address."""
    start, end = _term_range(term)
    person = await (await conn.execute(
        """select p.id, p.display_name, c.name_th as college_th, c.name_en as college_en
           from public.profiles p left join public.colleges c on c.id = p.college_id
           where p.id = %s and p.role = 'technician'""", [student])).fetchone()
    if person is None:
        raise ApiError(404, "not_found")
    jobs = await (await conn.execute(
        """select r.id as request_id, r.ref_no, r.category_code, cat.name_th as category_th,
                  cat.name_en as category_en, r.item, o.outcome, o.reason, o.fault_found, t.role, t.task, t.round,
                  t.approved_hours::float as hours, t.approved_at, t.skill_code, t.skill_level,
                  teacher.display_name as approved_by,
                  coalesce((select jsonb_agg(jsonb_build_object('id', ph.id, 'kind', ph.kind, 'idx', ph.idx)
                                             order by ph.kind desc, ph.idx)
                            from public.request_photos ph where ph.request_id = r.id), '[]'::jsonb) as photos
           from public.job_team t
           join public.repair_requests r on r.id = t.request_id
           join public.categories cat on cat.code = r.category_code
           left join public.job_outcomes o on o.request_id = r.id
           left join public.profiles teacher on teacher.id = t.approved_by
           where t.technician_id = %s and t.approved_at is not null
             and t.approved_at >= %s and t.approved_at < %s
           order by t.approved_at""", [student, start, end])).fetchall()
    # A reopened job repaired again is one job, with a row per approved round of work.
    firsts = {j["request_id"]: j for j in reversed(jobs)}
    outcomes = Counter(j["outcome"] or "fixed" for j in firsts.values())
    return {
        "technician_id": student,
        "display_name": person["display_name"],
        "first_name": first_word(person["display_name"]) or "",
        "college_th": person["college_th"] or "",
        "college_en": person["college_en"] or "",
        "term": term,
        "jobs": jobs,
        "job_count": len(firsts),
        "hours": round(sum(j["hours"] for j in jobs), 2),
        "outcomes": dict(outcomes),
    }


async def portfolio_terms(conn: Conn, student: uuid.UUID, current: str) -> list[str]:
    """The terms the student has work a teacher approved in, and the current one, newest first: what their
    portfolio can show. Days counted in Bangkok, as term_bounds cuts a term."""
    days = await (await conn.execute(
        """select distinct (approved_at at time zone 'Asia/Bangkok')::date as day from public.job_team
           where technician_id = %s and approved_at is not null""", [student])).fetchall()
    terms = {term_of(row["day"]) for row in days} | {current}
    return sorted(terms, key=lambda term: term.split("-"), reverse=True)


async def portfolio_photo_paths(owner: Conn, request_ids: list[uuid.UUID], student: uuid.UUID
                                ) -> list[dict[str, Any]]:
    """The first before and the first after photo of each job (their thumbnails' object paths): the student's own
    after photo first, if they took one (a job that changed hands holds the former student's too, beside the next
    one's: each portfolio shows its student's work). Another's after photo only in the portfolio of a helper who is
    on the job's team now (the job's photos are the work they helped with); never in its lead's, nor in that of a
    student the job was taken from or who left with them (`handed_on_at`): the next student's photo is not their
    work (review18a #7), and such a job shows no after photo rather than someone else's."""
    return await (await owner.execute(
        """select distinct on (p.request_id, p.kind) p.request_id, p.kind, p.thumb_path
           from public.request_photos p join public.repair_requests r on r.id = p.request_id
           where p.request_id = any(%(ids)s)
             and (p.kind <> 'after' or p.uploaded_by is not distinct from %(student)s
                  or (r.technician_id is distinct from %(student)s
                      and exists (select 1 from public.job_team t
                                  where t.request_id = p.request_id and t.technician_id = %(student)s
                                    and t.role = 'helper' and t.handed_on_at is null)
                      and not exists (select 1 from public.job_team t
                                      where t.request_id = p.request_id and t.technician_id = %(student)s
                                        and t.handed_on_at is not null)))
           order by p.request_id, p.kind, (p.kind = 'after' and p.uploaded_by is not distinct from %(student)s) desc,
                    p.idx""",
        {"ids": request_ids, "student": student})).fetchall()


async def load_photos(store: PhotoStore, paths: list[dict[str, Any]]) -> dict[uuid.UUID, dict[str, bytes]]:
    """Their bytes, through the same store the API serves photos from (local disk or Supabase Storage), read with
    no database transaction open. A photo missing from the store is left out rather than failing the portfolio."""
    found: dict[uuid.UUID, dict[str, bytes]] = {}
    for row in paths:
        data = await store.get(row["thumb_path"])
        if data is not None:
            found.setdefault(row["request_id"], {})[row["kind"]] = data
    return found


def public_summary(folio: dict[str, Any]) -> dict[str, Any]:
    """What the verify page may show anyone: the student's first name, college, term and counts."""
    return {"first_name": folio["first_name"], "college_th": folio["college_th"],
            "college_en": folio["college_en"], "term": folio["term"], "jobs": folio["job_count"],
            "hours": folio["hours"], "outcomes": folio["outcomes"]}


async def issue_code(owner: Conn, student: uuid.UUID, term: str, summary: dict[str, Any]) -> str:
    from psycopg.types.json import Jsonb

    # The same portfolio printed again keeps its code: a download is a read, and must not add a row every time.
    printed = await (await owner.execute(
        "select code from public.portfolio_codes where technician_id = %s and term = %s and summary = %s "
        "order by issued_at limit 1", [student, term, Jsonb(summary)])).fetchone()
    if printed is not None:
        return str(printed["code"])
    code = verify_code_from(secrets.token_bytes(16))
    await owner.execute(
        "insert into public.portfolio_codes (code, technician_id, term, summary) values (%s, %s, %s, %s)",
        [code, student, term, Jsonb(summary)])
    return code


async def verify(conn: Conn, code: str) -> dict[str, Any] | None:
    return await (await conn.execute("select term, summary, issued_at from public.verify_portfolio(%s)",
                                     [code])).fetchone()


# --- College view and environmental totals ---------------------------------------------------------------------

async def college_view(conn: Conn, owner: Conn, college_id: uuid.UUID, term: str) -> dict[str, Any]:
    """`conn` runs as the teacher (RLS); `owner` reads the demand around the college."""
    start, end = _term_range(term)
    settings = await (await conn.execute(
        "select progression_jobs, hours_target::float as hours_target from public.college_credit_settings "
        "where college_id = %s", [college_id])).fetchone()
    target = (settings or {}).get("hours_target") or DEFAULT_HOURS_TARGET
    # Hours count at the college they were credited at (job_team.college_id, migration 0046), as on the ledger: a
    # job that moved on to another college, or a student an admin moved away, keeps here what was approved here
    # (read as the owner: such a job or student is no longer the teacher's to see), and adds nothing there.
    students = await (await owner.execute(
        """with credited as (
               select t.technician_id, sum(t.approved_hours) as hours, count(distinct t.request_id) as jobs
               from public.job_team t
               where t.college_id = %(college)s and t.approved_at >= %(start)s and t.approved_at < %(end)s
               group by t.technician_id)
           select p.id, p.display_name,
                  p.college_id = %(college)s and p.is_active and p.takes_jobs as is_active,
                  coalesce(c.hours, 0)::float as hours, coalesce(c.jobs, 0)::int as jobs
           from public.profiles p
           left join credited c on c.technician_id = p.id
           where (p.college_id = %(college)s and p.role = 'technician')
              or p.id in (select technician_id from credited)
           order by p.display_name""",
        {"college": college_id, "start": start, "end": end})).fetchall()
    for s in students:
        s["target"] = target
        s["meets_target"] = s["hours"] >= target
    # Demand the college received: its jobs, jobs offered there first, and requests in its radius nobody could
    # take (no_centre). Read as the owner: a teacher does not see requests that never reached their college.
    demand = await (await owner.execute(
        f"""select r.category_code, count(*)::int as requests
           from public.repair_requests r, public.colleges c
           where c.id = %(college)s and r.created_at >= %(start)s and r.created_at < %(end)s
             and (r.college_id = c.id
                  or exists (select 1 from public.offers o where o.request_id = r.id and o.college_id = c.id)
                  or (r.status = 'no_centre' and {_KM} <= c.service_radius_km))
           group by r.category_code order by r.category_code""",
        {"college": college_id, "start": start, "end": end})).fetchall()
    lacking = []
    for d in demand:
        fitting = await (await conn.execute(
            """select count(distinct p.id)::int as n from public.profiles p
               join public.technician_skills ts on ts.technician_id = p.id
               join public.category_skills cs on cs.skill_code = ts.skill_code
                    and ts.level >= greatest(cs.min_level, %s)
               where p.college_id = %s and p.role = 'technician' and p.is_active and p.takes_jobs
                 and cs.category_code = %s""",
            [required_level(d["category_code"]), college_id, d["category_code"]])).fetchone()
        if not fitting or fitting["n"] == 0:
            skills = await (await conn.execute(
                "select skill_code, min_level from public.category_skills where category_code = %s",
                [d["category_code"]])).fetchall()
            lacking.append({"category_code": d["category_code"], "requests": d["requests"],
                            "skills": [{"skill_code": s["skill_code"],
                                        "level": max(int(s["min_level"]), required_level(d["category_code"]))}
                                       for s in skills]})
    return {
        "term": term,
        "hours_target": target,
        "progression_jobs": (settings or {}).get("progression_jobs") or DEFAULT_PROGRESSION_JOBS,
        "students": students,
        "students_without_jobs": [{"id": s["id"], "display_name": s["display_name"]}
                                  for s in students if s["jobs"] == 0 and s["is_active"]],
        "skills_lacking": lacking,
        "environment": (await environment_totals(owner, college_id=college_id, start=start, end=end))[0],
    }


async def environment_totals(conn: Conn, *, college_id: uuid.UUID | None = None,
                             start: date | datetime | None = None,
                             end: date | datetime | None = None) -> list[dict[str, Any]]:
    """Per college (with its province): approved jobs, approved hours, kg kept out of landfill, kg CO2e avoided.
    The factors are shared/credit.py's; a job counts once whatever the size of its team.

    A job and its hours count at the college they were credited at (job_team.college_id, migration 0046), not the
    request's college now: a reopened job that moved on to another college stays in the first college's figures,
    and the next college counts only the rounds it credited itself. The item is kept out of landfill once: its kg
    count at the college that first credited work on it (a later college's approval adds its job and hours, never
    the same kg again). Read by the admin (RLS shows them every college) or as the owner for one college."""
    rows = await (await conn.execute(
        """with credited as (
               select t.college_id, t.request_id, sum(t.approved_hours)::float as hours
               from public.job_team t
               where t.approved_at is not null
                 and (%(start)s::timestamptz is null or t.approved_at >= %(start)s::timestamptz)
                 and (%(end)s::timestamptz is null or t.approved_at < %(end)s::timestamptz)
                 and (%(college)s::uuid is null or t.college_id = %(college)s::uuid)
               group by t.college_id, t.request_id),
           first_credit as (
               select distinct on (t.request_id) t.request_id, t.college_id from public.job_team t
               where t.approved_at is not null and t.request_id in (select request_id from credited)
               order by t.request_id, t.approved_at, t.round)
           select c.id as college_id, c.code, c.name_th, c.name_en, c.province_th, c.province_en,
                  k.request_id, r.category_code, o.outcome, k.hours, f.college_id = c.id as diverted_here
           from public.colleges c
           left join credited k on k.college_id = c.id
           left join public.repair_requests r on r.id = k.request_id
           left join public.job_outcomes o on o.request_id = k.request_id
           left join first_credit f on f.request_id = k.request_id
           where (%(college)s::uuid is null or c.id = %(college)s::uuid)
             and (%(college)s::uuid is not null or k.request_id is not null)
           order by c.province_en, c.code""",
        {"college": college_id, "start": start, "end": end})).fetchall()
    totals: dict[uuid.UUID, dict[str, Any]] = {}
    for row in rows:
        entry = totals.setdefault(row["college_id"], {
            "college_id": row["college_id"], "code": row["code"], "name_th": row["name_th"],
            "name_en": row["name_en"], "province_th": row["province_th"], "province_en": row["province_en"],
            "jobs": 0, "hours": 0.0, "kg_diverted": 0.0, "kg_co2e_avoided": 0.0,
            # The parts of the two figures that come from factors with no source (Fixit's own guesses).
            "kg_unsourced": 0.0, "kg_co2e_unsourced": 0.0})
        if row["request_id"] is None:
            continue
        kg, co2e = env_estimate(row["category_code"], row["outcome"]) if row["diverted_here"] else (0.0, 0.0)
        entry["jobs"] += 1
        entry["hours"] = round(entry["hours"] + (row["hours"] or 0.0), 2)
        entry["kg_diverted"] = round(entry["kg_diverted"] + kg, 2)
        entry["kg_co2e_avoided"] = round(entry["kg_co2e_avoided"] + co2e, 2)
        if not env_sourced(row["category_code"]):
            entry["kg_unsourced"] = round(entry["kg_unsourced"] + kg, 2)
            entry["kg_co2e_unsourced"] = round(entry["kg_co2e_unsourced"] + co2e, 2)
    return list(totals.values())


def factor_table() -> list[dict[str, Any]]:
    """The factors behind the figures, each with its source or marked as Fixit's own estimate (shared/credit.py)."""
    return [{"category_code": code, "kg_item": f.kg_item, "kg_co2e_new": f.kg_co2e_new, "source": f.source,
             "estimate": f.estimate, "sourced": bool(f.source)} for code, f in ENV_FACTORS.items()]


def by_province(colleges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    provinces: dict[str, dict[str, Any]] = {}
    for c in colleges:
        entry = provinces.setdefault(c["province_en"], {
            "province_th": c["province_th"], "province_en": c["province_en"], "colleges": 0, "jobs": 0,
            "hours": 0.0, "kg_diverted": 0.0, "kg_co2e_avoided": 0.0, "kg_unsourced": 0.0, "kg_co2e_unsourced": 0.0})
        entry["colleges"] += 1
        for key in ("jobs", "hours", "kg_diverted", "kg_co2e_avoided", "kg_unsourced", "kg_co2e_unsourced"):
            entry[key] = round(entry[key] + c[key], 2)
    return list(provinces.values())

