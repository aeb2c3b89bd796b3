"""The frame around every screen: title bar with the language switch, one scrolling column; and the stack
of routed views (the home at "/", the open screen above it) that the app renders."""

import flet as ft

from mobile.device import Device, FletDevice
from mobile.settings import DEFAULT_MAP_TILE_URL
from mobile.viewmodels.app import COLLEGE_JOBS_ROUTE, AppViewModel, Screen
from mobile.viewmodels.home import AdminHome, CitizenHome, HomeViewModel, SupervisorHome, TechnicianHome
from mobile.views.account import account_view
from mobile.views.admin import admin_home_view, colleges_admin_view
from mobile.views.citizen import citizen_home_view
from mobile.views.college_jobs import college_jobs_view
from mobile.views.common import icon_button, loading
from mobile.views.credit import credit_screen
from mobile.views.inbox import inbox_view
from mobile.views.job import job_view
from mobile.views.login import login_view
from mobile.views.photos import photo_viewer_view
from mobile.views.request_detail import request_detail_view
from mobile.views.request_form import request_form_view
from mobile.views.supervisor import supervisor_home_view
from mobile.views.supervisor_tools import ledger_view, technicians_view
from mobile.views.suspended import suspended_view
from mobile.views.technician import technician_home_view
from shared.text import Locale, t

# Wide screens get a phone-width column: long lines are hard to read and the app is designed for phones.
MAX_CONTENT_WIDTH = 560


def app_view(
    vm: AppViewModel, device: Device | None = None, map_tile_url: str = DEFAULT_MAP_TILE_URL
) -> ft.Control:
    locale = vm.locale
    return ft.SafeArea(
        expand=True,
        content=ft.Column(
            [
                _top_bar(vm, locale, can_pop=vm.screen not in ROOT_SCREENS),
                ft.Container(
                    content=_screen(vm, locale, device, map_tile_url),
                    width=MAX_CONTENT_WIDTH,
                    padding=ft.Padding.only(left=16, right=16, bottom=24),
                ),
            ],
            scroll=ft.ScrollMode.AUTO,
            expand=True,
            horizontal_alignment=ft.CrossAxisAlignment.CENTER,
        ),
    )


def app_views(
    vm: AppViewModel, device: Device | None = None, map_tile_url: str = DEFAULT_MAP_TILE_URL
) -> list[ft.View]:
    """The navigation stack: the home (or the login) at "/", and the open screen above it at its own route.

    Each View scrolls on its own, so the home keeps its place while a request is open, and Flutter's
    back (the app bar's arrow, a phone's back button) pops the top view (the app hears it as on_view_pop).
    The keys keep each view's identity across renders: only what changed is redrawn.
    """
    locale = vm.locale
    root_screen = _screen(vm, locale, device, map_tile_url) if vm.screen in ROOT_SCREENS else _home_or_wait(vm)
    views = [_routed_view(vm, "/", root_screen, locale, can_pop=False)]
    if vm.screen == Screen.JOB and vm.college_jobs is not None:
        # A job opened from the teacher's job list sits above the list, which keeps its place underneath.
        views.append(_routed_view(vm, COLLEGE_JOBS_ROUTE, college_jobs_view(vm.college_jobs, locale), locale,
                                  can_pop=True))
    if vm.screen not in ROOT_SCREENS:
        views.append(_routed_view(vm, vm.route, _screen(vm, locale, device, map_tile_url), locale, can_pop=True))
    photo = photo_viewer_view(vm.photo_viewer, locale, f"{vm.route.rstrip('/')}/photo")
    if photo is not None:
        views.append(photo)  # above the screen that opened it: closing it shows that screen where it was
    return views


# Screens shown at "/" (nothing under them to go back to).
ROOT_SCREENS = (Screen.STARTING, Screen.LOGIN, Screen.HOME, Screen.SUSPENDED)


def _home_or_wait(vm: AppViewModel) -> ft.Control:
    return home_view(vm.home, vm.locale, vm) if vm.home is not None else loading(vm.locale)


def _routed_view(vm: AppViewModel, route: str, content: ft.Control, locale: Locale, *, can_pop: bool) -> ft.View:
    # Above the home the bar holds the screen's one way back and no title: the app's name was cut to "ช่างพันธุ์…"
    # at 360 px beside the bell, the account and the language switch, and the screen's own heading is just below.
    # The home's bar names the app by its short name, which fits there (the full one was cut the same way).
    return ft.View(
        key=route,
        route=route,
        appbar=ft.AppBar(
            leading=back_button(vm, locale) if can_pop else None,
            title=None if can_pop else ft.Text(t("app_title_short", locale), size=16, no_wrap=True),
            automatically_imply_leading=False,
            actions=[*session_actions(vm, locale),
                     ft.Container(content=language_switch(vm, locale), padding=ft.Padding.only(right=8))],
        ),
        controls=[
            ft.Container(
                content=content,
                width=MAX_CONTENT_WIDTH,
                padding=ft.Padding.only(left=16, right=16, bottom=24, top=8),
            )
        ],
        scroll=ft.ScrollMode.AUTO,
        horizontal_alignment=ft.CrossAxisAlignment.CENTER,
        padding=0,
    )


