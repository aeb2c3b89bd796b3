"""Request and response bodies of the REST API (they are the OpenAPI contract the app codes against). The answers
the app reads too are defined once, in shared/wire.py; this module adds the request bodies and the server-only
answers.

Every text field of a request body is `Line` (one line) or `Text` (may have line breaks): NFC-normalised and
refused when it holds control characters, before its length is checked, so the length limits apply to exactly
the string that is stored. Every number is `Finite` (no NaN or infinity, which Python's JSON parser accepts).
"""

import unicodedata
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict
from pydantic_core import PydanticCustomError

from shared.aftercare import COMMENT_MAX, RATING_MAX, RATING_MIN, rating_valid
from shared.categories import MAX_LEVEL, MIN_LEVEL, level_valid
from shared.credit import PART_PRICE_MAX, PART_QTY_MAX
from shared.display_names import MAX_LENGTH as DISPLAY_NAME_MAX
from shared.geo import SERVICE_RADIUS_MAX_KM, SERVICE_RADIUS_MIN_KM
from shared.notifications import Kind, allowed_prefs
from shared.photos import AFTER_PHOTO_INDEX_MAX, MAX_PHOTOS_PER_REQUEST
from shared.request_rules import (
    ADDRESS_MAX,
    BRAND_MAX,
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    ITEM_MAX,
    WEEKDAYS,
    ServicePlace,
)
from shared.roles import AppRole
from shared.statuses import RequestStatus
from shared.visible_text import PLAIN_NAME_PATTERN, is_blank, is_plain_name, normal_form, typed_text_problem
from shared.wire import CollegeRef, QueueItem
from shared.work import MAX_HOURS, MAX_PARTS, NOTES_MAX, PART_NAME_MAX, STEP_NOTE_MAX, UNREPAIRABLE_REASONS


def _bad_character(ch: str, allowed: frozenset[str]) -> bool:
    # Cc: C0/C1 control characters and DEL (NUL breaks PostgreSQL text); Cs: lone surrogates (not encodable).
    return ch not in allowed and unicodedata.category(ch) in ("Cc", "Cs")


def clean_text(value: object, *, multiline: bool = False, name: bool = False) -> object:
    """A text input as stored (shared.visible_text.normal_form: NFC, SARA AM typed as two characters joined);
    refuse control characters (line breaks and tabs only where `multiline`), and what no text others read may hold
    (shared.visible_text.typed_text_problem: direction controls, stacked marks), with that rule's code: a 400 naming
    the field. A `name` (a display name) leaves the latter to shared.display_names, whose own refusal the app knows
    (display_name_invalid)."""
    if not isinstance(value, str):
        return value  # the str schema refuses it with its own message
    allowed: frozenset[str] = frozenset()
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        allowed = frozenset("\n\t")
    if any(_bad_character(ch, allowed) for ch in value):
        raise PydanticCustomError("invalid_characters", "contains control characters")
    text = normal_form(value)
    if not name and (problem := typed_text_problem(text)) is not None:
        raise PydanticCustomError(problem, "refused by rule " + problem)
    return text


def _clean_line(value: object) -> object:
    return clean_text(value)


def _clean_multiline(value: object) -> object:
    return clean_text(value, multiline=True)


def _clean_name(value: object) -> object:
    return clean_text(value, name=True)


