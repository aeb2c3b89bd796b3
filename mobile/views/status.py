"""Status chips: the same colour for the same status on every screen, always with its words."""

import flet as ft

from mobile.models import OfferStatus
from mobile.strings import offer_status_label
from shared.statuses import RequestStatus
from shared.text import Locale, status_label

# (background, text): light backgrounds with dark text keep a contrast ratio readable in sunlight.
STATUS_COLOURS: dict[RequestStatus, tuple[str, str]] = {
    RequestStatus.SUBMITTED: (ft.Colors.BLUE_GREY_100, ft.Colors.BLUE_GREY_900),
    RequestStatus.NO_CENTRE: (ft.Colors.ORANGE_100, ft.Colors.ORANGE_900),
    RequestStatus.OFFERED: (ft.Colors.AMBER_100, ft.Colors.BROWN_900),
    RequestStatus.ACCEPTED: (ft.Colors.LIGHT_BLUE_100, ft.Colors.LIGHT_BLUE_900),
    RequestStatus.DIAGNOSING: (ft.Colors.INDIGO_100, ft.Colors.INDIGO_900),
    RequestStatus.REPAIRING: (ft.Colors.BLUE_100, ft.Colors.BLUE_900),
    RequestStatus.QUALITY_CHECK: (ft.Colors.PURPLE_100, ft.Colors.PURPLE_900),
    RequestStatus.UNREPAIRABLE: (ft.Colors.RED_100, ft.Colors.RED_900),
    RequestStatus.DONE: (ft.Colors.GREEN_100, ft.Colors.GREEN_900),
    RequestStatus.HANDED_BACK: (ft.Colors.TEAL_100, ft.Colors.TEAL_900),
    RequestStatus.CANCELLED: (ft.Colors.GREY_300, ft.Colors.GREY_900),
}

OFFER_COLOURS: dict[OfferStatus, tuple[str, str]] = {
    OfferStatus.PENDING: (ft.Colors.AMBER_100, ft.Colors.BROWN_900),
    OfferStatus.ACCEPTED: (ft.Colors.GREEN_100, ft.Colors.GREEN_900),
    OfferStatus.DECLINED: (ft.Colors.GREY_300, ft.Colors.GREY_900),
    OfferStatus.WITHDRAWN: (ft.Colors.GREY_300, ft.Colors.GREY_900),
    OfferStatus.EXPIRED: (ft.Colors.GREY_300, ft.Colors.GREY_900),
}


def chip(text: str, colours: tuple[str, str]) -> ft.Control:
    background, foreground = colours
    return ft.Container(
        content=ft.Text(text, color=foreground, size=13, weight=ft.FontWeight.W_600),
        bgcolor=background,
        border_radius=12,
        padding=ft.Padding.symmetric(horizontal=10, vertical=3),
    )


def status_chip(status: RequestStatus, locale: Locale) -> ft.Control:
    return chip(status_label(status, locale), STATUS_COLOURS[status])


def offer_chip(status: OfferStatus, locale: Locale) -> ft.Control:
    return chip(offer_status_label(status, locale), OFFER_COLOURS[status])


def count_chip(status: RequestStatus, count: int, locale: Locale) -> ft.Control:
    return chip(f"{status_label(status, locale)} {count}", STATUS_COLOURS[status])
