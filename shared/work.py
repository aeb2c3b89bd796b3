"""What a student records about a job."""

from typing import Any

from shared.credit import OUTCOME_REASONS, PART_PRICE_MAX, PART_QTY_MAX, UNREPAIRABLE_TO_OUTCOME_REASON
from shared.roles import Actor
from shared.statuses import ASSIGNABLE, REASSIGNABLE, RequestStatus, Route, can_move, next_statuses
from shared.visible_text import is_blank

# Why a job could not be done: a fixed list, so the college's reports can count them. Each is recorded as an outcome
# reason (shared.credit.UNREPAIRABLE_TO_OUTCOME_REASON) and worded as that reason is: one wording, one table.
UNREPAIRABLE_REASONS: dict[str, tuple[str, str]] = {
    step: OUTCOME_REASONS[outcome] for step, outcome in UNREPAIRABLE_TO_OUTCOME_REASON.items()
}

MAX_HOURS = 200.0
MAX_PARTS = 30
NOTES_MAX = 2000
PART_NAME_MAX = 120
# A note with a work step or a check ("send back for rework: …"), and a citizen's note when cancelling/reopening.
STEP_NOTE_MAX = 1000


def check_report(hours: float, notes: str, parts: list[dict[str, Any]]) -> str | None:
    """The error code for a bad work report, or None."""
    if not 0 <= hours <= MAX_HOURS:
        return "report_hours_invalid"
    if len(notes) > NOTES_MAX or len(parts) > MAX_PARTS:
        return "report_too_long"
    for part in parts:
        name, qty, cost = part.get("name"), part.get("qty"), part.get("cost_baht")
        if not isinstance(name, str) or is_blank(name) or len(name) > PART_NAME_MAX:
            return "report_part_invalid"
        # The limits of a part the owner approves (shared/credit.py): no total past what a float holds, or a 500.
        if not isinstance(qty, int) or not 1 <= qty <= PART_QTY_MAX:
            return "report_part_invalid"
        if not isinstance(cost, int | float) or not 0 <= cost <= PART_PRICE_MAX:
            return "report_part_invalid"
    return None


def parts_total(parts: list[dict[str, Any]]) -> float:
    return round(sum(float(p["qty"]) * float(p["cost_baht"]) for p in parts), 2)


# --- What a job needs before the teacher checks it ---------------------------------------------------------------

# Codes of what is missing, in the order a student fixes them (texts: shared.text.QC_MISSING).
QC_AFTER_PHOTO = "after_photo"
QC_HOURS = "hours"
QC_REPORT = "report"
QC_REQUIREMENTS = (QC_AFTER_PHOTO, QC_HOURS, QC_REPORT)


def missing_for_quality_check(after_photos: int, hours: float | None, notes: str | None, *,
                              report_in_round: bool = True) -> list[str]:
    """What the job's record still lacks before it may go to the teacher's check (and before the teacher may
    approve it): at least one after-photo, hours worked above 0 and a report of what was done. Empty: complete.

    A reopened job repaired again is a new round (backend/services/credit.py): `after_photos` counts only the
    round's own (uploaded since it began), and a report saved before it began (`report_in_round` False) describes
    the earlier repair, so it counts as no report: the re-repair is reported and evidenced again. In the first
    round every photo and report is the round's.

    A job that cannot be repaired needs a reason instead (the unrepairable step asks for it)."""
    if not report_in_round:
        hours, notes = None, None
    missing = []
    if after_photos < 1:
        missing.append(QC_AFTER_PHOTO)
    if hours is None or hours <= 0:
        missing.append(QC_HOURS)
    if notes is None or is_blank(notes):
        missing.append(QC_REPORT)
    return missing


def of_the_work(stamp: int | None, work_began: int | None) -> bool:
    """Whether an after photo or the report belongs to the work the job's record must now evidence: its stamp (the
    work it was written in, `work_event`, stamped under the request's lock) is the work now on the job (both the id
    of the timeline event that began it, backend credit.WORK_BEGAN_SQL; None: the first work of the first round).
    Never a comparison of times: two transactions' `now()` are their start times, not the order in which they held
    the request (audit20 #5, migration 0092). The QC check and the detail judge with it; SQL asks `is not distinct
    from`."""
    return stamp == work_began


def supervisor_actions(status: RequestStatus) -> list[str]:
    """What a teacher of the job's college may do with it now: `assign`/`reassign` (POST /requests/{id}/assign),
    then the statuses they may move it to (POST /requests/{id}/status), from the shared state machine."""
    actions: list[str] = []
    if status in ASSIGNABLE and can_move(status, RequestStatus.ACCEPTED, Actor.SUPERVISOR, Route.ASSIGN):
        actions.append("assign")
    if status in REASSIGNABLE:
        actions.append("reassign")
    return actions + [to.value for to in next_statuses(status, Actor.SUPERVISOR)]


# The teacher's job list: the most rows one call may ask for (the app's reload asks for what it showed in one call),
# and the longest search (a reference, an item or a student's name).
JOB_PAGE_MAX = 100
JOB_SEARCH_MAX = 100
