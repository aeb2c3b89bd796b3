"""A college's invitations not yet taken up (the teacher's students page, the admin's college card): one line
each with Withdraw while it waits, and the dialog that asks before one is taken back."""

from uuid import UUID

import flet as ft

from mobile.viewmodels.invites import WithdrawsInvites
from mobile.views.common import muted
from shared.text import Locale, t
from shared.wire import PendingInvite


def invite_row(vm: WithdrawsInvites, invite: PendingInvite, locale: Locale) -> ft.Control:
    """Who was invited, what the college waits for and until when; Withdraw (asked first) while it waits. Keyed by
    the invitation, so a line that goes leaves the others' buttons on their ids."""
    invite_id: UUID = invite.id

    async def ask(_: object = None) -> None:  # the event comes first
        vm.ask_withdraw(invite_id)

    line: list[ft.Control] = [muted(vm.invite_line(invite))]
    if vm.can_withdraw(invite):
        # Named with the person, as each student's buttons are: a screen reader (and a test) tells the lines apart.
        line.append(ft.TextButton(t("invite_withdraw_for", locale, who=vm.invite_who(invite)), icon=ft.Icons.UNDO,
                                  disabled=vm.withdraw_busy, on_click=ask))
    return ft.Column(line, key=f"invite-{invite_id}", spacing=0, horizontal_alignment=ft.CrossAxisAlignment.START)


def withdraw_invite_dialog(vm: WithdrawsInvites | None, locale: Locale) -> ft.AlertDialog | None:
    """Asked before an invitation is taken back: who, and that they may be invited again."""
    invite = vm.withdrawing if vm is not None else None
    if vm is None or invite is None:
        return None
    who = vm.invite_who(invite)

    async def keep(_: object = None) -> None:  # the event comes first
        vm.cancel_withdraw()

    async def withdraw(_: object = None) -> None:
        await vm.withdraw()

    content: list[ft.Control] = [ft.Text(t("invite_withdraw_body", locale, who=who))]
    if vm.withdraw_busy:
        content.append(ft.ProgressBar())
    return ft.AlertDialog(
        modal=True,
        title=ft.Text(t("invite_withdraw_title", locale)),
        content=ft.Column(content, tight=True, spacing=12, width=360),
        actions=[
            ft.TextButton(t("invite_withdraw_keep", locale), disabled=vm.withdraw_busy, on_click=keep),
            ft.TextButton(t("invite_withdraw", locale), disabled=vm.withdraw_busy, on_click=withdraw,
                          style=ft.ButtonStyle(color=ft.Colors.ERROR)),
        ],
    )
