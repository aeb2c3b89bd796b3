"""The teacher's job list: a scrolling row of filter chips per stage, a search box, the jobs waiting for this
teacher's check first and the rest newest first, "more" at the bottom."""

from collections.abc import Awaitable, Callable

import flet as ft

from mobile.formatting import format_date
from mobile.models import CollegeJob
from mobile.viewmodels.college_jobs import CollegeJobsViewModel
from mobile.viewmodels.loadable import LoadState
from mobile.views.common import (
    category_icon,
    empty,
    error_message,
    error_with_retry,
    icon_button,
    keyed,
    loading,
    muted,
    screen_header,
)
from mobile.views.status import status_chip
from mobile.views.typed_field import TypedField
from shared.statuses import StatusGroup
from shared.text import Locale, t


def college_jobs_view(vm: CollegeJobsViewModel, locale: Locale) -> ft.Control:
    # Keyed, part by part and card by card (a job by its id): the notice, a failed "more" or a job taken back
    # leaves the cards and "more" below their control ids, so a tap aimed at one is not dropped or taken by another.
    controls: list[ft.Control] = keyed("top", [
        *screen_header(t("college_jobs_title", locale), locale, vm.load),
        _search(vm, locale),
        _chips(vm, locale),
    ])
    if vm.notice:
        controls.append(ft.Semantics(live_region=True, content=ft.Text(vm.notice, color=ft.Colors.PRIMARY),
                                     key="notice"))
    if vm.state == LoadState.FAILED:
        controls += keyed("load-error", [error_with_retry(vm, locale)])
        return ft.Column(controls, spacing=12)
    if vm.state in (LoadState.IDLE, LoadState.LOADING) and not vm.jobs:
        controls += keyed("loading", [loading(locale)])
        return ft.Column(controls, spacing=12)
    if not vm.jobs:
        controls += keyed("empty", [empty(t("college_jobs_empty", locale))])
        return ft.Column(controls, spacing=12)
    controls += keyed("shown", [muted(vm.shown_text)])
    controls += [_job_card(vm, job, locale) for job in vm.jobs_shown]
    if vm.more_error:
        controls.append(error_message(vm.more_error, key="more-error"))
    if vm.has_more:
        controls.append(
            ft.Row(
                [ft.OutlinedButton(t("college_jobs_more", locale), icon=ft.Icons.EXPAND_MORE,
                                   disabled=vm.loading_more, on_click=vm.load_more)],
                alignment=ft.MainAxisAlignment.CENTER,
                key="more",
            )
        )
    return ft.Column(controls, spacing=12)


def _search(vm: CollegeJobsViewModel, locale: Locale) -> ft.Control:
    def typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_query(e.control.value)

    async def submitted(e: ft.Event[ft.TextField]) -> None:
        await vm.search(e.control.value)  # what the field holds at the tap, not the last change event

    async def search_tapped() -> None:
        await vm.search()

    return ft.Row(
        [
            TypedField(key="job_search", label=t("college_jobs_search", locale), value=vm.query, expand=True,
                         hint_text="FX-690001", prefix_icon=ft.Icons.SEARCH, max_length=100, counter="",
                         on_change=typed, on_submit=submitted),
            icon_button(ft.Icons.SEARCH, t("college_jobs_search_button", locale), search_tapped),
        ],
        vertical_alignment=ft.CrossAxisAlignment.START,
    )


def _chips(vm: CollegeJobsViewModel, locale: Locale) -> ft.Control:
    """One row of stage filters that scrolls sideways: wrapped, the eight stages took four or five rows (a third of a
    360x640 screen) and one job card fitted below them (ux21 finding 10). "All" comes first once a stage is chosen,
    so the way back is in sight; every filter keyed by its stage, so it keeps its id as "All" comes and goes.

    Each is an outlined button drawn as a chip, not an ft.Chip: in this row (unbounded width) a Chip kept the label
    width it measured before the bundled font arrived. Opened straight by its address, the list is laid out while
    NotoSansThai.ttf is still loading, in the engine's Roboto ("Finding a technician 1" 136 px), then drawn in Noto
    Sans Thai's wider Latin (143 px) inside the old width, faded at "technicia" and the count lost; a chip laid out
    once the font was there (the list opened from the home) was whole. A button in the same row measured again when
    the font came (seen in Chromium at 360x640), as a Chip did only when its label's text changed."""
    chips: list[ft.Control] = []
    if vm.groups:
        chips.append(ft.TextButton(t("college_jobs_all", locale), on_click=vm.clear_groups, key="all"))
    for group in StatusGroup:

        async def toggle(_: object = None, group: StatusGroup = group) -> None:  # the event comes first
            await vm.toggle_group(group)

        chips.append(_stage_chip(vm.group_label(group), group in vm.groups, toggle, f"group-{group.value}"))
    return ft.Row(chips, scroll=ft.ScrollMode.AUTO, spacing=6)


def _stage_chip(label: str, selected: bool, on_click: Callable[..., Awaitable[None]], key: str) -> ft.Control:
    """A filter chip as a button: the same control whether chosen or not (its id stays, only its look changes), a
    tick and the chip's tint when chosen, and "selected" said to a screen reader as a Chip says it."""
    style = ft.ButtonStyle(
        shape=ft.RoundedRectangleBorder(radius=8),
        padding=ft.Padding.symmetric(horizontal=12),
        bgcolor=ft.Colors.SECONDARY_CONTAINER if selected else None,
        color=ft.Colors.ON_SECONDARY_CONTAINER if selected else ft.Colors.ON_SURFACE_VARIANT,
    )
    return ft.Semantics(selected=selected, key=key, content=ft.OutlinedButton(
        label, icon=ft.Icons.CHECK if selected else None, style=style, on_click=on_click))


def _job_card(vm: CollegeJobsViewModel, job: CollegeJob, locale: Locale) -> ft.Control:
    lines: list[ft.Control] = [
        ft.Row(
            [
                ft.Icon(category_icon(job.category_icon), color=ft.Colors.PRIMARY),
                ft.Column([ft.Text(job.item, weight=ft.FontWeight.BOLD), muted(job.category_name(locale))],
                          spacing=0, expand=True),
                ft.Text(job.reference, size=13, weight=ft.FontWeight.W_600),
            ]
        ),
        ft.Row([status_chip(job.status, locale),
                muted(f"{t('requested_on', locale)} {format_date(job.created_at, locale)}")],
               wrap=True, run_spacing=4),
        muted(t("college_jobs_student", locale, name=job.technician_name or t("college_jobs_nobody", locale))),
    ]
    if job.technician_suspended:  # the student can no longer act: the job waits for the teacher to hand it on
        lines.append(ft.Text(t("holder_suspended_mark", locale), size=13, color=ft.Colors.ERROR))
    actions = vm.action_labels(job)
    if actions:
        lines.append(ft.Text(t("college_jobs_actions", locale, actions=", ".join(actions)), size=13,
                             color=ft.Colors.PRIMARY))

    async def open_it(_: object = None) -> None:  # the event comes first
        await vm.open_job(job.id)

    return ft.Card(
        key=str(job.id),
        content=ft.Semantics(
            button=True,
            label=t("college_jobs_open", locale, reference=job.reference, item=job.item),
            content=ft.Container(content=ft.Column(lines, spacing=6), padding=12, on_click=open_it, ink=True,
                                 border_radius=12),
        ),
    )