def back_button(vm: AppViewModel, locale: Locale) -> ft.Control:
    """The one back of a screen above the home, in the app bar. Named "ย้อนกลับ" by the app (Flutter's own arrow
    says "กลับ" or "Back" by the browser's language); it goes where a phone's back button goes
    (`AppViewModel.go_back`: a form with unsent changes asks first)."""
    return icon_button(ft.Icons.ARROW_BACK, t("back", locale), vm.go_back)


def leave_dialog(vm: AppViewModel) -> ft.AlertDialog | None:
    """Asked when the person leaves a form with unsent changes (back, the browser's back, a link)."""
    if vm.leave_target is None:
        return None
    locale = vm.locale
    return ft.AlertDialog(
        modal=True,
        title=ft.Text(t("leave_form_title", locale)),
        content=ft.Text(t("leave_form_text", locale)),
        actions=[
            ft.TextButton(t("leave_form_stay", locale), on_click=vm.stay),
            ft.TextButton(t("leave_form_leave", locale), on_click=vm.confirm_leave),
        ],
    )


def _top_bar(vm: AppViewModel, locale: Locale, *, can_pop: bool) -> ft.Control:
    # The single-column frame's bar, as the routed views' app bar: back and no title above the home.
    start: ft.Control = (back_button(vm, locale) if can_pop else
                         ft.Text(t("app_title_short", locale), size=14, color=ft.Colors.ON_SURFACE_VARIANT))
    return ft.Container(
        width=MAX_CONTENT_WIDTH,
        padding=ft.Padding.only(left=16, right=8, top=8),
        content=ft.Row([ft.Container(content=start, expand=True, alignment=ft.Alignment.CENTER_LEFT),
                        language_switch(vm, locale)]),
    )


def session_actions(vm: AppViewModel, locale: Locale) -> list[ft.Control]:
    """While someone is signed in: the bell with the unread count (the inbox) and the account."""
    inbox = vm.inbox
    if inbox is None or vm.home is None:
        return []
    bell_label = t("inbox_bell", locale, count=inbox.unread)
    badge = inbox.badge
    return [
        ft.IconButton(
            key="bell",
            icon=ft.Icon(
                ft.Icons.NOTIFICATIONS if badge else ft.Icons.NOTIFICATIONS_NONE,
                semantics_label=bell_label,
                badge=ft.Badge(label=badge) if badge else None,
            ),
            tooltip=bell_label,
            on_click=vm.open_inbox,
        ),
        ft.IconButton(
            key="account",
            icon=ft.Icon(ft.Icons.ACCOUNT_CIRCLE, semantics_label=t("account_title", locale)),
            tooltip=t("account_title", locale),
            on_click=vm.open_account,
        ),
    ]


def language_switch(vm: AppViewModel, locale: Locale) -> ft.Control:
    return ft.OutlinedButton(
        t("language_switch", locale),
        icon=ft.Icons.TRANSLATE,
        tooltip=t("language_switch_tooltip", locale),
        on_click=vm.toggle_locale,
    )


def _screen(vm: AppViewModel, locale: Locale, device: Device | None, map_tile_url: str) -> ft.Control:
    if vm.screen == Screen.LOGIN:
        return login_view(vm.login, locale)
    if vm.screen == Screen.SUSPENDED and vm.account is not None:
        return suspended_view(vm.account, locale)
    if vm.screen == Screen.REQUEST_FORM and vm.request_form is not None:
        return request_form_view(vm.request_form, locale, device, map_tile_url)
    if vm.screen == Screen.REQUEST_DETAIL and vm.request_detail is not None:
        return request_detail_view(vm.request_detail, locale, device, vm.record)
    if vm.screen == Screen.JOB and vm.job is not None:
        return job_view(vm.job, locale, device, vm.record)
    if vm.screen == Screen.TECHNICIANS and vm.technicians is not None:
        pick_csv = device.pick_csv if isinstance(device, FletDevice) else None
        return technicians_view(vm.technicians, locale, pick_csv)
    if vm.screen == Screen.LEDGER and vm.ledger is not None:
        return ledger_view(vm.ledger, locale)
    if vm.screen == Screen.INBOX and vm.inbox is not None:
        return inbox_view(vm.inbox, locale)
    if vm.screen == Screen.ACCOUNT and vm.account is not None:
        return account_view(vm.account, locale)
    if vm.screen == Screen.COLLEGES and vm.colleges_admin is not None:
        return colleges_admin_view(vm.colleges_admin, locale)
    if vm.screen == Screen.COLLEGE_JOBS and vm.college_jobs is not None:
        return college_jobs_view(vm.college_jobs, locale)
    credit = credit_screen(vm, locale)  # issue 14: the portfolio, the college view
    if credit is not None:
        return credit
    if vm.screen == Screen.HOME and vm.home is not None:
        return home_view(vm.home, locale, vm)
    return loading(locale)


def home_view(vm: HomeViewModel, locale: Locale, app: AppViewModel | None = None) -> ft.Control:
    if isinstance(vm, CitizenHome):
        return citizen_home_view(vm, locale)
    if isinstance(vm, TechnicianHome):
        return technician_home_view(vm, locale)
    if isinstance(vm, SupervisorHome):
        return supervisor_home_view(vm, locale)
    if isinstance(vm, AdminHome):
        return admin_home_view(vm, locale, app.open_colleges_admin if app is not None else None)
    raise TypeError(f"no view for {type(vm).__name__}")
