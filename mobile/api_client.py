"""Typed async client for the Fixit backend: every failure comes out as one ApiError."""

import asyncio
import contextlib
import dataclasses
import ipaddress
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypedDict, TypeVar, Unpack
from urllib.parse import quote
from uuid import UUID

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from mobile.models import (
    AdminCollege,
    Category,
    College,
    CollegeCredit,
    CollegeJobPage,
    DuplicateSummary,
    HoursWaiting,
    JobOutcome,
    JobPart,
    JobRecord,
    JobSummary,
    LedgerRow,
    NotificationPage,
    NotificationSettings,
    Offer,
    OtpRequested,
    Portfolio,
    PortfolioPdf,
    Profile,
    RequestDetail,
    RequestSummary,
    SessionTokens,
    SignedIn,
    SkillProposal,
    StaffRegistered,
    StudentImportReport,
    SupervisorDashboard,
    SupervisorQueue,
    Teacher,
    TeamMember,
    TechnicianItem,
    UndecidedJob,
    UploadedPhoto,
    WaitingRequest,
    WorkDetail,
    WorkReport,
)
from shared.accept_language import ACCEPT_LANGUAGE
from shared.credit_wire import (
    TOTAL_COUNT_HEADER,
    HandoverCode,
    LevelChange,
    PartDecision,
    ProposalDecided,
    ProposalDecision,
    TeamJob,
    total_count_from_header,
)
from shared.paging import LIST_PAGE, NEXT_CURSOR_HEADER
from shared.statuses import OfferGone
from shared.text import Bilingual, Locale, error_text, error_text_waiting
from shared.wire import (
    CAPTIVE_PORTAL,
    NETWORK_CODES,
    NETWORK_UNREACHABLE,
    TAKES_JOBS_HEADER,
    UNREAD_COUNT_HEADER,
    AssignBody,
    CollegeFit,
    DispatchBody,
    PendingInvite,
    StaffInvitation,
    error_code_for_status,
    retry_after_seconds,
    takes_jobs_from_header,
    unread_count_from_header,
    worth_sending_again,
)

log = logging.getLogger("fixit.app.api")

T = TypeVar("T")

# Codes with which the backend says "this token is no good": the app must sign in again.
# `account_banned`: a person banned in Supabase Auth (its refresh answers 403 so, every time).
# `phone_sign_in_required`: a Supabase session of an account without a phone sign-in (e-mail, anonymous): the login
# is where a phone signs in.
AUTH_LOST_CODES = frozenset({"token_invalid", "not_authenticated", "session_expired", "account_banned",
                             "phone_sign_in_required"})
# An operator suspended the account: the session still reaches the person's data rights (download, delete) only.
ACCOUNT_SUSPENDED = "account_suspended"
_OFFER_GONE = frozenset(OfferGone)
# Refresh this long before the access token expires (clocks on phones drift; GoTrue's tokens live an hour).
REFRESH_MARGIN_SECONDS = 60.0
TokensChanged = Callable[[SessionTokens | None], Awaitable[None]]
# Told of every answer 403 `account_suspended`, before the call raises it: the app moves to its suspended screen at
# once, also for calls whose callers keep errors to themselves (thumbnails, a draft's background send, a hint).
Suspended = Callable[["ApiError"], Awaitable[None]]
# The answer to a call whose session ended while it was under way (a sign-out; someone else may be signed in now):
# raised instead of whatever came back, so nothing of it reaches the session signed in now (see `ApiClient._send`).
SESSION_ENDED = "session_ended"
# An idle pooled connection is dropped after this long: below the keep-alive of uvicorn's default (5 s) and of the
# backend's `serve` (30 s), so the app never sends on a connection the server is closing. Sent on one, a POST failed
# as "no connection" after someone took a while to fill a form (issue 9, seen under load).
KEEPALIVE_SECONDS = 3.0
# POST /auth/refresh's own limits, shorter than every other call's 10 s: a refresh whose answer is lost to a timeout
# is asked again at once, and that repeat must reach the server within the reuse interval of the token the first
# one used (shared.wire.REFRESH_TOKEN_REUSE_SECONDS), or Supabase Auth takes it for a copied token and ends the
# session (resil25 1). At worst the first was stored the moment it arrived and its answer waited for `read`; the
# repeat then waits for a pooled connection, a connection and its bytes: 8 s together, inside the 10 s with room for
# the server's own work. (A network too slow for these fails the refresh as "no connection"; the tokens are kept.)
REFRESH_TIMEOUT = httpx.Timeout(connect=2.5, read=4.0, write=1.0, pool=0.5)
# POST /me/devices may wait for a push the delivery worker is sending to the same device (edges27 #2: it holds the
# device row while it sends, up to the backend's `notify_send_timeout_seconds`, 15 s by default, for its whole
# turn). The app registers in the background, so nobody waits on it: it waits for the answer longer than that, or a
# late answer read as "no connection" left the phone's pushes opted out for the session (review27a #2).
DEVICE_REGISTRATION_READ_SECONDS = 60.0
# A roster import is all lines or none, one transaction of a few statements a line: a full file took 5-9 s on a loaded
# 2-core server (import28). Given up at the client's 10 s, the teacher read "no connection" for a file the backend
# then stored whole, and sent it again.
ROSTER_IMPORT_READ_SECONDS = 120.0

# Built once: a TypeAdapter compiles a validator, which is too slow to repeat on every call.
_OTP_REQUESTED = TypeAdapter(OtpRequested)
_SIGNED_IN = TypeAdapter(SignedIn)
_PROFILE = TypeAdapter(Profile)
_CATEGORIES = TypeAdapter(list[Category])
_REQUESTS = TypeAdapter(list[RequestSummary])
_JOBS = TypeAdapter(list[JobSummary])
_OFFERS = TypeAdapter(list[Offer])
_QUEUE = TypeAdapter(SupervisorQueue)
_COLLEGES = TypeAdapter(list[College])
_REQUEST_DETAIL = TypeAdapter(RequestDetail)
_UPLOADED_PHOTO = TypeAdapter(UploadedPhoto)
_DUPLICATES = TypeAdapter(DuplicateSummary)
_WORK_DETAIL = TypeAdapter(WorkDetail)
_WORK_REPORT = TypeAdapter(WorkReport)
_DASHBOARD = TypeAdapter(SupervisorDashboard)
_TECHNICIANS = TypeAdapter(list[TechnicianItem])
_TECHNICIAN = TypeAdapter(TechnicianItem)
_LEDGER = TypeAdapter(list[LedgerRow])
_WAITING = TypeAdapter(list[WaitingRequest])
_COLLEGE_FIT = TypeAdapter(list[CollegeFit])
_UNDECIDED = TypeAdapter(list[UndecidedJob])
_JOB_RECORD = TypeAdapter(JobRecord)
_JOB_OUTCOME = TypeAdapter(JobOutcome)
_JOB_PART = TypeAdapter(JobPart)
_TEAM = TypeAdapter(list[TeamMember])
_TEACHERS = TypeAdapter(list[Teacher])
_PROPOSALS = TypeAdapter(list[SkillProposal])
_PORTFOLIO = TypeAdapter(Portfolio)
_COLLEGE_CREDIT = TypeAdapter(CollegeCredit)
_HOURS_WAITING = TypeAdapter(list[HoursWaiting])
_NOTIFICATIONS = TypeAdapter(NotificationPage)
_ADMIN_COLLEGES = TypeAdapter(list[AdminCollege])
_NOTIFICATION_SETTINGS = TypeAdapter(NotificationSettings)
_ADMIN_COLLEGE = TypeAdapter(AdminCollege)
_STAFF_REGISTERED = TypeAdapter(StaffRegistered)
_JOB_PAGE = TypeAdapter(CollegeJobPage)
_IMPORT_REPORT = TypeAdapter(StudentImportReport)
_INVITATION = TypeAdapter(StaffInvitation | None)
_PENDING_INVITES = TypeAdapter(list[PendingInvite])
_TEAM_JOBS = TypeAdapter(list[TeamJob])
_LEVELS = TypeAdapter(list[LevelChange])
_HANDOVER_CODE = TypeAdapter(HandoverCode)
_PROPOSAL_DECIDED = TypeAdapter(ProposalDecided)


