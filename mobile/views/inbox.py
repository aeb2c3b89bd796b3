"""The inbox (issue 13): the person's notifications, newest first, unread ones marked; tapping one opens its screen."""

import flet as ft

from mobile.formatting import format_datetime
from mobile.models import NotificationItem
from mobile.viewmodels.inbox import InboxViewModel
from mobile.viewmodels.loadable import LoadState
from mobile.views.common import (
    empty,
    error_message,
    error_with_retry,
    loading,
    muted,
    screen_header,
)
from shared.text import Locale, t


def inbox_view(vm: InboxViewModel, locale: Locale) -> ft.Control:
    controls = screen_header(t("inbox_title", locale), locale, vm.load)
    if vm.state == LoadState.FAILED:
        controls.append(error_with_retry(vm, locale))
    elif vm.state != LoadState.READY and not vm.items:
        controls.append(loading(locale))
    elif not vm.items:
        controls.append(empty(t("inbox_empty", locale)))
    else:
        # Keyed (the items by their id): "mark all read" going as the last unread is read leaves the rest their ids.
        if vm.unread:
            controls.append(ft.Row([ft.TextButton(t("inbox_mark_all", locale), icon=ft.Icons.DONE_ALL,
                                                  disabled=vm.busy, on_click=vm.mark_all_read)], key="mark-all"))
        controls += [_item(vm, item, locale) for item in vm.items]
        if vm.error:
            controls.append(error_message(vm.error, key="inbox-error"))
        if vm.next_before_id is not None:
            controls.append(ft.OutlinedButton(t("inbox_older", locale), icon=ft.Icons.EXPAND_MORE, disabled=vm.busy,
                                              on_click=vm.load_older, key="older"))
    return ft.Column(controls, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def _item(vm: InboxViewModel, item: NotificationItem, locale: Locale) -> ft.Control:
    async def open_it(_: object = None, notification_id: int = item.id) -> None:  # Flet passes the event first
        await vm.open(notification_id)

    weight = ft.FontWeight.W_400 if item.read else ft.FontWeight.BOLD
    title_row: list[ft.Control] = [ft.Text(item.title, weight=weight, expand=True)]
    if not item.read:
        title_row.insert(0, ft.Icon(ft.Icons.CIRCLE, size=10, color=ft.Colors.PRIMARY,
                                    semantics_label=t("inbox_unread", locale)))
    body = ft.Column(
        [
            ft.Row(title_row, vertical_alignment=ft.CrossAxisAlignment.CENTER),
            ft.Text(item.body),
            muted(format_datetime(item.created_at, locale)),
        ],
        spacing=4,
    )
    return ft.Card(
        key=f"notification-{item.id}",
        bgcolor=None if item.read else ft.Colors.SECONDARY_CONTAINER,
        content=ft.Semantics(
            button=True,
            content=ft.Container(content=body, padding=12, on_click=open_it, ink=True, border_radius=12),
        ),
    )
