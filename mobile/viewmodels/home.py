"""The first screen after sign-in, one per role: each loads its own list from the backend."""

import asyncio
from abc import abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TypeVar
from uuid import UUID

from mobile.api_client import ApiClient, ApiError
from mobile.formatting import format_km
from mobile.models import (
    Category,
    College,
    JobSummary,
    Offer,
    OfferStatus,
    Profile,
    QueueItem,
    RequestSummary,
    SupervisorDashboard,
    UndecidedJob,
    WaitingRequest,
)
from mobile.outbox import Outbox, OutboxItem
from mobile.viewmodels.busy import answered
from mobile.viewmodels.invitation import InvitationCard
from mobile.viewmodels.loadable import AuthLost, Loadable, LoadState
from mobile.viewmodels.paging import PagedList
from mobile.viewmodels.photo_viewer import OpenPhotos
from mobile.viewmodels.session import Session
from mobile.viewmodels.thumbnails import PhotoKey, Thumbnails
from shared.college_lists import COLLEGE_SEARCH_MAX, HOME_ATTENTION_SHOWN, PICKER_NEAREST, college_matches
from shared.display_names import clean_display_name
from shared.geo import Point, distance_km
from shared.photos import MAX_PHOTOS_PER_REQUEST
from shared.roles import REQUESTER_ROLES, AppRole
from shared.statuses import CONTACT_OPEN, RequestStatus
from shared.text import Bilingual, bilingual, error_text, role_label, t
from shared.thai_address import area_text
from shared.wire import CollegeFit

SignOut = Callable[[], Awaitable[None]]
OpenJob = Callable[[UUID], Awaitable[None]]
Clock = Callable[[], datetime]
T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(UTC)


def _by_id(row: RequestSummary) -> UUID:
    return row.id


