"""The long lists' "more" (mobile/viewmodels/paging.py): under the rows shown, how many more there are and a button
for the next page, as the teacher's job list has; a failed page says why above it. Keyed by the list's name, so the
rows above keep their controls when a page is appended and the button keeps its id."""

from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft

from mobile.viewmodels.paging import PagedList
from mobile.views.common import error_message, muted
from shared.text import Locale, t


def more_controls(pages: PagedList[Any], locale: Locale, load_more: Callable[[], Awaitable[None]],
                  *, key: str, show_more_key: str = "list_show_more", disabled: bool = False) -> list[ft.Control]:
    """Nothing while every row is shown; else "ยังมีอีก 151 รายการ" and "ดูเพิ่มเติม" (wrapped onto two lines on a
    narrow screen), disabled while the page is on its way (or while the screen says so: `disabled`)."""
    controls: list[ft.Control] = []
    if (error := pages.more_error(locale)) is not None:
        controls.append(error_message(error, key=f"{key}-more-error"))
    if pages.has_more:
        controls.append(ft.Row(
            [muted(pages.more_text(locale)),
             ft.OutlinedButton(t(show_more_key, locale), icon=ft.Icons.EXPAND_MORE,
                               disabled=disabled or pages.loading_more, on_click=load_more)],
            alignment=ft.MainAxisAlignment.CENTER, vertical_alignment=ft.CrossAxisAlignment.CENTER, wrap=True,
            key=f"{key}-more"))
    return controls
