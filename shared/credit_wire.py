"""The job record and the student's credit (issue 14) on the wire: the answers of backend/routes/credit.py, declared
there as response models and parsed by the app, one definition for both (see shared/wire.py for the conventions).

Codes stay plain strings (their sets are shared.credit's enums): an answer with a code this app version does not
know still parses. Pure pydantic: the phone app packages this module.
"""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from shared.wire import PhotoKind, Wire, count_from_header

# --- the job record -------------------------------------------------------------------------------------------


class JobOutcome(Wire):
    outcome: str = Field(description="shared.credit.Outcome")
    reason: str | None = None
    fault_found: str = ""
    recorded_at: datetime | None = None


class JobPart(Wire):
    """A part the student proposed; bought only once the owner approved (in the app, or by phone with a note)."""

    id: UUID
    name: str
    qty: int = 1
    price_baht: float = 0.0
    status: str = Field("proposed", description="shared.credit.PartStatus")
    approval: str | None = Field(None, description="shared.credit.PartApproval: owner_app / phone")
    approval_note: str = ""
    proposed_at: datetime | None = None
    decided_at: datetime | None = None
    proposed_by: UUID | None = Field(None, description="the student who proposed it (they may withdraw it while it "
                                                       "waits: POST /requests/{id}/parts/{part_id}/withdraw)")
    withdrawn_by_hand: bool = Field(False, description="withdrawn by its student or the job's teacher (proposed by "
                                                       "mistake), not because the job ended or changed hands")

    @property
    def total_baht(self) -> float:
        return round(self.qty * self.price_baht, 2)


class JobHandover(Wire):
    method: str = Field(description="shared.credit.HandoverMethod")
    reason: str = ""
    confirmed_at: datetime | None = None


class MemberHours(Wire):
    """A team member's part in a job's round: what they did, the hours they reported, what the teacher approved."""

    task: str = ""
    hours: float | None = None
    approved_hours: float | None = None
    approved_at: datetime | None = None
    round: int = 1


class TeamMember(MemberHours):
    technician_id: UUID
    display_name: str = ""
    role: str = Field("lead", description="shared.credit.TeamRole: lead / helper")
    skill_code: str | None = None
    skill_level: int | None = None
    handed_on: bool = Field(False, description=(
        "no longer on the team (the job was taken from them or from the lead they came with: job_team.handed_on_at): "
        "their row keeps the hours to credit, not a place on the team; the lead or the teacher may add them again"))


def on_team(members: list[TeamMember]) -> list[TeamMember]:
    """The members on the team now: what its size (shared.credit.TEAM_MAX) counts and who is not to be added again
    (backend/services/credit.py ON_TEAM is the same rule in SQL)."""
    return [m for m in members if not m.handed_on]


class WaitingRound(Wire):
    """A round of work its owner reopened before the teacher approved its hours: the teacher approves it (POST
    /requests/{id}/credit/approve) before the current round's, whatever the job's status now."""

    round: int
    team: list[TeamMember] = Field(default_factory=list)


# GET /supervisor/hours-waiting answers a page of rounds (shared.credit.HOURS_WAITING_PAGE at most) and says in this
# header how many wait from the page's start on (all of them on the first page, those after the round the app names
# with `after_ref`/`after_round` on the next). A header, not a field, as X-Takes-Jobs (shared/wire.py): the body
# stays the list the app parses. The long lists (shared/paging.py) send it too: how many the whole list has.
TOTAL_COUNT_HEADER = "X-Total-Count"


def total_count_from_header(value: str | None) -> int | None:
    """The header's count; None when it is missing (an older backend) or not a whole number of at least 0."""
    return count_from_header(value)


class HoursWaiting(Wire):
    """GET /supervisor/hours-waiting: a round of work done for the teacher's college whose hours wait for their
    approval (POST /requests/{id}/credit/approve?round=N): a checked job's current round, or a round its owner
    reopened before the approval, also when the job has moved on to another college since (`moved_on`)."""

    request_id: UUID
    ref_no: int
    item: str = ""
    category_th: str = ""
    category_en: str = ""
    status: str = ""
    round: int = 1
    ended: bool = Field(False, description="its owner reopened the job after this round, before the approval")
    moved_on: bool = Field(False, description="the job is at another college now (its record is theirs)")
    team: list[TeamMember] = Field(default_factory=list)


class JobRecord(Wire):
    """GET /requests/{id}/record: outcome, parts and their approvals, handover, team, environmental estimate."""

    request_id: UUID
    safety_level_needed: int = 1
    outcome: JobOutcome | None = None
    parts: list[JobPart] = Field(default_factory=list)
    parts_approved_total_baht: float = 0.0
    handover: JobHandover | None = None
    team: list[TeamMember] = Field(default_factory=list, description="the current round's team")
    round: int = Field(1, description="a reopened job's round of work")
    earlier_rounds_hours: float = Field(0.0, description="hours approved in the rounds before this one")
    waiting_round: WaitingRound | None = Field(None, description="an ended round whose hours wait for approval")
    kg_diverted: float = 0.0
    kg_co2e_avoided: float = 0.0