class HomeViewModel(Loadable):
    role: AppRole

    def __init__(self, api: ApiClient, session: Session, *, on_auth_lost: AuthLost, on_sign_out: SignOut) -> None:
        super().__init__(api, session, on_auth_lost=on_auth_lost)
        self._on_sign_out = on_sign_out
        # What was just done ("รับงานแล้ว"), or what went wrong with it; shown under the greeting.
        self._notice: Bilingual | None = None
        self._notice_is_error = False
        # The display name prompt, shown on every home while the profile has no name.
        self.name_input = ""
        self.name_busy = False
        self._name_error: Bilingual | None = None
        self._name_saved = False
        # Set by the app: keeps the device's stored profile in step with a saved name.
        self.on_profile_saved: Callable[[Profile], Awaitable[None]] | None = None
        # The person's own repair requests, newest first, a page at a time (shared.paging): the citizen's home is
        # them; a student's or a teacher's (asked for as a citizen, or since) are on their home, each opening the
        # owner's screens as for a citizen. Loaded by every home but the admin's; empty there.
        # The client's method is looked up at each call (not bound now), as every other call of a screen is.
        self.mine: PagedList[RequestSummary] = PagedList(
            lambda after, n: self._api.my_requests(after, n), _by_id, changed=self._changed,
            lost_sign_in=self._lost_sign_in)
        self.on_open_own_request: Callable[[UUID], Awaitable[None]] | None = None
        # Anyone but the admin asks for repairs of their own (shared.roles.REQUESTER_ROLES): set by the app, the
        # request form, an outbox draft back in it for editing, and this person's drafts waiting on this device
        # (kept across a change of role: a citizen made a student still has their held draft).
        self.on_new_request: Callable[[], Awaitable[None]] | None = None
        self.on_edit_outbox: Callable[[str], Awaitable[None]] | None = None
        self.outbox: Outbox | None = None
        # The draft whose "discard" was tapped: its card asks first (what was typed and its photos go for good).
        self.discard_asked: str | None = None

    @property
    def profile(self) -> Profile:
        assert self._session.profile is not None, "a home exists only for a signed-in person"
        return self._session.profile

    @property
    def greeting(self) -> str:
        """"สวัสดี สมชาย", or just "สวัสดี" while the person has no display name yet."""
        name = self.profile.display_name.strip()
        return bilingual("hello", name=name).in_(self._session.locale).strip()

    # --- the display name prompt ----------------------------------------------------------------------

    @property
    def needs_name(self) -> bool:
        return not self.profile.display_name.strip()

    @property
    def name_error(self) -> str | None:
        return None if self._name_error is None else self._name_error.in_(self._session.locale)

    @property
    def name_notice(self) -> str | None:
        """"บันทึกชื่อแล้ว" once, after the prompt was answered."""
        return bilingual("name_saved").in_(self._session.locale) if self._name_saved and not self.needs_name else None

    def set_name_input(self, value: str) -> None:
        self.name_input = value
        self._name_error = None

    async def save_name(self) -> None:
        """PATCH /me with the typed name; the greeting uses it at once."""
        if self.name_busy:
            return
        name = clean_display_name(self.name_input)  # the backend's own rule: 1–80 characters, no controls
        if name is None:
            self._name_error = error_text("display_name_invalid")
            self._changed()
            return
        self.name_busy = True
        self._name_error = None
        self._changed()
        try:
            profile = await answered(self._api.update_me(display_name=name), self._name_done, self._changed)
        except ApiError as exc:
            if await self._lost_sign_in(exc):
                return
            self._name_error = exc.text  # kept in both languages: a language switch re-renders it
            self._changed()
            return
        self._name_done()
        self.name_input = ""
        self._name_saved = True
        self._session.update_profile(profile)
        if self.on_profile_saved is not None:
            await self.on_profile_saved(profile)
        self._changed()

    def _name_done(self) -> None:
        self.name_busy = False

    @property
    def notice(self) -> str | None:
        return self._in_locale(self._notice)

    @property
    def notice_is_error(self) -> bool:
        return self._notice_is_error

    def _show(self, text: Bilingual | None, *, error: bool = False) -> None:
        self._notice = text
        self._notice_is_error = error
        self._changed()

    @property
    def own_requests(self) -> list[RequestSummary]:
        return self.mine.rows

    async def load_more_own_requests(self) -> None:
        await self.mine.load_more()

    @property
    def own_requests_title(self) -> str | None:
        """"คำขอซ่อมของฉัน (2)" over a student's or a teacher's own requests, always there (they may ask for one
        any time); None on the homes that have no such entry (the citizen's is the whole home, the admin asks
        for none)."""
        if self.role not in REQUESTER_ROLES or self.role == AppRole.CITIZEN:
            return None
        if not self.own_requests:
            return bilingual("my_repairs_entry").in_(self._session.locale)
        return bilingual("my_repairs_entry_count", count=self.mine.total).in_(self._session.locale)

    async def new_request(self) -> None:
        if self.on_new_request is not None:
            await self.on_new_request()

    @property
    def outbox_items(self) -> list[OutboxItem]:
        """Newest first, like the requests under them."""
        return list(reversed(self.outbox.items)) if self.outbox is not None else []

    async def edit_outbox_item(self, key: str) -> None:
        if self.on_edit_outbox is not None and self.can_send_drafts:
            await self.on_edit_outbox(key)

    @property
    def can_send_drafts(self) -> bool:
        """False on the admin's home: a draft written as a citizen shows there to be discarded, never sent."""
        return self.role in REQUESTER_ROLES

    async def send_outbox_item(self, key: str) -> None:
        """A draft held when the sign-in ran out: its writer said send."""
        if self.outbox is not None and self.can_send_drafts and await self.outbox.release(key):
            self._changed()

    def ask_discard_outbox_item(self, key: str) -> None:
        """"ทิ้ง" on a draft's card: the card asks before anything is deleted."""
        self.discard_asked = key
        self._changed()

    def keep_outbox_item(self) -> None:
        """"ไม่ทิ้ง": the draft stays as it was."""
        self.discard_asked = None
        self._changed()

    async def discard_outbox_item(self, key: str) -> None:
        """The draft, photos and all, deleted from the device: only once its writer said yes to the question."""
        if self.discard_asked != key:
            self.ask_discard_outbox_item(key)
            return
        self.discard_asked = None
        item = await self.outbox.discard(key) if self.outbox is not None else None
        if item is not None:
            self._show(bilingual("outbox_discarded", item=item.item))
        else:
            self._changed()

    def show_notice(self, text: Bilingual | None) -> None:
        self._show(text)

    async def open_own_request(self, request_id: UUID) -> None:
        if self.on_open_own_request is not None:
            await self.on_open_own_request(request_id)

    @property
    def role_text(self) -> str:
        return role_label(self.profile.role, self._session.locale)

    @property
    @abstractmethod
    def is_empty(self) -> bool: ...

    async def sign_out(self) -> None:
        await self._on_sign_out()


class CitizenHome(HomeViewModel):
    role = AppRole.CITIZEN

    def __init__(self, api: ApiClient, session: Session, *, on_auth_lost: AuthLost, on_sign_out: SignOut) -> None:
        super().__init__(api, session, on_auth_lost=on_auth_lost, on_sign_out=on_sign_out)
        # Set by the app: opens a request's detail (the form and the outbox are every requester's: see the base).
        self.on_open_request: Callable[[UUID], Awaitable[None]] | None = None
        # A college's invitation to become a student or teacher, answered here.
        self.invitation = InvitationCard(api, session, changed=self._changed, lost_sign_in=self._lost_sign_in,
                                         show=self._show)

    async def open_request(self, request_id: UUID) -> None:
        if self.on_open_request is not None:
            await self.on_open_request(request_id)

    @property
    def requests(self) -> list[RequestSummary]:
        """Newest first: the request someone just sent is the one they look for."""
        return self.mine.rows

    @property
    def is_empty(self) -> bool:
        return not self.requests and not self.outbox_items

    async def refresh_invitation(self) -> bool:
        """The invitation's card asked again on its own (back from the inbox, where a notification may be about
        one answered on another device or withdrawn since). False when the sign-in is gone."""
        try:
            await self.invitation.refresh()
        except ApiError as exc:
            if await self._lost_sign_in(exc):
                return False
        return True

    async def _fetch(self) -> None:
        if self.outbox is not None:
            self.outbox.wake()  # "refresh" also tries the waiting drafts at once
        _, requests = await asyncio.gather(self.invitation.refresh(), self.mine.fetch())
        self.mine.show(requests)


