"""The API's answers that both the backend and the app read: one definition of the wire contract.

The backend declares these as its response models (so they are the OpenAPI document); the app parses the same
classes, subclassing one only to add a display helper. Request bodies stay in `backend/schemas.py`: their
validators (NFC text, length envelopes) are the server's business; only a body with nothing to check beyond its
types is here (section "request bodies"), built by the app and read by the route from the same class.

Defaults are the app's tolerance for an older backend and for a field a newer backend drops; the backend always
sends every field, so the OpenAPI document still marks them all required (`json_schema_serialization_defaults_
required`). Unknown fields are ignored so the backend can grow without breaking installed apps. Pure pydantic: the
phone app packages this module.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.roles import AppRole
from shared.statuses import OfferStatus, RequestStatus
from shared.text import Locale


class Wire(BaseModel):
    # Frozen: an answer is a fact the app shows, never a place to keep edits.
    model_config = ConfigDict(frozen=True, extra="ignore", json_schema_serialization_defaults_required=True)


# --- who is signed in -----------------------------------------------------------------------------------------


class CollegeRef(Wire):
    id: UUID
    code: str
    name_th: str
    name_en: str


class Profile(Wire):
    id: UUID
    role: AppRole
    display_name: str
    phone: str | None = None
    locale: Locale = Locale.TH
    college: CollegeRef | None = None
    takes_jobs: bool = Field(True, description="false: a student their college switched off taking jobs (no offers); "
                                               "the account works as before")


class CodeSent(Wire):
    phone: str = Field(description="The number in E.164 form")
    expires_in: int
    dev_code: str | None = Field(None, description="Local developer mode only: the code, to show as a hint")
    code_length: int = Field(6, description="digits of the code (the issuer's setting: 6–10 on Supabase)")


class SignedIn(Wire):
    """Supabase Auth's session shape: use `refresh_token` at POST /auth/refresh before `expires_at` (unix time)."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    profile: Profile | None = Field(description="who signed in; null only when `suspended` (nothing about a "
                                                 "suspended account is told)")
    suspended: bool = Field(False, description="true: an operator suspended the account; the session reaches only "
                                               "GET /me/export, DELETE /me and sign-out (PDPA rights), every other "
                                               "call answers 403 account_suspended")
    refresh_token: str | None = Field(None, description="single use: each refresh returns the next one")
    expires_at: int | None = Field(None, description="unix time the access token stops working")


# Supabase Auth answers a refresh token again for this long after its first use (GoTrue's
# GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL, 10 s by default), so a refresh whose answer was lost on the way can be
# asked again; later, the older GoTrue releases and the local issuer take it for a copied token and end the session.
REFRESH_TOKEN_REUSE_SECONDS = 10


# --- the catalogue and the colleges ---------------------------------------------------------------------------


class CategorySkill(Wire):
    skill: str
    min_level: int
    name_th: str
    name_en: str


class Category(Wire):
    code: str
    name_th: str
    name_en: str
    icon: str
    skills: list[CategorySkill] = []


class College(Wire):
    id: UUID
    code: str
    name_th: str
    name_en: str
    province_th: str
    province_en: str
    region: str
    lat: float
    lon: float
    service_radius_km: float
    coordinates_approximate: bool = False


class StaffPerson(Wire):
    id: UUID
    display_name: str
    phone: str | None = None


class CollegeAdmin(College):
    """A college as its administrator sees it: inactive ones too, with its people."""

    is_active: bool = True
    supervisors: list[StaffPerson] = []
    students: int = Field(0, description="active students (technicians)")
    pending_invites: int = Field(0, description="people registered by phone who have not signed in yet")


class StaffRegistered(Wire):
    phone: str = Field(description="E.164")
    role: AppRole
    college_id: UUID | None = None
    existing_account: bool = Field(False, description="true: changed now; false: applied at their first sign-in")
    awaiting_acceptance: bool = Field(False, description="true: a citizen's own account, invited; it changes only "
                                                         "when the person accepts in the app")


class StudentImportReport(Wire):
    imported: int
    changed_now: int = Field(0, description="existing accounts made students at once")
    invited: int = Field(0, description="applied at their first sign-in")
    awaiting_acceptance: int = Field(0, description="citizens' own accounts invited: they accept in the app")


class StaffInvitation(Wire):
    """An invitation waiting for the signed-in citizen's answer (GET /me/invitation)."""

    role: AppRole
    college: CollegeRef | None = None
    skills: dict[str, int] = Field(default_factory=dict)
    invited_at: datetime
    expires_at: datetime = Field(description="after this it can no longer be answered (shared.invitations)")


