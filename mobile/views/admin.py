"""Admin home: an overview of the colleges in the system."""

import flet as ft

from mobile.formatting import format_km
from mobile.models import College
from mobile.strings import t
from mobile.viewmodels.home import AdminHome
from mobile.views.common import empty, greeting, load_state, muted, section
from shared.text import Locale, ui


def admin_home_view(vm: AdminHome, locale: Locale) -> ft.Control:
    controls: list[ft.Control] = [greeting(vm, locale), section(ui("admin_home_title", locale), locale, vm.load)]
    state = load_state(vm, locale)
    if state is not None:
        controls.append(state)
    elif vm.is_empty:
        controls.append(empty(t("admin_empty", locale)))
    else:
        controls.append(ft.Text(t("colleges_count", locale, count=len(vm.colleges)), weight=ft.FontWeight.W_600))
        controls += [_college_card(c, locale) for c in vm.colleges]
    return ft.Column(controls, spacing=12)


def _college_card(college: College, locale: Locale) -> ft.Control:
    return ft.Card(
        content=ft.Container(
            padding=12,
            content=ft.Row(
                [
                    ft.Icon(ft.Icons.SCHOOL, color=ft.Colors.PRIMARY),
                    ft.Column(
                        [
                            ft.Text(college.name(locale), weight=ft.FontWeight.BOLD),
                            muted(f"{college.province(locale)} · {college.code}"),
                            muted(t("service_radius", locale, km=format_km(college.service_radius_km))),
                        ],
                        spacing=2,
                        expand=True,
                    ),
                ],
                vertical_alignment=ft.CrossAxisAlignment.START,
            ),
        )
    )
