"""The job record and the student's credit (issue 14): outcomes, parts approval, handover, safety tiers, the
environmental estimate, hours against the job's own timeline, team credit, skill progression and terms.

Pure rules, no I/O: the backend reads the facts under the request's row lock and asks these functions. Texts are
(Thai, English) pairs like shared.work.UNREPAIRABLE_REASONS; error texts live in shared.text.ERRORS.
"""

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import IntEnum, StrEnum

from shared.categories import MAX_LEVEL
from shared.roles import Actor
from shared.statuses import WORK_EDITABLE, RequestStatus
from shared.thai_time import BUDDHIST_ERA_OFFSET as _BE
from shared.thai_time import bangkok_day, bangkok_midnight
from shared.visible_text import is_blank, visible_length

# --- Outcome and reason codes ----------------------------------------------------------------------------------


class Outcome(StrEnum):
    FIXED = "fixed"
    REPAIRED_PARTLY = "repaired_partly"
    UNREPAIRABLE = "unrepairable"
    NOT_REPAIRED = "not_repaired"  # could be repaired, but was not (owner declined, parts unavailable, …)


OUTCOME_LABELS: dict[Outcome, tuple[str, str]] = {
    Outcome.FIXED: ("ซ่อมได้", "Fixed"),
    Outcome.REPAIRED_PARTLY: ("ซ่อมได้บางส่วน", "Repaired partly"),
    Outcome.UNREPAIRABLE: ("ซ่อมไม่ได้", "Unrepairable"),
    Outcome.NOT_REPAIRED: ("ไม่ได้ซ่อม", "Not repaired"),
}

OUTCOME_REASONS: dict[str, tuple[str, str]] = {
    "owner_declined": ("เจ้าของไม่ประสงค์ให้ซ่อม", "The owner declined"),
    "parts_unavailable": ("ไม่มีอะไหล่", "No spare parts"),
    "unsafe": ("ซ่อมแล้วไม่ปลอดภัย", "Unsafe to repair"),
    "not_economical": ("ค่าซ่อมสูงกว่ามูลค่าของ", "Repair costs more than the item is worth"),
    "no_specialist": ("ต้องใช้ช่างเฉพาะทาง", "Needs a specialist"),
    "owner_cancelled": ("เจ้าของยกเลิก", "The owner cancelled"),
    "beyond_repair": ("ชำรุดเกินกว่าจะซ่อม", "Damaged beyond repair"),
}

# The unrepairable step's reasons (shared.work.UNREPAIRABLE_REASONS) as outcome reasons, so a job marked
# unrepairable without an explicit outcome still has a record the province can count. The step's reasons are worded
# by these outcome reasons: the citizen's notification and timeline read what the job's record says.
UNREPAIRABLE_TO_OUTCOME_REASON: dict[str, str] = {
    "no_parts": "parts_unavailable",
    "cost_above_value": "not_economical",
    "no_specialist": "no_specialist",
    "owner_cancelled": "owner_cancelled",
}

REPAIRED_OUTCOMES: frozenset[Outcome] = frozenset({Outcome.FIXED, Outcome.REPAIRED_PARTLY})
FAULT_MAX = 500


def check_outcome(outcome: str, reason: str | None, fault_found: str) -> str | None:
    """The error code for a bad outcome record, or None. A job not repaired says why; a job looked at says what
    the fault was (a repaired one always, one not repaired unless the owner never let it be opened)."""
    if outcome not in Outcome.__members__.values():
        return "outcome_invalid"
    if len(fault_found) > FAULT_MAX:
        return "outcome_fault_too_long"
    if Outcome(outcome) in REPAIRED_OUTCOMES:
        if reason is not None and reason not in OUTCOME_REASONS:
            return "outcome_reason_invalid"
        if is_blank(fault_found):
            return "outcome_fault_required"
        return None
    if reason not in OUTCOME_REASONS:
        return "outcome_reason_required"
    if outcome == Outcome.UNREPAIRABLE and is_blank(fault_found):
        return "outcome_fault_required"
    return None