class PendingInvite(Wire):
    """A phone a college registered that is not staff yet (GET /colleges/{id}/invites): waiting for the first
    sign-in, or for the account's owner to accept (`awaiting_acceptance`), or declined (`declined_at`); open until
    `expires_at` (`expired` once past, and not yet answered). `id` names it for a withdraw."""

    id: UUID
    phone: str
    role: AppRole
    college_id: UUID | None = None
    display_name: str = ""
    skills: dict[str, int] = Field(default_factory=dict)
    created_at: datetime
    expires_at: datetime
    expired: bool = False
    awaiting_acceptance: bool = False
    declined_at: datetime | None = None


# --- requests, offers and the teacher's lists -------------------------------------------------------------------


class RequestSummary(Wire):
    id: UUID
    reference: str | None = Field(None, description="the short reference people quote, e.g. FX-690001")
    category_code: str
    category_name_th: str
    category_name_en: str
    category_icon: str
    item: str
    status: RequestStatus
    created_at: datetime
    updated_at: datetime
    college_name_th: str | None = None
    college_name_en: str | None = None


class JobSummary(RequestSummary):
    """A job on the student's list (GET /technician/jobs): one they lead, or one they help on."""

    helping: bool = Field(False, description="the student helps on this job's current round (the lead acts on it; "
                                             "they read it)")


class QueueItem(RequestSummary):
    """A job in the teacher's dashboard queue: what waits for the college's decision (shared.statuses.COLLEGE_DECIDES:
    the check, an unrepairable item's hand back) and the jobs held by a student the operator suspended."""

    holder_suspended: bool = Field(False, description="held by a student whose account is suspended: the teacher "
                                                      "gives it to another student or takes it back")


class UndecidedJob(RequestSummary):
    """A job waiting on a college that has nobody to decide it (GET /admin/undecided): an admin may."""

    college_id: UUID | None = None
    why: str = Field(description="'no_teacher': the college has no active teacher; 'own_request': its only "
                                 "teacher asked for the repair; 'own_work': a check whose college's "
                                 "active teachers all worked on the job (own_work_check); 'teacher_needed': a "
                                 "high-risk job in a student's hands at a college with no active teacher, whose next "
                                 "step needs one present (take it back to send it on)")
    holder_suspended: bool = Field(False, description="held by a student whose account is suspended")


class StatusEvent(Wire):
    """One entry of a request's timeline."""

    id: int
    actor: str
    actor_name: str | None = None
    from_status: RequestStatus | None = None
    to_status: RequestStatus
    note: str = Field("", description="in the reader's language: the system's note (note_code), then what a person "
                                      "typed")
    note_code: str | None = Field(None, description="the system's note as a code of shared.text.EVENT_NOTES")
    created_at: datetime
    teacher_present_name: str | None = Field(
        None, description="a high-risk work step: the first name of the teacher named present (issue 14)")


PhotoKind = Literal["before", "after"]
"""before: the citizen's photos of the problem; after: the technician's of the repair."""


class Photo(Wire):
    """A photo of a request (GET /requests/{id}/photos/{kind}/{idx} has its bytes); also an upload's answer."""

    id: UUID
    kind: PhotoKind = Field("before", description="before: the citizen's; after: the technician's")
    idx: int
    content_type: str = "image/jpeg"
    width: int = 0
    height: int = 0
    bytes: int = 0


class MissingItem(Wire):
    """One thing a job's record lacks before the teacher's check (codes: shared.work.QC_REQUIREMENTS)."""

    code: str
    message_th: str
    message_en: str


class ReportPart(Wire):
    name: str
    qty: int = 1
    cost_baht: float = 0.0


class WorkReport(Wire):
    """A student's work report on a job: hours, notes and parts (PUT /requests/{id}/report)."""

    hours: float = 0.0
    notes: str = ""
    parts: list[ReportPart] = []
    parts_total_baht: float = 0.0
    updated_at: datetime | None = None


class WaitingRequest(RequestSummary):
    """A request no centre took (status no_centre), as the admin sees it: where it is, to pick a college."""

    lat: float | None = None
    lon: float | None = None
    province: str = ""
    district: str = ""
    # What the admin reads before sending it on (session 21's walk-through: the card named only the item).
    description: str = Field("", description="what the citizen wrote is wrong (the card shows it clipped)")
    photo_count: int = Field(0, description="before photos: GET /requests/{id}/photos/before/{idx} (the card shows "
                                            "the first's thumbnail)")
    owner_suspended: bool = Field(
        False, description="its citizen's account is suspended: it cannot be sent on (409 owner_suspended) until "
                           "restored, when the clock offers it again by itself")


