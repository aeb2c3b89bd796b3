"""The Flet entry point: wires settings, the API client and device storage to the view-models."""

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import flet as ft
import httpx

from mobile.api_client import ApiClient
from mobile.device import FletDevice
from mobile.geocoding import geocoder_from_settings
from mobile.live import LiveEvents, Refused, ServerEvent
from mobile.push import onesignal_push
from mobile.settings import get_settings
from mobile.storage import PreferencesOutboxStorage, PreferencesSessionStore
from mobile.viewmodels.app import AppViewModel, Screen, Task
from mobile.views.account import delete_account_dialog
from mobile.views.frame import app_views, leave_dialog
from mobile.views.invites import withdraw_invite_dialog
from mobile.views.supervisor_tools import skills_dialog
from shared.text import Locale, t

log = logging.getLogger("fixit.app")

FONT_FAMILY = "NotoSansThai"
# Relative to the assets directory. Bundled because the web engine would otherwise fetch a Thai font
# from a CDN, and without network Thai renders as boxes.
FONT_FILE = "fonts/NotoSansThai.ttf"
SEED_COLOUR = ft.Colors.INDIGO
FLUTTER_LOCALES = {Locale.TH: ft.Locale("th", "TH"), Locale.EN: ft.Locale("en", "US")}


def main_with_uploads(upload_dir: Path | None) -> Callable[[ft.Page], Awaitable[None]]:
    """`main` for a host that serves Flet's upload endpoint into upload_dir (the web app)."""

    async def started(page: ft.Page) -> None:
        await main(page, upload_dir)

    return started


def backend_client(page: ft.Page, *, transport: httpx.AsyncBaseTransport | None = None,
                   served: bool = False) -> ApiClient:
    """The page's API client. Served as a web page, the app's Python runs on the web app's server and calls the API
    for the browser at `page.client_ip`: that address goes with every call (mobile.api_client.forwarding_headers), so
    the backend's per-address limits count each visitor apart (attack26 #1). A phone or desktop app calls from its
    own address. `served`: the web app's server runs this page (it serves the upload folder), whatever the client
    says of itself in `page.web` (its own page patch: audit28 #2)."""
    settings = get_settings()
    visitor = page.client_ip if served or page.web else None
    return ApiClient(settings.backend_url, timeout_seconds=settings.request_timeout_seconds, transport=transport,
                     forwarded_for=visitor)


async def main(page: ft.Page, upload_dir: Path | None = None) -> None:
    settings = get_settings()
    page.fonts = {FONT_FAMILY: FONT_FILE}
    page.theme = ft.Theme(font_family=FONT_FAMILY, color_scheme_seed=SEED_COLOUR)
    # The status colours are light chips with dark text; a dark system theme would wash them out.
    page.theme_mode = ft.ThemeMode.LIGHT
    page.padding = 0

    api = backend_client(page, served=upload_dir is not None)
    prefs = ft.SharedPreferences()
    store = PreferencesSessionStore(prefs)

    # Background work of a signed-in session (outbox sender, live events) runs on the page's loop.
    def spawn(work: Callable[[], Awaitable[None]]) -> Task:
        return page.run_task(work)

    def live(
        token: Callable[[], Awaitable[str | None]],
        on_event: Callable[[ServerEvent], Awaitable[None]],
        on_poll: Callable[[], Awaitable[None]],
        on_refused: Refused,
    ) -> LiveEvents:
        return LiveEvents(settings.backend_url, token, on_event, on_poll=on_poll, on_refused=on_refused)

    # File picker, GPS, links and file saving: Flet services, registered by being created here.
    device = FletDevice(upload_dir)

    async def open_route(route: str) -> None:
        # A tapped push notification: its screen (the sign-in first when the session is gone).
        await vm.open_route(route)
    vm = AppViewModel(
        api,
        store,
        default_locale=settings.default_locale,
        outbox_storage=PreferencesOutboxStorage(prefs),
        spawn=spawn,
        live_factory=live,
        save_file=device.save_file,
        geocoder=geocoder_from_settings(settings),
        # Phone push (OneSignal) when flet.toml names an app id and this is the app on a phone; None elsewhere (a
        # browser on a phone too, and whatever a client of the web app says it is: review28a #1).
        push=onesignal_push(page, settings.onesignal_app_id, open_route, served=upload_dir is not None),
    )

    def page_settings() -> None:
        page.title = t("app_title", vm.locale)
        # Flutter's own texts (field counters, screen-reader hints) follow the app's language too.
        page.locale_configuration = ft.LocaleConfiguration(
            supported_locales=list(FLUTTER_LOCALES.values()), current_locale=FLUTTER_LOCALES[vm.locale]
        )

    async def route_changed(e: ft.RouteChangeEvent) -> None:
        # The browser's back/forward or an edited address: show that screen (the form asks first).
        await vm.open_route(e.route)

    async def view_popped(e: ft.ViewPopEvent) -> None:
        # The app bar's back arrow or a phone's back button on the screen above the home.
        await vm.go_back()

    async def closed() -> None:
        vm.stop()
        await api.aclose()

    page.on_route_change = route_changed
    page.on_view_pop = view_popped
    page.on_close = closed
    page_settings()
    opened_at = page.route or "/"
    page.render_views(app_root, vm, device, settings.map_tile_url, page_settings)
    await vm.start(opened_at)


@ft.component
def app_root(
    vm: AppViewModel, device: FletDevice, map_tile_url: str, page_settings: Callable[[], None]
) -> list[ft.View]:
    """The views, as a function of the view-model. A change re-renders this component; Flet compares the new
    controls with the previous ones and sends only the difference, so a tap redraws only what it changed and
    scroll positions, focus and the text being typed survive. Background changes (live events, the outbox)
    arrive the same way."""
    _version, set_version = ft.use_state(0)

    def subscribe() -> Callable[[], None]:
        def changed() -> None:
            set_version(lambda v: v + 1)

        vm.on_change.append(changed)

        def unsubscribe() -> None:
            if changed in vm.on_change:
                vm.on_change.remove(changed)

        return unsubscribe

    ft.use_effect(subscribe, [])

    page = ft.context.page

    shown_locale = ft.use_ref(vm.locale)

    def follow_locale() -> None:
        # The title and Flutter's own texts (set before the first render) follow a language switch.
        if shown_locale.current != vm.locale:
            shown_locale.current = vm.locale
            page_settings()
            page.update()

    ft.use_effect(follow_locale, [vm.locale])

    async def follow_route() -> None:
        # The app moved on by itself (a tap, a sent form), or stayed on the form after a back: put its address
        # in the browser's history. While the leave dialog asks, the address stays where the person went.
        if vm.leave_target is None and page.route != vm.route:
            await page.push_route(vm.route)

    ft.use_effect(follow_route, [vm.route, vm.leave_target])
    ft.use_dialog(leave_dialog(vm))
    ft.use_dialog(delete_account_dialog(vm.account, vm.locale))
    ft.use_dialog(skills_dialog(vm.technicians if vm.screen == Screen.TECHNICIANS else None, vm.locale))
    ft.use_dialog(withdraw_invite_dialog(vm.technicians if vm.screen == Screen.TECHNICIANS
                                         else vm.colleges_admin if vm.screen == Screen.COLLEGES else None,
                                         vm.locale))
    try:
        return app_views(vm, device, map_tile_url)
    except Exception:
        # Flet's update loop ends without a word when a render raises, and every later change then stays off the
        # screen (taps still reach the view-models): the app's log is the only place this shows.
        log.exception("the screen %s could not be drawn", vm.screen)
        raise
