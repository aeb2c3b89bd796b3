"""Who is signed in, in which language, and how that survives a reload."""

import json
from dataclasses import dataclass
from typing import Protocol

from pydantic import ValidationError

from mobile.models import Profile
from mobile.viewmodels.observable import Observable
from shared.text import Locale


@dataclass(frozen=True)
class StoredSession:
    token: str
    profile: Profile


def encode_session(stored: StoredSession) -> str:
    return json.dumps({"token": stored.token, "profile": stored.profile.model_dump(mode="json")})


def decode_session(raw: object) -> StoredSession | None:
    """None for anything unreadable: a stale or foreign value must lead to the login, not a crash."""
    if not isinstance(raw, str):
        return None
    try:
        data = json.loads(raw)
        return StoredSession(token=str(data["token"]), profile=Profile.model_validate(data["profile"]))
    except (ValueError, KeyError, TypeError, ValidationError):
        return None


class SessionStore(Protocol):
    """Device storage: browser storage in the web app, platform preferences on phones."""

    async def load(self) -> StoredSession | None: ...

    async def save(self, stored: StoredSession) -> None: ...

    async def clear(self) -> None: ...

    async def load_locale(self) -> Locale | None: ...

    async def save_locale(self, locale: Locale) -> None: ...


class Session(Observable):
    def __init__(self, locale: Locale) -> None:
        super().__init__()
        self.locale = locale
        self.token: str | None = None
        self.profile: Profile | None = None

    @property
    def signed_in(self) -> bool:
        return self.token is not None and self.profile is not None

    def set_locale(self, locale: Locale) -> None:
        if locale != self.locale:
            self.locale = locale
            self._changed()

    def toggle_locale(self) -> Locale:
        self.set_locale(Locale.EN if self.locale == Locale.TH else Locale.TH)
        return self.locale

    def sign_in(self, token: str, profile: Profile) -> None:
        self.token = token
        self.profile = profile
        self._changed()

    def update_profile(self, profile: Profile) -> None:
        self.profile = profile
        self._changed()

    def sign_out(self) -> None:
        self.token = None
        self.profile = None
        self._changed()
