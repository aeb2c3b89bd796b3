"""The account screen (issue 11, PDPA): who is signed in, download my data, delete my account, sign out."""

import asyncio
from typing import Unpack

from mobile.api_client import ApiClient, ApiError
from mobile.formatting import format_phone
from mobile.models import NotificationSettings, Profile
from mobile.viewmodels.loadable import Done, SaveFile, ScreenWiring, SubScreen, fetched_and_saved
from mobile.viewmodels.session import Session
from shared.notifications import KIND_NOT_YOURS, QUIET_TIME_CHOICES, kind_label
from shared.text import bilingual, error_text, role_label

MY_DATA_FILE = "fixit-my-data.json"


class AccountViewModel(SubScreen):
    def __init__(
        self, api: ApiClient, session: Session, *, on_sign_out: Done, on_deleted: Done,
        save_file: SaveFile | None = None, **wiring: Unpack[ScreenWiring],
    ) -> None:
        super().__init__(api, session, **wiring)
        self._on_sign_out = on_sign_out
        self._on_deleted = on_deleted
        self._save_file = save_file
        self.profile: Profile | None = session.profile
        self.downloading = False
        self.confirming_delete = False
        self.deleting = False
        self.data_text: str | None = None  # the JSON to copy when the platform cannot save a file
        self.held_drafts = 0  # the suspended screen: the person's unsent drafts kept on this device
        self._delete_error: ApiError | None = None
        # Channels per kind of message and quiet hours (issue 13); None until loaded, or when they could not be.
        self.settings: NotificationSettings | None = None
        self.saving_settings = False
        # The channels of each kind of message, folded until asked for: 13 kinds for a citizen were ~1,400 px
        # between the account and "sign out" on a 640 px phone (session 21's walk-through).
        self.channels_open = False

    async def _fetch(self) -> None:
        # Both at once: one round trip on a phone's network instead of two in a row.
        self.profile, self.settings = await asyncio.gather(self._api.me(), self._settings_or_none())

    async def _settings_or_none(self) -> NotificationSettings | None:
        """The preferences; None when they could not be loaded (the account's own parts still show, preferences are
        left out). A lost sign-in goes on to the screen's load, which leaves for the login."""
        try:
            return await self._api.notification_settings()
        except ApiError as exc:
            if exc.is_auth_lost:
                raise
            return None

    # --- notification preferences: each change is saved at once ------------------------------------------

    def toggle_channels(self, _: object = None) -> None:  # Flet passes the event first
        """Shows or folds the channels of each kind of message (the general switches stay shown)."""
        self.channels_open = not self.channels_open
        self._changed()

    def chosen(self, kind: str, pref: str) -> bool:
        return self.settings is not None and pref in self.settings.channels.get(kind, [])

    async def set_channel(self, kind: str, pref: str, on: bool) -> None:
        settings = self.settings
        if settings is None or pref not in settings.allowed.get(kind, []):
            return
        picked = set(settings.channels.get(kind, []))
        picked = picked | {pref} if on else picked - {pref}
        channels = {**settings.channels, kind: sorted(picked)}
        await self._save_settings({**settings.body(), "channels": channels})

    async def set_quiet_hours(self, on: bool) -> None:
        if self.settings is not None:
            await self._save_settings({**self.settings.body(), "quiet_hours": on})

    async def set_quiet_start(self, value: str) -> None:
        if self.settings is not None and value != self.settings.quiet_start:
            await self._save_settings({**self.settings.body(), "quiet_start": value})

    async def set_quiet_end(self, value: str) -> None:
        if self.settings is not None and value != self.settings.quiet_end:
            await self._save_settings({**self.settings.body(), "quiet_end": value})

    def quiet_time_choices(self, current: str) -> list[str]:
        """Whole and half hours, and the time saved now when it is neither (set elsewhere): it must show."""
        return sorted({*QUIET_TIME_CHOICES, current})

    async def set_offers_in_quiet_hours(self, on: bool) -> None:
        if self.settings is not None:
            await self._save_settings({**self.settings.body(), "offers_in_quiet_hours": on})

    async def set_sms_fallback(self, on: bool) -> None:
        if self.settings is not None:
            await self._save_settings({**self.settings.body(), "sms_fallback": on})

    async def _save_settings(self, body: dict[str, object]) -> None:
        if self.saving_settings:
            return
        self._notice = None
        # Refused: the notice says why, and the switches show what the server still holds.
        refusals: list[ApiError] = []

        def refused(exc: ApiError) -> None:
            refusals.append(exc)
            self._refused_notice(exc)

        settings = await self._send(self._api.update_notification_settings(body), refused,
                                    self._mark_saving_settings)
        if settings is None:
            if refusals and refusals[0].code == KIND_NOT_YOURS:
                # The account's role changed since the screen read its kinds (a student made a teacher, a
                # teacher's college closed): its switches are read again, so the next change is the account's own
                # kinds, not refused again until the screen is reopened. The notice still says why this one was,
                # naming the kind as the settings name it (ux26): one this screen sent that the account's settings
                # no longer list, in the app's own words (an older backend named its code).
                sent = body.get("channels")
                self.settings = await self._settings_or_none() or self.settings
                theirs = self.settings.allowed if self.settings is not None else {}
                stale = [k for k in sent if k not in theirs] if isinstance(sent, dict) else []
                if stale:
                    self._notice = error_text(KIND_NOT_YOURS, kind=kind_label(stale[0]))
                self._changed()
            return
        self.settings = settings
        self._notice = bilingual("prefs_saved")
        self._changed()

    def _mark_saving_settings(self, on: bool) -> None:
        self.saving_settings = on

    @property
    def name(self) -> str:
        name = self.profile.display_name if self.profile else ""
        return name or bilingual("account_no_name").in_(self.locale)

    @property
    def phone(self) -> str:
        return format_phone(self.profile.phone) if self.profile and self.profile.phone else "—"

    @property
    def role(self) -> str:
        return role_label(self.profile.role, self.locale) if self.profile else ""

    @property
    def college(self) -> str | None:
        college = self.profile.college if self.profile else None
        return college.name(self.locale) if college else None

    @property
    def delete_error(self) -> str | None:
        return None if self._delete_error is None else self._delete_error.message(self.locale)

    async def download_data(self) -> None:
        """GET /me/export with the sign-in token, then offer it as a file (or as text to copy)."""
        if self.downloading:
            return
        self._notice = None
        self.data_text = None
        got = await self._send(fetched_and_saved(self._api.export_my_data(), self._save_file, MY_DATA_FILE),
                               self._refused_notice, self._mark_downloading)
        if got is None:
            return
        data, saved = got
        if saved:
            self._notice = bilingual("my_data_saved", name=MY_DATA_FILE)
        else:
            self.data_text = data.decode("utf-8", errors="replace")
        self._changed()

    def _mark_downloading(self, on: bool) -> None:
        self.downloading = on

    def close_data(self) -> None:
        self.data_text = None
        self._changed()

    def ask_delete(self) -> None:
        self.confirming_delete = True
        self._delete_error = None
        self._changed()

    def cancel_delete(self) -> None:
        if self.deleting:
            return
        self.confirming_delete = False
        self._delete_error = None
        self._changed()

    async def delete_account(self) -> None:
        """For good, after the dialog: the backend erases the person's data and ends the session."""
        if self.deleting:
            return
        self._delete_error = None
        if not await self._sent(self._api.delete_account(), self._delete_refused, self._mark_deleting):
            return
        self.confirming_delete = False
        await self._on_deleted()

    def _mark_deleting(self, on: bool) -> None:
        self.deleting = on

    def _delete_refused(self, exc: ApiError) -> None:
        self._delete_error = exc

    async def sign_out(self) -> None:
        await self._on_sign_out()