# The same rule in the document, so a client knows it: no C0/C1 control character (Text: but tab and line breaks).
# The validator above refuses with its own `invalid_characters`. Stated as a JSON Schema keyword, not Field(pattern=):
# pydantic leaves a pattern after a BeforeValidator out of the document.
LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"  # a query's or a path's text (backend/openapi_edges.py)
# A typed line or text of a body besides: no direction control (U+202A-U+202E, U+2066-U+2069). The stacked marks
# typed_text_problem refuses too are more than a JSON Schema pattern says.
TYPED_LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]*$"
# A line with something besides spaces (a name): the services' is_blank, as near as a pattern says it.
VISIBLE_LINE_PATTERN = r"^(?=.*\S)[^\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]*$"
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]*$"
Line = Annotated[str, BeforeValidator(_clean_line), Field(json_schema_extra={"pattern": TYPED_LINE_PATTERN})]
"""One line of text: NFC, no control characters."""
Text = Annotated[str, BeforeValidator(_clean_multiline), Field(json_schema_extra={"pattern": TEXT_PATTERN})]
"""Text that may have line breaks and tabs (CR LF becomes LF): NFC, no other control characters."""
NameLine = Annotated[str, BeforeValidator(_clean_name), Field(json_schema_extra={"pattern": TYPED_LINE_PATTERN})]
"""A display name: a Line whose direction controls and stacked marks shared.display_names refuses (400
display_name_invalid, the code the app shows by the name field)."""
Finite = Annotated[float, Field(allow_inf_nan=False), Strict()]
# JSON's own types only, as the document declares them: pydantic's lax mode took `false` as 0 hours, `0` as "no SMS"
# and "5" as a rating (the API fuzz, tests/integration/test_fuzz_findings.py). Strict still takes 2 for 2.0.
Flag = Annotated[bool, Strict()]
Whole = Annotated[int, Strict()]
"""A number that is neither NaN nor infinite."""
# The largest `bigint` id (PostgreSQL): a page cursor past it failed the query itself, a 500 instead of a 422.
ROW_ID_MAX = 2**63 - 1

# --- Rules the document states and the service's own code answers ------------------------------------------------
# A rule of shared/ declared in the schema (JSON Schema keywords from the same constants), checked while the body is
# read. Its refusal keeps the code the app already shows (400 rating_invalid, not a generic 422): the handler in
# backend/errors.py answers with it and names the field. Codes -> the value a dictionary key gives their text.
RULE_CODES: dict[str, str | None] = {}
# The typed-text rule of every Line and Text (clean_text): a 400 with its code, the field named.
RULE_CODES.update({"text_direction_invalid": None, "text_marks_stacked": None})


def rule(code: str, check: Callable[[Any], bool], *, key_value: str | None = None, **schema: Any) -> Any:
    """The validator and the documented constraint of one rule (use both inside `Annotated[...]`)."""
    RULE_CODES[code] = key_value

    def _check(value: Any) -> Any:
        if not check(value):
            raise PydanticCustomError(code, "refused by rule " + code)
        return value

    return AfterValidator(_check), Field(json_schema_extra=schema)


_rating_check, _rating_doc = rule("rating_invalid", rating_valid, minimum=RATING_MIN, maximum=RATING_MAX)
Rating = Annotated[Whole, _rating_check, _rating_doc]
_level_check, _level_doc = rule("skill_level_invalid", level_valid, key_value="skill",
                                minimum=MIN_LEVEL, maximum=MAX_LEVEL)
SkillLevel = Annotated[Whole, _level_check, _level_doc]
_reason_check, _reason_doc = rule("reason_required", lambda v: v in UNREPAIRABLE_REASONS,
                                  enum=list(UNREPAIRABLE_REASONS))
UnrepairableReason = Annotated[Line, _reason_check, _reason_doc]
_hours_check, _hours_doc = rule("report_hours_invalid", lambda v: 0 <= v <= MAX_HOURS, minimum=0, maximum=MAX_HOURS)
ReportHours = Annotated[Finite, _hours_check, _hours_doc]
_notes_check, _notes_doc = rule("report_too_long", lambda v: len(v) <= NOTES_MAX, maxLength=NOTES_MAX)
ReportNotes = Annotated[Text, _notes_check, _notes_doc]
_parts_check, _parts_doc = rule("report_too_long", lambda v: len(v) <= MAX_PARTS, maxItems=MAX_PARTS)
_part_name_check, _part_name_doc = rule("report_part_invalid", lambda v: not is_blank(v) and len(v) <= PART_NAME_MAX,
                                        minLength=1, maxLength=PART_NAME_MAX,
                                        pattern=VISIBLE_LINE_PATTERN)
