"""Admin home: requests waiting for a centre (send them on by hand), then an overview of the colleges."""

from uuid import UUID

import flet as ft

from mobile.formatting import format_date, format_km
from mobile.models import College, WaitingRequest
from mobile.strings import t
from mobile.viewmodels.home import AdminHome, CollegeChoice
from mobile.views.common import category_icon, empty, greeting, heading, home_notice, load_state, muted, section
from mobile.views.status import status_chip
from shared.text import Locale, ui


def admin_home_view(vm: AdminHome, locale: Locale) -> ft.Control:
    controls: list[ft.Control] = [greeting(vm, locale), section(t("waiting_title", locale), locale, vm.load)]
    controls += home_notice(vm)
    state = load_state(vm, locale)
    if state is not None:
        controls.append(state)
        return ft.Column(controls, spacing=12)
    if vm.waiting:
        controls += [_waiting_card(r, vm, locale) for r in vm.waiting]
    else:
        controls.append(empty(t("waiting_empty", locale)))
    controls.append(section(ui("admin_home_title", locale), locale))
    if vm.is_empty:
        controls.append(empty(t("admin_empty", locale)))
    else:
        controls.append(ft.Text(t("colleges_count", locale, count=len(vm.colleges)), weight=ft.FontWeight.W_600))
        controls += [_college_card(c, locale) for c in vm.colleges]
    return ft.Column(controls, spacing=12)


def _waiting_card(request: WaitingRequest, vm: AdminHome, locale: Locale) -> ft.Control:
    busy = vm.busy is not None

    async def pick(_: object = None, request_id: UUID = request.id) -> None:  # Flet passes the event first
        vm.open_picker(request_id)

    async def retry(_: object = None, request_id: UUID = request.id) -> None:
        await vm.dispatch(request_id, None)

    lines: list[ft.Control] = [
        ft.Row(
            [
                ft.Icon(category_icon(request.category_icon), color=ft.Colors.PRIMARY),
                ft.Column(
                    [ft.Text(request.item, weight=ft.FontWeight.BOLD), muted(request.category_name(locale))],
                    spacing=0,
                    expand=True,
                ),
            ]
        ),
        ft.Row(
            [
                ft.Icon(ft.Icons.PLACE, size=16, color=ft.Colors.ON_SURFACE_VARIANT),
                ft.Text(vm.area(request), expand=True),
            ]
        ),
        ft.Row(
            [
                status_chip(request.status, locale),
                muted(f"{ui('requested_on', locale)} {format_date(request.created_at, locale)}"),
            ],
            wrap=True,
            run_spacing=4,
        ),
    ]
    if vm.picking == request.id:
        lines.append(_picker(request, vm, locale))
    else:
        lines.append(
            ft.Row(
                [
                    ft.FilledButton(t("dispatch_to_college", locale), icon=ft.Icons.SEND, disabled=busy, on_click=pick),
                    ft.OutlinedButton(t("retry_dispatch", locale), icon=ft.Icons.REFRESH, disabled=busy,
                                      on_click=retry),
                ],
                wrap=True,
            )
        )
    return ft.Card(content=ft.Container(padding=12, content=ft.Column(lines, spacing=8)))


def _picker(request: WaitingRequest, vm: AdminHome, locale: Locale) -> ft.Control:
    """The colleges, nearest first, each a button "name · 3.2 กม." that sends the request there."""
    busy = vm.busy is not None
    options: list[ft.Control] = []
    for choice in vm.choices(request):

        async def send(_: object = None, request_id: UUID = request.id, college_id: UUID = choice.college.id) -> None:
            await vm.dispatch(request_id, college_id)

        options.append(
            ft.OutlinedButton(college_choice_label(choice, locale), icon=ft.Icons.SCHOOL, disabled=busy, on_click=send)
        )
    if not options:
        options.append(empty(t("admin_empty", locale)))
    return ft.Column(
        [
            heading(t("pick_college_title", locale, item=request.item), size=16),
            muted(t("pick_college_hint", locale)),
            ft.Column(options, spacing=6, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
            ft.Row([ft.TextButton(t("close_panel", locale), icon=ft.Icons.CLOSE, on_click=vm.close_picker)]),
        ],
        spacing=8,
    )


def college_choice_label(choice: CollegeChoice, locale: Locale) -> str:
    name = choice.college.name(locale)
    if choice.km is None:
        return name
    return t("college_distance", locale, name=name, km=format_km(choice.km))


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
