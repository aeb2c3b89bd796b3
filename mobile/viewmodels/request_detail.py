"""One repair request, as its owner sees it: status, where it went, the timeline, photos, and what they may do.

The server lists the allowed actions ("cancel", "rate", "reopen"); the app only shows those, and each one
opens a small confirm panel (note, stars, comment) before anything is sent.
"""

from typing import Unpack
from urllib.parse import quote
from uuid import UUID

from mobile.api_client import ApiClient, ApiError
from mobile.models import RequestAction, RequestDetail
from mobile.viewmodels.loadable import Done, ScreenWiring, kept_on_screen
from mobile.viewmodels.request_screen import RequestScreen
from mobile.viewmodels.session import Session
from shared.aftercare import COMMENT_MAX, rating_valid
from shared.text import WEEKDAY_NAMES, Bilingual, bilingual, error_text

MAX_COMMENT = COMMENT_MAX
MAX_NOTE = 1000
ACTION_ORDER = (RequestAction.RATE, RequestAction.REOPEN, RequestAction.CANCEL)
MAPS_PLACE = "https://www.google.com/maps/search/?api=1&query={lat},{lon}"
DONE_MESSAGES = {
    RequestAction.CANCEL: "action_done_cancel",
    RequestAction.RATE: "action_done_rate",
    RequestAction.REOPEN: "action_done_reopen",
}


class RequestDetailViewModel(RequestScreen[RequestDetail]):
    def __init__(
        self, api: ApiClient, session: Session, request_id: UUID, *, on_request_changed: Done | None = None,
        **wiring: Unpack[ScreenWiring],
    ) -> None:
        super().__init__(api, session, request_id, **wiring)
        self._on_request_changed = on_request_changed
        # The open confirm panel, and what is typed into it.
        self.open_action: RequestAction | None = None
        self.note = ""
        self.rating: int | None = None
        self.comment = ""
        self._action_error: Bilingual | None = None

    # --- what the view reads -------------------------------------------------------------------------

    @property
    def action_error(self) -> str | None:
        return self._in_locale(self._action_error)

    @property
    def actions(self) -> list[RequestAction]:
        """The server's list, in a steady order; unknown ones left out."""
        if self.detail is None:
            return []
        return [a for a in ACTION_ORDER if self.detail.can(a)]

    @property
    def college_call_url(self) -> str | None:
        phone = self.detail.college_phone if self.detail is not None else None
        return "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+") if phone else None

    @property
    def college_map_url(self) -> str | None:
        detail = self.detail
        if detail is None or detail.college_lat is None or detail.college_lon is None:
            return None
        return MAPS_PLACE.format(lat=quote(f"{detail.college_lat:.6f}"), lon=quote(f"{detail.college_lon:.6f}"))

    @property
    def preferred_days_text(self) -> str:
        """The days the citizen chose, in week order and words ("วันจันทร์, วันพุธ")."""
        if self.detail is None:
            return ""
        chosen = set(self.detail.preferred_days)
        return ", ".join(name.in_(self.locale) for code, name in WEEKDAY_NAMES.items() if code in chosen)

    # --- loading -------------------------------------------------------------------------------------

    async def _fetch(self) -> None:
        self.detail = await self._api.request_detail(self.request_id)

    # --- actions -------------------------------------------------------------------------------------

    def start_action(self, action: RequestAction) -> None:
        if action not in self.actions:
            return
        self.open_action = action
        self.note, self.rating, self.comment = "", None, ""
        self._action_error = None
        self._notice = None
        self._changed()

    def _action_refused(self, error: ApiError) -> None:
        self._action_error = kept_on_screen(error)  # the panel stays open with the stars and words given

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
        if self.rating is None or not rating_valid(self.rating):
            return error_text("rating_invalid")
        if len(self.comment.strip()) > MAX_COMMENT:
            return bilingual("comment_too_long")
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
        self._action_error = None
        if action == RequestAction.CANCEL:
            call = self._api.cancel_request(self.request_id, self.note.strip()[:MAX_NOTE])
        elif action == RequestAction.RATE:
            assert self.rating is not None
            call = self._api.rate_request(self.request_id, self.rating, self.comment.strip())
        else:
            call = self._api.reopen_request(self.request_id, self.note.strip()[:MAX_NOTE])
        detail = await self._send(call, self._action_refused)
        if detail is None:
            return
        self.detail = detail
        self.open_action = None
        self._notice = bilingual(DONE_MESSAGES[action])
        self._changed()
        if self._on_request_changed is not None:
            await self._on_request_changed()