PartName = Annotated[Line, _part_name_check, _part_name_doc]
_qty_check, _qty_doc = rule("report_part_invalid", lambda v: 1 <= v <= PART_QTY_MAX, minimum=1, maximum=PART_QTY_MAX)
PartQty = Annotated[Whole, _qty_check, _qty_doc]
_cost_check, _cost_doc = rule("report_part_invalid", lambda v: 0 <= v <= PART_PRICE_MAX, minimum=0,
                              maximum=PART_PRICE_MAX)
PartCost = Annotated[Finite, _cost_check, _cost_doc]
_photo_check, _photo_doc = rule("photo_too_many", lambda v: 0 <= v < MAX_PHOTOS_PER_REQUEST, minimum=0,
                                maximum=MAX_PHOTOS_PER_REQUEST - 1)
PhotoIndex = Annotated[int, _photo_check, _photo_doc]
"""A photo's place in its set (a path parameter)."""
_after_check, _after_doc = rule("photo_too_many", lambda v: 0 <= v <= AFTER_PHOTO_INDEX_MAX, minimum=0,
                                maximum=AFTER_PHOTO_INDEX_MAX)
AfterPhotoIndex = Annotated[int, _after_check, _after_doc]
"""An after photo's place on the job's record (a path parameter): each student's work adds its own beside the
earlier work's, and the record grows past them (shared.photos.after_photo_span; the service judges the index against
the record, this only against the column)."""


# pydantic error types -> API error codes (shared.text.ERRORS) for the per-field part of a 422.
_FIELD_CODES = {
    "invalid_characters": "invalid_characters",
    "string_too_long": "text_too_long",
    "too_long": "text_too_long",
    "finite_number": "number_not_finite",
}