def outcome_fits_status(outcome: Outcome, status: RequestStatus) -> bool:
    """A repaired outcome belongs to a job on its way to (or through) the teacher's check; the others to a job
    that is, or is being marked, unrepairable."""
    if outcome in REPAIRED_OUTCOMES:
        return status in {RequestStatus.ACCEPTED, RequestStatus.DIAGNOSING, RequestStatus.REPAIRING,
                          RequestStatus.QUALITY_CHECK}
    return status in {RequestStatus.ACCEPTED, RequestStatus.DIAGNOSING, RequestStatus.REPAIRING,
                      RequestStatus.UNREPAIRABLE}


# --- Parts with the owner's approval ---------------------------------------------------------------------------


class PartStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # still waiting when the job ended without a repair: nobody answers it any more


class PartApproval(StrEnum):
    OWNER_APP = "owner_app"  # the owner tapped approve in the app
    PHONE = "phone"  # the student recorded the owner's approval by phone, with a note of who said yes and when


PART_NAME_MAX = 120
PART_QTY_MAX = 100
PART_PRICE_MAX = 100_000.0  # baht per unit: beyond this it is not a Fixit Center repair
PART_NOTE_MAX = 300
PARTS_PER_JOB_MAX = 30
PHONE_NOTE_MIN = 5  # "ok" is not a record of who approved and when


def format_baht(value: float | Decimal) -> str:
    """An amount of baht as every screen and message writes it: 12,500.00 (thousands grouped, two decimals)."""
    return f"{value:,.2f}"


def check_part(name: str, qty: int, price_baht: float) -> str | None:
    if is_blank(name) or len(name) > PART_NAME_MAX:
        return "part_invalid"
    if not 1 <= qty <= PART_QTY_MAX or not 0 <= price_baht <= PART_PRICE_MAX:
        return "part_invalid"
    return None


def check_phone_approval(note: str) -> str | None:
    """A phone approval stands only with a note saying who approved and when."""
    if visible_length(note) < PHONE_NOTE_MIN:
        return "part_phone_note_required"
    if len(note) > PART_NOTE_MAX:
        return "part_note_too_long"
    return None


def approved_parts_total(parts: Iterable[Mapping[str, object]]) -> float:
    """What the owner agreed to pay for: approved parts only."""
    total = 0.0
    for part in parts:
        if part["status"] == PartStatus.APPROVED:
            total += float(str(part["qty"])) * float(str(part["price_baht"]))
    return round(total, 2)


# --- Handover confirmed by the owner ----------------------------------------------------------------------------


class HandoverMethod(StrEnum):
    OWNER_APP = "owner_app"  # the owner confirmed receipt in the app
    OWNER_CODE = "owner_code"  # the owner told the student the one-time code their app shows
    TEACHER_REASON = "teacher_reason"  # the teacher recorded why there is no confirmation


HANDOVER_CODE_DIGITS = 6
HANDOVER_CODE_ATTEMPTS = 5
HANDOVER_REASON_MIN = 5
# From where a job may be handed back: the owner may confirm (and their code is shown) only there.
HANDOVER_FROM: frozenset[RequestStatus] = frozenset({RequestStatus.DONE, RequestStatus.UNREPAIRABLE})
# Where the owner's part of the job record (parts waiting for their answer, the approved total, the handover) can
# change while the request keeps its status: parts are proposed and answered only while the work is open
# (WORK_EDITABLE), the owner confirms the handover only from HANDOVER_FROM. Anywhere else it changes only with a move
# of the request (a cancel withdraws the waiting parts, a hand back records the handover), so the owner's screen need
# not fetch the record again until the request has moved.
OWNER_RECORD_OPEN: frozenset[RequestStatus] = WORK_EDITABLE | HANDOVER_FROM


