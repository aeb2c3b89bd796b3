"""One repair request for its owner: status, where it went, the timeline, photos, and the allowed actions."""

import flet as ft

from mobile.formatting import format_phone
from mobile.models import RequestAction, RequestDetail
from mobile.strings import t
from mobile.viewmodels.request_detail import MAX_COMMENT, RequestDetailViewModel
from mobile.views.common import (
    confirm_panel,
    heading,
    icon_button,
    muted,
)
from mobile.views.photos import thumbnail_row
from mobile.views.request_parts import PHOTO_KINDS, notice, photo_thumbnails, screen_top, summary_head, timeline
from shared.statuses import RequestStatus
from shared.text import Locale
from shared.work import STEP_NOTE_MAX

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
    controls = screen_top(vm, t("request_detail_title", locale), locale)
    detail = vm.detail
    if detail is not None:
        controls += _summary(detail, locale)
        controls += notice(vm.notice)
        controls += _actions(vm, locale)
        controls += _photos(vm, locale)
        controls += timeline(vm, locale)
    return ft.Column(controls, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def _summary(detail: RequestDetail, locale: Locale) -> list[ft.Control]:
    controls = summary_head(detail, locale)
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
            ft.TextField(key="cancel_note", label=t("note_label", locale), value=vm.note, multiline=True,
                         max_length=STEP_NOTE_MAX,
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
            ft.TextField(key="comment", label=t("comment_label", locale), value=vm.comment, multiline=True,
                         max_length=MAX_COMMENT, read_only=vm.sending, on_change=comment_typed),
        ]
        confirm, dismiss = t("send_rating", locale), t("close_panel", locale)
    else:
        controls += [
            heading(t("reopen_title", locale), size=18),
            ft.TextField(key="reopen_note", label=t("reopen_note_label", locale), value=vm.note, multiline=True,
                         max_length=STEP_NOTE_MAX,
                         read_only=vm.sending, on_change=note_typed),
        ]
        confirm, dismiss = t("send_reopen", locale), t("close_panel", locale)
    return confirm_panel(
        controls,
        error=vm.action_error,
        sending=vm.sending,
        confirm=confirm,
        on_confirm=vm.confirm,
        dismiss=dismiss,
        on_dismiss=vm.dismiss_action,
    )


def _photos(vm: RequestDetailViewModel, locale: Locale) -> list[ft.Control]:
    controls: list[ft.Control] = []
    for kind, title, alt in PHOTO_KINDS:
        thumbs = photo_thumbnails(vm, kind, alt, locale)
        if thumbs:
            controls += [ft.Text(t(title, locale), weight=ft.FontWeight.W_600), thumbnail_row(thumbs)]
    return controls