class CollegeFit(Wire):
    """GET /admin/waiting/{request_id}/colleges: whether an active college could take a waiting request, so the
    admin's send-on picker says so before the confirmation (a send-on to a college that cannot answers 409)."""

    college_id: UUID
    students: int = Field(description="its active students with a skill of the request's category at the level it "
                                      "needs (never the request's own owner)")
    needs_teacher: bool = Field(description="the job's steps need a teacher present (a high-risk category)")
    has_teacher: bool = Field(description="the college has an active teacher")

    @property
    def can_take(self) -> bool:
        return self.students > 0 and (self.has_teacher or not self.needs_teacher)


class RequestAction(StrEnum):
    """What the caller may do with a request now; the server decides and lists them."""

    CANCEL = "cancel"
    RATE = "rate"
    REOPEN = "reopen"


class RequestDetail(RequestSummary):
    """GET /requests/{id}: the request as the caller may see it, with what they may do now."""

    brand: str = ""
    description: str = ""
    lat: float | None = None
    lon: float | None = None
    location_approximate: bool = Field(
        False, description="the pin is an area's middle (or a finished job's coarsened place), not the house")
    address: str = ""
    province: str = ""
    district: str = ""
    sub_district: str = ""
    service_place: str = "centre"
    preferred_days: list[str] = []
    contact_phone: str = ""
    technician_id: UUID | None = Field(None, description="the student on the job (issue 14: the team's lead)")
    technician_first_name: str | None = None
    rating: int | None = None
    rating_comment: str | None = None
    timeline: list[StatusEvent] = []
    photos: list[Photo] = []
    # Plain strings, so an action this app version does not know is ignored, not a parse failure.
    actions: list[str] = Field(default_factory=list, description="what the caller may do now: RequestAction values")
    report: WorkReport | None = Field(None, description="the repair record (the owner sees it too once there is one)")
    college_phone: str | None = Field(None, description="the college's phone (E.164), when it has one")
    college_lat: float | None = None
    college_lon: float | None = None
    college_coordinates_approximate: bool | None = Field(
        None, description="the college's point may be its town's centre: say so on the map")
    next_step: str = Field("", description="what happens next, in the reader's language")
    expected_wait: str | None = Field(None, description="how long that usually takes, in the reader's language")
    quality_check_missing: Sequence[MissingItem] = Field(
        default=(),
        description="what the job's record still lacks before the teacher's check (staff only; empty: complete)")
    # A reopened job repaired again is a new round: its record is reported and evidenced again before the check.
    work_round: int = Field(1, description="the job's round of work: 1, plus one each time its owner reopened it")
    report_in_round: bool = Field(
        False, description="the saved report is this round's (in a later round, one saved since the reopen)")
    after_photos_in_round: list[int] = Field(
        default=[], description="indices of the after photos of the work now on the job (this round's, and since "
                                "a take back or reassign its student's own); the others are earlier work's, beside "
                                "which the app adds at shared.photos.free_after_slots")
    # Issue 14 (GET /requests/{id}/record has the whole record).
    parts_approved_total_baht: float = Field(0, description="parts the owner approved (in the app or by phone)")
    parts_waiting: int = Field(0, description="parts proposed and waiting for the owner's answer")
    handover_confirmed: bool = Field(False, description="the owner's receipt (or a teacher's reason) is recorded")
    is_mine: bool = Field(
        False, description="the caller asked for this repair (a teacher who did: another teacher checks it)")
    teacher_needed: bool = Field(
        False, description="a high-risk job in a student's hands (accepted, diagnosing, repairing) at a college with "
                           "no active teacher now: its next hands-on step needs one present (409 "
                           "teacher_presence_required), so it waits for a teacher of the college or an admin's take "
                           "back, which sends it on to a college with one")


class Offer(Wire):
    offer_id: UUID
    request_id: UUID
    offer_status: OfferStatus
    category_code: str
    item: str
    province: str
    district: str
    distance_km: float
    created_at: datetime
    expires_at: datetime
    photo_count: int = Field(0, description="before photos: GET /requests/{request_id}/photos/before/{idx}")
    description: str = Field("", description="the citizen's words about the problem (never their phone or address "
                                             "before accepting)")
    location_approximate: bool = Field(
        False, description="the request's pin (its distance's end) is an area's middle, not the house")