class HandoverCode(Wire):
    code: str = Field(description="one-time: the owner tells it to the student at hand back")


class Teacher(Wire):
    """A supervisor of the student's college, to name present at a high-risk step."""

    id: UUID
    display_name: str


class StudentRef(Wire):
    id: UUID
    display_name: str = ""


class JobRef(Wire):
    """Which job a student's row is about (never the citizen's name, phone or address)."""

    request_id: UUID
    ref_no: int | None = None
    item: str = ""
    category_code: str = ""
    category_th: str = ""
    category_en: str = ""


class TeamJob(JobRef, MemberHours):
    """GET /me/team-jobs: a job the student helps on (its current round), with their own hours."""

    status: str = ""
    lead_name: str | None = None
    handed_on: bool = Field(False, description=(
        "no longer on the job's team (TeamMember.handed_on): the hours they reported stay for the teacher, and they "
        "report no more (shared.credit.helper_hours_refusal)"))


# --- progression and the college's settings -------------------------------------------------------------------


class SkillProposal(Wire):
    id: UUID
    technician_id: UUID
    display_name: str = ""
    skill_code: str
    from_level: int
    to_level: int
    jobs: int = 0
    status: str = "proposed"  # proposed / confirmed / declined
    created_at: datetime | None = None
    decided_at: datetime | None = None


class ProposalDecided(Wire):
    id: UUID
    status: str = Field(description="confirmed / declined")


class LevelChange(Wire):
    """GET /technicians/{id}/levels: one change of a student's level in a skill (None: the skill was removed)."""

    skill_code: str
    level: int | None = None
    changed_at: datetime


class CreditSettingsSaved(Wire):
    progression_jobs: int
    hours_target: float


class StudentHours(Wire):
    id: UUID
    display_name: str = ""
    is_active: bool = True
    hours: float = 0.0
    jobs: int = 0
    target: float = 0.0
    meets_target: bool = False


class SkillNeed(Wire):
    skill_code: str
    level: int


class SkillLacking(Wire):
    category_code: str
    requests: int = 0
    skills: list[SkillNeed] = Field(default_factory=list)


class EnvironmentTotals(Wire):
    """A college's approved jobs and their estimate (shared.credit's factors); `*_unsourced`: the part from factors
    with no published source."""

    college_id: UUID
    code: str
    name_th: str
    name_en: str
    province_th: str = ""
    province_en: str = ""
    jobs: int = 0
    hours: float = 0.0
    kg_diverted: float = 0.0
    kg_co2e_avoided: float = 0.0
    kg_unsourced: float = 0.0
    kg_co2e_unsourced: float = 0.0


class CollegeCredit(Wire):
    """GET /supervisor/credit: hours per student in the term against the target, students without jobs, skills the
    college lacks for the demand it received."""

    term: str
    hours_target: float = 0.0
    progression_jobs: int = 0
    students: list[StudentHours] = Field(default_factory=list)
    students_without_jobs: list[StudentRef] = Field(default_factory=list)
    skills_lacking: list[SkillLacking] = Field(default_factory=list)
    environment: EnvironmentTotals | None = None


# --- the portfolio ----------------------------------------------------------------------------------------------


class PortfolioPhoto(Wire):
    id: UUID
    kind: PhotoKind
    idx: int


class PortfolioJob(JobRef):
    """A portfolio row: a reopened job repaired again has a row per approved round of work."""

    outcome: str | None = None
    reason: str | None = None
    fault_found: str | None = None
    role: str = "lead"
    task: str | None = None
    round: int = 1
    hours: float = 0.0
    approved_at: datetime | None = None
    skill_code: str | None = None
    skill_level: int | None = None
    approved_by: str | None = None
    photos: list[PortfolioPhoto] = Field(default_factory=list)


class Portfolio(Wire):
    technician_id: UUID
    display_name: str = ""
    first_name: str = ""
    college_th: str = ""
    college_en: str = ""
    term: str
    jobs: list[PortfolioJob] = Field(default_factory=list)
    job_count: int = Field(0, description="jobs, each once however many rounds it took")
    hours: float = 0.0
    outcomes: dict[str, int] = Field(default_factory=dict, description="jobs per shared.credit.Outcome")
    terms: list[str] = Field(default_factory=list, description=(
        "GET /portfolio/{id} only: the terms the student has approved work in and the current one, newest first"))


# --- request bodies (nothing to check beyond their types; see shared/wire.py) -----------------------------------


class PartDecision(BaseModel):
    """POST /requests/{id}/parts/{part_id}/decision: the owner's answer in the app."""

    approve: bool = Field(strict=True)  # JSON's true/false only, never 0/1 or "yes"


class ProposalDecision(BaseModel):
    """POST /supervisor/skill-proposals/{id}."""

    confirm: bool = Field(strict=True)
