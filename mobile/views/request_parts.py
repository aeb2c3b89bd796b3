"""Pieces of the two screens about one request (the owner's detail, the job): top bar, summary head,
photo thumbnails, timeline."""

from collections.abc import Collection
from typing import Any

import flet as ft

from mobile.formatting import format_datetime
from mobile.models import RequestDetail
from mobile.viewmodels.loadable import LoadState
from mobile.viewmodels.request_screen import RequestScreen
from mobile.views.common import category_icon, error_with_retry, heading, loading, muted, screen_header
from mobile.views.photos import thumbnail
from mobile.views.status import status_chip
from shared.text import Locale, t

# Per kind of photo: its section title and the screen-reader label of each thumbnail.
PHOTO_KINDS = (("before", "photos_before", "photo_before_alt"), ("after", "photos_after", "photo_after_alt"))
EARLIER_ROUND_OPACITY = 0.5


def screen_top(vm: RequestScreen[Any], title: str, locale: Locale) -> list[ft.Control]:
    """Back and refresh, the title, then the error with a retry or the loading line while there is no detail."""
    controls = screen_header(title, locale, vm.load)
    if vm.state == LoadState.FAILED:
        controls.append(error_with_retry(vm, locale))
    elif vm.detail is None:
        controls.append(loading(locale))
    return controls


def summary_head(detail: RequestDetail, locale: Locale) -> list[ft.Control]:
    """The item with its category's icon and name, the status chip, and the brand when there is one."""
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
    return controls


def notice(text: str | None) -> list[ft.Control]:
    """What was just done ("บันทึกสถานะแล้ว"), read out by a screen reader as it appears."""
    return [ft.Semantics(live_region=True, content=ft.Text(text, color=ft.Colors.PRIMARY))] if text else []


def photo_thumbnails(vm: RequestScreen[Any], kind: str, alt: str, locale: Locale,
                     earlier_round: Collection[int] = ()) -> list[ft.Control]:
    """One thumbnail per photo of that kind, numbered from 1 in the label ("รูปก่อนซ่อมที่ 1"). Those at the indices
    in `earlier_round` show a reopened job's earlier repair: said in the label, and drawn faded."""
    thumbs: list[ft.Control] = []
    for n, photo in enumerate(vm.photos(kind), start=1):

        async def open_it(_: object = None, idx: int = photo.idx) -> None:  # the event comes first
            await vm.open_photo(kind, idx)

        label = t(alt, locale, n=n)
        if photo.idx in earlier_round:
            label = t("photo_earlier_round", locale, label=label)
        shown = thumbnail(vm.thumbnail(kind, photo.idx), label, on_open=open_it,
                          open_label=t("photo_open", locale, label=label))
        if photo.idx in earlier_round:
            shown = ft.Container(content=shown, opacity=EARLIER_ROUND_OPACITY)
        thumbs.append(shown)
    return thumbs


def timeline(vm: RequestScreen[Any], locale: Locale) -> list[ft.Control]:
    rows = vm.timeline
    if not rows:
        return []
    controls: list[ft.Control] = [heading(t("timeline_title", locale), size=18)]
    for row in reversed(rows):  # newest first: the latest news is what people look for
        lines: list[ft.Control] = [
            ft.Text(row.status, weight=ft.FontWeight.W_600),
            muted(f"{format_datetime(row.at, locale)} · {row.who}"),
        ]
        if row.teacher_present:
            lines.append(ft.Text(row.teacher_present))
        if row.note:
            lines.append(ft.Text(row.note))
        controls.append(
            ft.Row(
                [ft.Icon(ft.Icons.CIRCLE, size=10, color=ft.Colors.PRIMARY), ft.Column(lines, spacing=2, expand=True)],
                vertical_alignment=ft.CrossAxisAlignment.START,
            )
        )
    return controls
