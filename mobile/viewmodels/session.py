"""Who is signed in, in which language, and how that survives a reload."""

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from typing import Protocol

from pydantic import ValidationError

from mobile.models import Profile, RequestDetail, SessionTokens
from mobile.viewmodels.observable import Observable
from shared.roles import AppRole
from shared.text import Locale


@dataclass(frozen=True)
class StoredSession:
    token: str
    # None: a sign-in that said the account is suspended (it tells no profile); reopened, the app asks GET /me and
    # shows the suspended screen again (or the home, once an operator restored the account).
    profile: Profile | None
    # The single-use refresh token and when the access token expires (unix time): with them the session outlives
    # the access token (an hour on Supabase) and an app restart, without a new SMS. None: a session stored by an
    # older app, which lasts as long as its access token.
    refresh_token: str | None = None
    expires_at: float | None = None

    @property
    def tokens(self) -> SessionTokens:
        return SessionTokens(access_token=self.token, refresh_token=self.refresh_token, expires_at=self.expires_at)

    @classmethod
    def of(cls, tokens: SessionTokens, profile: Profile | None) -> "StoredSession":
        return cls(tokens.access_token, profile, tokens.refresh_token, tokens.expires_at)


def token_subject(token: str | None) -> str | None:
    """Whose access token it is (its `sub`, read, not verified: the backend verifies it), for a suspended account,
    whose profile the app is never told; None for anything that is not a JWT naming a user id."""
    parts = (token or "").split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        return str(uuid.UUID(str(claims["sub"])))
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None


def encode_session(stored: StoredSession) -> str:
    profile = None if stored.profile is None else stored.profile.model_dump(mode="json")
    return json.dumps({"token": stored.token, "profile": profile,
                       "refresh_token": stored.refresh_token, "expires_at": stored.expires_at})


def decode_session(raw: object) -> StoredSession | None:
    """None for anything unreadable: a stale or foreign value must lead to the login, not a crash."""
    if not isinstance(raw, str):
        return None
    try:
        data = json.loads(raw)
        refresh = data.get("refresh_token")
        expires = data.get("expires_at")
        return StoredSession(
            token=str(data["token"]),
            profile=None if data["profile"] is None else Profile.model_validate(data["profile"]),
            refresh_token=refresh if isinstance(refresh, str) and refresh else None,
            expires_at=float(expires) if isinstance(expires, int | float) and not isinstance(expires, bool) else None,
        )
    except (ValueError, KeyError, TypeError, AttributeError, ValidationError):
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

    def helps_on(self, detail: RequestDetail) -> bool:
        """The signed-in student reads a job another student leads (one they help on: the lead acts on it)."""
        return (self.profile is not None and self.profile.role == AppRole.TECHNICIAN
                and detail.technician_id is not None and detail.technician_id != self.profile.id)

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

    def suspend(self, token: str | None) -> None:
        """Signed in to an account an operator suspended: the token reaches only the person's data rights, and
        nothing about the account (its profile) is known here."""
        self.token = token
        self.profile = None
        self._changed()

    def update_profile(self, profile: Profile) -> None:
        self.profile = profile
        self._changed()

    def sign_out(self) -> None:
        self.token = None
        self.profile = None
        self._changed()
