"""The whole app's state: which screen shows, and the moves between sign-in and the homes."""

from enum import StrEnum

from mobile.api_client import ApiClient, ApiError
from mobile.models import SignedIn
from mobile.viewmodels.home import CitizenHome, HomeViewModel, home_for
from mobile.viewmodels.login import LoginViewModel
from mobile.viewmodels.observable import Observable
from mobile.viewmodels.request_form import RequestFormViewModel
from mobile.viewmodels.session import Session, SessionStore, StoredSession
from shared.text import Bilingual, Locale


class Screen(StrEnum):
    STARTING = "starting"  # reading device storage; nothing to show yet
    LOGIN = "login"
    HOME = "home"
    REQUEST_FORM = "request_form"


class AppViewModel(Observable):
    def __init__(self, api: ApiClient, store: SessionStore, default_locale: Locale = Locale.TH) -> None:
        super().__init__()
        self._api = api
        self._store = store
        self.session = Session(default_locale)
        self.login = LoginViewModel(api, self.session, on_signed_in=self._signed_in)
        self.home: HomeViewModel | None = None
        self.request_form: RequestFormViewModel | None = None
        self.screen = Screen.STARTING
        # Whether this device has a language of its own choosing; if not, a sign-in adopts the profile's.
        self._locale_chosen = False
        self.session.on_change.append(self._changed)
        self.login.on_change.append(self._changed)

    @property
    def locale(self) -> Locale:
        return self.session.locale

    async def start(self) -> None:
        """Restore a stored session so a reload or app restart stays signed in."""
        stored_locale = await self._store.load_locale()
        if stored_locale is not None:
            self._locale_chosen = True
            self.session.set_locale(stored_locale)
        stored = await self._store.load()
        if stored is None:
            self._show_login()
            return
        self._api.token = stored.token
        self.session.sign_in(stored.token, stored.profile)
        try:
            profile = await self._api.me()
        except ApiError as exc:
            if exc.is_auth_lost:
                await self._auth_lost(exc)
                return
            # Offline: the stored profile is good enough to open the home, which shows the error and a retry.
        else:
            self.session.update_profile(profile)
            await self._store.save(StoredSession(stored.token, profile))
        await self._open_home()

    async def toggle_locale(self) -> None:
        locale = self.session.toggle_locale()
        self._locale_chosen = True
        await self._store.save_locale(locale)
        if self.session.signed_in:
            await self._push_locale(locale)

    async def sign_out(self, notice: Bilingual | None = None) -> None:
        self._api.token = None
        await self._store.clear()
        self.home = None
        self.request_form = None
        self.session.sign_out()
        self.login.reset(notice)
        self._show_login()

    async def _signed_in(self, signed_in: SignedIn) -> None:
        profile = signed_in.profile
        self._api.token = signed_in.access_token
        if not self._locale_chosen:
            self.session.set_locale(profile.locale)
        self.session.sign_in(signed_in.access_token, profile)
        await self._store.save(StoredSession(signed_in.access_token, profile))
        if profile.locale != self.session.locale:
            await self._push_locale(self.session.locale)
        await self._open_home()

    async def _push_locale(self, locale: Locale) -> None:
        """Tell the backend, which writes to this person in their language (notifications, SMS)."""
        try:
            profile = await self._api.update_me(locale=locale)
        except ApiError as exc:
            if exc.is_auth_lost:
                await self._auth_lost(exc)
            # Otherwise a missed preference update is harmless: the screen already changed language,
            # and the next switch or sign-in sends it again.
            return
        self.session.update_profile(profile)

    async def _open_home(self) -> None:
        profile = self.session.profile
        assert profile is not None
        home = home_for(profile.role, self._api, self.session, on_auth_lost=self._auth_lost, on_sign_out=self.sign_out)
        home.on_change.append(self._changed)
        if isinstance(home, CitizenHome):
            home.on_new_request = self.open_request_form
        self.home = home
        self.screen = Screen.HOME
        self._changed()
        await home.load()

    async def open_request_form(self) -> None:
        """A fresh form (and so a fresh idempotency key) each time it is opened from the home."""
        form = RequestFormViewModel(
            self._api,
            self.session,
            on_done=self._request_sent,
            on_back=self.close_request_form,
            on_auth_lost=self._auth_lost,
        )
        form.on_change.append(self._changed)
        self.request_form = form
        self.screen = Screen.REQUEST_FORM
        self._changed()
        await form.load()

    async def close_request_form(self) -> None:
        self.request_form = None
        self.screen = Screen.HOME if self.home is not None else Screen.LOGIN
        self._changed()

    async def _request_sent(self) -> None:
        # Back to the home, which reloads so the new request shows at the top.
        await self.close_request_form()
        if self.home is not None:
            await self.home.load()

    async def _auth_lost(self, error: ApiError) -> None:
        await self.sign_out(notice=error.text)

    def _show_login(self) -> None:
        self.screen = Screen.LOGIN
        self._changed()
