"""Photo thumbnails as every screen shows them: the picture, or a placeholder while it loads or if it failed."""

import flet as ft

THUMB_SIZE = 88
SMALL_THUMB_SIZE = 56  # on a card in a list


def thumbnail(data: bytes | None, label: str, size: int = THUMB_SIZE) -> ft.Control:
    """Labelled for a screen reader either way ("รูปก่อนซ่อมที่ 1")."""
    if data is None:
        return ft.Container(
            width=size,
            height=size,
            border_radius=8,
            bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
            content=ft.Icon(ft.Icons.IMAGE_OUTLINED, semantics_label=label),
            alignment=ft.Alignment.CENTER,
        )
    return ft.Image(src=data, width=size, height=size, fit=ft.BoxFit.COVER, border_radius=8, semantics_label=label)


def thumbnail_row(thumbs: list[ft.Control]) -> ft.Control:
    return ft.Row(thumbs, wrap=True, spacing=8, run_spacing=8)
