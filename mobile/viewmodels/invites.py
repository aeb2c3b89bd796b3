"""A college's invitations not yet taken up, as the teacher's students page and the admin's college card list them:
each line says who, what the college waits for and until when (or that it ran out), and one still waiting can be
withdrawn after a confirmation (DELETE /colleges/{id}/invites/{invite_id})."""

from uuid import UUID

from mobile.api_client import ApiError
from mobile.formatting import format_date, format_time
from mobile.viewmodels.loadable import SubScreen
from shared.phone import national_format
from shared.roles import AppRole, may_invite
from shared.text import bilingual, role_label
from shared.wire import PendingInvite


class WithdrawsInvites(SubScreen):
    """A screen that lists one college's pending invitations (`invites`; or those at no college, to be an admin)
    and withdraws them. A subclass calls `_init_invites()` in its constructor and reads `invites` again in its
    `_fetch`."""

    def _init_invites(self) -> None:
        self.invites: list[PendingInvite] = []
        # The invitation the withdraw dialog asks about, and that dialog's call under way.
        self.withdrawing: PendingInvite | None = None
        self.withdraw_busy = False

    def invite_line(self, invite: PendingInvite) -> str:
        """"นาย ก · 081-234-5678 · รอตอบรับ · หมดอายุ 9 ธ.ค. 2569 เวลา 09:00 น.": who, what the college waits for,
        and until when in Thai time (it lapses at the hour it was sent), or that it ran out; the role after who,
        unless it is a student's (a teacher's, an admin's)."""
        when = format_date(invite.expires_at, self.locale)
        if invite.declined_at is not None:
            parts = [bilingual("invite_declined").in_(self.locale)]
        elif invite.expired:
            parts = [bilingual("invite_expired", date=when).in_(self.locale)]
        else:
            key = "invite_waiting_acceptance" if invite.awaiting_acceptance else "invite_waiting_sign_in"
            until = bilingual("invite_expires", date=when, time=format_time(invite.expires_at))
            parts = [bilingual(key).in_(self.locale), until.in_(self.locale)]
        who = [part for part in (invite.display_name, national_format(invite.phone)) if part]
        if invite.role != AppRole.TECHNICIAN:
            who.append(role_label(invite.role, self.locale))
        return " · ".join([*who, *parts])

    @staticmethod
    def invite_who(invite: PendingInvite) -> str:
        """The invited person as the inviter typed them: their name, else their phone."""
        return invite.display_name or national_format(invite.phone)

    def can_withdraw(self, invite: PendingInvite) -> bool:
        """Still waiting (or run out), and one the signed-in person may send (a teacher: a student's; an admin:
        any): an answered one is the person's, not the college's, to take back, and the backend refuses the rest."""
        profile = self._session.profile
        return invite.declined_at is None and profile is not None and may_invite(profile.role, invite.role)

    def ask_withdraw(self, invite_id: UUID) -> None:
        invite = next((i for i in self.invites if i.id == invite_id), None)
        if invite is not None and self.can_withdraw(invite) and not self.withdraw_busy:
            self.withdrawing, self._notice = invite, None
            self._changed()

    def cancel_withdraw(self) -> None:
        if not self.withdraw_busy:
            self.withdrawing = None
            self._changed()

    async def withdraw(self) -> None:
        """The confirmed withdraw: the screen says so and reads the list again. Refused (the person answered
        meanwhile, or it was sent again or taken back elsewhere), the reason shows and the list is read again."""
        invite = self.withdrawing
        if invite is None or self.withdraw_busy:
            return
        refusals: list[ApiError] = []
        # Where the invitation is (a college's, or at no college: to be an admin) says where it is withdrawn.
        done = await self._sent(self._api.withdraw_invite(invite.college_id, invite.id), refusals.append,
                                self._mark_withdrawing)
        self.withdrawing = None
        if refusals:
            self._notice = refusals[0].text
        elif done:
            self.invites = [i for i in self.invites if i.id != invite.id]
            self._notice = bilingual("invite_withdrawn_done", who=self.invite_who(invite))
        else:
            return  # the sign-in is gone: the app leaves for the login
        await self.load()

    def _mark_withdrawing(self, on: bool) -> None:
        self.withdraw_busy = on
