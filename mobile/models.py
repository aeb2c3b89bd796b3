"""The backend's JSON payloads as typed, immutable objects (the contract the app relies on).

The answers the backend also declares are shared.wire's and shared.credit_wire's models, imported here (subclassed
only to add a display helper); the classes defined here are the answers only the app describes."""

from collections.abc import Sequence

from pydantic import BaseModel

from shared import wire
from shared.credit_wire import CollegeCredit as CollegeCredit
from shared.credit_wire import HoursWaiting as HoursWaiting
from shared.credit_wire import JobHandover as JobHandover
from shared.credit_wire import JobOutcome as JobOutcome
from shared.credit_wire import JobPart as JobPart
from shared.credit_wire import JobRecord as JobRecord
from shared.credit_wire import Portfolio as Portfolio
from shared.credit_wire import PortfolioJob as PortfolioJob
from shared.credit_wire import SkillLacking as SkillLacking
from shared.credit_wire import SkillNeed as SkillNeed
from shared.credit_wire import SkillProposal as SkillProposal
from shared.credit_wire import StudentHours as StudentHours
from shared.credit_wire import StudentRef as StudentRef
from shared.credit_wire import Teacher as Teacher
from shared.credit_wire import TeamMember as TeamMember
from shared.statuses import OfferStatus as OfferStatus
from shared.statuses import RequestStatus
from shared.text import Locale, t
from shared.wire import CategorySkill as CategorySkill
from shared.wire import DuplicateSummary as DuplicateSummary
from shared.wire import LedgerRow as LedgerRow
from shared.wire import NotificationItem as NotificationItem
from shared.wire import NotificationPage as NotificationPage
from shared.wire import Offer as Offer
from shared.wire import ReportPart as ReportPart
from shared.wire import RequestAction as RequestAction
from shared.wire import StaffPerson as StaffPerson
from shared.wire import StaffRegistered as StaffRegistered
from shared.wire import StudentImportReport as StudentImportReport
from shared.wire import WorkReport as WorkReport

OtpRequested = wire.CodeSent
TimelineEntry = wire.StatusEvent
PhotoRef = wire.Photo
UploadedPhoto = wire.Photo  # the upload's answer is the photo as the request lists it
TechnicianItem = wire.Student


class Payload(BaseModel):
    """An answer only the app reads (the shapes the backend declares too are in shared.wire): read the same way."""

    model_config = wire.Wire.model_config


class CollegeRef(wire.CollegeRef):
    def name(self, locale: Locale) -> str:
        return self.name_th if locale == Locale.TH else self.name_en


class Profile(wire.Profile):
    college: CollegeRef | None = None


class SignedIn(wire.SignedIn):
    profile: Profile | None = None  # None only when `suspended`


class SessionTokens(Payload):
    """What a device keeps to stay signed in: ApiClient hands a new one to `on_tokens_changed` after each
    refresh (the refresh token is single use, so the stored one must be replaced every time)."""

    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None


class Category(wire.Category):
    def name(self, locale: Locale) -> str:
        return self.name_th if locale == Locale.TH else self.name_en


class RequestSummary(wire.RequestSummary):
    def category_name(self, locale: Locale) -> str:
        return self.category_name_th if locale == Locale.TH else self.category_name_en

    def college_name(self, locale: Locale) -> str | None:
        return self.college_name_th if locale == Locale.TH else self.college_name_en


class JobSummary(wire.JobSummary, RequestSummary):
    """A job on the student's list: one they lead, or one they help on (`helping`: opened read-only)."""


class WaitingRequest(wire.WaitingRequest, RequestSummary):
    """A request no centre took, as the admin sees it (with the summary's display helpers)."""


class QueueItem(wire.QueueItem, RequestSummary):
    """A job waiting for the teacher's decision on their dashboard (a check, a hand back, a suspended student's)."""


class UndecidedJob(wire.UndecidedJob, RequestSummary):
    """A job waiting on a college with nobody to decide it, on the admin's home."""

    def why_text(self, locale: Locale) -> str:
        college = self.college_name(locale) or ""
        key = {"own_request": "undecided_own_request", "own_work": "undecided_own_work",
               "teacher_needed": "undecided_teacher_needed"}.get(self.why, "undecided_no_teacher")
        said = t(key, locale, college=college)
        return f"{said} · {t('holder_suspended_mark', locale)}" if self.holder_suspended else said


class MissingItem(wire.MissingItem):
    def message(self, locale: Locale) -> str:
        return self.message_th if locale == Locale.TH else self.message_en


class RequestDetail(wire.RequestDetail, RequestSummary):
    quality_check_missing: Sequence[MissingItem] = ()

    def can(self, action: RequestAction) -> bool:
        return action.value in self.actions


class SupervisorQueue(wire.CollegeQueue):
    college: CollegeRef
    requests: Sequence[RequestSummary]

    def status_counts(self) -> list[tuple[RequestStatus, int]]:
        """Non-zero counts in state-machine order; statuses this app version does not know are skipped."""
        return [(s, self.counts[s.value]) for s in RequestStatus if self.counts.get(s.value)]


class College(wire.College):
    def name(self, locale: Locale) -> str:
        return self.name_th if locale == Locale.TH else self.name_en

    def province(self, locale: Locale) -> str:
        return self.province_th if locale == Locale.TH else self.province_en


# --- the technician's work and the supervisor's tools -----------------------------------------------


class WorkDetail(RequestDetail):
    """GET /requests/{id} as a technician or supervisor sees it: with the student's report."""


class WeeklyCount(Payload):
    week_start: str  # "YYYY-MM-DD", the Monday of the week
    category_code: str
    n: int


class SupervisorDashboard(Payload):
    college: CollegeRef
    counts: dict[str, int]
    weekly: list[WeeklyCount] = []
    quality_check: list[QueueItem] = []

    def status_counts(self) -> list[tuple[RequestStatus, int]]:
        """Non-zero counts in state-machine order; statuses this app version does not know are skipped."""
        return [(s, self.counts[s.value]) for s in RequestStatus if self.counts.get(s.value)]


# --- the job record and the student's credit (issue 14) ------------------------------------------


class PortfolioPdf(Payload):
    """The printable portfolio and the verification code printed on it."""

    data: bytes
    code: str
    filename: str


# --- Issues #11 and #13: the inbox, devices for push, the admin's colleges ---------------------------------------


class AdminCollege(wire.CollegeAdmin, College):
    """A college as its administrator sees it: inactive ones too, with its people."""


class CollegeJob(wire.CollegeJob):
    def category_name(self, locale: Locale) -> str:
        return self.category_name_th if locale == Locale.TH else self.category_name_en


class CollegeJobPage(wire.CollegeJobPage):
    jobs: Sequence[CollegeJob] = ()


class NotificationSettings(Payload):
    """GET/PUT /me/notification-settings: channels per kind of the person's role, quiet hours (Bangkok time)."""

    channels: dict[str, list[str]]
    quiet_hours: bool = True
    quiet_start: str = "21:00"
    quiet_end: str = "07:00"
    offers_in_quiet_hours: bool = False
    sms_fallback: bool = True
    allowed: dict[str, list[str]] = {}
    line_linked: bool = False
    devices: int = 0

    def body(self) -> dict[str, object]:
        """What PUT takes back (the read-only parts left out)."""
        return self.model_dump(include={"channels", "quiet_hours", "quiet_start", "quiet_end",
                                        "offers_in_quiet_hours", "sms_fallback"})