def is_handover_code(code: str) -> bool:
    return bool(re.fullmatch(rf"[0-9]{{{HANDOVER_CODE_DIGITS}}}", code))


# --- Safety tiers -----------------------------------------------------------------------------------------------


class SafetyTier(IntEnum):
    LOW = 1  # unplugged household items, bicycles, furniture, water pipes
    ELEVATED = 2  # engines and fuel, high-voltage circuits inside electronics, lithium batteries
    HIGH = 3  # fixed mains wiring, refrigerant gas under pressure, welding gas and arcs


TIER_LABELS: dict[SafetyTier, tuple[str, str]] = {
    SafetyTier.LOW: ("ความเสี่ยงต่ำ", "Low risk"),
    SafetyTier.ELEVATED: ("ความเสี่ยงปานกลาง", "Elevated risk"),
    SafetyTier.HIGH: ("ความเสี่ยงสูง ต้องมีครูควบคุม", "High risk: a teacher must be present"),
}

# The skill level a student needs in one of the category's skills to take a job of the tier (on top of the
# category's own minimum in category_skills).
TIER_MIN_LEVEL: dict[SafetyTier, int] = {SafetyTier.LOW: 1, SafetyTier.ELEVATED: 2, SafetyTier.HIGH: 3}

CATEGORY_TIERS: dict[str, SafetyTier] = {
    "appliance": SafetyTier.LOW,
    "plumbing": SafetyTier.LOW,
    "woodwork": SafetyTier.LOW,
    "bicycle": SafetyTier.LOW,
    "computer": SafetyTier.LOW,
    "electronics": SafetyTier.ELEVATED,
    "mobile_phone": SafetyTier.ELEVATED,
    "motorcycle": SafetyTier.ELEVATED,
    "farm_engine": SafetyTier.ELEVATED,
    "home_electrical": SafetyTier.HIGH,
    "air_conditioning": SafetyTier.HIGH,
    "metalwork": SafetyTier.HIGH,
}
# A category added to the database before it is added here is treated with caution, not as low risk.
DEFAULT_TIER = SafetyTier.ELEVATED
# Hands-on steps at which the highest tier needs a teacher named present (stored with the step's event).
PRESENCE_STEPS: frozenset[RequestStatus] = frozenset({RequestStatus.DIAGNOSING, RequestStatus.REPAIRING})


def tier_of(category: str) -> SafetyTier:
    return CATEGORY_TIERS.get(category, DEFAULT_TIER)


def required_level(category: str) -> int:
    return TIER_MIN_LEVEL[tier_of(category)]


def tier_levels() -> dict[str, int]:
    """category -> level its tier needs, for SQL (dispatch passes it as one jsonb parameter)."""
    return {code: TIER_MIN_LEVEL[tier] for code, tier in CATEGORY_TIERS.items()}


def meets_tier(category: str, best_level: int) -> bool:
    """`best_level`: the student's highest level among the category's skills they meet the minimum of (0: none)."""
    return best_level >= required_level(category)


def needs_teacher_present(category: str, step: RequestStatus) -> bool:
    return tier_of(category) == SafetyTier.HIGH and step in PRESENCE_STEPS


def teacher_named_present(category: str, step: RequestStatus, actor: Actor, caller: uuid.UUID,
                          named: uuid.UUID | None) -> uuid.UUID | None:
    """Who a move into `step` records as the teacher present (None: nobody, or the step needs nobody).

    The rule is about the student's hands-on work being supervised. A student names the teacher present (the record
    panel's picker); a teacher of the job's college who moves it into a hands-on step themselves (the send-back for
    rework, quality_check -> repairing: the student's next session at the bench is under their eye) is that teacher
    unless they name another teacher of the college. An admin is no teacher of any college: they name one, or the
    move is refused (shared.statuses.decide_move: with no teacher at the college, `presence_no_teacher`). Whoever is
    named must be an active teacher of the job's college when the move is made (the backend checks it, locked)."""
    if not needs_teacher_present(category, step):
        return None
    if named is None and actor == Actor.SUPERVISOR:
        return caller
    return named