class _SendOptions(TypedDict, total=False):
    json: Mapping[str, Any] | None
    files: Mapping[str, tuple[str, bytes, str]] | None
    params: Mapping[str, str] | None
    headers: Mapping[str, str] | None
    auth: bool
    retry_auth: bool
    limits: httpx.Timeout | None


R = TypeVar("R")


@dataclass(frozen=True)
class ListPage(Generic[R]):
    """A page of one of the long lists (shared.paging: a person's requests, a student's jobs, a helper's team jobs,
    the admin's lists, the teacher's job list) and how many rows the whole list has: its `X-Total-Count` header (an
    older backend sends the whole list and no count: as many as its rows). The next page is asked for with `after` =
    this page's `after`, the X-Next-Cursor header (the place of its last row; None: the list ends here), or the
    app's own cursor for a list an older backend pages by `offset` only (`_next_page`). `rest`: how many rows follow
    this page, counted with it, where the backend says so (the teacher's hours waiting count from the page's start
    on: their `total` is that count, not the whole list's); None where only the whole list is counted (a page after
    another is then short of rows that left the list since the rows before it were read: the app cannot tell)."""

    rows: list[R]
    total: int
    after: str | None = None
    rest: int | None = None


# A list an older backend pages by `offset` only (no X-Next-Cursor; the teacher's job page: no `next_after`): the next
# page's place as the app writes it, "offset:N" (N rows read), sent back as `offset=N`. A backend's cursor is base64url
# and never holds the colon.
_OFFSET_CURSOR = "offset:"
# The rounds waiting for a teacher's approval page after the last one listed: "ref_no.round" (its sort key).
_ROUND_CURSOR = re.compile(r"([0-9]{1,18})\.([0-9]{1,3})")


def _offset_of(after: str | None) -> int | None:
    """How many rows the app's offset cursor says were read: 0 for the first page, None for a backend's cursor."""
    if after is None:
        return 0
    if not after.startswith(_OFFSET_CURSOR) or not after.removeprefix(_OFFSET_CURSOR).isdigit():
        return None
    return int(after.removeprefix(_OFFSET_CURSOR))


def _next_page(after: str | None, cursor: str | None, read: int, limit: int, total: int | None) -> str | None:
    """The next page's place: the backend's cursor; without one, for a page asked by offset (the first page, or one
    after the app's offset cursor), a full page whose count says rows follow it is an older backend's, which pages
    by `offset` only: the app's offset cursor past the rows read (a backend that pages by cursor sends one whenever
    rows follow a page, so its first page without one is the whole list; after a cursor its page without one is the
    last)."""
    if cursor:
        return cursor
    offset = _offset_of(after)
    if offset is None or total is None or read < limit or total <= offset + read:
        return None
    return f"{_OFFSET_CURSOR}{offset + read}"


def _place_params(after: str | None) -> dict[str, str]:
    """`after` as the backend's cursor, or `offset` for the app's own offset cursor (an older backend's list)."""
    offset = _offset_of(after)
    if after is None or offset == 0:
        return {}
    return {"after": after} if offset is None else {"offset": str(offset)}


@dataclass(frozen=True)
class OfferFeed:
    """GET /technician/offers: the offers, and whether the caller's college lets them take jobs (its
    `X-Takes-Jobs` header; None from an older backend that does not send it)."""

    offers: list[Offer]
    takes_jobs: bool | None


@dataclass(frozen=True)
class ApiError(Exception):
    status: int  # 0 when no HTTP answer arrived at all
    code: str
    message_th: str
    message_en: str
    # Per-field problems of a 400 on a form (field name -> its message), e.g. {"item": ...}.
    fields: Mapping[str, Bilingual] = field(default_factory=dict)
    # Per-line problems of a refused CSV upload: (line number, its message).
    lines: tuple[tuple[int, Bilingual], ...] = ()
    # The answer's Retry-After (a 429's, a 503's), in seconds from its arrival: nothing is sent again before then,
    # and the message says when (shared.text.WAIT_ERRORS). None when the answer did not say.
    retry_after: float | None = None

    @classmethod
    def from_catalog(cls, status: int, code: str) -> "ApiError":
        text = error_text(code)
        return cls(status, code, text.th, text.en)

    @property
    def text(self) -> Bilingual:
        return Bilingual(self.message_th, self.message_en)

    def message(self, locale: Locale) -> str:
        return self.text.in_(locale)

    @property
    def is_auth_lost(self) -> bool:
        """The session cannot go on as it was: back to the login, or (`is_suspended`) to the one screen a suspended
        account has. Every screen hands such an error to the app."""
        return self.status == 401 or self.code in AUTH_LOST_CODES or self.is_suspended

    @property
    def is_suspended(self) -> bool:
        return self.code == ACCOUNT_SUSPENDED

    @property
    def is_network(self) -> bool:
        """No answer of the backend's arrived (no connection, or a captive portal answered instead): kept and sent
        again once the network is better, as when offline."""
        return self.code in NETWORK_CODES

    @property
    def is_retryable(self) -> bool:
        """Sending the same call again may succeed (shared.wire.worth_sending_again): the network, a server fault,
        too many requests (after `retry_after`). False for a refusal of what was sent (a 413, any other 4xx): the
        person must change it, so no "retry" is offered and no outbox sends it again."""
        return worth_sending_again(self.status, self.code)

    @property
    def is_offer_gone(self) -> bool:
        """GET /requests/{id} to the student who had an offer of the job and has it no more (410, migration 0058):
        another student took it, or it ended. Its words say which."""
        return self.status == 410 and self.code in _OFFER_GONE

    @property
    def is_session_ended(self) -> bool:
        """The answer of a session that has ended since the call was made: its caller belongs to that session and
        gives up (it is `is_auth_lost` too); the app signed in now has nothing to do with it."""
        return self.code == SESSION_ENDED

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message_en}"


def _error_from_response(response: httpx.Response, now: float) -> ApiError:
    """The error an answer carries: the backend's body, or one named by the status (a proxy's page), with its
    Retry-After (seconds, or an HTTP date read against `now`, the client's clock) and words that say when. A
    Retry-After on a refusal that no resend can cure (a 413 that has one) says nothing to wait for."""
    error = _error_body(response)
    wait = retry_after_seconds(response.headers.get("retry-after"), datetime.fromtimestamp(now, UTC))
    if wait is None or not error.is_retryable:
        return error
    text = error_text_waiting(error.code, error.text, wait)
    return dataclasses.replace(error, message_th=text.th, message_en=text.en, retry_after=wait)


