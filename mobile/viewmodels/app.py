"""The whole app's state: which screen shows, and the moves between sign-in and the homes."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Generic, Protocol, TypeVar, overload
from uuid import UUID

from mobile.api_client import ApiClient, ApiError
from mobile.geocoding import ReverseGeocoder
from mobile.live import LiveEvents, Refused, ServerEvent, change_heard, commit_at, lead_left_event, request_event
from mobile.models import NotificationItem, Profile, RequestDetail, SessionTokens, SignedIn
from mobile.outbox import (
    ItemState,
    MemoryOutboxStorage,
    Outbox,
    OutboxItem,
    OutboxStorage,
    Sleep,
    StorageRefused,
)
from mobile.push import PushRegistration
from mobile.viewmodels.account import AccountViewModel
from mobile.viewmodels.college_jobs import CollegeJobsViewModel
from mobile.viewmodels.colleges_admin import CollegesAdminViewModel
from mobile.viewmodels.credit import CollegeCreditViewModel, PortfolioViewModel, RecordPanel
from mobile.viewmodels.home import AdminHome, CitizenHome, HomeViewModel, SupervisorHome, TechnicianHome, home_for
from mobile.viewmodels.inbox import InboxViewModel, is_notification_event, messages_closed, notification_request
from mobile.viewmodels.job import JobViewModel
from mobile.viewmodels.login import LoginViewModel
from mobile.viewmodels.observable import Observable
from mobile.viewmodels.photo_viewer import PhotoViewer
from mobile.viewmodels.request_detail import RequestDetailViewModel
from mobile.viewmodels.request_form import FormState, RequestFormViewModel
from mobile.viewmodels.session import Session, SessionStore, StoredSession, token_subject
from mobile.viewmodels.supervisor import LedgerViewModel, SaveFile, TechniciansViewModel
from mobile.viewmodels.thumbnails import PhotoKey, Thumbnails
from shared.notifications import OFFERS_LINK
from shared.roles import REQUESTER_ROLES, Actor
from shared.text import Bilingual, Locale, bilingual


class Screen(StrEnum):
    STARTING = "starting"  # reading device storage; nothing to show yet
    LOGIN = "login"
    HOME = "home"
    REQUEST_FORM = "request_form"
    REQUEST_DETAIL = "request_detail"
    JOB = "job"  # a technician's job, or a supervisor's review of it
    TECHNICIANS = "technicians"
    LEDGER = "ledger"
    PORTFOLIO = "portfolio"  # the student's approved jobs per term (issue 14)
    COLLEGE_CREDIT = "college_credit"  # the teacher's hours, proposals and skills lacking (issue 14)
    INBOX = "inbox"  # the person's notifications (issue 13)
    ACCOUNT = "account"  # name, phone, role; download my data, delete my account, sign out (issue 11)
    COLLEGES = "colleges"  # the admin's onboarding: colleges and their supervisors (issue 11)
    COLLEGE_JOBS = "college_jobs"  # the teacher's list of every job of the college
    # An operator suspended the account: why, whom to ask; download my data, delete my account, sign out. Nothing
    # else of the app (no home under it).
    SUSPENDED = "suspended"


# The address of each screen. A request's own screen is /requests/{id} for its owner and /jobs/{id} for the
# people who work on it or review it; a link of either kind opens the screen the signed-in person has for it.
HOME_ROUTE = "/"
NEW_REQUEST_ROUTE = "/requests/new"
TECHNICIANS_ROUTE = "/college/technicians"
LEDGER_ROUTE = "/college/ledger"
PORTFOLIO_ROUTE = "/me/portfolio"
COLLEGE_CREDIT_ROUTE = "/college/credit"
INBOX_ROUTE = "/inbox"
ACCOUNT_ROUTE = "/account"
COLLEGES_ROUTE = "/admin/colleges"
# Links in notifications that name no screen of their own: the inbox, and a student's offers (on their home).
_INBOX_ALIASES = ("/notifications",)
COLLEGE_JOBS_ROUTE = "/college/jobs"
_REQUEST_PREFIX = "/requests/"
_JOB_PREFIX = "/jobs/"
# A student's home shows each offer's time left in minutes: while it is open, it looks at the clock this often.
CLOCK_TICK_SECONDS = 60.0


def route_path(route: str) -> str:
    """The path of a route as the browser reports it: no query or fragment, no trailing slash."""
    path = route.split("?", 1)[0].split("#", 1)[0].strip() or HOME_ROUTE
    if not path.startswith("/"):
        path = "/" + path
    return path.rstrip("/") or HOME_ROUTE


def route_request_id(route: str) -> UUID | None:
    """The request a /requests/{id} or /jobs/{id} route names, or None."""
    path = route_path(route)
    for prefix in (_REQUEST_PREFIX, _JOB_PREFIX):
        if path.startswith(prefix):
            try:
                return UUID(path[len(prefix):])
            except ValueError:
                return None
    return None


def _access(profile: Profile) -> tuple[str, UUID | None]:
    """What the app's screens follow: the role and the college (the live stream is scoped by them too)."""
    return str(profile.role), profile.college.id if profile.college is not None else None


class Task(Protocol):
    def cancel(self) -> bool: ...


class Closes(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=Closes)