def present_by_moving(category: str, step: RequestStatus, actor: Actor) -> bool:
    """Whether a teacher's own move into `step` records them present when they name nobody (the app's send-back says
    so, and asks for no name)."""
    return actor == Actor.SUPERVISOR and needs_teacher_present(category, step)


def needs_teacher_at_college(category: str) -> bool:
    """A student takes a job of `category` (an offer's accept, an assign, a helper joining the work ahead) only at a
    college with an active teacher: one who could be present at its hands-on steps (needs_teacher_present)."""
    return tier_of(category) == SafetyTier.HIGH


def presence_categories() -> list[str]:
    """The categories whose hands-on steps need a teacher of the college present, for SQL: dispatch offers them
    only at a college with an active teacher (a student elsewhere could accept one and never start it)."""
    return sorted(code for code in CATEGORY_TIERS if needs_teacher_at_college(code))


# --- Environmental estimate --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnvFactor:
    kg_item: float  # average mass of one item: kept out of landfill when it is repaired
    kg_co2e_new: float  # the item's carbon footprint (what making a new one emits)
    source: str  # where the two numbers come from; "" when nothing was found to cite
    estimate: bool  # True: not a figure printed in a source for this kind of item (see `source` for why)


# A repaired item's whole mass counts as waste prevented; the footprint of a replacement counts scaled by a
# displacement rate, since not every repair stops a purchase. 0.5 is the rate we understand the Restart Project's
# Fixometer to use; it was NOT checked against a published source here, so every CO2e figure is an estimate too.
DISPLACEMENT = 0.5

# ORDS_LCA: Open Repair Alliance, openrepair/tools, dat/ords_category_lca_reference.csv ("Average weights and
# carbon footprints relating to ORDS product categories", from The Restart Project's lifecycle assessment work,
# "Fixometer reference data 2021", CC BY-SA 4.0): columns product_category, weight (kg), footprint (kg CO2e).
# The figures below with estimate=False are that file's rows, copied as printed. ORDS covers electrical and
# electronic items only: the mechanical categories have no sourced factor. Their numbers are Fixit's own rough
# guesses, marked estimate=True with no citation, and the college report prints them apart so they are never read
# as sourced figures; replace them when a source is found.
_ORDS = "ORDS_LCA row "
_NO_SOURCE = ""
ENV_FACTORS: dict[str, EnvFactor] = {
    "appliance": EnvFactor(2.95, 30.9, _ORDS + '"Small home electrical" (the same as "Small kitchen item")', False),
    "electronics": EnvFactor(8.268, 308.952, _ORDS + '"Flat screen" (TVs are most of the category)', False),
    "computer": EnvFactor(1.83, 265.32, _ORDS + '"Laptop"', False),
    "mobile_phone": EnvFactor(0.15, 50.51, _ORDS + '"Mobile"', False),
    # The nearest row is portable units and dehumidifiers: a split unit or a fridge weighs several times more, so
    # this understates; kept rather than replaced by a guess.
    "air_conditioning": EnvFactor(7.6, 99.41, _ORDS + '"Aircon/dehumidifier", used for split units and fridges',
                                  True),
    "home_electrical": EnvFactor(1.0, 5.0, _NO_SOURCE, True),
    "motorcycle": EnvFactor(110.0, 1000.0, _NO_SOURCE, True),
    "farm_engine": EnvFactor(40.0, 250.0, _NO_SOURCE, True),
    "bicycle": EnvFactor(15.0, 100.0, _NO_SOURCE, True),
    "plumbing": EnvFactor(1.5, 5.0, _NO_SOURCE, True),
    "woodwork": EnvFactor(15.0, 30.0, _NO_SOURCE, True),
    "metalwork": EnvFactor(10.0, 25.0, _NO_SOURCE, True),
}
ESTIMATE_NOTE: tuple[str, str] = ("ประมาณการเอง ไม่มีแหล่งอ้างอิง", "Fixit's own estimate: no source")
_NO_FACTOR = EnvFactor(0.0, 0.0, _NO_SOURCE, True)