def _error_body(response: httpx.Response) -> ApiError:
    try:
        error = response.json()["error"]
        return ApiError(
            response.status_code,
            str(error["code"]),
            str(error["message_th"]),
            str(error["message_en"]),
            _field_errors(error.get("fields")),
            _line_errors(error.get("lines")),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        # A proxy's HTML page or an empty body: told by its status, in the person's language.
        status = response.status_code
        code = error_code_for_status(status)
        text = error_text(code, status=status)
        return ApiError(status, code, text.th, text.en)


# What a call's success may carry, by media type: the backend names the type of every body it sends (JSON, a photo, a
# PDF, a CSV file, the live events' stream), so a body of another type, or of none, is not its answer (see
# `from_a_portal`).
JSON_TYPES = ("application/json",)
PHOTO_TYPES = ("image/jpeg", "image/webp")  # WebP: photos stored before session 13
PDF_TYPES = ("application/pdf",)
CSV_TYPES = ("text/csv",)
EVENT_STREAM_TYPES = ("text/event-stream",)  # GET /events (mobile/live.py)


def from_a_portal(response: httpx.Response, expected: tuple[str, ...]) -> bool:
    """A success the backend never gives this call: a redirect (304 aside, the catalogue's "unchanged"), or a body
    whose media type is not one the call expects (`expected`), a web page or a body without a type among them. A
    captive portal's sign-in page, or its redirect to it. An empty body (204) is any call's "done". The one check
    of every call's answer, the live events' stream's too (read before its body: then only a "Content-Length: 0"
    is known to be empty)."""
    if response.is_redirect and response.status_code != 304:
        return True
    try:
        empty = not response.content
    except httpx.ResponseNotRead:
        empty = response.headers.get("content-length") == "0"
    if empty:
        return False
    content_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return content_type not in expected


def _field_errors(raw: Any) -> dict[str, Bilingual]:
    if not isinstance(raw, dict):
        return {}
    fields: dict[str, Bilingual] = {}
    for name, problem in raw.items():
        if isinstance(problem, dict):
            code = str(problem.get("code", ""))
            fallback = error_text(code)
            fields[str(name)] = Bilingual(
                str(problem.get("message_th") or fallback.th), str(problem.get("message_en") or fallback.en)
            )
    return fields


def _line_errors(raw: Any) -> tuple[tuple[int, Bilingual], ...]:
    if not isinstance(raw, list):
        return ()
    lines: list[tuple[int, Bilingual]] = []
    for problem in raw:
        if isinstance(problem, dict) and isinstance(problem.get("line"), int):
            fallback = error_text(str(problem.get("code", "")))
            lines.append((problem["line"], Bilingual(str(problem.get("message_th") or fallback.th),
                                                     str(problem.get("message_en") or fallback.en))))
    return tuple(lines)


def forwarding_headers(visitor: str | None) -> dict[str, str]:
    """`X-Forwarded-For: <visitor>` for the calls the web app's server makes for one browser visitor (attack26 #1).
    Its Python runs on the server, so without it every browser came to the backend from the web app's one address,
    and the per-address sign-in limits (10 codes per 10 minutes) were one bucket for all of them: anyone's ten
    requests locked every browser out. The backend's uvicorn believes the header only from the addresses it trusts
    (FORWARDED_ALLOW_IPS: 127.0.0.1 by default, a web app on the same machine); from anywhere else it is ignored
    and the call counts as the web app's. Only an IP address is passed on (the websocket's peer as the web app's
    own proxy_headers resolved it), nothing a visitor typed."""
    if not visitor:
        return {}
    try:
        return {"X-Forwarded-For": str(ipaddress.ip_address(visitor))}
    except ValueError:
        return {}


class ApiClient:
    """Keeps the session too: the access token, the single-use refresh token and when the access token expires.

    Before a call whose access token is about to expire, and once after a 401, it trades the refresh token for new
    tokens (POST /auth/refresh) and hands them to `on_tokens_changed` to be stored. When the session has ended
    (the backend refuses the refresh token) it forgets the tokens, calls `on_tokens_changed(None)` and raises
    ApiError 401 session_expired, whose `is_auth_lost` sends the person to the login. Network trouble during a
    refresh (asked twice at once: its answer may be the one lost) keeps the tokens: the next call tries again.

    Each session it keeps is a `generation` of its own: a sign-in, a restored session and a sign-out each begin the
    next one (a refresh keeps it). Every call is made for the generation current when it starts, and its answer
    counts only while that generation lasts: one that arrives after it (a sign-out meanwhile, and perhaps someone
    else's sign-in) is never sent again with the tokens of the session current now, tells the hooks (the bell's
    count, a suspension, new tokens) nothing, and is raised as ApiError 401 `session_ended` whatever it was, so the
    caller, a screen of the ended session, stops there."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout_seconds: float = 10.0,
        token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        refresh_margin_seconds: float = REFRESH_MARGIN_SECONDS,
        forwarded_for: str | None = None,
    ) -> None:
        """`forwarded_for`: the browser visitor's address, when the web app's server calls the API for them (see
        `forwarding_headers`)."""
        self._access = token
        self._refresh: str | None = None
        self._expires_at: float | None = None
        self._generation = 0
        self._clock = clock
        self._margin = refresh_margin_seconds
        self._refreshing = asyncio.Lock()
        self.on_tokens_changed: TokensChanged | None = None
        self.on_suspended: Suspended | None = None
        # An answer that carries the bell's number (GET /requests/mine's X-Unread-Count): told here, and counted, so
        # a refresh that got it asks no GET /me/notifications/unread-count beside it.
        self.on_unread_count: Callable[[int], None] | None = None
        self.unread_counts_seen = 0
        # The catalogue as last fetched, with its ETag: asked again with it, an unchanged one answers 304 and this
        # copy serves (it changes only by an administrator's edit). Public data: the same for whoever signs in.
        self._catalogue: tuple[str, list[Category]] | None = None
        self._language: Locale | None = None
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=timeout_seconds,
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS),
            transport=transport,
            headers={"Accept": "application/json", **forwarding_headers(forwarded_for)},
        )

    # --- the session ---------------------------------------------------------------------------------

    @property
    def token(self) -> str | None:
        return self._access

    @token.setter
    def token(self, value: str | None) -> None:
        """Setting the access token it already has keeps the session; another token (or None) replaces it whole,
        with no refresh token (use `use_session` to restore one)."""
        if value != self._access:
            self._generation += 1
            self._access, self._refresh, self._expires_at = value, None, None

    @property
    def session(self) -> SessionTokens | None:
        if self._access is None:
            return None
        return SessionTokens(access_token=self._access, refresh_token=self._refresh, expires_at=self._expires_at)

    @property
    def generation(self) -> int:
        """Which session calls are made for now (see the class): a new one at each sign-in, restore and sign-out."""
        return self._generation

    @property
    def language(self) -> Locale | None:
        """The language the app's screens show, sent with every call as `Accept-Language` (None: no header): what
        the backend words for a screen (a request's next step and expected wait, its timeline's notes, the inbox)
        comes in it, not in the profile's language, which is whatever the person's last device chose (ux21 finding
        1: English sentences in the Thai app of a person with two devices). The app sets it as its language changes."""
        return self._language

    @language.setter
    def language(self, locale: Locale | None) -> None:
        self._language = locale
        if locale is None:
            self._http.headers.pop(ACCEPT_LANGUAGE, None)
        else:
            self._http.headers[ACCEPT_LANGUAGE] = locale.value  # every call's, in one place: the client's own headers

    def use_session(self, tokens: SessionTokens | None) -> None:
        """Restore a stored session (app start), or keep none: either way the next generation."""
        self._generation += 1
        self._keep(tokens)

    def _keep(self, tokens: SessionTokens | None) -> None:
        """The session's tokens, in the same generation (a refresh rotated them, or ended the session)."""
        if tokens is None:
            self._access = self._refresh = self._expires_at = None
        else:
            self._access, self._refresh, self._expires_at = tokens.access_token, tokens.refresh_token, \
                tokens.expires_at

    async def _adopt(self, signed_in: SignedIn, *, new_session: bool) -> None:
        expires_at = signed_in.expires_at if signed_in.expires_at is not None else \
            self._clock() + signed_in.expires_in
        tokens = SessionTokens(access_token=signed_in.access_token, refresh_token=signed_in.refresh_token,
                               expires_at=expires_at)
        if new_session:
            self.use_session(tokens)
        else:
            self._keep(tokens)
        await self._tokens_changed()

    async def _tokens_changed(self) -> None:
        if self.on_tokens_changed is not None:
            await self.on_tokens_changed(self.session)

    def _due(self) -> bool:
        return (self._refresh is not None and self._expires_at is not None
                and self._clock() >= self._expires_at - self._margin)

    async def fresh_token(self) -> str | None:
        """The access token, refreshed first when it is about to expire (for connections made outside this
        client, e.g. the live-event stream)."""
        if self._due():
            await self._refresh_session(self._access, early=True)
        return self._access

    async def refresh_session(self) -> SignedIn:
        """Trade the refresh token for new tokens now (also returns the current profile)."""
        refresh_token = self._refresh
        if refresh_token is None:
            raise ApiError.from_catalog(401, "session_expired")
        try:
            try:
                data = await self._call("POST", "/auth/refresh", json={"refresh_token": refresh_token}, auth=False,
                                        limits=REFRESH_TIMEOUT)
            except ApiError as lost:
                if not lost.is_network:
                    raise
                # No answer: the backend may have rotated the token and the answer been lost on the way. Asked
                # again at once, with the same token, while Supabase Auth still takes it (its reuse interval, 10 s
                # by default); sent at the next call instead, perhaps minutes later, it was a reuse that ended the
                # whole session and sent the person to the login, their form with it (resil24 F2).
                log.info("POST /auth/refresh: no answer (%s): asking once more", lost.code)
                data = await self._call("POST", "/auth/refresh", json={"refresh_token": refresh_token}, auth=False,
                                        limits=REFRESH_TIMEOUT)
        except ApiError as exc:
            if exc.is_session_ended:  # signed out meanwhile: what is current now is another session's, kept as it is
                raise
            if exc.status in (400, 401, 403, 422):  # the session ended: forget it
                self._keep(None)
                await self._tokens_changed()
                raise ApiError.from_catalog(401, "session_expired") from exc
            raise
        signed_in = _parse(_SIGNED_IN, data)
        await self._adopt(signed_in, new_session=False)
        return signed_in

    async def _refresh_session(self, used_token: str | None, *, early: bool = False) -> None:
        async with self._refreshing:
            if self._access != used_token:  # another call refreshed while this one waited
                return
            try:
                await self.refresh_session()
            except ApiError as exc:
                if early and not exc.is_auth_lost:
                    return  # the access token still works a little longer: go on with it
                raise

    def end_session(self) -> SessionTokens | None:
        """Forget the session here, at once (the next generation begins: answers to its calls no longer count), and
        return it for what the backend is told after (`drop_device`, `revoke`)."""
        ended = self.session
        self.use_session(None)
        return ended

    async def revoke(self, ended: SessionTokens | None) -> None:
        """End a session `end_session` returned at the backend too (its refresh token stops working). Never fails:
        signing out offline still signed out on this device."""
        if ended is not None:
            body = {"refresh_token": ended.refresh_token} if ended.refresh_token else None
            with contextlib.suppress(ApiError):
                await self._send("POST", "/auth/sign-out", json=body, retry_auth=False, bearer=ended.access_token)

    async def sign_out(self) -> None:
        """Forget the session here, then end it at the backend. Never fails."""
        ended = self.end_session()
        await self._tokens_changed()
        await self.revoke(ended)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def request_otp(self, phone: str) -> OtpRequested:
        data = await self._call("POST", "/auth/otp/request", json={"phone": phone}, auth=False)
        return _parse(_OTP_REQUESTED, data)

    async def verify_otp(self, phone: str, code: str) -> SignedIn:
        """Signs in: this client keeps the new session (and reports it to `on_tokens_changed`)."""
        data = await self._call("POST", "/auth/otp/verify", json={"phone": phone, "code": code}, auth=False)
        signed_in = _parse(_SIGNED_IN, data)
        await self._adopt(signed_in, new_session=True)
        return signed_in

    async def me(self) -> Profile:
        return _parse(_PROFILE, await self._call("GET", "/me"))

    async def update_me(self, *, display_name: str | None = None, locale: Locale | None = None) -> Profile:
        body: dict[str, str] = {}
        if display_name is not None:
            body["display_name"] = display_name
        if locale is not None:
            body["locale"] = locale.value
        return _parse(_PROFILE, await self._call("PATCH", "/me", json=body))

    async def export_my_data(self) -> bytes:
        """GET /me/export: everything the system holds about the caller, as a JSON file's bytes (PDPA)."""
        return (await self._send("GET", "/me/export")).content  # JSON, kept as the file's bytes

    async def delete_account(self) -> None:
        """DELETE /me?confirm=true, for good (ask the person first); then forgets the session here too."""
        await self._send("DELETE", "/me", params={"confirm": "true"})
        self.use_session(None)
        await self._tokens_changed()

    async def categories(self) -> list[Category]:
        """GET /categories once with a body; after that with the kept copy's ETag in `If-None-Match`, so a screen's
        refresh costs a 304 without a body while the catalogue is unchanged, and gets the new one once it changed."""
        kept = self._catalogue
        headers = {"If-None-Match": kept[0]} if kept is not None else None
        response = await self._send("GET", "/categories", headers=headers)
        if response.status_code == 304 and kept is not None:
            return list(kept[1])
        categories = _parse(_CATEGORIES, _json(response))
        etag = response.headers.get("etag")
        self._catalogue = (etag, categories) if etag else None
        return list(categories)

    async def my_requests(self, after: str | None = None, limit: int | None = None) -> ListPage[RequestSummary]:
        """The caller's own requests, newest first: a page after the place `after` (a page's `after`; None: the
        first page), and how many they have."""
        return await self._page(_REQUESTS, "/requests/mine", after, limit)

    async def create_request(self, body: Mapping[str, Any]) -> RequestDetail:
        """POST /requests; a retry with the same idempotency_key returns the first request, not a second."""
        return _parse(_REQUEST_DETAIL, await self._call("POST", "/requests", json=body))

    async def upload_request_photo(
        self, request_id: UUID, idx: int, data: bytes, content_type: str
    ) -> UploadedPhoto:
        """PUT one processed photo at its index; idempotent per (request, idx), so a retry is safe."""
        return await self._put_photo(f"/requests/{request_id}/photos/{idx}", idx, data, content_type)

    async def request_detail(self, request_id: UUID) -> RequestDetail:
        return _parse(_REQUEST_DETAIL, await self._call("GET", f"/requests/{request_id}"))

    async def request_photo(self, request_id: UUID, kind: str, idx: int, *, thumb: bool = True) -> bytes:
        """The image bytes (JPEG; WebP if stored before session 13) of one photo; the thumbnail unless thumb=False."""
        params = {"thumb": "true"} if thumb else None
        response = await self._send("GET", f"/requests/{request_id}/photos/{kind}/{idx}", params=params,
                                    expected=PHOTO_TYPES)
        return response.content

    async def cancel_request(self, request_id: UUID, note: str = "") -> RequestDetail:
        data = await self._call("POST", f"/requests/{request_id}/cancel", json={"note": note})
        return _parse(_REQUEST_DETAIL, data)

    async def rate_request(self, request_id: UUID, rating: int, comment: str = "") -> RequestDetail:
        body = {"rating": rating, "comment": comment}
        return _parse(_REQUEST_DETAIL, await self._call("POST", f"/requests/{request_id}/rate", json=body))

    async def reopen_request(self, request_id: UUID, note: str = "") -> RequestDetail:
        data = await self._call("POST", f"/requests/{request_id}/reopen", json={"note": note})
        return _parse(_REQUEST_DETAIL, data)

    async def duplicates(self, category_code: str, lat: float, lon: float) -> DuplicateSummary:
        params = {"category_code": category_code, "lat": str(lat), "lon": str(lon)}
        return _parse(_DUPLICATES, await self._call("GET", "/requests/duplicates", params=params))

    async def technician_offers(self) -> OfferFeed:
        response = await self._send("GET", "/technician/offers")
        return OfferFeed(_parse(_OFFERS, _json(response)),
                         takes_jobs_from_header(response.headers.get(TAKES_JOBS_HEADER)))

    async def technician_jobs(self, after: str | None = None, limit: int | None = None) -> ListPage[JobSummary]:
        """The jobs the student leads and those they help on (`helping`), newest change first: a page after the
        place `after`, and how many they have."""
        return await self._page(_JOBS, "/technician/jobs", after, limit)

    async def supervisor_queue(self) -> SupervisorQueue:
        return _parse(_QUEUE, await self._call("GET", "/supervisor/queue"))

    async def colleges(self) -> list[College]:
        return _parse(_COLLEGES, await self._call("GET", "/colleges"))

    # --- the technician's work --------------------------------------------------------------------

    async def accept_offer(self, offer_id: UUID) -> WorkDetail:
        """409 offer_not_open when another technician took it first, or it expired or was withdrawn."""
        return _parse(_WORK_DETAIL, await self._call("POST", f"/offers/{offer_id}/accept"))

    async def decline_offer(self, offer_id: UUID) -> None:
        await self._send("POST", f"/offers/{offer_id}/decline")

    async def work_detail(self, request_id: UUID) -> WorkDetail:
        """GET /requests/{id} for the assigned technician or the college's supervisor, report included."""
        return _parse(_WORK_DETAIL, await self._call("GET", f"/requests/{request_id}"))

    async def change_status(
        self, request_id: UUID, to_status: str, note: str = "", reason: str | None = None
    ) -> WorkDetail:
        body: dict[str, Any] = {"to_status": to_status, "note": note}
        if reason is not None:
            body["reason"] = reason
        return _parse(_WORK_DETAIL, await self._call("POST", f"/requests/{request_id}/status", json=body))

    async def upload_after_photo(self, request_id: UUID, idx: int, data: bytes, content_type: str) -> UploadedPhoto:
        """PUT one processed after-repair photo at its index; idempotent per (request, idx)."""
        return await self._put_photo(f"/requests/{request_id}/after-photos/{idx}", idx, data, content_type)

    async def save_report(self, request_id: UUID, body: Mapping[str, Any]) -> WorkReport:
        return _parse(_WORK_REPORT, await self._call("PUT", f"/requests/{request_id}/report", json=body))

    # --- the supervisor's tools -------------------------------------------------------------------

    async def assign(self, request_id: UUID, technician_id: UUID) -> WorkDetail:
        body = _body(AssignBody(technician_id=technician_id))
        return _parse(_WORK_DETAIL, await self._call("POST", f"/requests/{request_id}/assign", json=body))

    async def supervisor_dashboard(self) -> SupervisorDashboard:
        return _parse(_DASHBOARD, await self._call("GET", "/supervisor/dashboard"))

    async def supervisor_technicians(self) -> list[TechnicianItem]:
        return _parse(_TECHNICIANS, await self._call("GET", "/supervisor/technicians"))

    async def update_technician(self, technician_id: UUID, body: Mapping[str, Any]) -> TechnicianItem:
        data = await self._call("PUT", f"/supervisor/technicians/{technician_id}", json=body)
        return _parse(_TECHNICIAN, data)

    async def supervisor_ledger(self) -> list[LedgerRow]:
        return _parse(_LEDGER, await self._call("GET", "/supervisor/ledger"))

    async def supervisor_csv(self, name: str) -> bytes:
        """The bytes of /supervisor/jobs.csv or /supervisor/ledger.csv (UTF-8 with a BOM), fetched with the token."""
        if name not in ("jobs", "ledger"):
            raise ValueError(name)
        response = await self._send("GET", f"/supervisor/{name}.csv", expected=CSV_TYPES)
        return response.content

    async def supervisor_jobs(
        self, groups: list[str] | None = None, query: str = "", *, limit: int = 30, after: str | None = None
    ) -> CollegeJobPage:
        """GET /supervisor/jobs: the college's jobs newest first, filtered by status groups and a search (a
        reference like FX-690001, an item or a student's name), one page at a time: the jobs after the place `after`
        (a page's `next_after`, for the same filters and search; None: the first page). An older backend pages by
        `offset` only (no `next_after`): its full pages get the app's offset cursor as `next_after` (`_next_page`)."""
        params: dict[str, str | list[str]] = {"status": list(groups or []), "limit": str(limit),
                                              **_place_params(after)}
        if query.strip():
            params["q"] = query.strip()
        # QueryParams repeats `status` once per group, as the endpoint reads it.
        page = _parse(_JOB_PAGE, await self._call("GET", "/supervisor/jobs", params=httpx.QueryParams(params)))
        next_after = _next_page(after, page.next_after, len(page.jobs), limit, page.total)
        return page if next_after == page.next_after else page.model_copy(update={"next_after": next_after})

    async def add_student(
        self, college_id: UUID, phone: str, display_name: str = "", skills: Mapping[str, int] | None = None
    ) -> StaffRegistered:
        body = {"phone": phone, "display_name": display_name, "skills": dict(skills or {})}
        return _parse(_STAFF_REGISTERED, await self._call("POST", f"/colleges/{college_id}/students", json=body))

    async def import_students(self, college_id: UUID, data: bytes, filename: str = "students.csv") -> \
            StudentImportReport:
        """All lines or none: a bad file is ApiError 400 csv_invalid with `lines` (each bad line and why)."""
        files = {"file": (filename, data, "text/csv")}
        return _parse(_IMPORT_REPORT, await self._call("POST", f"/colleges/{college_id}/students/import",
                                                       files=files,
                                                       limits=self._reading_at_least(ROSTER_IMPORT_READ_SECONDS)))

    # --- the admin's tools ---------------------------------------------------------------------------

    async def admin_waiting(self, after: str | None = None, limit: int | None = None) -> ListPage[WaitingRequest]:
        """Requests in status no_centre (no college in range took them), oldest first: a page after the place
        `after`, and how many wait."""
        return await self._page(_WAITING, "/admin/waiting", after, limit)

    async def admin_college_fit(self, request_id: UUID) -> list[CollegeFit]:
        """GET /admin/waiting/{id}/colleges: for each active college, whether it can take that waiting request (its
        fitting students; a teacher where the job needs one)."""
        return _parse(_COLLEGE_FIT, await self._call("GET", f"/admin/waiting/{request_id}/colleges"))

    async def admin_undecided(self, after: str | None = None, limit: int | None = None) -> ListPage[UndecidedJob]:
        """GET /admin/undecided: jobs waiting on a college with nobody to decide them, longest waiting first: a page
        after the place `after`, and how many wait."""
        return await self._page(_UNDECIDED, "/admin/undecided", after, limit)

    async def dispatch(self, request_id: UUID, college_id: UUID | None) -> RequestDetail:
        """Send a waiting request to a college, or (college_id None) run the automatic matching again.

        409 no_fitting_student: no student of that college has the skills; 409 illegal_transition: it moved on.
        """
        body = _body(DispatchBody(college_id=college_id))
        return _parse(_REQUEST_DETAIL, await self._call("POST", f"/requests/{request_id}/dispatch", json=body))

    # --- the job record and the student's credit (issue 14) ------------------------------------------

    async def job_record(self, request_id: UUID) -> JobRecord:
        return _parse(_JOB_RECORD, await self._call("GET", f"/requests/{request_id}/record"))

    async def move_job(
        self,
        request_id: UUID,
        to_status: str,
        *,
        note: str = "",
        reason: str | None = None,
        handover_code: str | None = None,
        teacher_present_id: UUID | None = None,
    ) -> WorkDetail:
        """change_status with the record's inputs: the owner's one-time code at hand back (a teacher's reason is the
        note), the teacher named present at a high-risk step. 409 handover_unconfirmed / teacher_presence_required
        when they are missing."""
        body: dict[str, Any] = {"to_status": to_status, "note": note}
        if reason is not None:
            body["reason"] = reason
        if handover_code:
            body["handover_code"] = handover_code
        if teacher_present_id is not None:
            body["teacher_present_id"] = str(teacher_present_id)
        return _parse(_WORK_DETAIL, await self._call("POST", f"/requests/{request_id}/status", json=body))

    async def record_outcome(self, request_id: UUID, outcome: str, reason: str | None, fault_found: str
                             ) -> JobOutcome:
        body = {"outcome": outcome, "reason": reason, "fault_found": fault_found}
        return _parse(_JOB_OUTCOME, await self._call("PUT", f"/requests/{request_id}/outcome", json=body))

    async def propose_part(self, request_id: UUID, name: str, qty: int, price_baht: float,
                           idempotency_key: UUID | None = None) -> JobPart:
        """`idempotency_key`: the same key again (a retry) answers the part it proposed instead of a second one."""
        body: dict[str, Any] = {"name": name, "qty": qty, "price_baht": price_baht}
        if idempotency_key is not None:
            body["idempotency_key"] = str(idempotency_key)
        return _parse(_JOB_PART, await self._call("POST", f"/requests/{request_id}/parts", json=body))

    async def decide_part(self, request_id: UUID, part_id: UUID, approve: bool) -> JobPart:
        """The owner's answer in the app."""
        path = f"/requests/{request_id}/parts/{part_id}/decision"
        return _parse(_JOB_PART, await self._call("POST", path, json=_body(PartDecision(approve=approve))))

    async def withdraw_part(self, request_id: UUID, part_id: UUID) -> JobPart:
        """A part proposed by mistake, withdrawn while it waits for the owner (its student or the job's teacher)."""
        path = f"/requests/{request_id}/parts/{part_id}/withdraw"
        return _parse(_JOB_PART, await self._call("POST", path))

    async def record_phone_approval(self, request_id: UUID, part_id: UUID, note: str, approve: bool = True
                                    ) -> JobPart:
        """The student records the owner's answer given by phone; `note` says who answered and when."""
        path = f"/requests/{request_id}/parts/{part_id}/phone-approval"
        return _parse(_JOB_PART, await self._call("POST", path, json={"approve": approve, "note": note}))

    async def handover_code(self, request_id: UUID) -> str:
        """A fresh one-time code for the owner to tell the student at hand back."""
        return _parse(_HANDOVER_CODE, await self._call("POST", f"/requests/{request_id}/handover-code")).code

    async def confirm_handover(self, request_id: UUID) -> None:
        await self._send("POST", f"/requests/{request_id}/handover/confirm")

    async def college_teachers(self) -> list[Teacher]:
        """The active teachers of the caller's college (to name one present at a high-risk step)."""
        return _parse(_TEACHERS, await self._call("GET", "/college/teachers"))

    async def job_college_teachers(self, request_id: UUID) -> list[Teacher]:
        """An admin's read: the active teachers of the job's college (to name one present at a high-risk rework);
        empty when it has none."""
        return _parse(_TEACHERS, await self._call("GET", f"/admin/requests/{request_id}/teachers"))

    async def add_team_member(self, request_id: UUID, technician_id: UUID, task: str = "") -> None:
        body = {"technician_id": str(technician_id), "task": task}
        await self._send("POST", f"/requests/{request_id}/team", json=body)

    async def college_students(self) -> list[TechnicianItem]:
        """The other active students of the caller's college (the lead picks helpers from them)."""
        return _parse(_TECHNICIANS, await self._call("GET", "/college/students"))

    async def my_team_jobs(self, after: str | None = None, limit: int | None = None) -> ListPage[TeamJob]:
        """The jobs the student helps on, with the hours they reported and what the teacher approved (those
        waiting for approval first): a page after the place `after`, and how many there are."""
        return await self._page(_TEAM_JOBS, "/me/team-jobs", after, limit)

    async def level_history(self, student_id: UUID) -> list[LevelChange]:
        """Every change of the student's skill levels, oldest first (themselves, their teachers, admins)."""
        return _parse(_LEVELS, await self._call("GET", f"/technicians/{student_id}/levels"))

    async def report_my_hours(self, request_id: UUID, hours: float, task: str | None = None) -> None:
        body: dict[str, Any] = {"hours": hours}
        if task is not None:
            body["task"] = task
        await self._send("PUT", f"/requests/{request_id}/team/me", json=body)

    async def approve_hours(self, request_id: UUID, hours: Mapping[UUID, float] | None = None,
                            round_: int | None = None) -> list[TeamMember]:
        """The teacher approves each member's hours (as reported, or corrected in `hours`): the current round's, or
        `round_`'s (a round its owner reopened before its approval)."""
        body = {"hours": {str(k): v for k, v in (hours or {}).items()}}
        params = {} if round_ is None else {"round": str(round_)}
        return _parse(_TEAM, await self._call("POST", f"/requests/{request_id}/credit/approve", json=body,
                                              params=params))

    async def skill_proposals(self) -> list[SkillProposal]:
        return _parse(_PROPOSALS, await self._call("GET", "/supervisor/skill-proposals"))

    async def decide_proposal(self, proposal_id: UUID, confirm: bool) -> str:
        """The proposal's new status: confirmed or declined."""
        body = _body(ProposalDecision(confirm=confirm))
        data = await self._call("POST", f"/supervisor/skill-proposals/{proposal_id}", json=body)
        return _parse(_PROPOSAL_DECIDED, data).status

    async def set_credit_settings(self, progression_jobs: int | None, hours_target: float | None) -> None:
        """The college's N approved jobs before a level-up proposal, and its hours target per term."""
        body = {"progression_jobs": progression_jobs, "hours_target": hours_target}
        await self._call("PUT", "/supervisor/credit-settings", json=body)

    async def college_credit(self, term: str | None = None) -> CollegeCredit:
        params = {"term": term} if term else None
        return _parse(_COLLEGE_CREDIT, await self._call("GET", "/supervisor/credit", params=params))

    async def hours_waiting(self, after: str | None = None, limit: int | None = None) -> ListPage[HoursWaiting]:
        """The rounds of work done for the teacher's college whose hours wait for their approval (also those whose
        job moved on to another college), oldest job first, a page at a time as the other long lists: the first page,
        or the page after `after` (a page's `after`: the last round listed, by its sort key, so a round approved
        meanwhile skips none). The backend counts the rounds waiting from the page's start on (X-Total-Count; an
        older backend sends them all and no count): the page's `total`, and `rest` those after it. Each approved
        with approve_hours(round_=...)."""
        params = {"limit": str(limit)} if limit else {}
        if after is not None:
            if (place := _ROUND_CURSOR.fullmatch(after)) is None:
                raise ValueError(f"not a cursor of the rounds waiting: {after!r}")  # never the first page instead
            params |= {"after_ref": place[1], "after_round": place[2]}
        response = await self._send("GET", "/supervisor/hours-waiting", params=params or None)
        rounds = _parse(_HOURS_WAITING, _json(response))
        counted = total_count_from_header(response.headers.get(TOTAL_COUNT_HEADER))
        total = max(counted, len(rounds)) if counted is not None else len(rounds)
        rest = total - len(rounds)
        return ListPage(rounds, total, f"{rounds[-1].ref_no}.{rounds[-1].round}" if rest and rounds else None, rest)

    async def portfolio(self, student_id: UUID, term: str | None = None) -> Portfolio:
        params = {"term": term} if term else None
        return _parse(_PORTFOLIO, await self._call("GET", f"/portfolio/{student_id}", params=params))

    async def portfolio_pdf(self, student_id: UUID, term: str | None = None, locale: Locale = Locale.TH
                            ) -> PortfolioPdf:
        params = {"lang": locale.value, **({"term": term} if term else {})}
        response = await self._send("GET", f"/portfolio/{student_id}/pdf", params=params, expected=PDF_TYPES)
        code = response.headers.get("x-verification-code", "")
        disposition = response.headers.get("content-disposition", "")
        filename = disposition.split("filename=", 1)[1].strip('"') if "filename=" in disposition else ""
        return PortfolioPdf(data=response.content, code=code, filename=filename or f"portfolio-{code}.pdf")
    # --- the inbox and devices for push (issue 13) ---------------------------------------------------

    async def my_notifications(self, before_id: int | None = None) -> NotificationPage:
        """Newest first, in the person's language; the next (older) page with the page's `next_before_id`."""
        params = {"before_id": str(before_id)} if before_id is not None else None
        return _parse(_NOTIFICATIONS, await self._call("GET", "/me/notifications", params=params))

    async def unread_count(self) -> int:
        return int((await self._call("GET", "/me/notifications/unread-count"))["unread_count"])

    async def mark_notification_read(self, notification_id: int) -> int:
        """Marks one read on the server; returns the unread count after it."""
        data = await self._call("POST", f"/me/notifications/{notification_id}/read")
        return int(data["unread_count"])

    async def mark_all_notifications_read(self) -> int:
        return int((await self._call("POST", "/me/notifications/read-all"))["unread_count"])

    async def notification_settings(self) -> NotificationSettings:
        return _parse(_NOTIFICATION_SETTINGS, await self._call("GET", "/me/notification-settings"))

    async def update_notification_settings(self, body: Mapping[str, Any]) -> NotificationSettings:
        data = await self._call("PUT", "/me/notification-settings", json=body)
        return _parse(_NOTIFICATION_SETTINGS, data)

    async def register_device(self, platform: str, token: str) -> None:
        """After sign-in, where the platform has a push token (FCM on phones)."""
        await self._send("POST", "/me/devices", json={"platform": platform, "token": token},
                         limits=self._reading_at_least(DEVICE_REGISTRATION_READ_SECONDS))

    def _reading_at_least(self, seconds: float) -> httpx.Timeout:
        """The client's own limits, but its read waits at least `seconds`: a call the backend may rightly take
        longer to answer than any other."""
        client = self._http.timeout
        return httpx.Timeout(connect=client.connect, write=client.write, pool=client.pool,
                             read=max(client.read or 0.0, seconds))

    async def drop_device(self, token: str, ended: SessionTokens | None = None) -> None:
        """At sign-out: nothing more goes to this device. `ended`: the session that registered it, when the sign-out
        forgot it here already (`end_session`)."""
        await self._send("DELETE", f"/me/devices/{quote(token, safe='')}", retry_auth=False,
                         bearer=ended.access_token if ended is not None else None)

    # --- the admin's colleges and their supervisors (issue 11) -------------------------------------------

    async def admin_colleges(self) -> list[AdminCollege]:
        return _parse(_ADMIN_COLLEGES, await self._call("GET", "/admin/colleges"))

    async def create_college(self, body: Mapping[str, Any]) -> AdminCollege:
        """409 college_code_taken when the code exists; 400 with per-field problems for bad values."""
        return _parse(_ADMIN_COLLEGE, await self._call("POST", "/admin/colleges", json=body))

    async def update_college(self, college_id: UUID, changes: Mapping[str, Any]) -> AdminCollege:
        return _parse(_ADMIN_COLLEGE, await self._call("PATCH", f"/admin/colleges/{college_id}", json=changes))

    # --- a college's invitation to the signed-in citizen (their consent changes the role) ---------------------

    async def my_invitation(self) -> StaffInvitation | None:
        return _parse(_INVITATION, await self._call("GET", "/me/invitation"))

    async def accept_invitation(self, seen: StaffInvitation) -> Profile:
        """Yes to the invitation `seen` (the one on the screen): the answer is the profile in its new role and
        college; 409 `invitation_changed` when it was replaced since."""
        return _parse(_PROFILE, await self._call("POST", "/me/invitation/accept", json=_invitation_seen(seen)))

    async def decline_invitation(self, seen: StaffInvitation) -> None:
        """No to the invitation `seen`; 409 `invitation_changed` when it was replaced since."""
        await self._send("POST", "/me/invitation/decline", json=_invitation_seen(seen))

    async def college_invites(self, college_id: UUID | None) -> list[PendingInvite]:
        """Phones registered at the college not yet staff: waiting to sign in, to accept, expired, or declined.
        None: the invitations at no college, to be an admin (GET /admin/invites, an admin's)."""
        path = "/admin/invites" if college_id is None else f"/colleges/{college_id}/invites"
        return _parse(_PENDING_INVITES, await self._call("GET", path))

    async def withdraw_invite(self, college_id: UUID | None, invite_id: UUID) -> None:
        """Take back an invitation still waiting (204); 404 `invitation_unknown` when it is gone or was sent again
        since, 409 `invitation_answered` once the person answered, `invitation_lapsed` when their first sign-in
        found it expired."""
        path = "/admin/invites" if college_id is None else f"/colleges/{college_id}/invites"
        await self._send("DELETE", f"{path}/{invite_id}")

    async def name_supervisor(self, college_id: UUID, phone: str, display_name: str = "") -> StaffRegistered:
        """The owner of this phone becomes the college's supervisor: now, or at their first sign-in."""
        body = {"phone": phone, "display_name": display_name}
        data = await self._call("POST", f"/admin/colleges/{college_id}/supervisors", json=body)
        return _parse(_STAFF_REGISTERED, data)

    async def _put_photo(self, path: str, idx: int, data: bytes, content_type: str) -> UploadedPhoto:
        extension = "webp" if content_type == "image/webp" else "jpg"
        files = {"file": (f"{idx}.{extension}", data, content_type)}
        try:
            return _parse(_UPLOADED_PHOTO, await self._call("PUT", path, files=files))
        except ApiError as exc:
            if exc.status == 413 and not exc.code.startswith("photo_"):
                # Too large for the server or a proxy before it (nginx's 413 page, the backend's body limit): this
                # photo is refused whenever it is sent. Said of the photo, with what to do: fewer or smaller.
                text = error_text("photo_upload_too_large", n=idx + 1)
                raise ApiError(413, "photo_upload_too_large", text.th, text.en) from exc
            raise

    async def _page(self, adapter: TypeAdapter[list[R]], path: str, after: str | None, limit: int | None
                       ) -> ListPage[R]:
        """GET a page of a long list (shared.paging): `after` and `limit` asked only when not the defaults (the
        first page of an older backend's answer is then the same call); the next page's cursor from X-Next-Cursor,
        or an older backend's next offset (`_next_page`)."""
        params = {**_place_params(after), **({"limit": str(limit)} if limit else {})}
        response = await self._send("GET", path, params=params or None)
        rows = _parse(adapter, _json(response))
        total = total_count_from_header(response.headers.get(TOTAL_COUNT_HEADER))
        return ListPage(rows, max(total, len(rows)) if total is not None else len(rows),
                        _next_page(after, response.headers.get(NEXT_CURSOR_HEADER), len(rows), limit or LIST_PAGE,
                                   total))

    async def _call(self, method: str, path: str, **options: Unpack[_SendOptions]) -> Any:
        """_send, then the JSON body (a body that is not JSON is not the backend's: see `_json`)."""
        return _json(await self._send(method, path, **options))

    async def _send(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
        retry_auth: bool = True,
        bearer: str | None = None,  # a session's access token, for one `end_session` forgot here already
        expected: tuple[str, ...] = JSON_TYPES,  # the media types its success may carry (`from_a_portal`)
        limits: httpx.Timeout | None = None,  # None: the client's own timeout (REFRESH_TIMEOUT for the refresh)
    ) -> httpx.Response:
        generation = self._generation  # the session this call is made for: its answer counts while it lasts
        try:
            if auth and retry_auth and bearer is None and self._due():
                await self._refresh_session(self._access, early=True)
            token = bearer if bearer is not None else self._access if auth else None
            response = await self._request(method, path, json=json, files=files, params=params, headers=headers,
                                           token=token, limits=limits)
            if (response.status_code == 401 and token is not None and retry_auth and bearer is None
                    and self._refresh is not None and self._generation == generation):
                await self._refresh_session(token)  # raises session_expired when the session has ended
                if self._generation == generation:  # never with the tokens of a session begun meanwhile
                    response = await self._request(method, path, json=json, files=files, params=params,
                                                   headers=headers, token=self._access, limits=limits)
        except ApiError as exc:
            if self._generation != generation and not exc.is_session_ended:
                raise ApiError.from_catalog(401, SESSION_ENDED) from exc
            raise
        if self._generation != generation:
            log.info("%s %s answered %s after its session ended: not applied", method, path, response.status_code)
            raise ApiError.from_catalog(401, SESSION_ENDED)
        if response.is_error:
            error = _error_from_response(response, self._clock())
            if error.is_suspended and self.on_suspended is not None:
                await self.on_suspended(error)
            raise error
        if from_a_portal(response, expected):
            # The Wi-Fi answered instead of the backend (a hotel's or café's sign-in page, "200 text/html" or with
            # no type at all): nothing reached Fixit, whatever the status says. A network failure, never "done" nor
            # an internal error, also where bytes are read (a photo, a PDF, a CSV file, the data export): the one
            # check for every call.
            log.warning("%s %s answered %s %s: not the backend (a captive portal?)", method, path,
                        response.status_code, response.headers.get("content-type", ""))
            raise ApiError.from_catalog(0, CAPTIVE_PORTAL)
        unread = unread_count_from_header(response.headers.get(UNREAD_COUNT_HEADER))
        if unread is not None:
            self.unread_counts_seen += 1
            if self.on_unread_count is not None:
                self.on_unread_count(unread)
        return response

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None,
        files: Mapping[str, tuple[str, bytes, str]] | None,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        token: str | None,
        limits: httpx.Timeout | None = None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        # A read is asked twice before the person hears "no connection": a kept-alive connection the server closed
        # just as it was reused, or one lost packet on a phone's network, is not an outage. Writes are not
        # repeated here (the outbox and idempotency keys handle those).
        attempts = 2 if method == "GET" else 1
        for attempt in range(attempts):
            try:
                return await self._http.request(method, path, json=json, files=files, params=params,
                                                headers=sent,
                                                timeout=httpx.USE_CLIENT_DEFAULT if limits is None else limits)
            # Refused connections, DNS failures, timeouts, drops (TransportError), and a body that does not decode
            # (DecodingError: a captive portal or a proxy that says gzip and sends something else): either way no
            # answer of the backend's arrived, which the person can only cure by a better network.
            except httpx.RequestError as exc:
                if attempt + 1 < attempts:
                    log.info("%s %s failed (%s): asking once more", method, path, type(exc).__name__)
                    continue
                log.warning("%s %s failed: %s %s", method, path, type(exc).__name__, exc)
                raise ApiError.from_catalog(0, NETWORK_UNREACHABLE) from exc
        raise AssertionError("unreachable")


def _json(response: httpx.Response) -> Any:
    """The JSON body. A success whose body is no JSON at all never came from the backend (it answers JSON, and a
    model that does not match is `_parse`'s server fault): something on the network answered in its place, a
    captive portal that calls its page JSON or sends it without a type. Told as that, kept and sent again."""
    try:
        return response.json()
    except ValueError as exc:
        log.warning("%s %s answered %s with a body that is not JSON: not the backend (a captive portal?)",
                    response.request.method, response.request.url.path, response.status_code)
        raise ApiError.from_catalog(0, CAPTIVE_PORTAL) from exc


def _parse(adapter: TypeAdapter[T], data: Any) -> T:
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        # A backend that breaks the contract is a server fault, not something the person can fix; the log names
        # the fields that failed so the mismatch can be found (field names and error types only, no values).
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(body)'}: {e['type']}"
                             for e in exc.errors()[:5])
        log.error("the backend's answer does not match %s: %s", adapter, problems)
        raise ApiError.from_catalog(200, "internal_error") from exc


def _body(model: BaseModel) -> dict[str, Any]:
    """A request body the backend reads with the same shared class."""
    return model.model_dump(mode="json")


def _invitation_seen(seen: StaffInvitation) -> dict[str, Any]:
    """The invitation on the screen, as the backend checks an answer against it (an answer without it is refused:
    400 `invitation_seen_required`)."""
    return {"role": seen.role.value, "college_id": None if seen.college is None else str(seen.college.id)}
