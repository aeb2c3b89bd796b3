"""The one screen of an account an operator suspended: why, whom to ask, and the person's data rights (PDPA) with the
account screen's own parts: download my data, delete my account (asked first, `delete_account_dialog`), sign out."""

import flet as ft

from mobile.viewmodels.account import AccountViewModel
from mobile.views.account import delete_account_button, my_data_parts
from mobile.views.common import heading, keyed
from shared.text import Locale, error_text, t


def suspended_view(vm: AccountViewModel, locale: Locale) -> ft.Control:
    why = ft.Container(
        padding=12, border_radius=8, bgcolor=ft.Colors.ERROR_CONTAINER,
        content=ft.Row([
            ft.Icon(ft.Icons.BLOCK, color=ft.Colors.ON_ERROR_CONTAINER),
            ft.Text(error_text("account_suspended").in_(locale), color=ft.Colors.ON_ERROR_CONTAINER, expand=True),
        ], vertical_alignment=ft.CrossAxisAlignment.START),
    )
    controls: list[ft.Control] = [
        *keyed("suspended-why", [heading(t("suspended_title", locale), size=22), why]),
        # Keyed apart: present or not, the parts below keep their ids.
        *keyed("suspended-drafts", [ft.Text(t("suspended_drafts_held", locale, count=vm.held_drafts))]
               if vm.held_drafts else []),
        # Keyed as on the account screen: the notice, progress and text to copy come and go above the buttons.
        *my_data_parts(vm, locale),
        *keyed("suspended-end", [
            ft.OutlinedButton(t("sign_out", locale), icon=ft.Icons.LOGOUT, on_click=vm.sign_out),
            ft.Divider(),
            delete_account_button(vm, locale),
        ]),
    ]
    return ft.Column(controls, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