class Shown(Generic[C]):
    """An AppViewModel attribute holding one screen's view-model: whatever takes its place (another screen, None)
    closes the one it held first, so nothing of a closed screen runs on to redraw the app later (its retry's wait for
    a Retry-After: mobile/viewmodels/retry_wait.py; a load or an action answered after it closed:
    mobile/viewmodels/loadable.py::Loadable.close). Every way a screen goes passes here: back, sign-out, the
    suspended screen, another screen in its place, a new role's home."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = f"_shown_{name}"

    @overload
    def __get__(self, app: None, owner: type) -> "Shown[C]": ...

    @overload
    def __get__(self, app: "AppViewModel", owner: type) -> C | None: ...

    def __get__(self, app: "AppViewModel | None", owner: type) -> "Shown[C] | C | None":
        if app is None:
            return self
        held: C | None = app.__dict__.get(self._name)
        return held

    def __set__(self, app: "AppViewModel", screen: C | None) -> None:
        held: Closes | None = app.__dict__.get(self._name)
        if held is not None and held is not screen:
            held.close()
        app.__dict__[self._name] = screen


# Starts a background coroutine for this session: page.run_task in the app. Without one (unit tests)
# nothing runs in the background and tests drive the outbox and live events step by step.
Spawn = Callable[[Callable[[], Awaitable[None]]], Task]
# (token source, on_event, on_poll, on_refused): see LiveEvents.
LiveFactory = Callable[
    [Callable[[], Awaitable[str | None]], Callable[[ServerEvent], Awaitable[None]], Callable[[], Awaitable[None]],
     Refused],
    LiveEvents,
]


class AppViewModel(Observable):
    # The screens' view-models (each closes when another takes its place or it goes: `Shown`).
    home = Shown[HomeViewModel]()
    request_form = Shown[RequestFormViewModel]()
    request_detail = Shown[RequestDetailViewModel]()
    inbox = Shown[InboxViewModel]()  # the bell's count lives as long as the session
    account = Shown[AccountViewModel]()
    colleges_admin = Shown[CollegesAdminViewModel]()
    job = Shown[JobViewModel]()
    technicians = Shown[TechniciansViewModel]()
    ledger = Shown[LedgerViewModel]()
    # Issue 14: the job record on the open request's screen, the portfolio, the college view.
    record = Shown[RecordPanel]()
    portfolio = Shown[PortfolioViewModel]()
    college_credit = Shown[CollegeCreditViewModel]()
    # The teacher's job list; kept while a job opened from it shows, so back returns to it where it was.
    college_jobs = Shown[CollegeJobsViewModel]()

    def __init__(
        self,
        api: ApiClient,
        store: SessionStore,
        default_locale: Locale = Locale.TH,
        *,
        outbox_storage: OutboxStorage | None = None,
        spawn: Spawn | None = None,
        live_factory: LiveFactory | None = None,
        sleep: Sleep = asyncio.sleep,
        save_file: SaveFile | None = None,
        geocoder: ReverseGeocoder | None = None,
        push: PushRegistration | None = None,
    ) -> None:
        super().__init__()
        self._api = api
        self._store = store
        self._outbox_storage = outbox_storage or MemoryOutboxStorage()
        self._suspended_owner: str | None = None  # on the suspended screen: whose drafts wait on this device
        self._spawn = spawn
        self._live_factory = live_factory
        self._sleep = sleep
        self._save_file = save_file
        self._geocoder = geocoder  # None unless flet.toml configures one
        # The phone's push service (mobile/push.py); None where there is none (web, desktop, tests, a phone build
        # without a OneSignal app id).
        self._push = push
        self._device_token: str | None = None  # registered with /me/devices for this session
        self.inbox = self.account = self.colleges_admin = None
        self.job = self.technicians = self.ledger = None
        self.record, self.portfolio, self.college_credit = None, None, None
        self.college_jobs = None
        # The full-screen photo viewer, above whichever screen opened it.
        self.photo_viewer = PhotoViewer(api)
        self.photo_viewer.on_change.append(self._changed)
        self._tasks: list[Task] = []
        self.outbox: Outbox | None = None
        self.request_detail = None
        self.session = Session(default_locale)
        self.login = LoginViewModel(api, self.session, on_signed_in=self._signed_in)
        self.home = None
        self.request_form = None
        self.screen = Screen.STARTING
        # A route asked for before there was anyone signed in (a link): opened right after the sign-in.
        self._pending_route: str | None = None
        # Where the person wanted to go while the form held unsent changes: the app asks first.
        self.leave_target: str | None = None
        # A sent form's address is in the browser's history under the home: going back there shows the home.
        self._sent_form_behind = False
        # Whether this device has a language of its own choosing; if not, a sign-in adopts the profile's.
        self._locale_chosen = False
        # The device's language did not reach the profile (offline, a server fault): sent again when the network is
        # back (`poll`, which the live stream calls as it reconnects) and at the next start, never lost.
        self._locale_unsent = False
        # Every call says the language the screens show (Accept-Language): the backend words next steps, timeline
        # notes and the inbox in it, whatever the profile holds (ux21 finding 1). First, so it holds before anything
        # a change of the session redraws or loads.
        api.language = self.session.locale
        self.session.on_change.append(self._language_follows)
        self.session.on_change.append(self._changed)
        self.login.on_change.append(self._changed)
        # Each refresh rotates the single-use refresh token: the stored one must follow, or the next start fails.
        api.on_tokens_changed = self._tokens_changed
        # Any answer 403 account_suspended moves to the suspended screen at once, whoever made the call.
        api.on_suspended = self._account_suspended
        api.on_unread_count = self._unread_counted  # the bell's number, when a home's list carries it
        self._suspending = False  # on the way to the suspended screen (its storage reads) or on it
        # The change (request id, commit's `at`: mobile/live.py `change_heard`) the open request or job screen was
        # last read after: its status event and the messages it wrote come as several live events, one read each.
        self._screen_read_after: tuple[str, str] | None = None
        # The commit (`at`) each list was last read after ("home", "lists": the teacher's queue and college jobs): one
        # commit's events share their `at` (a decision's request event and its closed-messages event, 0127; the k
        # events of a commit moving k jobs), and each read the list again (review28b #1).
        self._read_after: dict[str, str | None] = {}

    @property
    def locale(self) -> Locale:
        return self.session.locale

    def _language_follows(self) -> None:
        self._api.language = self.session.locale

    async def start(self, route: str = HOME_ROUTE) -> None:
        """Restore a stored session so a reload or app restart stays signed in; then show `route` (the address
        the app was opened at), after the sign-in when nobody is signed in yet."""
        if route_path(route) != HOME_ROUTE:
            self._pending_route = route_path(route)
        stored_locale = await self._store.load_locale()
        if stored_locale is not None:
            self._locale_chosen = True
            self.session.set_locale(stored_locale)
        stored = await self._store.load()
        if stored is None:
            self._show_login()
            return
        self._api.use_session(stored.tokens)
        if stored.profile is None:  # stored by a sign-in that said the account is suspended
            self.session.suspend(stored.token)
        else:
            if not self._locale_chosen:  # as at the sign-in: a device with no language of its own shows the profile's
                self.session.set_locale(stored.profile.locale)
            self.session.sign_in(stored.token, stored.profile)
        try:
            # An access token past its life is refreshed here (before the call, or after its 401), not re-asked by SMS.
            profile = await self._api.me()
        except ApiError as exc:
            if exc.is_auth_lost:
                await self._auth_lost(exc)
                return
            if stored.profile is None:  # offline, and suspended when last heard: that screen (it has no home)
                await self._show_suspended(stored.token)
                return
            # Offline: the stored profile is good enough to open the home, which shows the error and a retry. What
            # language the profile holds now is unknown (another device may have changed it): this device's is sent
            # once the network is back.
            self._locale_unsent = self._locale_chosen
        else:
            if not self._locale_chosen:
                self.session.set_locale(profile.locale)
            self.session.update_profile(profile)
            await self._save_session(profile)
            if profile.locale != self.session.locale:
                # This device's chosen language, which another device (or a switch sent offline) left unsaid: the
                # profile's language is what pushes, SMS and LINE messages are written in (ux21 finding 1).
                await self._push_locale(self.session.locale)
                if self.session.profile is None:  # the push found the session gone (and moved to the login)
                    return
        await self._open_home()

    async def toggle_locale(self) -> None:
        locale = self.session.toggle_locale()
        self._locale_chosen = True
        await self._store.save_locale(locale)
        if self.session.signed_in:
            await self._push_locale(locale)
            if self.screen == Screen.INBOX and self.inbox is not None:
                await self.inbox.load()  # the backend writes notifications in the person's language: fetch again
            elif self.screen in (Screen.REQUEST_DETAIL, Screen.JOB):
                await self.poll()  # so are the timeline's system notes: the open request is fetched again

    async def sign_out(self, notice: Bilingual | None = None) -> None:
        """The person is forgotten on the device first (the session, its stored copy, the phone's pushes, the
        screens), and only then is the backend told (the device dropped, the refresh token revoked): on a weak
        network that waits tens of seconds, and meanwhile the sign-in shows, and the app closed and opened again
        opens at it. Never fails: offline, the sign-out on the device is complete all the same."""
        self._stop_background()
        device_token, self._device_token = self._device_token, None
        ended = self._api.end_session()  # answers to this session's calls no longer count (mobile/api_client.py)
        self.session.token = None  # no more token saving from here on
        self._suspended_owner = None
        self._suspending = False
        self._locale_unsent = False  # the next person's sign-in tells the profile this device's language itself
        await self._store.clear()
        await self._stop_push()
        self._close_screens()
        self.session.sign_out()
        self.login.reset(notice)
        self._show_login()
        if device_token is not None and ended is not None:
            with contextlib.suppress(ApiError):
                await self._api.drop_device(device_token, ended)
        await self._api.revoke(ended)

    def _close_screens(self) -> None:
        """Every screen of the session goes (and its home, inbox and outbox with it)."""
        self.home = None
        self.request_form = None
        self._leave_sub_screens()
        self.photo_viewer.close()
        self.outbox = None
        self.inbox = None
        self.leave_target = None

    async def _show_suspended(self, token: str | None) -> None:
        """The account is suspended (its sign-in said so, or a call answered 403 account_suspended): one screen
        saying so, whom to ask, and the person's data rights from the account screen (download my data, delete my
        account, asked first), and sign out. Nothing else: there is no home under it."""
        if self.screen == Screen.SUSPENDED or self._suspending:
            return
        self._suspending = True
        await self._become_suspended(token)

    async def _become_suspended(self, token: str | None) -> None:
        self._stop_background()
        self._close_screens()
        # Whose drafts wait on this device: the profile known before the suspension, else the token's subject.
        profile = self.session.profile
        self._suspended_owner = str(profile.id) if profile is not None else token_subject(token)
        self.session.suspend(token)
        account = AccountViewModel(
            self._api, self.session, on_back=self._stay_suspended, on_auth_lost=self._auth_lost,
            on_sign_out=self.sign_out, on_deleted=self._account_deleted, save_file=self._save_file,
        )  # never loaded: GET /me would answer account_suspended again
        account.on_change.append(self._changed)
        if self._suspended_owner is not None:
            held = Outbox(self._api, self._outbox_storage, owner_id=self._suspended_owner, sleep=self._sleep)
            await held.load()
            account.held_drafts = len(held.items)  # said on the screen: deleting the account removes them
        self.account = account
        self.screen = Screen.SUSPENDED
        self._changed()

    async def _account_suspended(self, error: ApiError) -> None:
        """A call (any call: the API client reports it, before it raises) or the live stream's connection answered
        403 account_suspended: the move to the suspended screen starts at once, also when the caller keeps the error
        to itself (a thumbnail, a hint, the outbox's sender). It runs in a task of its own, after the caller had its
        say (a form holds its draft first): the caller may be a background task (the live stream's poll) that the
        move cancels. Without tasks (unit tests drive each step) the caller's own on_auth_lost moves, as before."""
        token = self.session.token
        if self._spawn is None or self.screen == Screen.SUSPENDED or self._suspending or token is None:
            return
        self._suspending = True  # the caller's own on_auth_lost, and any move home meanwhile, find it under way

        async def move() -> None:  # a coroutine function: page.run_task refuses anything else (a lambda)
            await self._become_suspended(token)

        self._spawn(move)

    async def _live_refused(self, status: int, code: str) -> None:
        """The live stream's (re)connection was refused: a suspension is acted on at once (the stream the backend
        ended at the suspension reconnects and is told so); anything else waits for the next call or poll."""
        error = ApiError.from_catalog(status, code)
        if error.is_suspended:
            await self._account_suspended(error)

    async def _live_ended(self) -> None:
        """The server ended the live stream (it does when the person's role or college changed, 0043): GET /me
        again, in a task of its own (a move home restarts the live task, which this runs in)."""
        if self._spawn is None:
            return

        async def reread() -> None:  # a coroutine function: page.run_task refuses anything else (a lambda)
            await self.reread_profile()

        self._spawn(reread)

    async def reread_profile(self) -> None:
        """The person's role or college may have changed (an admin moved or promoted them): GET /me, and if either
        did, the new role's home opens, as after a sign-in. Nothing else changes what shows."""
        known = self.session.profile
        if known is None or self.screen == Screen.SUSPENDED or self._suspending:
            return
        try:
            profile = await self._api.me()
        except ApiError as exc:
            # A suspension: the move api.on_suspended started is found under way. Only for the session that asked:
            # an account deletion ends its stream too, and this answer (401) may come after its sign-out, whose
            # "your account was deleted" it must not replace with "please sign in".
            if exc.is_auth_lost and self.session.profile is known:
                await self._auth_lost(exc)
            return  # offline or any other error: the next server-ended stream asks again
        if self.session.profile is not known or _access(profile) == _access(known):
            return  # signed out or moved meanwhile, or the same role and college: nothing shows differently
        form, outbox = self.request_form, self.outbox
        if self.has_unsent_changes and form is not None and outbox is not None and form.state != FormState.SENDING:
            # The half-written form is not lost with the old home: held in the person's outbox (theirs whatever
            # their role), the new home shows it to send, edit or discard.
            try:
                await outbox.add(form.held_item())
            except StorageRefused:
                # Unless the device will not keep it (its storage is full): then the form stays open and says so,
                # and the new role's home waits for the next look (the next stream the server ends asks again).
                form.not_kept()
                return
        self.session.update_profile(profile)
        await self._save_session(profile)
        self._close_screens()  # the old role's screens (a college's ledger, a job) are no longer theirs
        await self._open_home()

    def _unread_counted(self, unread: int) -> None:
        if self.inbox is not None:
            self.inbox.counted(unread)

    async def _stay_suspended(self) -> None:
        """Back from the suspended screen: nowhere to go."""

    async def _signed_in(self, signed_in: SignedIn) -> None:
        profile = signed_in.profile
        if signed_in.suspended or profile is None:
            await self._show_suspended(signed_in.access_token)
            # Stored like any sign-in (with no profile to keep): reopened, the app asks GET /me and lands here again.
            await self._save_session(None)
            return
        if not self._locale_chosen:
            self.session.set_locale(profile.locale)
        self.session.sign_in(signed_in.access_token, profile)
        await self._save_session(profile)
        if profile.locale != self.session.locale:
            await self._push_locale(self.session.locale)
        await self._open_home()

    async def _push_locale(self, locale: Locale) -> None:
        """Tell the backend, which writes to this person in their language (pushes, SMS, LINE: what reaches them
        outside the app; the app's own screens ask for theirs with each call, `ApiClient.language`)."""
        try:
            profile = await self._api.update_me(locale=locale)
        except ApiError as exc:
            if exc.is_auth_lost:
                await self._auth_lost(exc)
            elif exc.is_retryable:
                # Offline or a server fault: the screen already changed language, and the profile is told when the
                # network is back (`poll`) or at the next start, whichever comes first.
                self._locale_unsent = True
            return
        self._locale_unsent = False
        self.session.update_profile(profile)

    async def _invitation_accepted(self, profile: Profile) -> None:
        """A college's invitation accepted: the person is a student or teacher now, with that role's home."""
        self.session.update_profile(profile)
        await self._save_session(profile)
        await self._open_home()

    async def _keep_drafts_for_discarding(self, home: HomeViewModel, owner_id: str) -> None:
        """An admin asks for no repairs, but one who wrote a draft as a citizen (held when the sign-in ran out) and
        was made an admin since still finds it on their home, to discard: the drafts are shown, no sender runs
        (an admin's send would be refused) and `self.outbox` stays None (no form to edit them in)."""
        kept = Outbox(self._api, self._outbox_storage, owner_id=owner_id, sleep=self._sleep)
        await kept.load()
        if not kept.items:
            return
        kept.on_change.append(home._changed)
        home.outbox = kept
        home.show_notice(bilingual("outbox_admin_notice"))

    async def _profile_saved(self, profile: Profile) -> None:
        """A name set on the home survives a reload: the stored session gets the new profile."""
        await self._save_session(profile)

    async def _save_session(self, profile: Profile | None) -> None:
        tokens = self._api.session
        if tokens is not None and self.session.token is not None:
            await self._store.save(StoredSession.of(tokens, profile))

    async def _tokens_changed(self, tokens: SessionTokens | None) -> None:
        """The API client refreshed the session (or ended it: then the 401 it raises signs out). The stored session
        follows every rotation: a refresh token is single-use, and presenting the old one at the next start would
        end the session (the suspended screen refreshes too, for the data download, with no profile known)."""
        if tokens is None or self.session.token is None:
            return  # signing in (saved once the profile is known) or signing out
        self.session.token = tokens.access_token
        profile = self.session.profile
        if profile is None:  # suspended: the stored session keeps the profile it was stored with (None after a
            generation = self._api.generation  # suspended sign-in)
            stored = await self._store.load()
            # The read waits (a browser's storage answers over the websocket): a sign-out meanwhile cleared the
            # stored session, and saving this one back would reopen the ended account at the next start.
            if stored is None or self._api.generation != generation or self.session.token is None:
                return
            profile = stored.profile
        await self._store.save(StoredSession.of(tokens, profile))

    async def _live_token(self) -> str | None:
        """The token for (re)connecting the live stream, refreshed when about to expire. A session that ended
        signs out in a task of its own: this runs inside the live task, which the sign-out cancels."""
        try:
            return await self._api.fresh_token()
        except ApiError as exc:
            if exc.is_auth_lost and self._spawn is not None:
                lost = exc

                async def leave() -> None:  # a coroutine function: page.run_task refuses a lambda
                    await self._auth_lost(lost)

                self._spawn(leave)
            return None

    async def _open_home(self) -> None:
        profile = self.session.profile
        assert profile is not None
        home = home_for(profile.role, self._api, self.session, on_auth_lost=self._auth_lost, on_sign_out=self.sign_out)
        home.on_change.append(self._changed)
        home.on_profile_saved = self._profile_saved
        self._stop_background()
        if isinstance(home, CitizenHome):
            home.on_open_request = self.open_request
            home.invitation.on_accepted = self._invitation_accepted
        else:  # a student's, a teacher's or an admin's own requests open the owner's screen, as for a citizen
            home.on_open_own_request = self.open_request
        self.outbox = None
        if home.role in REQUESTER_ROLES:
            # The form and the outbox are anyone's who may ask for a repair; the outbox is the person's own on this
            # device, so a draft held as a citizen is still there after they accept an invitation.
            home.on_new_request = self.open_request_form
            home.on_edit_outbox = self.edit_outbox_item
            outbox = Outbox(self._api, self._outbox_storage, owner_id=str(profile.id), sleep=self._sleep,
                            on_sent=self._outbox_sent)
            outbox.on_change.append(home._changed)
            await outbox.load()
            home.outbox = self.outbox = outbox
            if any(item.state == ItemState.HELD for item in outbox.items):
                # Said at the top: on a small phone the held draft's card is below the fold.
                home.show_notice(bilingual("outbox_held_notice"))
        else:
            await self._keep_drafts_for_discarding(home, str(profile.id))
        if isinstance(home, TechnicianHome):
            home.on_open_job = self.open_job
            home.on_open_photos = self.open_photos
            home.on_open_portfolio = self.open_portfolio
        elif isinstance(home, SupervisorHome | AdminHome):
            home.on_open_job = self.open_job
        if isinstance(home, AdminHome):
            home.on_open_photos = self.open_photos  # a waiting request's before photos
        if isinstance(home, SupervisorHome):
            home.on_open_college_jobs = self.open_college_jobs
            home.on_open_college_credit = self.open_college_credit
            home.on_open_technicians = self.open_technicians
            home.on_open_ledger = self.open_ledger
        self.home = home
        inbox = InboxViewModel(self._api, self.session, on_back=self.back_home, on_auth_lost=self._auth_lost,
                               on_open=self.open_notification)
        inbox.on_change.append(self._changed)
        self.inbox = inbox
        self.screen = Screen.HOME
        self._changed()
        self._start_background()
        pending, self._pending_route = self._pending_route, None
        if pending is not None:
            await self.open_route(pending)
        counted = self._api.unread_counts_seen
        await home.load()
        if self.inbox is inbox:  # still signed in (the home's load may have found the session gone)
            if self._api.unread_counts_seen == counted:  # the home's lists did not carry the bell's number
                await inbox.refresh_count()
            if self._spawn is not None and self._push is not None:
                # In the background: the phone's permission prompt waits for the person, the home must not.
                self._tasks.append(self._spawn(self._register_device))
            else:
                await self._register_device()

    # --- push: this device's token, for the time someone is signed in on it ---------------------------------

    async def _register_device(self) -> None:
        profile = self.session.profile
        if self._push is None or self._device_token is not None or profile is None:
            return
        generation = self._api.generation
        try:
            found = await self._push.subscribe(str(profile.id))
            if found is not None and self._api.generation == generation:  # still the session that asked
                platform, token = found
                await self._api.register_device(platform, token)  # raises session_ended if it ends meanwhile
                self._device_token = token
                # Only now that the backend sends this device's pushes to this person (a device the last person's
                # failed DELETE left registered to them moved to this one) may they show again.
                await self._push.resume()
        except Exception:
            # Push is a bonus (an API error or the platform's push service failing alike): the inbox and the live
            # stream still work, and the next sign-in tries again.
            return

    async def _stop_push(self) -> None:
        if self._push is not None:
            # The next person on this phone must not get this one's pushes, also when the sign-out's DELETE
            # /me/devices does not get through (offline, or the server already ended the session): the phone stops
            # showing them. A push service that fails here must not stop the sign-out.
            with contextlib.suppress(Exception):
                await self._push.unsubscribe()

    # --- routes: the screen as an address, an address as a screen -------------------------------------

    @property
    def route(self) -> str:
        """The address of what shows. The login is at "/", or at the link that waits for the sign-in."""
        if self.screen == Screen.REQUEST_FORM:
            return NEW_REQUEST_ROUTE
        if self.screen == Screen.REQUEST_DETAIL and self.request_detail is not None:
            return f"{_REQUEST_PREFIX}{self.request_detail.request_id}"
        if self.screen == Screen.JOB and self.job is not None:
            return f"{_JOB_PREFIX}{self.job.request_id}"
        if self.screen == Screen.TECHNICIANS:
            return TECHNICIANS_ROUTE
        if self.screen == Screen.LEDGER:
            return LEDGER_ROUTE
        if self.screen == Screen.PORTFOLIO:
            return PORTFOLIO_ROUTE
        if self.screen == Screen.COLLEGE_CREDIT:
            return COLLEGE_CREDIT_ROUTE
        if self.screen == Screen.INBOX:
            return INBOX_ROUTE
        if self.screen == Screen.ACCOUNT:
            return ACCOUNT_ROUTE
        if self.screen == Screen.COLLEGES:
            return COLLEGES_ROUTE
        if self.screen == Screen.COLLEGE_JOBS:
            return COLLEGE_JOBS_ROUTE
        if self.screen in (Screen.STARTING, Screen.LOGIN) and self._pending_route is not None:
            return self._pending_route  # the link stays in the address bar until it opens
        return HOME_ROUTE

    @property
    def has_unsent_changes(self) -> bool:
        return self.screen == Screen.REQUEST_FORM and self.request_form is not None and self.request_form.has_changes

    async def open_route(self, route: str) -> None:
        """Show the screen at `route` (a link, the browser's back and forward). Leaving a form with unsent
        changes asks first; an address this person has no screen for shows the home."""
        path = route_path(route)
        profile = self.session.profile
        if self.home is None or profile is None:
            if path != HOME_ROUTE:
                self._pending_route = path
            return
        if path == NEW_REQUEST_ROUTE and self._sent_form_behind:
            # The browser's back onto the address of a form already sent: the home, not a blank form.
            path = HOME_ROUTE
        if path == self.route:
            if self.leave_target is not None:  # back on the form (the browser went forward again)
                self.leave_target = None
                self._changed()
            return
        if self.has_unsent_changes:
            self.leave_target = path
            self._changed()
            return
        await self._go(path)

    async def go_back(self) -> None:
        """Back (the app bar's arrow, a phone's back button, a screen's back button): the open photo closes;
        a job opened from the teacher's job list goes back to the list; anything else to the home."""
        if self.photo_viewer.is_open:
            self.photo_viewer.close()
            return
        if self.screen == Screen.JOB and self.college_jobs is not None:
            await self.open_route(COLLEGE_JOBS_ROUTE)
            return
        await self.open_route(HOME_ROUTE)

    async def confirm_leave(self) -> None:
        """The person chose to leave the form and drop its changes."""
        target, self.leave_target = self.leave_target, None
        if target is not None:
            await self._go(target)

    def stay(self) -> None:
        """The person chose to stay on the form; the draft is untouched."""
        self.leave_target = None
        self._changed()

    async def _go(self, path: str) -> None:
        self.leave_target = None
        profile = self.session.profile
        assert profile is not None
        citizen = isinstance(self.home, CitizenHome)
        request_id = route_request_id(path)
        if path == NEW_REQUEST_ROUTE and self.home is not None and self.home.role in REQUESTER_ROLES:
            await self.open_request_form()
        elif request_id is not None and (citizen or path.startswith(_REQUEST_PREFIX)):
            # /requests/{id} is the owner's screen whatever their role (a student or a teacher who asked for a
            # repair); someone who is not its owner gets "not found" there, as a citizen would.
            await self.open_request(request_id)
        elif request_id is not None and isinstance(self.home, TechnicianHome | SupervisorHome | AdminHome):
            # An admin's too (ux26): the decisions no teacher can make reach them as messages that link the job
            # ("waiting for your check"), which opened their home, and a reload of a job they decide lost it.
            await self.open_job(request_id)
        elif path == TECHNICIANS_ROUTE and isinstance(self.home, SupervisorHome):
            await self.open_technicians()
        elif path == LEDGER_ROUTE and isinstance(self.home, SupervisorHome):
            await self.open_ledger()
        elif path == PORTFOLIO_ROUTE and isinstance(self.home, TechnicianHome):
            await self.open_portfolio()
        elif path == COLLEGE_CREDIT_ROUTE and isinstance(self.home, SupervisorHome):
            await self.open_college_credit()
        elif path == INBOX_ROUTE or path in _INBOX_ALIASES:
            await self.open_inbox()
        elif path == ACCOUNT_ROUTE:
            await self.open_account()
        elif path == COLLEGES_ROUTE and isinstance(self.home, AdminHome):
            await self.open_colleges_admin()
        elif path == COLLEGE_JOBS_ROUTE and isinstance(self.home, SupervisorHome):
            await self.open_college_jobs()
        else:
            await self._show_home()

    async def _show_home(self) -> None:
        if self._suspending:  # on the way to (or on) the suspended screen: it has no home
            return
        was = self.screen
        if was == Screen.INBOX and isinstance(self.home, CitizenHome) and not await self.home.refresh_invitation():
            # Asked before the home shows: a tapped "invited" may be about an invitation gone since, and its stale
            # card would offer Accept for it.
            return
        self.request_form = None
        self._leave_sub_screens()
        self.photo_viewer.close()
        self.screen = Screen.HOME if self.home is not None else Screen.LOGIN
        self._changed()
        if was == Screen.JOB and isinstance(self.home, TechnicianHome | SupervisorHome):
            # Back from a job: what it shows may have moved on meanwhile (nothing stale on the home).
            await self.home.load()

    def _leave_sub_screens(self) -> None:
        """The screens opened from the home go, closed (`Shown`): to the home, or to the bell's or the account's
        screen, whose back goes to the home. The request form is the home's to close (sent, kept, or left there):
        a send still on its way finishes into the outbox and the home as before."""
        self.request_detail = None
        self.job = self.technicians = self.ledger = None
        self.record, self.portfolio, self.college_credit = None, None, None
        self.account = self.colleges_admin = None
        self.college_jobs = None

    # --- background work of a signed-in session ------------------------------------------------------

    def _start_background(self) -> None:
        if self._spawn is None:
            return
        if self.outbox is not None:
            self._tasks.append(self._spawn(self.outbox.run))
        if self._live_factory is not None:
            live = self._live_factory(self._live_token, self.live_event, self.poll, self._live_refused)
            live.on_ended = self._live_ended
            self._tasks.append(self._spawn(live.run))
        if isinstance(self.home, TechnicianHome):
            self._tasks.append(self._spawn(self._tick))

    async def _tick(self) -> None:
        """Until cancelled (with the rest of the session's background work): once a minute, the student's home
        says each offer's time left as it is now. Nothing else redraws it while no live event comes: a student who
        looked back after 20 minutes read the time left of 20 minutes ago."""
        while True:
            await self._sleep(CLOCK_TICK_SECONDS)
            if self.screen == Screen.HOME and isinstance(self.home, TechnicianHome):
                self.home.clock_moved()

    def stop(self) -> None:
        """The app is closing: end this session's background work."""
        self._stop_background()

    def _stop_background(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks = []

    async def live_event(self, event: ServerEvent) -> None:
        """A request changed somewhere: reload what shows it. A notification: the bell (and the inbox) follow."""
        if is_notification_event(event):
            if self.inbox is not None:
                await self.inbox.notification_arrived(showing=self.screen == Screen.INBOX)
            about = notification_request(event)
            # Messages closed or gone (0127: one event per commit, naming no job) may take jobs off the admin's
            # lists with no request event they hear (a student's restore changes no request).
            closed = messages_closed(event)
            if isinstance(self.home, AdminHome) and (self.home.hears_message_about(about) or closed):
                await self._read_home(commit_at(event))
            teachers_lists = isinstance(self.home, SupervisorHome) or self.college_jobs is not None
            if teachers_lists and (closed or about is not None):
                # review28b #1, #3: the teacher's queue and job list show the college's asks (a suspended student's
                # job); a suspension writes them, a restore closes them, with no request event either way. Once per
                # commit: a change's request event and its messages share their `at`.
                await self._read_lists(commit_at(event))
            # A message about the request or job on screen can come with no change of the request at all (the
            # clock's "it waits for a teacher" to its owner, "the teacher left" to its student, stranded19/20: the
            # college's last teacher left): the screen reads it again. A message its change's status event came
            # with (the same commit) was read with that event: not read twice.
            change = change_heard(event)
            if about is not None and (change is None or change != self._screen_read_after):
                await self._read_screen_about(about, change)
            return
        if event.event == "offer" and isinstance(self.home, TechnicianHome):
            # An offer came, was withdrawn or expired (a reopened job offered back to its student among them):
            # the offers list shows only open ones, so it changes.
            await self._read_home(commit_at(event))
            return
        found = request_event(event)
        if found is None:
            return
        request_id, status = found
        change = change_heard(event)
        left = lead_left_event(event)
        job = self.job
        if (left is not None and self.screen == Screen.JOB and job is not None and str(job.request_id) == request_id
                and job.actor == Actor.TECHNICIAN):  # the job they led left them (0056): say how
            job.lead_left(left[1], kept=left[2])
            self._screen_read_after = change
        elif change is None or change != self._screen_read_after:  # one read per change (several status events)
            await self._read_screen_about(request_id, change)
        if self.record is not None and str(self.record.request_id) == request_id:
            await self.record.load()
        home = self.home
        at = change[1] if change is not None else None
        if self.college_jobs is not None or isinstance(home, SupervisorHome):
            await self._read_lists(at)
        if isinstance(home, CitizenHome):
            if any(str(r.id) == request_id for r in home.requests):
                await self._read_home(at)
        elif isinstance(home, AdminHome):
            if home.shows_change(request_id, status):
                await self._read_home(at)
        elif isinstance(home, TechnicianHome):
            await self._read_home(at)

    def _first_of_commit(self, which: str, at: str | None) -> bool:
        """Whether `which` list is not yet read after commit `at` (and from now on it is). The first of a commit's
        events arrives after the commit, so one read shows all of it; an event without `at` always reads."""
        if at is not None and self._read_after.get(which) == at:
            return False
        self._read_after[which] = at
        return True

    async def _read_home(self, at: str | None) -> None:
        """The citizen's, student's or admin's home read again, once per commit `at`. The teacher's: `_read_lists`."""
        if self._first_of_commit("home", at) and self.home is not None:
            await self.home.load()

    async def _read_lists(self, at: str | None) -> None:
        """The teacher's lists (the college's jobs, the home's queue) read again, once per commit `at`."""
        if not self._first_of_commit("lists", at):
            return
        if self.college_jobs is not None:
            await self.college_jobs.load()
        if isinstance(self.home, SupervisorHome):
            await self.home.load()

    async def _read_screen_about(self, request_id: str, change: tuple[str, str] | None) -> None:
        """The open request or job screen, if it shows `request_id`, read again; `change` (the live event's) is then
        what it shows, once it was read."""
        detail, job = self.request_detail, self.job
        screen: RequestDetailViewModel | JobViewModel | None = None
        if self.screen == Screen.REQUEST_DETAIL and detail is not None and str(detail.request_id) == request_id:
            screen = detail
        elif self.screen == Screen.JOB and job is not None and str(job.request_id) == request_id:
            screen = job
        if screen is None:
            return
        await screen.load()
        if screen.error is None:  # a failed read shows its retry, and the next event about it reads again
            self._screen_read_after = change

    async def poll(self) -> None:
        """Without the live stream: reload the screen that shows, and the bell's count (asked on its own only when
        the screen's answers did not carry it: GET /requests/mine does). Also when the stream opens again after it
        failed: the network is back, and a language switch it missed is sent first."""
        if self._locale_unsent and self.session.signed_in:
            await self._push_locale(self.session.locale)  # as it is now: a later switch replaced the one missed
            if not self.session.signed_in:
                return  # the push found the session gone
        if self.screen == Screen.INBOX and self.inbox is not None:
            await self.inbox.load()
            return
        counted, inbox = self._api.unread_counts_seen, self.inbox
        await self._reload_showing()
        if (inbox is not None and inbox is self.inbox and self.screen != Screen.INBOX
                and self._api.unread_counts_seen == counted):  # still the session that polled
            await inbox.refresh_count()

    async def _reload_showing(self) -> None:
        if self.screen in (Screen.REQUEST_DETAIL, Screen.JOB):
            screen = self.request_detail if self.screen == Screen.REQUEST_DETAIL else self.job
            if screen is not None:
                await screen.load()
            if self.record is not None:
                # After the request: whether the owner's record may have changed follows from its fresh status.
                await self.record.refresh()
        elif self.screen == Screen.COLLEGE_JOBS and self.college_jobs is not None:
            await self.college_jobs.load()
        elif self.screen == Screen.HOME and self.home is not None:
            await self.home.load()

    # --- the outbox ---------------------------------------------------------------------------------

    def _drafts_of_this_session(self) -> Callable[[OutboxItem], Awaitable[None]]:
        """Where a form's unsent draft goes when its send gives up: to the session the form was opened in, and its
        writer. A send may give up long after its writer left the form (a weak network holds it for tens of
        seconds), signed out and handed the phone over: then the draft is kept for its writer (held, to send, edit or
        discard when they sign in again) and nothing of it reaches the session signed in now, neither its outbox
        nor its sender nor its screen."""
        generation, profile = self._api.generation, self.session.profile
        writer = str(profile.id) if profile is not None else ""

        async def keep(item: OutboxItem) -> None:
            item.owner_id = writer
            if self._api.generation == generation:
                await self._saved_offline(item)
                return
            if item.request_id is None:  # a stored request only has photos to follow, under its writer's account
                item.state = ItemState.HELD
            await self._keep_for_writer(item)

        return keep

    async def _keep_for_writer(self, item: OutboxItem) -> None:
        """A draft of someone not signed in now, into the device's outbox under its writer (`item.owner_id`).
        Through the outbox shown now, if there is one: each keeps every person's drafts and saves them all."""
        outbox = self.outbox if self.outbox is not None else self.home.outbox if self.home is not None else None
        if outbox is None:
            outbox = Outbox(self._api, self._outbox_storage, owner_id=item.owner_id, sleep=self._sleep)
            await outbox.load()
        await outbox.add(item)

    async def _saved_offline(self, item: OutboxItem) -> None:
        if self.outbox is not None:
            await self.outbox.add(item)
            form = self.request_form
            if form is not None and form.outbox_key not in (None, item.key):
                # The draft went as a new request (a new key): it replaces the one it was reopened from.
                await self.outbox.discard(str(form.outbox_key))
        await self.close_request_form()
        if self.home is not None:
            self.home.show_notice(bilingual("saved_offline"))

    async def _outbox_sent(self, item: OutboxItem) -> None:
        if self.home is not None:
            self.home.show_notice(bilingual("outbox_sent"))
            await self.home.load()

    async def edit_outbox_item(self, key: str) -> None:
        """A refused draft back in the form; it stays in the outbox until sent or discarded."""
        item = self.outbox.get(key) if self.outbox is not None else None
        if item is not None:
            await self.open_request_form(item)

    # --- request detail -----------------------------------------------------------------------------

    async def open_request(self, request_id: UUID) -> None:
        detail = RequestDetailViewModel(
            self._api,
            self.session,
            request_id,
            on_back=self.close_request_detail,
            on_auth_lost=self._auth_lost,
            on_request_changed=self._reload_home,
        )
        detail.on_open_photos = self.open_photos
        detail.on_change.append(self._changed)
        self.request_detail = detail
        self._open_record(request_id, Actor.CITIZEN, detail.load, lambda: detail.detail)
        self.screen = Screen.REQUEST_DETAIL
        self._changed()
        await detail.load()
        if self.record is not None:
            await self.record.load()

    async def close_request_detail(self) -> None:
        await self._show_home()

    async def _reload_home(self) -> None:
        if self.home is not None:
            await self.home.load()

    # --- technician and supervisor screens ---------------------------------------------------------

    async def open_job(self, request_id: UUID) -> None:
        """The job screen: the student works it, the supervisor reviews it (steps follow the role)."""
        profile = self.session.profile
        assert profile is not None
        job = JobViewModel(
            self._api,
            self.session,
            request_id,
            Actor.for_role(profile.role),
            on_back=self.go_back,
            on_auth_lost=self._auth_lost,
            on_job_changed=self._job_changed,
        )
        job.on_open_photos = self.open_photos
        job.on_gone = lambda: self._job_gone(job)
        job.on_change.append(self._changed)
        self.photo_viewer.close()
        self.job = job
        self._open_record(request_id, Actor.for_role(profile.role), job.load, lambda: job.detail)
        self.screen = Screen.JOB
        self._changed()
        await job.load()
        if self.record is not None:
            await self.record.load()

    def _open_record(self, request_id: UUID, actor: Actor, reload_screen: Callable[[], Awaitable[None]],
                     detail: Callable[[], RequestDetail | None]) -> None:
        """The job record's panel for the request's screen; a move made from it reloads the screen and the home."""

        async def moved() -> None:
            await reload_screen()
            await self._reload_home()

        record = RecordPanel(self._api, self.session, request_id, actor, detail=detail,
                             on_auth_lost=self._auth_lost, on_moved=moved)
        record.on_change.append(self._changed)
        self.record = record

    async def open_portfolio(self) -> None:
        profile = self.session.profile
        assert profile is not None
        screen = PortfolioViewModel(self._api, self.session, profile.id, on_back=self.back_home,
                                    on_auth_lost=self._auth_lost, save_file=self._save_file)
        screen.on_change.append(self._changed)
        self.portfolio = screen
        self.screen = Screen.PORTFOLIO
        self._changed()
        await screen.load()

    async def open_college_credit(self) -> None:
        screen = CollegeCreditViewModel(self._api, self.session, on_back=self.back_home, on_auth_lost=self._auth_lost)
        screen.on_change.append(self._changed)
        self.college_credit = screen
        self.screen = Screen.COLLEGE_CREDIT
        self._changed()
        await screen.load()

    async def open_technicians(self) -> None:
        screen = TechniciansViewModel(self._api, self.session, on_back=self.back_home, on_auth_lost=self._auth_lost)
        screen.on_change.append(self._changed)
        self.technicians = screen
        self.screen = Screen.TECHNICIANS
        self._changed()
        await screen.load()

    async def open_ledger(self) -> None:
        screen = LedgerViewModel(
            self._api, self.session, on_back=self.back_home, on_auth_lost=self._auth_lost, save_file=self._save_file
        )
        screen.on_change.append(self._changed)
        self.ledger = screen
        self.screen = Screen.LEDGER
        self._changed()
        await screen.load()

    async def open_college_jobs(self) -> None:
        """The teacher's job list; coming back to it from a job keeps its filters, search and pages."""
        screen = self.college_jobs
        if screen is None:
            screen = CollegeJobsViewModel(self._api, self.session, on_back=self.back_home,
                                          on_auth_lost=self._auth_lost, on_open_job=self.open_job)
            screen.on_change.append(self._changed)
            self.college_jobs = screen
        self.job = None
        self.photo_viewer.close()
        self.screen = Screen.COLLEGE_JOBS
        self._changed()
        await screen.load()

    async def _job_changed(self) -> None:
        await self._reload_home()
        if self.college_jobs is not None:
            await self.college_jobs.load()

    async def _job_gone(self, job: JobViewModel) -> None:
        """The job left the college after a take-back: back to the list (or the home), saying where it went there.

        Back only from that job's own screen: the answer may land after the teacher left it (a slow network) and
        opened another job, which it must not leave. The move went through all the same, so where the teacher
        goes back to (the list, kept, or the home) says so either way."""
        told = bilingual("job_sent_on")
        if self.college_jobs is not None:
            self.college_jobs.show_notice(told)
        elif self.home is not None:
            self.home.show_notice(told)
        if self.job is job and self.screen == Screen.JOB:
            await self.go_back()

    async def open_photos(self, photos: list[PhotoKey], index: int, thumbnails: Thumbnails | None = None) -> None:
        await self.photo_viewer.open(photos, index, thumbnails)

    async def back_home(self) -> None:
        await self._show_home()

    # --- the inbox, the account, the admin's colleges -----------------------------------------------------

    async def open_inbox(self) -> None:
        inbox = self.inbox
        if inbox is None:
            return
        self._leave_sub_screens()  # the screen under the bell: its back goes to the home
        self.screen = Screen.INBOX
        self._changed()
        await inbox.load()

    async def open_notification(self, item: NotificationItem) -> None:
        """The screen a tapped notification names. An offer's is the student's offers, on their home: when the offer
        it tells of is no longer there, the home says why (`TechnicianHome.look_for_offer`)."""
        await self.open_route(item.link)
        home = self.home
        if (route_path(item.link) == OFFERS_LINK and item.request_id is not None and self.screen == Screen.HOME
                and isinstance(home, TechnicianHome)):
            await home.look_for_offer(item.request_id)

    async def open_account(self) -> None:
        account = AccountViewModel(
            self._api, self.session, on_back=self.back_home, on_auth_lost=self._auth_lost, on_sign_out=self.sign_out,
            on_deleted=self._account_deleted, save_file=self._save_file,
        )
        account.on_change.append(self._changed)
        self._leave_sub_screens()  # the screen under the account's button: its back goes to the home
        self.account = account
        self.screen = Screen.ACCOUNT
        self._changed()
        await account.load()

    async def _account_deleted(self) -> None:
        """The backend erased the account and ended its session: its drafts on this device (with their photos)
        go too, as nobody could ever sign in to them again; back to the sign-in, saying so."""
        self._device_token = None  # the backend dropped this person's devices with the account
        self._stop_background()  # the stream the deletion ended asks nothing more of an account that is gone
        profile = self.session.profile
        owner = str(profile.id) if profile is not None else self._suspended_owner
        if owner is not None:
            drafts = Outbox(self._api, self._outbox_storage, owner_id=owner, sleep=self._sleep)
            await drafts.load()
            await drafts.discard_all()
        await self.sign_out(notice=bilingual("account_deleted"))

    async def open_colleges_admin(self) -> None:
        screen = CollegesAdminViewModel(self._api, self.session, on_back=self.back_home, on_auth_lost=self._auth_lost)
        screen.on_change.append(self._changed)
        self.colleges_admin = screen
        self.screen = Screen.COLLEGES
        self._changed()
        await screen.load()

    # --- request form -------------------------------------------------------------------------------

    async def open_request_form(self, from_outbox: OutboxItem | None = None) -> None:
        """A fresh form (and so a fresh idempotency key) each time it is opened from the home."""
        self._sent_form_behind = False
        form = RequestFormViewModel(
            self._api,
            self.session,
            on_done=self._request_sent,
            on_back=self.go_back,
            on_auth_lost=self._auth_lost,
            on_offline=self._drafts_of_this_session(),
            from_outbox=from_outbox,
            geocoder=self._geocoder,
        )
        form.on_change.append(self._changed)
        self.request_form = form
        self.screen = Screen.REQUEST_FORM
        self._changed()
        await form.load()

    async def close_request_form(self) -> None:
        """The form is done with (sent, or kept in the outbox): the home, without asking."""
        self._sent_form_behind = True
        await self._show_home()

    async def _request_sent(self) -> None:
        # Back to the home, which reloads so the new request shows at the top.
        form = self.request_form
        if form is not None and self.outbox is not None:
            await self.outbox.discard(str(form.idempotency_key))  # an edited outbox draft is done
            if form.outbox_key is not None:  # and the draft it came from, when it went as a new request
                await self.outbox.discard(form.outbox_key)
        await self.close_request_form()
        if self.home is not None:
            await self.home.load()

    async def _auth_lost(self, error: ApiError) -> None:
        if error.is_session_ended:
            # A screen of a session that has ended since its call was made (the API client raises every answer of
            # such a call so): it is over already, and the person signed in now (if anyone) stays signed in.
            return
        if error.is_suspended:
            await self._show_suspended(self.session.token)
            return
        await self.sign_out(notice=error.text)

    def _show_login(self) -> None:
        self.screen = Screen.LOGIN
        self._changed()