def env_factor(category: str) -> EnvFactor:
    return ENV_FACTORS.get(category, _NO_FACTOR)


def env_sourced(category: str) -> bool:
    """Whether the category's factor comes from a cited source (else it is Fixit's own guess)."""
    return bool(env_factor(category).source)


def env_estimate(category: str, outcome: Outcome | str | None) -> tuple[float, float]:
    """(kg kept out of landfill, kg CO2e avoided) for one job: only an item that works again counts."""
    if outcome not in {o.value for o in REPAIRED_OUTCOMES}:
        return 0.0, 0.0
    factor = env_factor(category)
    return factor.kg_item, round(factor.kg_co2e_new * DISPLACEMENT, 2)


# --- Hours that come from the work --------------------------------------------------------------------------------

HOURS_SLACK = 0.5  # rounding a report to the half hour must not make it refused
HOURS_MAX = 200.0
HOURS_DECIMALS = 2  # hours are kept to 0.01 h (numeric(6, 2))


def work_window_hours(accepted_at: datetime | None, finished_at: datetime | None) -> float | None:
    """Hours between the job being accepted and being sent for the check (or marked unrepairable)."""
    if accepted_at is None or finished_at is None or finished_at < accepted_at:
        return None
    return (finished_at - accepted_at).total_seconds() / 3600


def check_hours(claimed: float, window_hours: float | None) -> str | None:
    """Nobody works on a job longer than it was in hand: reported hours must fit the job's own timeline."""
    if not 0 < claimed <= HOURS_MAX:
        return "hours_missing"
    if window_hours is None:
        return "hours_no_timeline"
    if claimed > window_hours + HOURS_SLACK:
        return "hours_exceed_timeline"
    return None


# --- Team jobs ----------------------------------------------------------------------------------------------------


class TeamRole(StrEnum):
    LEAD = "lead"
    HELPER = "helper"


TEAM_ROLE_LABELS: dict[TeamRole, tuple[str, str]] = {
    TeamRole.LEAD: ("หัวหน้างาน", "Lead"),
    TeamRole.HELPER: ("ผู้ช่วย", "Helper"),
}
TEAM_MAX = 6
# When a helper may join a job's team: from a college's student holding it until it is handed back (the job has
# ended then: a helper named afterwards worked on nothing the teacher checked), and never after the approval.
TEAM_OPEN: frozenset[RequestStatus] = frozenset({
    RequestStatus.ACCEPTED, RequestStatus.DIAGNOSING, RequestStatus.REPAIRING, RequestStatus.QUALITY_CHECK,
    RequestStatus.DONE, RequestStatus.UNREPAIRABLE})
# When a helper may report their own hours on the job's current round (PUT /requests/{id}/team/me): while a college's
# student holds it and until the teacher approves the round's hours, which they do once the job is checked (done or
# unrepairable) and may do after it is handed back. Not before a student takes it, nor once it is taken back to offer
# again (its helpers left with their lead then: helper_hours_refusal), nor once cancelled (nothing is approved).
HOURS_OPEN: frozenset[RequestStatus] = TEAM_OPEN | {RequestStatus.HANDED_BACK}
TASK_MAX = 200
# The teacher's list of rounds whose hours wait for approval (GET /supervisor/hours-waiting): the most rounds one call
# answers; the app asks for the next page after the last round it lists (`after_ref`, `after_round`: keyset, so a
# round approved meanwhile skips none), and the answer's X-Total-Count says how many wait from the page's start on.
HOURS_WAITING_PAGE = 20


