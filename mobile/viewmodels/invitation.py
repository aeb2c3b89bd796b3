"""A college's invitation on the citizen's home: "วิทยาลัย … เชิญคุณเป็นนักศึกษาช่าง" with Accept and Decline. Only
the person's own yes changes their account (the backend refuses everything else); a yes brings the new role's
home."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from mobile.api_client import ApiClient, ApiError
from mobile.formatting import format_date, format_time
from mobile.models import Profile
from mobile.viewmodels.busy import answered
from mobile.viewmodels.session import Session
from shared.roles import AppRole
from shared.text import Bilingual, Locale, bilingual
from shared.wire import StaffInvitation

Changed = Callable[[], None]
LostSignIn = Callable[[ApiError], Awaitable[bool]]
Show = Callable[[Bilingual], None]
Accepted = Callable[[Profile], Awaitable[None]]
T = TypeVar("T")
# Refusals that mean there is no invitation left to answer (the backend's codes): the card goes.
_GONE = frozenset({"invitation_none", "invitation_expired", "invitation_withdrawn"})


class InvitationCard:
    def __init__(self, api: ApiClient, session: Session, *, changed: Changed, lost_sign_in: LostSignIn,
                 show: Show) -> None:
        self._api = api
        self._session = session
        self._changed = changed
        self._lost_sign_in = lost_sign_in
        self._show = show
        self.invitation: StaffInvitation | None = None
        self.busy = False
        self._error: Bilingual | None = None
        # Set by the app: the role changed, so the home becomes that role's.
        self.on_accepted: Accepted | None = None

    @property
    def visible(self) -> bool:
        return self.invitation is not None

    def title(self, locale: Locale) -> str:
        invitation = self.invitation
        if invitation is None:
            return ""
        college = invitation.college
        name = "" if college is None else (college.name_th if locale == Locale.TH else college.name_en)
        key = "invitation_supervisor" if invitation.role == AppRole.SUPERVISOR else "invitation_student"
        return bilingual(key, college=name).in_(locale)

    def deadline(self, locale: Locale) -> str:
        """"ตอบรับภายใน 9 ธ.ค. 2569 เวลา 09:00 น.": until when the invitation is open, in Thai time (after that it
        lapses unanswered). With the hour: it lapses at the hour it was sent, 14 days on, not at the day's end."""
        invitation = self.invitation
        if invitation is None:
            return ""
        # format_date keeps the date one piece: at 360 px the line wraps before it, not inside it.
        return bilingual("invitation_answer_by", date=format_date(invitation.expires_at, locale),
                         time=format_time(invitation.expires_at)).in_(locale)

    def error(self, locale: Locale) -> str | None:
        return None if self._error is None else self._error.in_(locale)

    async def refresh(self) -> None:
        """With the home's list. The card is secondary: a failure to read it must not cost the person their list,
        so only a lost sign-in goes on (the home's load handles that)."""
        try:
            self.invitation = await self._api.my_invitation()
        except ApiError as exc:
            if exc.is_auth_lost:
                raise

    async def accept(self) -> None:
        profile = await self._answer(self._accept)
        if profile is None:
            return
        self.invitation = None
        self._session.update_profile(profile)
        if self.on_accepted is not None:
            await self.on_accepted(profile)
        self._changed()

    async def decline(self) -> None:
        if await self._answer(self._decline) is None:
            return
        self.invitation = None
        self._show(bilingual("invitation_declined_done"))

    async def _accept(self, shown: StaffInvitation) -> Profile:
        # The yes is to the invitation on the screen: one replaced meanwhile is refused (and shown anew below).
        return await self._api.accept_invitation(shown)

    async def _decline(self, shown: StaffInvitation) -> bool:
        await self._api.decline_invitation(shown)
        return True

    async def _answer(self, send: Callable[[StaffInvitation], Awaitable[T]]) -> T | None:
        shown = self.invitation
        if self.busy or shown is None:
            return None  # a second tap while the first answer is on its way
        self.busy, self._error = True, None
        self._changed()
        try:
            answer = await answered(send(shown), self._answered, self._changed)
        except ApiError as exc:
            if await self._lost_sign_in(exc):
                return None
            if exc.code in _GONE:
                # Answered on another device meanwhile, run out, or taken back by whoever sent it: the card goes,
                # the reason shows on the home.
                self.invitation = None
                self._show(exc.text)
            else:
                self._error = exc.text  # e.g. the college closed since: kept in both languages
                if exc.code == "invitation_changed":
                    # The new invitation replaces the card the person answered, with the reason above it.
                    self.invitation = await self._api.my_invitation()
                self._changed()
            return None
        self._answered()
        return answer

    def _answered(self) -> None:
        self.busy = False
