"""One repair request for its owner: status, where it went, the timeline, photos, and the allowed actions."""

import flet as ft

from mobile.formatting import format_datetime, format_phone
from mobile.models import RequestAction, RequestDetail
from mobile.strings import t
from mobile.viewmodels.home import LoadState
from mobile.viewmodels.request_detail import MAX_COMMENT, RequestDetailViewModel
from mobile.views.common import (
    category_icon,
    error_message,
    error_with_retry,
    heading,
    icon_button,
    loading,
    muted,
)
from mobile.views.status import status_chip
from shared.statuses import RequestStatus
from shared.text import Locale, ui

THUMB_SIZE = 88
ACTION_LABELS = {
    RequestAction.CANCEL: "action_cancel",
    RequestAction.RATE: "action_rate",
    RequestAction.REOPEN: "action_reopen",
}
ACTION_ICONS = {
    RequestAction.CANCEL: ft.Icons.CANCEL_OUTLINED,
    RequestAction.RATE: ft.Icons.STAR_OUTLINE,
    RequestAction.REOPEN: ft.Icons.REPLAY,
}


def request_detail_view(vm: RequestDetailViewModel, locale: Locale) -> ft.Control:
    controls: list[ft.Control] = [
        ft.Row(
            [
                ft.TextButton(t("back", locale), icon=ft.Icons.ARROW_BACK, on_click=vm.back),
                ft.Container(expand=True),
                icon_button(ft.Icons.REFRESH, ui("refresh", locale), vm.load),
            ]
        ),
        heading(t("request_detail_title", locale), size=22),
    ]
    detail = vm.detail
    if vm.state == LoadState.FAILED:
        controls.append(error_with_retry(vm.error or "", locale, vm.retry))
    elif detail is None:
        controls.append(loading(locale))
    if detail is not None:
        controls += _summary(detail, locale)
        if vm.notice:
            controls.append(ft.Semantics(live_region=True, content=ft.Text(vm.notice, color=ft.Colors.PRIMARY)))
        controls += _actions(vm, locale)
        controls += _photos(vm, locale)
        controls += _timeline(vm, locale)
    return ft.Column(controls, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def _summary(detail: RequestDetail, locale: Locale) -> list[ft.Control]:
    controls: list[ft.Control] = [
        ft.Row(
            [
                ft.Icon(category_icon(detail.category_icon), color=ft.Colors.PRIMARY),
                ft.Column(
                    [ft.Text(detail.item, size=18, weight=ft.FontWeight.BOLD), muted(detail.category_name(locale))],
                    spacing=0,
                    expand=True,
                ),
            ]
        ),
        ft.Row([status_chip(detail.status, locale)]),
    ]
    if detail.brand:
        controls.append(ft.Text(t("brand", locale, brand=detail.brand)))
    college = detail.college_name(locale)
    if college:
        controls.append(ft.Text(t("sent_to_college", locale, college=college)))
    elif detail.status == RequestStatus.NO_CENTRE:
        controls.append(muted(t("no_centre_text", locale)))
    if detail.technician_first_name:
        controls.append(ft.Text(t("technician_name", locale, name=detail.technician_first_name)))
    if detail.contact_phone:
        controls.append(ft.Text(t("contact_phone", locale, phone=format_phone(detail.contact_phone)), selectable=True))
    if detail.rating:
        controls.append(ft.Text(t("your_rating", locale, stars=detail.rating)))
    return controls


def _actions(vm: RequestDetailViewModel, locale: Locale) -> list[ft.Control]:
    if vm.open_action is not None:
        return [_action_panel(vm, vm.open_action, locale)]
    buttons: list[ft.Control] = []
    for action in vm.actions:

        async def start(_: object = None, action: RequestAction = action) -> None:  # the event comes first
            vm.start_action(action)

        label = t(ACTION_LABELS[action], locale)
        if action == RequestAction.CANCEL:
            buttons.append(ft.OutlinedButton(label, icon=ACTION_ICONS[action], on_click=start))
        else:
            buttons.append(ft.FilledButton(label, icon=ACTION_ICONS[action], on_click=start))
    return [ft.Row(buttons, wrap=True, spacing=8, run_spacing=8)] if buttons else []


def _action_panel(vm: RequestDetailViewModel, action: RequestAction, locale: Locale) -> ft.Control:
    """The confirm step of an action, in place: what it does, its fields, confirm and close."""

    def note_typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_note(e.control.value)

    def comment_typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_comment(e.control.value)

    controls: list[ft.Control] = []
    if action == RequestAction.CANCEL:
        controls += [
            heading(t("cancel_confirm_title", locale), size=18),
            muted(t("cancel_confirm_body", locale)),
            ft.TextField(label=t("note_label", locale), value=vm.note, multiline=True, max_length=1000,
                         read_only=vm.sending, on_change=note_typed),
        ]
        confirm, dismiss = t("confirm_cancel", locale), t("keep_request", locale)
    elif action == RequestAction.RATE:
        stars: list[ft.Control] = []
        for n in range(1, 6):

            async def chosen(_: object = None, n: int = n) -> None:  # the event comes first
                vm.set_rating(n)

            filled = vm.rating is not None and n <= vm.rating
            stars.append(icon_button(ft.Icons.STAR if filled else ft.Icons.STAR_BORDER,
                                     t("star_label", locale, n=n), chosen))
        controls += [
            heading(t("rate_title", locale), size=18),
            ft.Row(stars, spacing=0),
            ft.TextField(label=t("comment_label", locale), value=vm.comment, multiline=True,
                         max_length=MAX_COMMENT, read_only=vm.sending, on_change=comment_typed),
        ]
        confirm, dismiss = t("send_rating", locale), t("close_panel", locale)
    else:
        controls += [
            heading(t("reopen_title", locale), size=18),
            ft.TextField(label=t("reopen_note_label", locale), value=vm.note, multiline=True, max_length=1000,
                         read_only=vm.sending, on_change=note_typed),
        ]
        confirm, dismiss = t("send_reopen", locale), t("close_panel", locale)
    if vm.action_error:
        controls.append(error_message(vm.action_error))
    if vm.sending:
        controls.append(ft.ProgressBar())
    controls.append(
        ft.Row(
            [
                ft.FilledButton(confirm, disabled=vm.sending, on_click=vm.confirm),
                ft.TextButton(dismiss, disabled=vm.sending, on_click=vm.dismiss_action),
            ],
            wrap=True,
        )
    )
    return ft.Card(content=ft.Container(content=ft.Column(controls, spacing=10), padding=12))


def _photos(vm: RequestDetailViewModel, locale: Locale) -> list[ft.Control]:
    controls: list[ft.Control] = []
    for kind, title, alt in (("before", "photos_before", "photo_before_alt"), ("after", "photos_after",
                                                                              "photo_after_alt")):
        photos = vm.photos(kind)
        if not photos:
            continue
        thumbs: list[ft.Control] = []
        for n, photo in enumerate(photos, start=1):
            data = vm.thumbnails.get((kind, photo.idx))
            label = t(alt, locale, n=n)
            if data is None:
                thumbs.append(
                    ft.Container(
                        width=THUMB_SIZE,
                        height=THUMB_SIZE,
                        border_radius=8,
                        bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
                        content=ft.Icon(ft.Icons.IMAGE_OUTLINED, semantics_label=label),
                        alignment=ft.Alignment.CENTER,
                    )
                )
            else:
                thumbs.append(
                    ft.Image(src=data, width=THUMB_SIZE, height=THUMB_SIZE, fit=ft.BoxFit.COVER, border_radius=8,
                             semantics_label=label)
                )
        controls += [ft.Text(t(title, locale), weight=ft.FontWeight.W_600),
                     ft.Row(thumbs, wrap=True, spacing=8, run_spacing=8)]
    return controls


def _timeline(vm: RequestDetailViewModel, locale: Locale) -> list[ft.Control]:
    rows = vm.timeline
    if not rows:
        return []
    controls: list[ft.Control] = [heading(t("timeline_title", locale), size=18)]
    for row in reversed(rows):  # newest first: the latest news is what people look for
        lines: list[ft.Control] = [
            ft.Text(row.status, weight=ft.FontWeight.W_600),
            muted(f"{format_datetime(row.at, locale)} · {row.who}"),
        ]
        if row.note:
            lines.append(ft.Text(row.note))
        controls.append(
            ft.Row(
                [ft.Icon(ft.Icons.CIRCLE, size=10, color=ft.Colors.PRIMARY),
                 ft.Column(lines, spacing=2, expand=True)],
                vertical_alignment=ft.CrossAxisAlignment.START,
            )
        )
    return controls
