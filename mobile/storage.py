"""SessionStore on Flet's SharedPreferences: browser storage on the web, platform preferences on phones."""

import flet as ft

from mobile.outbox import OUTBOX_KEY, StorageRefused
from mobile.viewmodels.session import StoredSession, decode_session, encode_session
from shared.text import Locale

SESSION_KEY = "fixit.session"
# Kept apart from the session: the language is the device's choice and survives a sign-out.
LOCALE_KEY = "fixit.locale"


class PreferencesSessionStore:
    def __init__(self, prefs: ft.SharedPreferences) -> None:
        self._prefs = prefs

    async def load(self) -> StoredSession | None:
        return decode_session(await self._prefs.get(SESSION_KEY))

    async def save(self, stored: StoredSession) -> None:
        await self._prefs.set(SESSION_KEY, encode_session(stored))

    async def clear(self) -> None:
        await self._prefs.remove(SESSION_KEY)

    async def load_locale(self) -> Locale | None:
        raw = await self._prefs.get(LOCALE_KEY)
        return Locale(raw) if raw in {locale.value for locale in Locale} else None

    async def save_locale(self, locale: Locale) -> None:
        await self._prefs.set(LOCALE_KEY, locale.value)


class PreferencesOutboxStorage:
    """The outbox's one slot in device storage; it survives a page reload and an app restart."""

    def __init__(self, prefs: ft.SharedPreferences, key: str = OUTBOX_KEY) -> None:
        self._prefs = prefs
        self._key = key

    async def load(self) -> str | None:
        raw = await self._prefs.get(self._key)
        return raw if isinstance(raw, str) else None

    async def save(self, raw: str) -> None:
        try:
            kept = await self._prefs.set(self._key, raw)
        except RuntimeError as exc:  # Flet raises the client's error: the browser's QuotaExceededError, for one
            raise StorageRefused(str(exc)) from exc
        if kept is False:
            raise StorageRefused("the device did not keep the outbox")
