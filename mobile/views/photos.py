"""Photo thumbnails as every screen shows them (the picture, or a placeholder while it loads or if it failed),
and the full-screen viewer a tap on one opens: zoom (a pinch, a double tap or the zoom buttons), swipe or
next/previous, close."""

import math
from collections.abc import Awaitable, Callable

import flet as ft

from mobile.viewmodels.photo_viewer import PhotoViewer
from shared.text import Locale, t

THUMB_SIZE = 88
SMALL_THUMB_SIZE = 56  # on a card in a list
MAX_ZOOM = 6.0
ZOOM_STEP = 2.0  # what a zoom button or a double tap multiplies the scale by
MAX_ZOOM_STEPS = math.ceil(math.log(MAX_ZOOM, ZOOM_STEP))  # steps in from the whole photo to MAX_ZOOM
# Words and icons on the viewer's black: white (21:1). The theme's muted grey is made for a light background and is
# about 2.2:1 on black.
ON_VIEWER = ft.Colors.WHITE
SWIPE_VELOCITY = 200  # px/s of a horizontal fling that turns the page (slower drags pan a zoomed photo)
# The screen-reader label of a photo of each kind, numbered from 1.
PHOTO_ALT = {"before": "photo_before_alt", "after": "photo_after_alt"}


def thumbnail(data: bytes | None, label: str, size: int = THUMB_SIZE,
              on_open: Callable[[], Awaitable[None]] | None = None, open_label: str | None = None) -> ft.Control:
    """Labelled for a screen reader either way ("รูปก่อนซ่อมที่ 1"); with `on_open`, a tap opens it full screen."""
    if data is None:
        picture: ft.Control = ft.Container(
            width=size,
            height=size,
            border_radius=8,
            bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
            content=ft.Icon(ft.Icons.IMAGE_OUTLINED, semantics_label=label),
            alignment=ft.Alignment.CENTER,
        )
    else:
        picture = ft.Image(src=data, width=size, height=size, fit=ft.BoxFit.COVER, border_radius=8,
                           semantics_label=label)
    if on_open is None:
        return picture

    async def tapped(_: object = None) -> None:  # Flet passes the event first
        await on_open()

    return ft.Semantics(button=True, label=open_label or label,
                        content=ft.Container(content=picture, on_click=tapped, ink=True, border_radius=8))


def thumbnail_row(thumbs: list[ft.Control]) -> ft.Control:
    return ft.Row(thumbs, wrap=True, spacing=8, run_spacing=8)


def photo_viewer_view(viewer: PhotoViewer, locale: Locale, route: str) -> ft.View | None:
    """The open photo as a view of its own above the screen it came from: closing it pops back to that screen,
    scrolled where it was."""
    key = viewer.current
    if key is None:
        return None
    _request_id, kind, _idx = key
    n, total = viewer.index + 1, len(viewer.photos)
    same_kind = sum(1 for k in viewer.photos[: viewer.index + 1] if k[1] == kind)
    label = t(PHOTO_ALT.get(kind, "photo_before_alt"), locale, n=same_kind)
    data = viewer.image or viewer.placeholder
    zoomable: ft.InteractiveViewer | None = None
    if data is not None:
        # No `expand` below the Container (no Row or Column there): each fills what it is given. Keyed by the photo:
        # the next one opens unzoomed.
        zoomable = ft.InteractiveViewer(
            key=f"zoom-{viewer.index}",
            content=ft.Image(src=data, fit=ft.BoxFit.CONTAIN, semantics_label=label),
            min_scale=1.0, max_scale=MAX_ZOOM,
        )
        picture: ft.Control = zoomable
    else:
        picture = ft.Container(
            content=_words(t("photo_viewer_failed" if viewer.failed else "photo_viewer_loading", locale)),
            alignment=ft.Alignment.CENTER,
        )

    async def swiped(e: ft.DragEndEvent[ft.GestureDetector]) -> None:
        velocity = e.primary_velocity if e.primary_velocity is not None else e.velocity.x
        if velocity <= -SWIPE_VELOCITY:
            await viewer.next()
        elif velocity >= SWIPE_VELOCITY:
            await viewer.previous()

    def close() -> None:
        viewer.close()

    # Zoom with one thumb: the buttons at the bottom, or a double tap (in, and back out); a pinch still works.
    async def zoom_in() -> None:
        if zoomable is not None:
            await zoomable.zoom(ZOOM_STEP)
            viewer.zoom_steps = min(viewer.zoom_steps + 1, MAX_ZOOM_STEPS)

    async def zoom_out() -> None:
        if zoomable is not None:
            await zoomable.zoom(1 / ZOOM_STEP)
            viewer.zoom_steps = max(viewer.zoom_steps - 1, 0)

    async def double_tapped(_: object = None) -> None:  # Flet passes the event first
        if zoomable is None:
            return
        if viewer.zoom_steps:
            await zoomable.reset()
            viewer.zoom_steps = 0
        else:
            await zoom_in()

    bar = ft.Row(
        key="bar",
        controls=[
            _white_button(ft.Icons.CLOSE, t("photo_viewer_close", locale), close),
            ft.Text(t("photo_viewer_title", locale, n=n, total=total), color=ON_VIEWER, expand=True),
            _white_button(ft.Icons.CHEVRON_LEFT, t("photo_viewer_previous", locale), viewer.previous,
                          disabled=not viewer.has_previous),
            _white_button(ft.Icons.CHEVRON_RIGHT, t("photo_viewer_next", locale), viewer.next,
                          disabled=not viewer.has_next),
        ]
    )
    status = [_words(t("photo_viewer_loading", locale))] if viewer.image is None and not viewer.failed else []
    for line in status:
        line.key = "loading"  # keyed, as the bar and the photo: its going leaves the photo its id (and its zoom)
    # At the bottom, where a thumb reaches; only while there is a photo to zoom.
    zoom_bar = [ft.Row(
        key="zoom-bar",
        alignment=ft.MainAxisAlignment.CENTER,
        controls=[
            _white_button(ft.Icons.ZOOM_OUT, t("photo_zoom_out", locale), zoom_out),
            _white_button(ft.Icons.ZOOM_IN, t("photo_zoom_in", locale), zoom_in),
        ],
    )] if zoomable is not None else []
    return ft.View(
        key="photo-viewer",
        route=route,
        bgcolor=ft.Colors.BLACK,
        padding=0,
        controls=[
            ft.SafeArea(
                expand=True,
                content=ft.Column(
                    [bar, *status,
                     # The Container takes the rest of the height; the detector and the zoomable photo fill it.
                     ft.Container(content=ft.GestureDetector(content=picture, on_horizontal_drag_end=swiped,
                                                             on_double_tap=double_tapped if zoomable else None),
                                  expand=True, alignment=ft.Alignment.CENTER, key="photo"),
                     *zoom_bar],
                    expand=True,
                ),
            )
        ],
    )


def _words(text: str) -> ft.Text:
    """A line of words on the viewer's black (muted() is grey for a light background)."""
    return ft.Text(text, color=ON_VIEWER)


def _white_button(
    icon: ft.IconData, label: str, on_click: Callable[[], object], *, disabled: bool = False
) -> ft.Control:
    # The icon's label is the button's accessible name (Flutter web leaves a tooltip out of it).
    return ft.IconButton(icon=ft.Icon(icon, semantics_label=label, color=ON_VIEWER), tooltip=label,
                         disabled=disabled, on_click=on_click)
