"""The first screen after sign-in, one per role: each loads its own list from the backend."""

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from enum import StrEnum
from uuid import UUID

from mobile.api_client import ApiClient, ApiError
from mobile.models import Category, College, Offer, Profile, RequestSummary, SupervisorQueue
from mobile.outbox import Outbox, OutboxItem
from mobile.viewmodels.observable import Observable
from mobile.viewmodels.session import Session
from shared.roles import AppRole
from shared.text import UI, Bilingual, role_label

AuthLost = Callable[[ApiError], Awaitable[None]]
SignOut = Callable[[], Awaitable[None]]


class LoadState(StrEnum):
    IDLE = "idle"
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"


class HomeViewModel(Observable, ABC):
    role: AppRole

    def __init__(self, api: ApiClient, session: Session, *, on_auth_lost: AuthLost, on_sign_out: SignOut) -> None:
        super().__init__()
        self._api = api
        self._session = session
        self._on_auth_lost = on_auth_lost
        self._on_sign_out = on_sign_out
        self.state = LoadState.IDLE
        self._error: ApiError | None = None

    @property
    def profile(self) -> Profile:
        assert self._session.profile is not None, "a home exists only for a signed-in person"
        return self._session.profile

    @property
    def greeting(self) -> str:
        return UI["hello"].format(name=self.profile.display_name).in_(self._session.locale)

    @property
    def role_text(self) -> str:
        return role_label(self.profile.role, self._session.locale)

    @property
    def error(self) -> str | None:
        return None if self._error is None else self._error.message(self._session.locale)

    @property
    @abstractmethod
    def is_empty(self) -> bool: ...

    async def load(self) -> None:
        if self.state == LoadState.LOADING:
            return
        self.state = LoadState.LOADING
        self._error = None
        self._changed()
        try:
            await self._fetch()
        except ApiError as exc:
            if exc.is_auth_lost:
                self.state = LoadState.IDLE
                await self._on_auth_lost(exc)
                return
            self._error = exc
            self.state = LoadState.FAILED
        else:
            self.state = LoadState.READY
        self._changed()

    async def retry(self) -> None:
        await self.load()

    async def sign_out(self) -> None:
        await self._on_sign_out()

    @abstractmethod
    async def _fetch(self) -> None:
        """Fetch this role's data into attributes; raise ApiError on failure."""


class CitizenHome(HomeViewModel):
    role = AppRole.CITIZEN

    def __init__(self, api: ApiClient, session: Session, *, on_auth_lost: AuthLost, on_sign_out: SignOut) -> None:
        super().__init__(api, session, on_auth_lost=on_auth_lost, on_sign_out=on_sign_out)
        self.requests: list[RequestSummary] = []
        # Set by the app: opens the repair request form, a request's detail, an outbox draft for editing.
        self.on_new_request: Callable[[], Awaitable[None]] | None = None
        self.on_open_request: Callable[[UUID], Awaitable[None]] | None = None
        self.on_edit_outbox: Callable[[str], Awaitable[None]] | None = None
        # Drafts waiting on this device to be sent (set by the app for a signed-in citizen).
        self.outbox: Outbox | None = None
        self._notice: Bilingual | None = None

    async def new_request(self) -> None:
        if self.on_new_request is not None:
            await self.on_new_request()

    async def open_request(self, request_id: UUID) -> None:
        if self.on_open_request is not None:
            await self.on_open_request(request_id)

    @property
    def outbox_items(self) -> list[OutboxItem]:
        """Newest first, like the requests under them."""
        return list(reversed(self.outbox.items)) if self.outbox is not None else []

    async def edit_outbox_item(self, key: str) -> None:
        if self.on_edit_outbox is not None:
            await self.on_edit_outbox(key)

    async def discard_outbox_item(self, key: str) -> None:
        if self.outbox is not None:
            await self.outbox.discard(key)
            self._changed()

    @property
    def notice(self) -> str | None:
        return None if self._notice is None else self._notice.in_(self._session.locale)

    def show_notice(self, text: Bilingual | None) -> None:
        self._notice = text
        self._changed()

    @property
    def is_empty(self) -> bool:
        return not self.requests and not self.outbox_items

    async def _fetch(self) -> None:
        if self.outbox is not None:
            self.outbox.wake()  # "refresh" also tries the waiting drafts at once
        # Newest first: the request someone just sent is the one they look for.
        requests = await self._api.my_requests()
        self.requests = sorted(requests, key=lambda r: r.created_at, reverse=True)


class TechnicianHome(HomeViewModel):
    role = AppRole.TECHNICIAN

    def __init__(self, api: ApiClient, session: Session, *, on_auth_lost: AuthLost, on_sign_out: SignOut) -> None:
        super().__init__(api, session, on_auth_lost=on_auth_lost, on_sign_out=on_sign_out)
        self.offers: list[Offer] = []
        self.jobs: list[RequestSummary] = []
        self.categories: dict[str, Category] = {}

    @property
    def is_empty(self) -> bool:
        return not self.offers and not self.jobs

    async def _fetch(self) -> None:
        # Offers carry only a category code; the catalogue gives them a name and an icon.
        offers, jobs, categories = await asyncio.gather(
            self._api.technician_offers(), self._api.technician_jobs(), self._api.categories()
        )
        self.offers = sorted(offers, key=lambda o: o.distance_km)
        self.jobs = sorted(jobs, key=lambda r: r.updated_at, reverse=True)
        self.categories = {c.code: c for c in categories}


class SupervisorHome(HomeViewModel):
    role = AppRole.SUPERVISOR

    def __init__(self, api: ApiClient, session: Session, *, on_auth_lost: AuthLost, on_sign_out: SignOut) -> None:
        super().__init__(api, session, on_auth_lost=on_auth_lost, on_sign_out=on_sign_out)
        self.queue: SupervisorQueue | None = None

    @property
    def is_empty(self) -> bool:
        return self.queue is None or not self.queue.requests

    @property
    def college_name(self) -> str | None:
        return None if self.queue is None else self.queue.college.name(self._session.locale)

    async def _fetch(self) -> None:
        self.queue = await self._api.supervisor_queue()


class AdminHome(HomeViewModel):
    role = AppRole.ADMIN

    def __init__(self, api: ApiClient, session: Session, *, on_auth_lost: AuthLost, on_sign_out: SignOut) -> None:
        super().__init__(api, session, on_auth_lost=on_auth_lost, on_sign_out=on_sign_out)
        self.colleges: list[College] = []

    @property
    def is_empty(self) -> bool:
        return not self.colleges

    async def _fetch(self) -> None:
        # Kept in the backend's order: sorting Thai by code point misplaces leading vowels (เ, แ, โ).
        self.colleges = await self._api.colleges()


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