def validation_fields(errors: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The `fields` of an error body from pydantic/FastAPI validation errors: input field -> error code.

    `loc` ("body", "parts", 0, "name") names the field "parts.0.name"; the first problem of a field wins.
    A bad dictionary key is named "skills.[key]": the key itself is the caller's text and is not echoed.
    Errors of the body as a whole (not JSON, not an object) name no field.
    """
    return {name: code for name, (code, _) in validation_problems(errors).items()}


def validation_problems(errors: Iterable[Mapping[str, Any]]) -> dict[str, tuple[str, Mapping[str, Any]]]:
    """`validation_fields` with the error each field's code came from, for a text that names the field's own item
    (a skill's level: its skill)."""
    fields: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for err in errors:
        parts = [str(part) for part in err.get("loc", ()) if part not in ("body", "query", "path", "header")]
        loc = [p for i, p in enumerate(parts) if parts[i + 1:i + 2] != ["[key]"]]
        loc = ["".join(ch for ch in p if ch.isprintable()) for p in loc]
        if not loc or err.get("type") == "json_invalid":
            continue
        kind = str(err.get("type"))
        code = kind if kind in RULE_CODES else _FIELD_CODES.get(kind, "invalid_value")
        fields.setdefault(".".join(loc), (code, err))
    return fields


class FieldError(BaseModel):
    code: str
    message_th: str
    message_en: str


class ErrorDetail(BaseModel):
    code: str
    message_th: str
    message_en: str
    fields: dict[str, FieldError] | None = Field(None, description="per input field, where a form has several")


class ErrorResponse(BaseModel):
    error: ErrorDetail


class CodeRequest(BaseModel):
    phone: Line = Field(max_length=32, examples=["0812345678"])


class VerifyRequest(BaseModel):
    phone: Line = Field(max_length=32)
    code: Line = Field(max_length=12)


class ProfileUpdate(BaseModel):
    display_name: NameLine | None = Field(None, max_length=2 * DISPLAY_NAME_MAX)
    locale: Literal["th", "en"] | None = None


class DatabaseHealth(BaseModel):
    ok: bool
    latency_ms: float | None = None
    migrations: int | None = None
    error: str | None = None


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: DatabaseHealth
    live_events: bool = Field(description="this copy is listening for live events")


class RequestCreate(BaseModel):
    idempotency_key: uuid.UUID = Field(description="Made by the app before the first send; a retry reuses it")
    category_code: Line = Field(max_length=40, description="a code of GET /categories (checked against the "
                                                             "database: 400 request_category_required otherwise)")
    # Envelopes of twice the rules' limits: inside them shared.request_rules answers with its own field messages,
    # which the app shows. The document states the rules' own limits (json_schema_extra wins over the envelope's
    # keyword there): what it allows, the service takes.
    item: Line = Field(max_length=2 * ITEM_MAX, json_schema_extra={"maxLength": ITEM_MAX, "minLength": 1,
                                                                   "pattern": VISIBLE_LINE_PATTERN})
    brand: Line = Field("", max_length=2 * BRAND_MAX, json_schema_extra={"maxLength": BRAND_MAX})
    description: Text = Field(max_length=2 * DESCRIPTION_MAX, json_schema_extra={
        "maxLength": DESCRIPTION_MAX, "minLength": DESCRIPTION_MIN,
        "description": f"at least {DESCRIPTION_MIN} visible characters"})
    lat: Finite | None = None
    lon: Finite | None = None
    address: Text = Field("", max_length=2 * ADDRESS_MAX, json_schema_extra={"maxLength": ADDRESS_MAX})
    province: Line = Field("", max_length=100)
    district: Line = Field("", max_length=100)
    sub_district: Line = Field("", max_length=100)
    service_place: Line = Field("centre", max_length=20, json_schema_extra={"enum": [p.value for p in ServicePlace]})
    preferred_days: list[Annotated[Line, Field(max_length=10, json_schema_extra={"enum": list(WEEKDAYS)})]] = Field(
        default_factory=list, max_length=len(WEEKDAYS))
    contact_phone: Line = Field(max_length=32)
    pdpa_consent: Flag = False
    location_approximate: Flag = Field(False, description="the pin is an area's middle (the chosen sub-district's), "
                                                          "not the place itself; default: an exact pin")


class TransitionBody(BaseModel):
    note: Text = Field("", max_length=STEP_NOTE_MAX)


class RatingBody(BaseModel):
    rating: Rating
    comment: Text = Field("", max_length=COMMENT_MAX)


class AuditEvent(BaseModel):
    id: int
    at: datetime
    actor_id: uuid.UUID | None
    actor: str
    client_ip: str | None
    action: str
    target_table: str
    target_id: uuid.UUID | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _reason_when_unrepairable(schema: dict[str, Any]) -> None:
    """The route's rule in the document: a move to unrepairable names its reason (400 reason_required)."""
    schema["if"] = {"properties": {"to_status": {"const": RequestStatus.UNREPAIRABLE.value}}, "required": ["to_status"]}
    schema["then"] = {"required": ["reason"], "properties": {"reason": {"type": "string"}}}


class StatusChange(BaseModel):
    model_config = ConfigDict(json_schema_extra=_reason_when_unrepairable)

    to_status: RequestStatus
    note: Text = Field("", max_length=STEP_NOTE_MAX)
    reason: UnrepairableReason | None = Field(None, description="required for unrepairable")
    # Issue 14: the owner's one-time handover code (handed back by the student), and the teacher named present at a
    # high-risk work step. A teacher handing back without the owner's confirmation gives the reason as `note`.
    handover_code: Line | None = Field(None, max_length=12)
    teacher_present_id: uuid.UUID | None = None


class PartIn(BaseModel):
    name: PartName
    qty: PartQty
    cost_baht: PartCost


class JobReportIn(BaseModel):
    hours: ReportHours
    notes: ReportNotes = ""
    parts: Annotated[list[PartIn], _parts_check, _parts_doc] = Field(default_factory=list)


class WeeklyCount(BaseModel):
    week_start: date
    category_code: str
    n: int


class Dashboard(BaseModel):
    college: CollegeRef
    counts: dict[str, int]
    weekly: list[WeeklyCount]
    quality_check: list[QueueItem] = Field(
        description="what waits for the college's decision (the check, unrepairable items to hand back, jobs held "
                    "by a suspended student), oldest change first")


class StudentUpdate(BaseModel):
    is_active: Flag | None = None
    skills: dict[Annotated[Line, Field(max_length=40)], SkillLevel] | None = Field(
        None, description="replaces the student's skills; the codes are the database's skills (checked there)"
    )


# --- Sessions that last (issue #11) ------------------------------------------------------------------------


class RefreshRequest(BaseModel):
    refresh_token: Line = Field(min_length=8, max_length=512)


class SignOutRequest(BaseModel):
    refresh_token: Line | None = Field(None, max_length=512)


# --- Issue #12: the teacher's job list, honest QC, the citizen's record ------------------------------------------


# --- Staff onboarding: colleges, supervisors, students (issue #11) -----------------------------------------------

Region = Literal["north", "northeast", "central", "east", "west", "south"]
COLLEGE_CODE_PATTERN = r"^[A-Z0-9][A-Z0-9-]{1,39}$"
CollegeCode = Annotated[Line, Field(pattern=COLLEGE_CODE_PATTERN, examples=["DMT-BKK"],
                                    json_schema_extra={"pattern": COLLEGE_CODE_PATTERN})]


def _left_out_not_null(schema: dict[str, Any]) -> None:
    """A model's fields that may be left out but not sent as null: the document without the null choice. (Not
    SkipJsonSchema[None]: that makes a union whose errors name the field "name.none".)"""
    for name, prop in schema.get("properties", {}).items():
        options = [o for o in prop.get("anyOf", []) if o != {"type": "null"}]
        if "anyOf" in prop and len(options) == 1:
            rest = {k: v for k, v in prop.items() if k not in ("anyOf", "default")}
            schema["properties"][name] = {**options[0], **rest}


ServiceRadius = Annotated[Finite, Field(ge=SERVICE_RADIUS_MIN_KM, le=SERVICE_RADIUS_MAX_KM)]


# A college's and a province's names, in every citizen's college list, the verify page and the PDFs: something
# visible and no direction override besides Line's no control character (shared.visible_text.is_plain_name, which
# the colleges CSV import applies too).
_place_check, _place_doc = rule("place_name_invalid", is_plain_name, pattern=PLAIN_NAME_PATTERN)
PlaceName = Annotated[NameLine, _place_check, _place_doc]


class CollegeCreate(BaseModel):
    code: CollegeCode
    name_th: PlaceName = Field(min_length=1, max_length=200)
    name_en: PlaceName = Field(min_length=1, max_length=200)
    province_th: PlaceName = Field(min_length=1, max_length=100)
    province_en: PlaceName = Field(min_length=1, max_length=100)
    region: Region
    lat: Finite = Field(description="inside Thailand")
    lon: Finite
    service_radius_km: ServiceRadius = 30
    coordinates_approximate: Flag = False
    is_active: Flag = True


class CollegeUpdate(BaseModel):
    """Only the fields given change. A field may be left out but is never null: the document has no null in its
    types, the route refuses it (422, the field named); None only tells "left out"."""

    model_config = ConfigDict(json_schema_extra=_left_out_not_null)

    code: CollegeCode | None = None
    name_th: PlaceName | None = Field(None, min_length=1, max_length=200)
    name_en: PlaceName | None = Field(None, min_length=1, max_length=200)
    province_th: PlaceName | None = Field(None, min_length=1, max_length=100)
    province_en: PlaceName | None = Field(None, min_length=1, max_length=100)
    region: Region | None = None
    lat: Finite | None = None
    lon: Finite | None = None
    service_radius_km: ServiceRadius | None = None
    coordinates_approximate: Flag | None = None
    is_active: Flag | None = None


class SkillLevels(BaseModel):
    skills: dict[Annotated[Line, Field(max_length=40)], SkillLevel] = Field(
        default_factory=dict, max_length=50,
        description="skill code → level; the codes are the database's skills (checked there)")


class StaffRegister(BaseModel):
    phone: Line = Field(max_length=32, examples=["0812345678"])
    display_name: NameLine = Field("", max_length=2 * DISPLAY_NAME_MAX)


class StudentRegister(StaffRegister, SkillLevels):
    pass


class InvitationSeen(BaseModel):
    """The invitation the person was shown when they said yes: a yes is consent to that one only."""

    role: AppRole
    # Required though it may be null (an administrator's invitation names no college): a body that leaves it out
    # says nothing about which invitation was shown.
    college_id: uuid.UUID | None


class CsvLineError(BaseModel):
    line: int
    code: str
    message_th: str
    message_en: str


class CsvErrorDetail(ErrorDetail):
    # Only a refused file (csv_invalid) has lines; the route's other 400s (a body that is not multipart, a control
    # character in the path) are plain errors.
    lines: list[CsvLineError] | None = Field(None, description="csv_invalid: every bad line with its reason")


class CsvErrorResponse(BaseModel):
    error: CsvErrorDetail


# --- Notifications (issue #13) ------------------------------------------------------------------------------------

NotifyPref = Literal["push", "line", "sms"]
# A Line like every typed text: a key that is a lone surrogate (valid JSON) is refused as one (422, the key not
# echoed), not carried to an answer that cannot be encoded (a 500).
KindName = Annotated[Line, Field(json_schema_extra={"enum": [k.value for k in Kind]})]


class UnreadCount(BaseModel):
    unread_count: int


def _channels_per_kind(schema: dict[str, Any]) -> None:
    """Each kind's channels as shared.notifications.allowed_prefs gives them (SMS only where it is allowed)."""
    schema["properties"]["channels"]["properties"] = {
        k.value: {"type": "array", "items": {"enum": [p.value for p in allowed_prefs(k)], "type": "string"}}
        for k in Kind}


class NotificationSettingsIn(BaseModel):
    model_config = ConfigDict(json_schema_extra=_channels_per_kind)

    # The kinds of shared.notifications, stated; refusing an unknown one (and deciding which kinds a role may set,
    # and SMS for which) stays the service's.
    channels: dict[KindName, list[NotifyPref]] = Field(
        default_factory=dict, description="kind → channels; kinds left out keep their defaults (push, line)")
    quiet_hours: Flag = True
    quiet_start: str = Field(default="21:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    quiet_end: str = Field(default="07:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    offers_in_quiet_hours: Flag = Field(default=False, description="students: new offers at night too")
    sms_fallback: Flag = Field(default=True, description="accepted/ready by SMS when no app or LINE reaches you")


class NotificationSettingsOut(NotificationSettingsIn):
    allowed: dict[str, list[NotifyPref]] = Field(description="per kind of the caller's role: what may be chosen")
    line_linked: bool
    devices: int
    web_push_public_key: str = Field(description="VAPID key for pushManager.subscribe; empty: no Web Push")


class WebPushKeys(BaseModel):
    p256dh: Line = Field(min_length=16, max_length=200)
    auth: Line = Field(min_length=8, max_length=100)


class DeviceIn(BaseModel):
    platform: Literal["android", "ios", "web", "desktop"]
    token: Line = Field(min_length=8, max_length=2000,
                        description="FCM registration token; for Web Push the subscription's endpoint URL")
    keys: WebPushKeys | None = Field(default=None, description="Web Push only: the subscription's keys")


class LineLinkCode(BaseModel):
    code: str = Field(description="the person sends this to the LINE official account")
    expires_at: datetime
    add_friend_url: str


class DeliveryDay(BaseModel):
    day: date
    channel: str
    sent: int
    failed: int
    pending: int
    skipped: int


class DeliveryFailure(BaseModel):
    id: int
    notification_id: int
    channel: str
    kind: str
    attempts: int
    last_error: str | None
    updated_at: datetime


class DeliveryReport(BaseModel):
    days: list[DeliveryDay]
    failures: list[DeliveryFailure]
