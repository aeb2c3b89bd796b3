"""The Flet entry point: wires settings, the API client and device storage to the view-models."""

from collections.abc import Awaitable, Callable

import flet as ft

from mobile.api_client import ApiClient
from mobile.device import FletDevice
from mobile.geocoding import geocoder_from_settings
from mobile.live import LiveEvents, ServerEvent
from mobile.settings import get_settings
from mobile.storage import PreferencesOutboxStorage, PreferencesSessionStore
from mobile.viewmodels.app import AppViewModel, Task
from mobile.views.frame import app_view
from shared.text import Locale, ui

FONT_FAMILY = "NotoSansThai"
# Relative to the assets directory. Bundled because the web engine would otherwise fetch a Thai font
# from a CDN, and without network Thai renders as boxes.
FONT_FILE = "fonts/NotoSansThai.ttf"
SEED_COLOUR = ft.Colors.INDIGO
FLUTTER_LOCALES = {Locale.TH: ft.Locale("th", "TH"), Locale.EN: ft.Locale("en", "US")}


async def main(page: ft.Page) -> None:
    settings = get_settings()
    page.fonts = {FONT_FAMILY: FONT_FILE}
    page.theme = ft.Theme(font_family=FONT_FAMILY, color_scheme_seed=SEED_COLOUR)
    # The status colours are light chips with dark text; a dark system theme would wash them out.
    page.theme_mode = ft.ThemeMode.LIGHT
    page.padding = 0

    api = ApiClient(settings.backend_url, timeout_seconds=settings.request_timeout_seconds)
    prefs = ft.SharedPreferences()
    store = PreferencesSessionStore(prefs)

    # Background work of a signed-in session (outbox sender, live events) runs on the page's loop.
    def spawn(work: Callable[[], Awaitable[None]]) -> Task:
        return page.run_task(work)

    def live(
        token: Callable[[], str | None],
        on_event: Callable[[ServerEvent], Awaitable[None]],
        on_poll: Callable[[], Awaitable[None]],
    ) -> LiveEvents:
        return LiveEvents(settings.backend_url, token, on_event, on_poll=on_poll)

    # File picker, GPS, links and file saving: Flet services, registered by being created here.
    device = FletDevice()
    vm = AppViewModel(
        api,
        store,
        default_locale=settings.default_locale,
        outbox_storage=PreferencesOutboxStorage(prefs),
        spawn=spawn,
        live_factory=live,
        save_file=device.save_file,
        geocoder=geocoder_from_settings(settings),
    )

    def render() -> None:
        page.title = ui("app_title", vm.locale)
        # Flutter's own texts (field counters, screen-reader hints) follow the app's language too.
        page.locale_configuration = ft.LocaleConfiguration(
            supported_locales=list(FLUTTER_LOCALES.values()), current_locale=FLUTTER_LOCALES[vm.locale]
        )
        page.controls = [app_view(vm, device, settings.map_tile_url)]
        page.update()

    async def closed() -> None:
        vm.stop()
        await api.aclose()

    vm.on_change.append(render)
    page.on_close = closed
    render()
    await vm.start()
