"""Supervisor home = the college dashboard: counts by status, jobs per week by category, the check queue."""

from datetime import UTC, datetime, time

import flet as ft

from mobile.formatting import format_date
from mobile.models import RequestSummary
from mobile.viewmodels.home import SupervisorHome, WeekBars
from mobile.views.citizen import own_requests_section
from mobile.views.common import (
    empty,
    greeting,
    heading,
    home_notice,
    keyed,
    load_state,
    muted,
    reload_failed,
    request_cards,
    section,
)
from mobile.views.status import count_chip
from shared.text import Locale, t

BAR_MAX_WIDTH = 200  # px of the longest bar; the rest scale to it (fits a 360 px wide phone)
BAR_COLOURS = (
    ft.Colors.INDIGO_400, ft.Colors.TEAL_400, ft.Colors.ORANGE_400, ft.Colors.PINK_400,
    ft.Colors.LIGHT_GREEN_600, ft.Colors.BROWN_400, ft.Colors.CYAN_600, ft.Colors.DEEP_PURPLE_300,
)


def supervisor_home_view(vm: SupervisorHome, locale: Locale) -> ft.Control:
    controls: list[ft.Control] = [greeting(vm, locale)]
    if vm.college_name:
        controls.append(
            ft.Row(
                [ft.Icon(ft.Icons.SCHOOL, color=ft.Colors.PRIMARY), heading(vm.college_name, size=16)],
                wrap=True,
            )
        )
    controls.append(
        ft.Row(
            [
                ft.FilledButton(t("nav_college_jobs", locale), icon=ft.Icons.LIST_ALT, on_click=vm.open_college_jobs),
                ft.OutlinedButton(t("nav_technicians", locale), icon=ft.Icons.GROUPS, on_click=vm.open_technicians),
                ft.OutlinedButton(t("nav_ledger", locale), icon=ft.Icons.MENU_BOOK, on_click=vm.open_ledger),
                ft.OutlinedButton(t("credit_open", locale), icon=ft.Icons.WORKSPACE_PREMIUM,
                                  on_click=vm.open_college_credit),
            ],
            wrap=True,
        )
    )
    # Keyed, part by part and card by card: what appears above a button leaves it its id (and a tap on it).
    keyed("top", controls)
    controls += own_requests_section(vm, locale)
    controls += keyed("notice", home_notice(vm))  # a draft of their own sent, kept offline or held
    controls += keyed("dashboard-title", [section(t("dashboard_title", locale), locale, vm.load)])
    controls += keyed("reload-failed", reload_failed(vm, locale))
    state = load_state(vm, locale)
    if state is not None or vm.dashboard is None:
        controls += keyed("load-state", [state or empty(t("decision_queue_empty", locale))])
        return ft.Column(controls, spacing=12)
    counts = vm.dashboard.status_counts()
    if counts:
        controls.append(ft.Row([count_chip(s, n, locale) for s, n in counts], wrap=True, run_spacing=6,
                               key="counts"))
    # What waits for the teacher's decision: checks, unrepairable items to hand back, and jobs held by a student
    # whose account was suspended (said on the card: the teacher hands it on).
    controls += keyed("check-title", [heading(t("decision_queue_title", locale), size=18)])
    if vm.quality_check:
        suspended = {item.id for item in vm.quality_check if item.holder_suspended}

        def tag(request: RequestSummary) -> str | None:
            return t("holder_suspended_mark", locale) if request.id in suspended else None

        controls += request_cards(vm.quality_check, locale, vm.open_job, key="check", tag=tag)
    else:
        controls += keyed("check-empty", [empty(t("decision_queue_empty", locale))])
    controls += keyed("chart", [heading(t("weekly_chart_title", locale), size=18), *weekly_chart(vm.chart(), locale)])
    return ft.Column(controls, spacing=12)


def weekly_chart(weeks: list[WeekBars], locale: Locale) -> list[ft.Control]:
    """Horizontal bars per week, one per category, each with its number in words beside it."""
    if not weeks:
        return [empty(t("weekly_chart_empty", locale))]
    codes = sorted({bar.category_code for week in weeks for bar in week.bars})
    colour = {code: BAR_COLOURS[i % len(BAR_COLOURS)] for i, code in enumerate(codes)}
    controls: list[ft.Control] = []
    for week in weeks:
        rows: list[ft.Control] = [muted(t("week_of", locale, date=format_date_only(week, locale)))]
        for bar in week.bars:
            label = t("bar_label", locale, category=bar.label, n=bar.n)
            rows.append(
                ft.Semantics(
                    label=label,
                    content=ft.Row(
                        [
                            ft.Container(width=max(4, round(BAR_MAX_WIDTH * bar.fraction)), height=14,
                                         bgcolor=colour[bar.category_code], border_radius=3),
                            ft.Text(label, size=12, expand=True),
                        ],
                        spacing=6,
                    ),
                )
            )
        controls.append(ft.Column(rows, spacing=4))
    return controls


def format_date_only(week: WeekBars, locale: Locale) -> str:
    # Noon UTC keeps the date the same in Thai time.
    return format_date(datetime.combine(week.week_start, time(12), tzinfo=UTC), locale)
