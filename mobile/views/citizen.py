"""Citizen home: my repair requests with their status."""

import flet as ft

from mobile.strings import t
from mobile.viewmodels.home import CitizenHome
from mobile.views.common import empty, greeting, load_state, request_card, section
from shared.text import Locale, ui


def citizen_home_view(vm: CitizenHome, locale: Locale) -> ft.Control:
    controls: list[ft.Control] = [
        greeting(vm, locale),
        # The one thing most people come for: big, with words, at the top.
        ft.FilledButton(
            t("new_request", locale),
            icon=ft.Icons.ADD,
            height=52,
            on_click=vm.new_request,
        ),
        section(ui("citizen_home_title", locale), locale, vm.load),
    ]
    state = load_state(vm, locale)
    if state is not None:
        controls.append(state)
    elif vm.is_empty:
        controls.append(empty(ui("citizen_empty", locale)))
    else:
        controls += [request_card(r, locale) for r in vm.requests]
    return ft.Column(controls, spacing=12)
