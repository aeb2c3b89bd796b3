"""The invitation card on the citizen's home: who invites them to what, Accept and Decline."""

import flet as ft

from mobile.viewmodels.invitation import InvitationCard
from mobile.views.common import error_message, muted
from shared.text import Locale, t


def invitation_controls(card: InvitationCard, locale: Locale) -> list[ft.Control]:
    if not card.visible:
        return []

    async def accept() -> None:
        await card.accept()

    async def decline() -> None:
        await card.decline()

    details: list[ft.Control] = [
        ft.Row(
            [ft.Icon(ft.Icons.SCHOOL, color=ft.Colors.PRIMARY),
             ft.Text(card.title(locale), weight=ft.FontWeight.BOLD, expand=True)],
            vertical_alignment=ft.CrossAxisAlignment.START,
        ),
        muted(card.deadline(locale)),
        muted(t("invitation_hint", locale)),
    ]
    error = card.error(locale)
    if error is not None:
        details.append(error_message(error, key="invitation-error"))  # above the buttons, which keep their ids
    details.append(
        ft.Row(
            [
                ft.FilledButton(t("invitation_accept", locale), icon=ft.Icons.CHECK, on_click=accept,
                                disabled=card.busy),
                ft.OutlinedButton(t("invitation_decline", locale), icon=ft.Icons.CLOSE, on_click=decline,
                                  disabled=card.busy),
            ],
            wrap=True,
        )
    )
    return [ft.Card(key="invitation", content=ft.Container(content=ft.Column(details, spacing=8), padding=12))]
