"""Phone push through OneSignal (the flet-onesignal extension), for a phone build whose flet.toml names a OneSignal
app id. Nothing here imports the extension: `mobile/app.py` imports it only when an app id is set and the app runs
on Android or iOS (the app itself, not a browser there: review28a #1), so the web app, the desktop and the tests never
load it.

After sign-in the app asks for the permission, logs in to OneSignal with the person's id (OneSignal's external id,
so its dashboard shows whose phone it is) and registers the push subscription id with the backend, which sends
through OneSignal's REST API (backend/notifications/channels/onesignal.py), and only then opts the subscription in.

At sign-out the phone opts its push subscription out and logs out of OneSignal, and the backend is asked to forget the
device. The opt-out is what guarantees that the next person on this phone gets none of the last one's pushes:
OneSignal's logout keeps the subscription (same id, a new anonymous user) and the backend forgets the device only when
its DELETE gets through, which it does not offline or once the server ended the session (a 401). The next sign-in opts
in again after the backend moved the device to the new person (POST /me/devices), never before.
"""

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

import flet as ft

# How long to wait for the system's permission prompt to be answered, and then for OneSignal to create the push
# subscription (its id arrives a moment after the permission on a first start).
PERMISSION_TIMEOUT_SECONDS = 120.0
SUBSCRIPTION_TIMEOUT_SECONDS = 20.0


class PushRegistration(Protocol):
    """What the app's view-model needs of a phone's push service."""

    async def subscribe(self, user_id: str) -> tuple[str, str] | None:
        """(platform, token) to register with POST /me/devices, or None when push is not allowed here."""
        ...

    async def resume(self) -> None:
        """The backend now sends this device's pushes to the person signed in: let them show (after the sign-out's
        `unsubscribe`)."""
        ...

    async def unsubscribe(self) -> None:
        """Nothing sent to this device shows any more, whatever the backend still knows of it."""
        ...


# --- the small surface of flet_onesignal.OneSignal this module uses (a fake stands in for it in unit tests) ---


# The extension's own signatures, timeouts included (hence the noqa: its calls wait on the phone's answer).
class OneSignalUser(Protocol):
    async def get_push_subscription_id(self, timeout: float = ...) -> str | None: ...  # noqa: ASYNC109

    async def opt_in_push(self) -> None: ...

    async def opt_out_push(self) -> None: ...


class OneSignalNotifications(Protocol):
    async def request_permission(self, fallback_to_settings: bool = ...,
                                 timeout: float = ...) -> bool: ...  # noqa: ASYNC109


class OneSignalService(Protocol):
    @property
    def user(self) -> OneSignalUser: ...

    @property
    def notifications(self) -> OneSignalNotifications: ...

    async def login(self, external_id: str) -> None: ...

    async def logout(self) -> None: ...


class OneSignalPush:
    def __init__(self, service: OneSignalService, platform: str) -> None:
        self._service = service
        self._platform = platform  # "android" | "ios", as /me/devices takes it
        self._subscription_id: str | None = None
        self._subscribed = asyncio.Event()

    def subscription_changed(self, subscription_id: str | None) -> None:
        """From the extension's on_push_subscription_change: the id OneSignal gave this phone (None: none yet)."""
        self._subscription_id = subscription_id or None
        if self._subscription_id:
            self._subscribed.set()

    async def subscribe(self, user_id: str) -> tuple[str, str] | None:
        granted = await self._service.notifications.request_permission(
            fallback_to_settings=False, timeout=PERMISSION_TIMEOUT_SECONDS)
        if not granted:
            return None  # the person said no: the inbox and the live stream still work
        await self._service.login(user_id)
        found = await self._service.user.get_push_subscription_id() or self._subscription_id
        if not found:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._subscribed.wait(), SUBSCRIPTION_TIMEOUT_SECONDS)
            found = self._subscription_id
        return (self._platform, found) if found else None

    async def resume(self) -> None:
        await self._service.user.opt_in_push()

    async def unsubscribe(self) -> None:
        try:
            await self._service.user.opt_out_push()
        finally:
            await self._service.logout()


PHONE_PLATFORMS = {ft.PagePlatform.ANDROID: "android", ft.PagePlatform.IOS: "ios"}


def onesignal_push(page: ft.Page, app_id: str, open_route: Callable[[str], Awaitable[None]], *,
                   served: bool = False) -> OneSignalPush | None:
    """Call inside `main`: with an app id in the app on an Android or iOS phone, creates the OneSignal service
    (creating a Flet service registers it with the page) and returns its registration; else None, and the extension
    is never imported. Never for a page the web app serves (`served`: its server holds the upload folder) or a
    browser's (`page.web`): Flet's web client says `platform: android` (or `ios`) in a phone's browser, where no
    OneSignal extension runs, and `web`/`platform` are the client's own page patch anyway (review28a #1)."""
    if served or page.web:
        return None
    platform = PHONE_PLATFORMS.get(page.platform) if isinstance(page.platform, ft.PagePlatform) else None
    if not app_id or platform is None:
        return None
    import flet_onesignal as fos  # only here: a phone build with OneSignal configured

    async def clicked(e: Any) -> None:
        route = route_of_notification(e.notification)
        if route is not None:
            await open_route(route)

    def subscription_changed(e: Any) -> None:
        push.subscription_changed(e.id)

    service = fos.OneSignal(app_id=app_id, on_notification_click=clicked,
                            on_push_subscription_change=subscription_changed)
    push = OneSignalPush(service, platform)
    return push


def route_of_notification(notification: Mapping[str, Any] | str) -> str | None:
    """The app route a tapped push names: the `data.link` the backend sent (an absolute link to the app's address),
    found in the notification as the OneSignal SDK hands it over (`additionalData`), or None."""
    if isinstance(notification, str):
        try:
            notification = json.loads(notification)
        except ValueError:
            return None
    if not isinstance(notification, Mapping):
        return None
    data = notification.get("additionalData") or notification.get("additional_data") or {}
    link = data.get("link") if isinstance(data, Mapping) else None
    if not isinstance(link, str) or not link:
        return None
    path = urlsplit(link).path
    return path if path.startswith("/") else None