class TechnicianHome(HomeViewModel):
    role = AppRole.TECHNICIAN

    def __init__(self, api: ApiClient, session: Session, *, on_auth_lost: AuthLost, on_sign_out: SignOut) -> None:
        super().__init__(api, session, on_auth_lost=on_auth_lost, on_sign_out=on_sign_out)
        self.offers: list[Offer] = []
        # The jobs they lead and those they help on (`helping`: the job screen opens read-only), newest change
        # first, a page at a time.
        self.job_pages: PagedList[JobSummary] = PagedList(
            lambda after, n: self._api.technician_jobs(after, n), _by_id, changed=self._changed,
            lost_sign_in=self._lost_sign_in)
        self.categories: dict[str, Category] = {}
        # Set by the app: opens the job screen.
        self.on_open_job: OpenJob | None = None
        self.clock: Clock = utc_now
        # The offer cards' time left at the clock's last look (`clock_moved`): redrawn only when one reads otherwise.
        self._times_left: list[str] = []
        self.busy_offer: UUID | None = None
        # The offer whose "ปฏิเสธ" was tapped: its card asks first (a decline is final, the offer goes on).
        self.decline_asked: UUID | None = None
        # The citizen's before photos on each offer card, fetched after the list shows.
        self.thumbnails = Thumbnails(api)
        # Set by the app: the full-screen photo viewer.
        self.on_open_photos: OpenPhotos | None = None
        self.on_open_portfolio: Callable[[], Awaitable[None]] | None = None  # issue 14

    @property
    def jobs(self) -> list[JobSummary]:
        return self.job_pages.rows

    @property
    def jobs_in_hand(self) -> list[JobSummary]:
        """The jobs still in the student's hands (shared.statuses.CONTACT_OPEN: from accepting one until the item is
        back with its owner), those that wait for them first (IN_HAND_ORDER), and within a stage the ones they lead
        before the ones they help on, newest change first as listed. Shown above the offers: coming back to work on
        a job is the usual visit (ux21)."""
        return sorted((j for j in self.jobs if j.status in CONTACT_OPEN),
                      key=lambda j: (IN_HAND_ORDER.index(j.status), j.helping))

    @property
    def jobs_finished(self) -> list[JobSummary]:
        """The rest of the list, newest change first: back with the owner, cancelled, taken back from them. Below
        the offers, with the list's "more" (its later pages are mostly these)."""
        return [j for j in self.jobs if j.status not in CONTACT_OPEN]

    async def load_more_jobs(self) -> None:
        await self.job_pages.load_more()

    @property
    def is_empty(self) -> bool:
        return not self.offers and not self.jobs

    @property
    def off_roster(self) -> str | None:
        """Why no offers come: the college switched this student off taking jobs (the profile's `takes_jobs`);
        None while they are on the roster."""
        if self.profile.takes_jobs:
            return None
        college = self.profile.college
        name = college.name(self._session.locale) if college is not None else t("college", self._session.locale)
        return t("technician_off_roster", self._session.locale, college=name)

    async def open_portfolio(self) -> None:
        if self.on_open_portfolio is not None:
            await self.on_open_portfolio()

    def offer_photos(self, offer: Offer) -> list[bytes | None]:
        """One entry per before photo of the offer, None while it loads or when it could not be fetched."""
        return [self.thumbnails.get(offer.request_id, "before", idx) for idx in _offer_photo_indexes(offer)]

    def category_name(self, code: str) -> str:
        category = self.categories.get(code)
        return category.name(self._session.locale) if category else code

    async def open_offer_photo(self, offer: Offer, idx: int) -> None:
        keys: list[PhotoKey] = [(offer.request_id, "before", i) for i in _offer_photo_indexes(offer)]
        if self.on_open_photos is not None and 0 <= idx < len(keys):
            await self.on_open_photos(keys, idx, self.thumbnails)

    def time_left(self, offer: Offer) -> str:
        """"เหลือเวลา 3 ชม. 20 นาที" (past a day "เหลือเวลา 6 วัน 23 ชม."): how long the offer stays open, from this
        device's clock."""
        seconds = (offer.expires_at - self.clock()).total_seconds()
        if seconds <= 0:
            text = bilingual("time_left_none")
        elif seconds < 3600:
            text = bilingual("time_left_minutes", minutes=max(1, int(seconds // 60)))
        elif seconds >= 86400:  # days and hours: the minutes of a week-long wait tell nobody anything
            text = bilingual("time_left_days", days=int(seconds // 86400), hours=int(seconds % 86400 // 3600))
        else:
            text = bilingual("time_left_hours", hours=int(seconds // 3600), minutes=int(seconds % 3600 // 60))
        return text.in_(self._session.locale)

    def clock_moved(self) -> None:
        """The app's minute tick: the offer cards are drawn again when a time left reads otherwise now ("เหลือเวลา
        24 นาที", then "หมดเวลาตอบรับ" once it ran out). Only those texts change, so only they are sent to the
        screen (its scroll and the card being tapped stay); with no offer showing, nothing is drawn."""
        times = [self.time_left(o) for o in self.offers]
        if times != self._times_left:
            self._times_left = times
            if times:
                self._changed()

    async def open_job(self, request_id: UUID) -> None:
        if self.on_open_job is not None:
            await self.on_open_job(request_id)

    async def look_for_offer(self, request_id: UUID) -> None:
        """A tapped offer notification opened this home: the offers as they are now, and when the job's offer is not
        among them any more, why (GET /requests/{id} answers 410 to the student who had it: another student took
        it, or it ended), instead of a list that is silently without it. Any other answer (it is their job now, the
        network) leaves the home as it shows. A reload already on its way (a live event's, the poll's) is waited for:
        it fetches once more, so the offers looked at are as new as the tap."""
        await self.load_fresh()
        if self.state != LoadState.READY or any(o.request_id == request_id for o in self.offers):
            return
        try:
            await self._api.work_detail(request_id)
        except ApiError as exc:
            if await self._lost_sign_in(exc):
                return
            if exc.is_offer_gone:
                self._show(exc.text, error=True)

    async def accept(self, offer_id: UUID) -> None:
        """Take the job; when someone was faster (409 offer_not_open) say so and show the fresh list."""
        detail = await self._answer_offer(offer_id, self._api.accept_offer, bilingual("offer_accepted"))
        if detail is not None:
            self._notice = None  # the job screen opening says it; a "taken" line left on the home would go stale
            await self.open_job(detail.id)

    def ask_decline(self, offer_id: UUID) -> None:
        """"ปฏิเสธ" tapped: the card asks before the decline goes (the next student gets the offer, for good)."""
        if self.busy_offer is not None:
            return
        self.decline_asked = offer_id
        self._notice = None
        self._changed()

    def keep_offer(self) -> None:
        """"กลับไปดูก่อน": the offer stays, with its two buttons."""
        self.decline_asked = None
        self._changed()

    async def decline(self, offer_id: UUID) -> None:
        """Sent only for the offer its student was asked about and said yes to (anything else asks first)."""
        if self.decline_asked != offer_id:
            self.ask_decline(offer_id)
            return
        await self._answer_offer(offer_id, self._api.decline_offer, bilingual("offer_declined"))

    async def _answer_offer(self, offer_id: UUID, send: Callable[[UUID], Awaitable[T]], done: Bilingual) -> T | None:
        """Send the answer, say how it went, show the fresh list.

        The call's result; None when it failed (or when the call gives nothing back, as a decline).
        """
        if self.busy_offer is not None:
            return None
        self.busy_offer = offer_id
        self._notice = None
        if self.decline_asked != offer_id:
            self.decline_asked = None  # another card's question goes: one offer is answered at a time
        self._changed()
        try:
            result = await answered(send(offer_id), self._offer_answered, self._changed)
        except ApiError as exc:  # any failure (the buttons are back: `answered`) shows at the top of the home
            if await self._lost_sign_in(exc):
                return None
            # 409 offer_not_open: the server's own words ("งานนี้ไม่เปิดรับแล้ว (มีช่างรับไปแล้ว …)").
            self._show(exc.text, error=True)
            await self.load()
            return None
        self._offer_answered()
        self._show(done)
        await self.load()
        return result

    def _offer_answered(self) -> None:
        # The decline's question stayed open while it was sent, saying so ("กำลังส่ง…"); answered, it goes.
        self.busy_offer = self.decline_asked = None

    async def _fetch(self) -> None:
        # Offers carry only a category code; the catalogue gives them a name and an icon.
        feed, jobs, categories, own = await asyncio.gather(
            self._api.technician_offers(), self.job_pages.fetch(), self._api.categories(), self.mine.fetch(),
        )
        self.mine.show(own)
        # The feed says whether the college lets this student take jobs (no GET /me each refresh). The teacher
        # switches a student off (or back on) while the app is open: only that flag is taken, the rest of the stored
        # profile is the sign-in's. An older backend that does not say leaves the flag as it was.
        if feed.takes_jobs is not None and feed.takes_jobs != self.profile.takes_jobs:
            self._session.update_profile(self.profile.model_copy(update={"takes_jobs": feed.takes_jobs}))
        # Only offers still open to answer: a taken one is on "my jobs" (the backend lists only these too).
        self.offers = sorted((o for o in feed.offers if o.offer_status == OfferStatus.PENDING),
                             key=lambda o: o.distance_km)
        if self.decline_asked not in {o.offer_id for o in self.offers}:
            self.decline_asked = None  # the offer it asked about is gone (taken, expired, withdrawn)
        self.job_pages.show(jobs)
        self.categories = {c.code: c for c in categories}

    async def _loaded(self) -> None:
        wanted = [(o.request_id, "before", idx) for o in self.offers for idx in _offer_photo_indexes(o)]
        self.thumbnails.keep_only(wanted)  # the photos of offers gone (taken, expired, withdrawn) go with them
        if await self.thumbnails.fetch(wanted):
            self._changed()


# The student's jobs in hand in the order they act on them: the work itself (accepted, diagnosing, repairing), then
# what waits for the teacher's check, then the item to hand back. Its statuses are CONTACT_OPEN's (a test keeps them
# equal); the backend lists the jobs newest change first, and the order is the app's, over the rows read so far.
IN_HAND_ORDER: tuple[RequestStatus, ...] = (
    RequestStatus.ACCEPTED, RequestStatus.DIAGNOSING, RequestStatus.REPAIRING, RequestStatus.QUALITY_CHECK,
    RequestStatus.DONE, RequestStatus.UNREPAIRABLE,
)


def _offer_photo_indexes(offer: Offer) -> range:
    # Capped: a card never asks for more photos than a request can have.
    return range(max(0, min(offer.photo_count, MAX_PHOTOS_PER_REQUEST)))


@dataclass(frozen=True)
class Bar:
    category_code: str
    label: str  # the category's name in the app's language
    n: int
    fraction: float  # n relative to the biggest bar of the chart, 0..1


@dataclass(frozen=True)
class WeekBars:
    week_start: date
    bars: list[Bar]

    @property
    def total(self) -> int:
        return sum(b.n for b in self.bars)


class SupervisorHome(HomeViewModel):
    """The supervisor's dashboard: counts by status, jobs per week by category, the quality-check queue."""

    role = AppRole.SUPERVISOR

    def __init__(self, api: ApiClient, session: Session, *, on_auth_lost: AuthLost, on_sign_out: SignOut) -> None:
        super().__init__(api, session, on_auth_lost=on_auth_lost, on_sign_out=on_sign_out)
        self.dashboard: SupervisorDashboard | None = None
        self.categories: dict[str, Category] = {}
        # Set by the app: the review screen, the students screen and the ledger.
        self.on_open_job: OpenJob | None = None
        self.on_open_technicians: Callable[[], Awaitable[None]] | None = None
        self.on_open_ledger: Callable[[], Awaitable[None]] | None = None
        self.on_open_college_jobs: Callable[[], Awaitable[None]] | None = None
        self.on_open_college_credit: Callable[[], Awaitable[None]] | None = None  # issue 14

    @property
    def is_empty(self) -> bool:
        return self.dashboard is None or not self.dashboard.quality_check

    @property
    def college_name(self) -> str | None:
        return None if self.dashboard is None else self.dashboard.college.name(self._session.locale)

    @property
    def quality_check(self) -> list[QueueItem]:
        """Oldest first: the job waiting longest is checked first."""
        return [] if self.dashboard is None else sorted(self.dashboard.quality_check, key=lambda r: r.updated_at)

    def category_name(self, code: str) -> str:
        category = self.categories.get(code)
        return category.name(self._session.locale) if category else code

    def chart(self) -> list[WeekBars]:
        """The weekly counts as bars: weeks oldest first, categories by code, scaled to the biggest bar."""
        if self.dashboard is None:
            return []
        weeks: dict[str, dict[str, int]] = {}
        for row in self.dashboard.weekly:
            per_week = weeks.setdefault(row.week_start, {})
            per_week[row.category_code] = per_week.get(row.category_code, 0) + max(0, row.n)
        biggest = max((n for per_week in weeks.values() for n in per_week.values()), default=0)
        chart: list[WeekBars] = []
        for week in sorted(weeks):
            try:
                start = date.fromisoformat(week)
            except ValueError:
                continue  # a week this app cannot read is left out, not a crash
            bars = [
                Bar(code, self.category_name(code), n, n / biggest if biggest else 0.0)
                for code, n in sorted(weeks[week].items())
                if n > 0
            ]
            chart.append(WeekBars(start, bars))
        return chart

    async def open_job(self, request_id: UUID) -> None:
        if self.on_open_job is not None:
            await self.on_open_job(request_id)

    async def open_technicians(self) -> None:
        if self.on_open_technicians is not None:
            await self.on_open_technicians()

    async def open_ledger(self) -> None:
        if self.on_open_ledger is not None:
            await self.on_open_ledger()

    async def open_college_jobs(self) -> None:
        if self.on_open_college_jobs is not None:
            await self.on_open_college_jobs()

    async def open_college_credit(self) -> None:
        if self.on_open_college_credit is not None:
            await self.on_open_college_credit()

    async def _fetch(self) -> None:
        dashboard, categories, own = await asyncio.gather(
            self._api.supervisor_dashboard(), self._api.categories(), self.mine.fetch())
        self.mine.show(own)
        self.dashboard = dashboard
        self.categories = {c.code: c for c in categories}


@dataclass(frozen=True)
class CollegeChoice:
    college: College
    km: float | None  # None when the request has no location


class AdminHome(HomeViewModel):
    """The admin's home: requests no centre took (to send on by hand), then the colleges overview."""

    role = AppRole.ADMIN

    def __init__(self, api: ApiClient, session: Session, *, on_auth_lost: AuthLost, on_sign_out: SignOut) -> None:
        super().__init__(api, session, on_auth_lost=on_auth_lost, on_sign_out=on_sign_out)
        self.colleges: list[College] = []
        # Oldest first (the request waiting longest is handled first), a page at a time: years of requests from
        # places no college reaches are not all drawn at once.
        self.waiting_pages: PagedList[WaitingRequest] = PagedList(
            lambda after, n: self._api.admin_waiting(after, n), _by_id, changed=self._changed,
            lost_sign_in=self._lost_sign_in)
        # Jobs waiting on a college with nobody to decide them (its teachers left, or its only one asked for the
        # repair): longest waiting first, a page at a time as the waiting list. Opened as a job to decide.
        self.undecided_pages: PagedList[UndecidedJob] = PagedList(
            lambda after, n: self._api.admin_undecided(after, n), _by_id, changed=self._changed,
            lost_sign_in=self._lost_sign_in)
        self.on_open_job: OpenJob | None = None
        self.picking: UUID | None = None  # the waiting request whose college picker is open
        # The picker shows the nearest few (PICKER_NEAREST) until the admin asks for all or types a search; a tap on
        # a college only asks (`confirming`): the request is sent at the answer, so a scroll that ends in a tap sends
        # nobody's pump to a college 500 km away (ux21 finding 2).
        self.pick_query = ""
        self.pick_all = False
        self.confirming: UUID | None = None  # the college tapped in the open picker, awaiting the admin's yes
        self.busy: UUID | None = None  # the request being dispatched
        # Each waiting card's first before photo, small, fetched after the list shows (as an offer card's); set by
        # the app: the full-screen photo viewer, for all of that request's before photos.
        self.thumbnails = Thumbnails(api)
        self.on_open_photos: OpenPhotos | None = None
        # Which colleges can take the open picker's request (GET /admin/waiting/{id}/colleges), by college; empty
        # until read, or when it could not be (the picker then lists the colleges as before, without a word).
        self.fits: dict[UUID, CollegeFit] = {}

    @property
    def waiting(self) -> list[WaitingRequest]:
        return self.waiting_pages.rows

    async def load_more_waiting(self) -> None:
        await self.waiting_pages.load_more()
        await self._fetch_thumbnails()

    def waiting_photo(self, request: WaitingRequest) -> bytes | None:
        """The first before photo's thumbnail of a waiting request; None while it loads, when it could not be
        fetched, or when the citizen sent none (`photo_count`)."""
        return self.thumbnails.get(request.id, "before", 0)

    async def open_waiting_photo(self, request: WaitingRequest) -> None:
        count = max(0, min(request.photo_count, MAX_PHOTOS_PER_REQUEST))  # never more than a request can have
        keys: list[PhotoKey] = [(request.id, "before", i) for i in range(count)]
        if self.on_open_photos is not None and keys:
            await self.on_open_photos(keys, 0, self.thumbnails)

    async def _loaded(self) -> None:
        # Every reload (a live event about a request this home lists or one coming to wait, the picker's refresh, a
        # send-on refused) reads again which colleges can take the open picker's request: read once at its opening,
        # the picker kept saying "3 students can take it" of a college whose students had left or taken it.
        picking = self.picking
        await asyncio.gather(self._fetch_thumbnails(),
                             self.fit_colleges(picking) if picking is not None else asyncio.sleep(0))

    async def refresh_picker(self, _: object = None) -> None:  # Flet passes the event first
        """The picker's refresh: the colleges, the waiting list and which colleges can take the job read again (a
        college's students or teacher change with no event this admin hears). The admin's place stays: the search,
        "show all" and a question asked (while its college is still listed); the picker closes only if the request
        was sent on meanwhile."""
        await self.load()

    async def _fetch_thumbnails(self) -> None:
        wanted: list[PhotoKey] = [(r.id, "before", 0) for r in self.waiting if r.photo_count > 0]
        self.thumbnails.keep_only(wanted)  # the photos of requests sent on go with them
        if await self.thumbnails.fetch(wanted):
            self._changed()

    @property
    def undecided(self) -> list[UndecidedJob]:
        return self.undecided_pages.rows

    async def load_more_undecided(self) -> None:
        await self.undecided_pages.load_more()

    @property
    def is_empty(self) -> bool:
        return not self.colleges

    def area(self, request: WaitingRequest) -> str:
        locale = self._session.locale
        return area_text(locale, request.province, request.district) or bilingual("area_unknown").in_(locale)

    def choices(self, request: WaitingRequest) -> list[CollegeChoice]:
        """Every college, nearest to the request first; without a location, in the backend's order."""
        if request.lat is None or request.lon is None:
            return [CollegeChoice(c, None) for c in self.colleges]
        where = Point(request.lat, request.lon)
        ranked = [CollegeChoice(c, distance_km(where, Point(c.lat, c.lon))) for c in self.colleges]
        return sorted(ranked, key=lambda choice: choice.km or 0.0)

    def picker_choices(self, request: WaitingRequest) -> list[CollegeChoice]:
        """What the open picker lists: the colleges matching the search, or with none typed the nearest few
        (PICKER_NEAREST) until the admin asks for every one."""
        ranked = self.choices(request)
        if self.pick_query.strip():
            return [choice for choice in ranked if college_matches(choice.college, self.pick_query)]
        return ranked if self.pick_all else ranked[:PICKER_NEAREST]

    def picker_hidden(self, request: WaitingRequest) -> int:
        """How many colleges the picker leaves out now (its "show all" says so); 0 once searching or showing all."""
        if self.pick_query.strip() or self.pick_all:
            return 0
        return max(0, len(self.colleges) - PICKER_NEAREST)

    def set_pick_query(self, value: str) -> None:
        """A keystroke in the picker's search: the list follows it (a question asked before it is dropped: the
        college it named may have left the list)."""
        self.pick_query = value[:COLLEGE_SEARCH_MAX]
        self.confirming = None
        self._changed()

    def show_all_colleges(self) -> None:
        self.pick_all = True
        self._changed()

    def ask_dispatch(self, college_id: UUID) -> None:
        """A tap on a college in the picker: ask before sending (`confirm_question`), nothing sent yet."""
        self.confirming = college_id
        self._notice = None
        self._changed()

    def cancel_dispatch(self) -> None:
        self.confirming = None
        self._changed()

    def confirm_question(self, request: WaitingRequest) -> str | None:
        """The question for the college tapped: "ส่ง ปั๊มน้ำ ให้ วิทยาลัยเทคนิคลำพูน (1.2 กม.) ใช่ไหม?" in the
        screen's language (the college's name in it too), or None when nothing is being asked."""
        if self.confirming is None or self.picking != request.id:
            return None
        choice = next((c for c in self.choices(request) if c.college.id == self.confirming), None)
        if choice is None:
            return None
        locale = self._session.locale
        college = choice.college.name(locale)
        if choice.km is None:
            return t("dispatch_confirm_no_km", locale, item=request.item, college=college)
        return t("dispatch_confirm", locale, item=request.item, college=college, km=format_km(choice.km))

    async def confirm_dispatch(self) -> None:
        """The admin's yes: send the open picker's request to the college they tapped."""
        request_id, college_id = self.picking, self.confirming
        if request_id is None or college_id is None:
            return
        await self.dispatch(request_id, college_id)

    @property
    def colleges_to_check(self) -> list[College]:
        """The colleges the overview names (ux21 finding 3: not every college again): those whose place is only
        approximate (a district's middle), as distances to requests and the matching radius are measured from it.
        All of them: the view names the first HOME_ATTENTION_SHOWN and counts the rest."""
        return [c for c in self.colleges if c.coordinates_approximate]

    @property
    def attention_shown(self) -> int:
        return HOME_ATTENTION_SHOWN

    def shows_change(self, request_id: str, status: str) -> bool:
        """Whether a request's live event changes this home: one that comes to wait for an admin (no centre took
        it), or one it lists (sent on, cancelled). The admin's stream hears every request of the country: a job
        elsewhere moving from repairing to done changes nothing here, and reloading the waiting list and every
        college for each one cost two calls an event. A home that never loaded reloads on any, to show something."""
        return (status == RequestStatus.NO_CENTRE or not self.has_loaded
                or any(str(r.id) == request_id for r in (*self.waiting, *self.undecided)))

    def hears_message_about(self, request_id: str | None) -> bool:
        """Whether a message that reached this admin changes the home: every message to an admin about a request
        is one that waits on them (no centre took it; or a check, a hand back or a suspended student's job at a
        college with nobody to decide it: migrations 0071, 0074). A job may come to wait on them with no request
        event they would notice (a suspension changes no status; a check's status event says nothing of who may
        decide it), so the message is what brings it to the list."""
        return request_id is not None

    def owner_note(self, request: WaitingRequest) -> str | None:
        """Why a waiting request is not to be sent on now: its citizen's account is suspended (GET /admin/waiting
        `owner_suspended`: nobody may answer for it, review18a #2; a send-on is refused, 409 owner_suspended, and
        the clock offers it again once the account is restored). None for any other request."""
        if not request.owner_suspended:
            return None
        return bilingual("owner_suspended_mark").in_(self._session.locale)

    def can_send_on(self, request: WaitingRequest) -> bool:
        """Whether its send-on buttons are offered: not while nobody may answer for it (`owner_note`)."""
        return not request.owner_suspended

    @property
    def picking_request(self) -> WaitingRequest | None:
        return next((r for r in self.waiting if r.id == self.picking), None)

    def open_picker(self, request_id: UUID) -> None:
        self.picking = request_id
        self._reset_picker()
        self._notice = None
        self._changed()

    def close_picker(self) -> None:
        self.picking = None
        self._reset_picker()
        self._changed()

    async def fit_colleges(self, request_id: UUID) -> None:
        """Reads which colleges can take the request whose picker is open (after `open_picker`: the list shows at
        once, each college's word comes with the answer). A failure leaves the list without them: the send-on still
        says why a college cannot take it."""
        try:
            fits = await self._api.admin_college_fit(request_id)
        except ApiError as exc:
            if await self._lost_sign_in(exc):
                return
            fits = []
        if self.picking == request_id:  # still the open picker's (another may have opened meanwhile)
            self.fits = {fit.college_id: fit for fit in fits}
            self._changed()

    def fit_text(self, college_id: UUID) -> str | None:
        """What the picker says under a college: "นักศึกษาที่ทำงานนี้ได้ 3 คน", or why it cannot take the job (no
        fitting student; no teacher for a job that needs one). None before the answer."""
        fit = self.fits.get(college_id)
        if fit is None:
            return None
        locale = self._session.locale
        if fit.students == 0:
            return t("college_fit_none", locale)
        if fit.needs_teacher and not fit.has_teacher:
            return t("college_fit_no_teacher", locale, students=fit.students)
        return t("college_fit_students", locale, students=fit.students)

    def can_take(self, college_id: UUID) -> bool | None:
        fit = self.fits.get(college_id)
        return None if fit is None else fit.can_take

    def _reset_picker(self) -> None:
        self.pick_query, self.pick_all, self.confirming = "", False, None
        self.fits = {}

    def _dispatched(self) -> None:
        self.busy = None

    async def open_job(self, request_id: UUID) -> None:
        if self.on_open_job is not None:
            await self.on_open_job(request_id)

    async def dispatch(self, request_id: UUID, college_id: UUID | None) -> None:
        """Send the request to a college (None: run the automatic matching again), then show the fresh list.

        On a 409 the server's words show (no_fitting_student: "ยังไม่มีนักศึกษาที่มีทักษะตรงกับงานนี้…") and
        the picker stays open, so another college can be chosen.
        """
        if self.busy is not None:
            return
        request = next((r for r in self.waiting if r.id == request_id), None)
        self.busy = request_id
        self._notice = None
        self._changed()
        try:
            await answered(self._api.dispatch(request_id, college_id), self._dispatched, self._changed)
        except ApiError as exc:
            if await self._lost_sign_in(exc):
                return
            self.confirming = None  # the picker stays open to choose another college, asked again
            self._show(exc.text, error=True)
            if exc.code != "no_fitting_student":
                await self.load()  # it moved on (illegal_transition) or something else changed: show what is true
            return
        self._dispatched()
        self.picking = None
        self._reset_picker()
        item = request.item if request is not None else ""
        college = next((c for c in self.colleges if c.id == college_id), None)
        if college is None:
            self._show(bilingual("redispatched", item=item))
        else:
            self._show(Bilingual(
                bilingual("dispatched").th.format(item=item, college=college.name_th),
                bilingual("dispatched").en.format(item=item, college=college.name_en),
            ))
        await self.load()

    async def _fetch(self) -> None:
        # Colleges kept in the backend's order: sorting Thai by code point misplaces leading vowels (เ, แ, โ).
        colleges, waiting, undecided = await asyncio.gather(
            self._api.colleges(), self.waiting_pages.fetch(), self.undecided_pages.fetch())
        self.undecided_pages.show(undecided)
        self.colleges = colleges
        self.waiting_pages.show(waiting)
        if self.picking is not None and self.picking_request is None:
            self.picking = None  # dispatched elsewhere meanwhile
            self._reset_picker()


HOMES: dict[AppRole, type[HomeViewModel]] = {
    AppRole.CITIZEN: CitizenHome,
    AppRole.TECHNICIAN: TechnicianHome,
    AppRole.SUPERVISOR: SupervisorHome,
    AppRole.ADMIN: AdminHome,
}


def home_for(
    role: AppRole, api: ApiClient, session: Session, *, on_auth_lost: AuthLost, on_sign_out: SignOut
) -> HomeViewModel:
    return HOMES[role](api, session, on_auth_lost=on_auth_lost, on_sign_out=on_sign_out)