def check_task(task: str | None) -> str | None:
    """The error code for a team member's task that is too long to keep, or None."""
    return "team_task_too_long" if task is not None and len(task.strip()) > TASK_MAX else None


def helper_hours_refusal(status: RequestStatus | None, *, approved: bool, handed_on: bool) -> str | None:
    """Why a helper on a job's current round may not report (or change) their own hours now, as an error code, or
    None when they may. The backend refuses with it and the app offers the hours form only where it is None.
    `approved`: the round's hours are approved; `handed_on`: the helper left the team (the job was taken from them
    or from the lead they came with: their row keeps the hours they reported for the teacher, not a say on them).
    `status` None: the job's status as the app could not read it (missing, or newer than the app): closed, as the
    safe side (the backend always has the status and decides)."""
    if approved:
        return "team_not_now"
    if handed_on:
        return "team_handed_on"
    if status is None:
        return "team_hours_status_unknown"
    if status not in HOURS_OPEN:
        return "team_hours_closed"
    return None


def team_hours(members: Iterable[Mapping[str, object]], *, approved_only: bool = True) -> float:
    """Credited hours of a job's team: a member counts only once the teacher approved them."""
    total = 0.0
    for member in members:
        hours = member.get("approved_hours") if approved_only else member.get("hours")
        if hours is not None:
            total += float(str(hours))
    return round(total, 2)


# --- Skill progression ------------------------------------------------------------------------------------------

DEFAULT_PROGRESSION_JOBS = 3
PROGRESSION_JOBS_MIN, PROGRESSION_JOBS_MAX = 1, 50


def credited_skill(needs: Mapping[str, int], skills: Mapping[str, int]) -> tuple[str, int] | None:
    """The skill a job counts for: among the category's needs (skill -> minimum) the student meets, the one they
    hold at the highest level (ties: by skill code, so the answer is stable)."""
    fitting = [(skills[s], s) for s, minimum in needs.items() if skills.get(s, 0) >= minimum]
    if not fitting:
        return None
    level, skill = max(fitting, key=lambda pair: (pair[0], [-ord(c) for c in pair[1]]))
    return skill, level


def due_for_progression(approved_jobs_at_level: int, level: int, jobs_needed: int) -> bool:
    return level < MAX_LEVEL and approved_jobs_at_level >= jobs_needed


def check_progression_jobs(n: int) -> str | None:
    return None if PROGRESSION_JOBS_MIN <= n <= PROGRESSION_JOBS_MAX else "progression_jobs_invalid"


# --- Terms and targets ------------------------------------------------------------------------------------------

# Thai vocational colleges run two terms per academic year (Buddhist era): 1 = mid-May to October,
# 2 = November to mid-May. A term is written "2569-1".
DEFAULT_HOURS_TARGET = 40.0
# A term's target as stored (one decimal): less than 0.1 would be kept as no target at all.
HOURS_TARGET_MIN, HOURS_TARGET_MAX = 0.1, 2000.0
TERM_RE = re.compile(r"^(2[5-6][0-9]{2})-([12])$")


def term_of(when: datetime | date) -> str:
    """The term a moment (aware) or a Thai calendar day falls in: by the day in Bangkok, as term_bounds cuts."""
    day = bangkok_day(when) if isinstance(when, datetime) else when
    if day.month >= 5 and day.month <= 10:
        return f"{day.year + _BE}-1"
    year = day.year if day.month >= 11 else day.year - 1
    return f"{year + _BE}-2"


def term_bounds(term: str) -> tuple[datetime, datetime] | None:
    """[start, end) of a term as moments: 00:00 in Bangkok on its first day and on the next term's (a job approved
    at 00:30 on 1 November in Bangkok, 17:30 UTC the day before, is the new term's). None for a malformed term."""
    match = TERM_RE.match(term)
    if not match:
        return None
    year, part = int(match.group(1)) - _BE, int(match.group(2))
    if part == 1:
        return bangkok_midnight(date(year, 5, 1)), bangkok_midnight(date(year, 11, 1))
    return bangkok_midnight(date(year, 11, 1)), bangkok_midnight(date(year + 1, 5, 1))