# GET /technician/offers says, beside its list, whether the caller's college lets them take jobs (what GET /me's
# `Profile.takes_jobs` says): the student's home learns of a switch-off at each refresh from the feed it fetches
# anyway, not from a second request. A header, not a field: the feed is a bare JSON list that installed apps parse
# as one (an object around it would break them), built by PostgreSQL as the body; both the route and the direct read
# (backend/direct_reads.py) answer through the same endpoint function, so both send it.
TAKES_JOBS_HEADER = "X-Takes-Jobs"
_TAKES_JOBS_VALUES = {"true": True, "false": False}


def takes_jobs_header(takes_jobs: bool) -> str:
    return "true" if takes_jobs else "false"


def takes_jobs_from_header(value: str | None) -> bool | None:
    """The header's flag; None when it is missing (an older backend) or not one of its two values."""
    return None if value is None else _TAKES_JOBS_VALUES.get(value.strip().lower())


# GET /requests/mine: the caller's unread notifications (the bell's number), counted in the same statement as the
# list, so the home's refresh needs no GET /me/notifications/unread-count beside it. A header for the same reason
# as X-Takes-Jobs: the body stays the array other clients read.
UNREAD_COUNT_HEADER = "X-Unread-Count"


# The most digits a count header may have: no list or bell counts past a billion billion (and int() refuses strings of
# over 4,300 digits).
COUNT_HEADER_DIGITS_MAX = 18


def count_from_header(value: str | None) -> int | None:
    """A count header's number (X-Unread-Count, X-Total-Count); None when it is missing (an older backend) or not a
    whole number of at least 0 in ASCII digits. str.isdigit() alone is true for "²" and "⑤", which int() refuses: a
    middlebox's odd byte (Latin-1 0xB2) must be no count, never a ValueError in the call that read it."""
    if value is None:
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > COUNT_HEADER_DIGITS_MAX:
        return None
    return int(text)


def unread_count_from_header(value: str | None) -> int | None:
    """The header's count; None when it is missing (an older backend) or not a whole number of at least 0."""
    return count_from_header(value)


# The code of a failure with no answer of the backend's at all (refused, timed out, dropped, garbled on the way).
NETWORK_UNREACHABLE = "network_unreachable"
# An answer arrived, but not the backend's: the network in between answered itself. A captive portal (a hotel's or
# a café's Wi-Fi, common in Thailand) answers every address with its sign-in page, "200 text/html" (or 511, RFC 6585,
# or a redirect to it), until the person signs in to the Wi-Fi. Cured like no connection at all: by the network.
CAPTIVE_PORTAL = "captive_portal"
# The failures in which no answer of the backend's arrived: the network is to blame, the same call may go through
# once it is better (the outbox keeps a draft and sends it then).
NETWORK_CODES = frozenset({NETWORK_UNREACHABLE, CAPTIVE_PORTAL})
# POST /requests with a key whose request was stored with other details (409): the stored request stays as it was
# received, and what was sent this time is refused, never dropped silently. The app offers to send it as a new request.
IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
# The longest Retry-After the app waits for: a proxy's nonsense ("Retry-After: 99999999") must not hold a draft back
# for years; the backend's own limits reset within the hour.
RETRY_AFTER_MAX_SECONDS = 24 * 3600


def worth_sending_again(status: int, code: str) -> bool:
    """Whether the same call, sent again unchanged, may still succeed: no answer of the backend's (`NETWORK_CODES`,
    a 408 timeout), a server fault or a server not ready (5xx), too many requests (429, after its Retry-After).
    Every other 4xx is a refusal of what was sent, which sending it again can only repeat (a 413 "too large": the
    person must send less); the app offers no "retry" for it and its outbox sends it no more (a lost sign-in, 401,
    is neither: the app asks for the sign-in)."""
    return code in NETWORK_CODES or status == 0 or status >= 500 or status in (408, 429)


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """A Retry-After header (RFC 9110 10.2.3) as seconds from `now`: delay-seconds (what the backend sends) or an
    HTTP date (what some proxies send); None when missing or unreadable; 0 for a date already past; at most
    RETRY_AFTER_MAX_SECONDS."""
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        # A run of digits longer than the cap's own is at least the cap (and int() refuses over 4,300 digits).
        if len(text) > len(str(RETRY_AFTER_MAX_SECONDS)):
            return float(RETRY_AFTER_MAX_SECONDS)
        return float(min(int(text), RETRY_AFTER_MAX_SECONDS))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110's dates are GMT; the obsolete forms may come without a zone
        when = when.replace(tzinfo=UTC)
    return min(max((when - now).total_seconds(), 0.0), float(RETRY_AFTER_MAX_SECONDS))


