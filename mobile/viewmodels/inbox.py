"""The in-app inbox (issue 13): the bell's unread count on every home, and the list of one's notifications.

The count lives as long as the session (the bell shows on every screen); the list loads when the inbox opens. Read
state is the server's: tapping a notification marks it read there and opens the screen its link names."""

from collections.abc import Awaitable, Callable
from typing import Unpack

from mobile.api_client import ApiClient, ApiError
from mobile.live import ServerEvent
from mobile.models import NotificationItem
from mobile.viewmodels.loadable import ScreenWiring, SubScreen
from mobile.viewmodels.session import Session

# Opens the screen a tapped notification names (its link; an offer's also looks for its offer there).
OpenNotification = Callable[[NotificationItem], Awaitable[None]]
# Kept short: the bell shows "99+" beyond this.
BADGE_MAX = 99


def is_notification_event(event: ServerEvent) -> bool:
    return event.event == "notification"


def notification_request(event: ServerEvent) -> str | None:
    """The request a "notification" event's message is about (backend/live.py `public_part`), if any."""
    if not is_notification_event(event):
        return None
    try:
        found = event.json().get("request_id")
    except (ValueError, AttributeError):
        return None
    return str(found) if found else None


def messages_closed(event: ServerEvent) -> bool:
    """Whether a "notification" event says some of its reader's messages were closed (the decision they asked for
    moved on) or are gone (their request deleted): one event per reader per commit, about no one request (migration
    0127), however many messages the commit closed."""
    if not is_notification_event(event):
        return False
    try:
        return event.json().get("closed") is True
    except (ValueError, AttributeError):
        return False


class InboxViewModel(SubScreen):
    def __init__(
        self, api: ApiClient, session: Session, *, on_open: OpenNotification, **wiring: Unpack[ScreenWiring]
    ) -> None:
        super().__init__(api, session, **wiring)
        self._on_open = on_open
        self.items: list[NotificationItem] = []
        self.unread = 0
        self.next_before_id: int | None = None
        self.busy = False
        self._items_locale = session.locale  # the backend writes them in the person's language at the time

    @property
    def badge(self) -> str | None:
        """What the bell shows: nothing at zero."""
        if self.unread <= 0:
            return None
        return f"{BADGE_MAX}+" if self.unread > BADGE_MAX else str(self.unread)

    async def _fetch(self) -> None:
        page = await self._api.my_notifications()
        fresh = list(page.items)
        known = {n.id for n in self.items}
        # Older pages the person brought in stay under the fresh first page (a new notification, the 5-second poll
        # reload it), as long as that page reaches down to what is shown: no gap hides any between them.
        same_language = self._items_locale == self.locale
        self._items_locale = self.locale
        if same_language and page.next_before_id is not None and any(n.id in known for n in fresh):
            oldest = min(n.id for n in fresh)
            older = [n for n in self.items if n.id < oldest]
            if older:
                self.items, self.unread = fresh + older, page.unread_count
                return  # the paging cursor stays below the older ones
        self.items = fresh
        self.unread = page.unread_count
        self.next_before_id = page.next_before_id

    def counted(self, unread: int) -> None:
        """The bell's number as another answer carried it (GET /requests/mine's X-Unread-Count)."""
        if unread != self.unread:
            self.unread = unread
            self._changed()

    async def refresh_count(self) -> None:
        """The bell's number from the server (after sign-in, on a live event, after reading). A failure keeps the
        number it had: the bell is a hint, not worth an error on the screen."""
        try:
            unread = await self._api.unread_count()
        except ApiError as exc:
            await self._lost_sign_in(exc)
            return
        self.counted(unread)

    async def notification_arrived(self, showing: bool) -> None:
        """A live `notification` event: the count follows at once; the list too when it shows."""
        if showing:
            await self.load()
        else:
            await self.refresh_count()

    async def load_older(self) -> None:
        before = self.next_before_id
        if before is None or self.busy:
            return
        self._error = None  # the last try's "no connection" goes with this one
        page = await self._send(self._api.my_notifications(before_id=before), self._failed, self._mark_busy)
        if page is None:
            return
        known = {n.id for n in self.items}
        self.items += [n for n in page.items if n.id not in known]
        self.unread = page.unread_count
        self.next_before_id = page.next_before_id
        self._changed()

    async def open(self, notification_id: int) -> None:
        """Mark it read on the server, then open its screen. Opening does not wait for a read that failed
        offline: the person still gets where they wanted to go."""
        item = next((n for n in self.items if n.id == notification_id), None)
        if item is None:
            return
        if not item.read:
            try:
                self.unread = await self._api.mark_notification_read(notification_id)
            except ApiError as exc:
                if await self._lost_sign_in(exc):
                    return
            else:
                self.items = [n.model_copy(update={"read": True}) if n.id == notification_id else n
                              for n in self.items]
                self._changed()
        await self._on_open(item)

    async def mark_all_read(self) -> None:
        if self.busy:
            return
        self._error = None
        unread = await self._send(self._api.mark_all_notifications_read(), self._failed, self._mark_busy)
        if unread is None:
            return
        self.unread = unread
        self.items = [n.model_copy(update={"read": True}) for n in self.items]
        self._changed()

    def _mark_busy(self, on: bool) -> None:
        self.busy = on

    def _failed(self, error: ApiError) -> None:
        self._error = error