# --- Portfolios and their verification codes --------------------------------------------------------------

# The printed portfolio's words (backend/services/portfolio_pdf.py).
PORTFOLIO_TEXTS: dict[str, tuple[str, str]] = {
    "title": ("แฟ้มผลงานฝึกประสบการณ์งานซ่อม", "Repair work-experience portfolio"),
    "student": ("นักศึกษา: {name}", "Student: {name}"),
    "college": ("วิทยาลัย: {college}", "College: {college}"),
    "term": ("ภาคเรียน: {term}", "Term: {term}"),
    "reference": ("เลขที่", "Reference"),
    "approved_at": ("อนุมัติเมื่อ", "Approved on"),
    "item": ("สิ่งของ", "Item"),
    "outcome": ("ผลการซ่อม", "Outcome"),
    "role": ("บทบาท", "Role"),
    "hours": ("ชั่วโมง", "Hours"),
    "approved_by": ("ครูผู้อนุมัติ: {names}", "Approved by: {names}"),
    "photos": ("รูปก่อน/หลังซ่อม: {count} รูป", "Before/after photos: {count}"),
    "photos_title": ("รูปก่อนและหลังซ่อม", "Before and after the repair"),
    "before": ("ก่อนซ่อม", "Before"),
    "after": ("หลังซ่อม", "After"),
    "total": ("รวม {jobs} งาน {hours} ชั่วโมง", "Total: {jobs} {jobs|job|jobs}, {hours} {hours|hour|hours}"),
    "none": ("ยังไม่มีงานที่ครูอนุมัติในภาคเรียนนี้", "No approved jobs this term"),
    "verify": ("ตรวจสอบแฟ้มนี้ได้ที่ {url} รหัส {code}", "Verify this portfolio at {url} with code {code}"),
    "printed": ("พิมพ์เมื่อ {when} (เวลาประเทศไทย)", "Printed {when} (Thailand time)"),
    # The public page the QR opens (GET /verify/{code}, backend/routes/credit.py): the paper's own lines, above in
    # Thai and below in English; an unknown code is ERRORS verify_code_unknown.
    "verify_title": ("ตรวจสอบแฟ้มผลงาน Fixit", "Fixit portfolio check"),
    "verify_issued_by": ("แฟ้มผลงานนี้ออกโดยระบบ Fixit", "This portfolio was issued by Fixit"),
    "verify_code": ("รหัสตรวจสอบ: {code}", "Verification code: {code}"),
    "verify_issued": ("ออกเมื่อ {day}", "Issued {day}"),
}

# No 0/O, 1/I/L: read aloud or typed from paper without mistakes.
VERIFY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# The printed photos: one before and one after per job, from the stored thumbnails re-encoded small, so a full
# term of jobs stays a PDF one can send by chat (about 10-20 kB a photo).
PORTFOLIO_PHOTO_SIDE = 240  # pixels, longest side (printed 40 mm wide: ~150 dpi)
PORTFOLIO_PHOTO_QUALITY = 70  # JPEG
VERIFY_CODE_LEN = 10


def verify_code_from(random_bytes: bytes) -> str:
    """A code from `VERIFY_CODE_LEN` random bytes (the caller draws them from `secrets`)."""
    if len(random_bytes) < VERIFY_CODE_LEN:
        raise ValueError("not enough random bytes")
    return "".join(VERIFY_ALPHABET[b % len(VERIFY_ALPHABET)] for b in random_bytes[:VERIFY_CODE_LEN])


def is_verify_code(code: str) -> bool:
    return len(code) == VERIFY_CODE_LEN and all(c in VERIFY_ALPHABET for c in code)
