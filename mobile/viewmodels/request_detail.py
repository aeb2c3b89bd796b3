"""One repair request, as its owner sees it: status, where it went, the timeline, photos, and what they may do.

The server lists the allowed actions ("cancel", "rate", "reopen"); the app only shows those, and each one
opens a small confirm panel (note, stars, comment) before anything is sent.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from mobile.api_client import ApiClient, ApiError
from mobile.models import PhotoRef, RequestAction, RequestDetail
from mobile.strings import ACTOR_LABELS, EXTRA_UI
from mobile.viewmodels.home import LoadState
from mobile.viewmodels.observable import Observable
from mobile.viewmodels.session import Session
from shared.statuses import RequestStatus
from shared.text import Bilingual, Locale, error_text, status_label

AuthLost = Callable[[ApiError], Awaitable[None]]
Done = Callable[[], Awaitable[None]]

MAX_COMMENT = 1000
MAX_NOTE = 1000
ACTION_ORDER = (RequestAction.RATE, RequestAction.REOPEN, RequestAction.CANCEL)
DONE_MESSAGES = {
    RequestAction.CANCEL: "action_done_cancel",
    RequestAction.RATE: "action_done_rate",
    RequestAction.REOPEN: "action_done_reopen",
}


@dataclass(frozen=True)
class TimelineRow:
    status: str  # the label of the status moved to
    who: str  # first name, or the role
    at: datetime
    note: str


def first_name(name: str | None) -> str:
    return (name or "").strip().split(" ")[0] if name and name.strip() else ""


class RequestDetailViewModel(Observable):
    def __init__(
        self,
        api: ApiClient,
        session: Session,
        request_id: UUID,
        *,
        on_back: Done,
        on_auth_lost: AuthLost,
        on_request_changed: Done | None = None,
    ) -> None:
        super().__init__()
        self._api = api
        self._session = session
        self.request_id = request_id
        self._on_back = on_back
        self._on_auth_lost = on_auth_lost
        self._on_request_changed = on_request_changed
        self.state = LoadState.IDLE
        self.detail: RequestDetail | None = None
        self._error: ApiError | None = None
        self.thumbnails: dict[tuple[str, int], bytes] = {}
        # The open confirm panel, and what is typed into it.
        self.open_action: RequestAction | None = None
        self.note = ""
        self.rating: int | None = None
        self.comment = ""
        self.sending = False
        self._action_error: Bilingual | None = None
        self._notice: Bilingual | None = None

    # --- what the view reads -------------------------------------------------------------------------

    @property
    def locale(self) -> Locale:
        return self._session.locale

    @property
    def error(self) -> str | None:
        return None if self._error is None else self._error.message(self.locale)

    @property
    def action_error(self) -> str | None:
        return None if self._action_error is None else self._action_error.in_(self.locale)

    @property
    def notice(self) -> str | None:
        return None if self._notice is None else self._notice.in_(self.locale)

    @property
    def actions(self) -> list[RequestAction]:
        """The server's list, in a steady order; unknown ones left out."""
        if self.detail is None:
            return []
        return [a for a in ACTION_ORDER if self.detail.can(a)]

    @property
    def timeline(self) -> list[TimelineRow]:
        if self.detail is None:
            return []
        rows = []
        for entry in sorted(self.detail.timeline, key=lambda e: e.created_at):
            rows.append(
                TimelineRow(
                    status=self._status_text(entry.to_status),
                    who=first_name(entry.actor_name) or self._actor_text(entry.actor),
                    at=entry.created_at,
                    note=(entry.note or "").strip(),
                )
            )
        return rows

    def photos(self, kind: str) -> list[PhotoRef]:
        if self.detail is None:
            return []
        return sorted((p for p in self.detail.photos if p.kind == kind), key=lambda p: p.idx)

    # --- loading -------------------------------------------------------------------------------------

    async def load(self) -> None:
        if self.state == LoadState.LOADING:
            return
        self.state = LoadState.LOADING
        self._error = None
        self._changed()
        try:
            self.detail = await self._api.request_detail(self.request_id)
        except ApiError as exc:
            if exc.is_auth_lost:
                self.state = LoadState.IDLE
                await self._on_auth_lost(exc)
                return
            self._error = exc
            self.state = LoadState.FAILED
            self._changed()
            return
        self.state = LoadState.READY
        self._changed()
        await self._load_thumbnails()

    async def retry(self) -> None:
        await self.load()

    async def back(self) -> None:
        await self._on_back()

    async def _load_thumbnails(self) -> None:
        missing = [p for p in self.detail.photos if (p.kind, p.idx) not in self.thumbnails] if self.detail else []
        if not missing:
            return

        async def fetch(photo: PhotoRef) -> None:
            # A missing thumbnail shows as a placeholder; the rest of the screen is what matters.
            with contextlib.suppress(ApiError):
                self.thumbnails[(photo.kind, photo.idx)] = await self._api.request_photo(
                    self.request_id, photo.kind, photo.idx, thumb=True
                )

        await asyncio.gather(*(fetch(p) for p in missing))
        self._changed()

    # --- actions -------------------------------------------------------------------------------------

    def start_action(self, action: RequestAction) -> None:
        if action not in self.actions:
            return
        self.open_action = action
        self.note, self.rating, self.comment = "", None, ""
        self._action_error = None
        self._notice = None
        self._changed()

    def dismiss_action(self) -> None:
        self.open_action = None
        self._action_error = None
        self._changed()

    def set_note(self, value: str) -> None:
        self.note = value

    def set_comment(self, value: str) -> None:
        self.comment = value

    def set_rating(self, stars: int) -> None:
        self.rating = stars
        self._action_error = None
        self._changed()

    def check_rating(self) -> Bilingual | None:
        if self.rating is None or not 1 <= self.rating <= 5:
            return error_text("rating_invalid")
        if len(self.comment.strip()) > MAX_COMMENT:
            return EXTRA_UI["comment_too_long"]
        return None

    async def confirm(self) -> None:
        action = self.open_action
        if action is None or self.sending:
            return
        if action == RequestAction.RATE:
            problem = self.check_rating()
            if problem is not None:
                self._action_error = problem
                self._changed()
                return
        self.sending = True
        self._action_error = None
        self._changed()
        try:
            if action == RequestAction.CANCEL:
                detail = await self._api.cancel_request(self.request_id, self.note.strip()[:MAX_NOTE])
            elif action == RequestAction.RATE:
                assert self.rating is not None
                detail = await self._api.rate_request(self.request_id, self.rating, self.comment.strip())
            else:
                detail = await self._api.reopen_request(self.request_id, self.note.strip()[:MAX_NOTE])
        except ApiError as exc:
            self.sending = False
            if exc.is_auth_lost:
                await self._on_auth_lost(exc)
                return
            self._action_error = exc.text
            self._changed()
            return
        self.sending = False
        self.detail = detail
        self.open_action = None
        self._notice = EXTRA_UI[DONE_MESSAGES[action]]
        self._changed()
        if self._on_request_changed is not None:
            await self._on_request_changed()

    # --- internals -----------------------------------------------------------------------------------

    def _status_text(self, raw: str | None) -> str:
        try:
            return status_label(RequestStatus(raw or ""), self.locale)
        except ValueError:
            return raw or ""

    def _actor_text(self, actor: str | None) -> str:
        label = ACTOR_LABELS.get(actor or "")
        return label.in_(self.locale) if label else (actor or "")