def error_code_for_status(status: int) -> str:
    """The error code of an error answer without the backend's body ({"error": {"code": ...}}): a proxy's or
    gateway's own page (nginx's 413 for a body over its client_max_body_size, a 502 while the backend restarts),
    named by its HTTP status alone. Its text (shared.text.ERRORS, formatted with `status`) never says "try again"
    where trying again cannot help."""
    if status == 401:
        return "not_authenticated"
    if status == 408:  # the proxy gave up waiting for the request's bytes: a weak network
        return NETWORK_UNREACHABLE
    if status == 511:  # "Network Authentication Required": a captive portal that says so (RFC 6585)
        return CAPTIVE_PORTAL
    if status == 413:
        return "upload_too_large"
    if status == 429:
        return "too_many_requests_later"
    if status in (502, 503, 504):  # the gateway is up, the backend behind it is not (yet)
        return "server_unavailable"
    if 400 <= status < 500:
        return "request_refused"
    return "internal_error"


class CollegeQueue(Wire):
    college: CollegeRef
    counts: dict[str, int]
    # Sequence: the app reads these as its own subclass with display helpers.
    requests: Sequence[RequestSummary]


class DuplicateSummary(Wire):
    """Open requests of the same kind near this place this week: a count for an area, never who, what or where."""

    count: int = Field(description="at most `DUPLICATE_COUNT_CAP`; `capped` says there may be more")
    capped: bool
    radius_m: float
    days: int


class Student(Wire):
    """One student of the teacher's college (GET /supervisor/technicians)."""

    id: UUID
    display_name: str
    phone: str | None = None
    is_active: bool = True
    # The operator suspended the account (suspend-person): off whatever the roster switch says, and the switch-on is
    # refused (409 student_suspended). is_active keeps its meaning (usable account and on the roster).
    suspended: bool = False
    open_jobs: int = 0
    skills: dict[str, int] = {}


class LedgerRow(Wire):
    """One student's training hours (GET /supervisor/ledger)."""

    technician_id: UUID
    display_name: str
    approved_jobs: int = 0
    hours: float = 0.0
    categories: list[str] = []


class CollegeJob(Wire):
    """A row of the teacher's job list (GET /supervisor/jobs)."""

    id: UUID
    reference: str
    category_code: str
    category_name_th: str
    category_name_en: str
    category_icon: str
    item: str
    brand: str = ""
    status: RequestStatus
    created_at: datetime
    updated_at: datetime
    province: str = ""
    district: str = ""
    service_place: str = "centre"
    technician_id: UUID | None = None
    technician_name: str | None = Field(None, description="the student's display name")
    technician_suspended: bool = Field(False, description="the student's account is suspended by the operator: "
                                                          "the job waits for the teacher to hand it on")
    # Plain strings, so an action this app version does not know is not a parse failure.
    actions: list[str] = Field(
        default_factory=list,
        description="what the teacher may do now: 'assign'/'reassign' (POST /requests/{id}/assign), then statuses "
                    "to move it to (POST /requests/{id}/status)")


class CollegeJobPage(Wire):
    total: int = Field(description="jobs matching the filters and the search, over all pages")
    limit: int
    offset: int = Field(0, description="an older app's paging: the rows skipped (0 when paged with `after`)")
    next_after: str | None = Field(None, description="the next page's cursor, to send as `after` with the same "
                                                     "filters and search (shared.paging); none on the last page")
    counts: dict[str, int] = Field(default_factory=dict, description="the college's jobs per status group (the "
                                                                      "filter chips), whatever the filters")
    jobs: Sequence[CollegeJob] = ()


# --- the inbox (issue #13) ----------------------------------------------------------------------------------------


class NotificationItem(Wire):
    id: int
    kind: str
    title: str = Field(description="in the reader's language")
    body: str
    link: str = Field(description="the app route to open, e.g. /requests/{id}, /jobs/{id}, /offers")
    request_id: UUID | None = None
    created_at: datetime
    read: bool


class NotificationPage(Wire):
    items: list[NotificationItem]
    unread_count: int
    next_before_id: int | None = Field(None, description="pass as before_id for the next (older) page; null: no more")


# --- request bodies (nothing to check beyond their types) ---------------------------------------------------------


class AssignBody(BaseModel):
    """POST /requests/{id}/assign."""

    technician_id: UUID


class DispatchBody(BaseModel):
    """POST /requests/{id}/dispatch."""

    college_id: UUID | None = Field(None, description="send to this college; empty: run dispatch again")
