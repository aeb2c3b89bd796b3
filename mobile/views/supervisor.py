"""Supervisor home: the college's queue, counted by status."""

import flet as ft

from mobile.strings import t
from mobile.viewmodels.home import SupervisorHome
from mobile.views.common import empty, greeting, heading, load_state, muted, request_card, section
from mobile.views.status import count_chip
from shared.text import Locale, ui


def supervisor_home_view(vm: SupervisorHome, locale: Locale) -> ft.Control:
    controls: list[ft.Control] = [greeting(vm, locale)]
    if vm.college_name:
        controls.append(
            ft.Row(
                [ft.Icon(ft.Icons.SCHOOL, color=ft.Colors.PRIMARY), heading(vm.college_name, size=16)],
                wrap=True,
            )
        )
    controls.append(section(ui("supervisor_home_title", locale), locale, vm.load))
    state = load_state(vm, locale)
    if state is not None:
        controls.append(state)
    elif vm.queue is None or vm.is_empty:
        controls.append(empty(ui("supervisor_empty", locale)))
    else:
        counts = vm.queue.status_counts()
        controls.append(ft.Row([count_chip(s, n, locale) for s, n in counts], wrap=True, run_spacing=6))
        controls.append(muted(t("requests_count", locale, count=len(vm.queue.requests))))
        controls += [request_card(r, locale) for r in vm.queue.requests]
    return ft.Column(controls, spacing=12)
