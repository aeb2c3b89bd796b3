"""Technician home: offers near me, then the jobs I took."""

from uuid import UUID

import flet as ft

from mobile.formatting import format_datetime, format_km
from mobile.models import Offer, OfferStatus
from mobile.strings import t
from mobile.viewmodels.home import TechnicianHome
from mobile.views.common import FALLBACK_ICON, category_icon, empty, greeting, load_state, muted, request_card, section
from mobile.views.status import offer_chip
from shared.text import Locale, ui


def technician_home_view(vm: TechnicianHome, locale: Locale) -> ft.Control:
    controls: list[ft.Control] = [greeting(vm, locale), section(ui("technician_offers", locale), locale, vm.load)]
    if vm.notice:
        colour = ft.Colors.ERROR if vm.notice_is_error else ft.Colors.PRIMARY
        controls.append(ft.Semantics(live_region=True, content=ft.Text(vm.notice, color=colour)))
    state = load_state(vm, locale)
    if state is not None:
        controls.append(state)
        return ft.Column(controls, spacing=12)
    if vm.offers:
        controls += [_offer_card(o, vm, locale) for o in vm.offers]
    else:
        controls.append(empty(ui("technician_empty_offers", locale)))
    controls.append(section(ui("technician_jobs", locale), locale))
    if vm.jobs:
        for job in vm.jobs:

            async def open_job(_: object = None, job_id: UUID = job.id) -> None:  # the event comes first
                await vm.open_job(job_id)

            controls.append(request_card(job, locale, open_job))
    else:
        controls.append(empty(ui("technician_empty_jobs", locale)))
    return ft.Column(controls, spacing=12)


def _offer_card(offer: Offer, vm: TechnicianHome, locale: Locale) -> ft.Control:
    category = vm.categories.get(offer.category_code)
    icon = category_icon(category.icon) if category else FALLBACK_ICON
    category_name = category.name(locale) if category else offer.category_code
    return ft.Card(
        content=ft.Container(
            padding=12,
            content=ft.Column(
                [
                    ft.Row(
                        [
                            ft.Icon(icon, color=ft.Colors.PRIMARY),
                            ft.Column(
                                [ft.Text(offer.item, weight=ft.FontWeight.BOLD), muted(category_name)],
                                spacing=0,
                                expand=True,
                            ),
                        ]
                    ),
                    ft.Row(
                        [
                            ft.Icon(ft.Icons.PLACE, size=16, color=ft.Colors.ON_SURFACE_VARIANT),
                            ft.Text(_where(offer, locale), expand=True),
                        ]
                    ),
                    ft.Row(
                        [
                            offer_chip(offer.offer_status, locale),
                            muted(vm.time_left(offer)),
                            muted(t("offer_expires", locale, time=format_datetime(offer.expires_at, locale))),
                        ],
                        wrap=True,
                        run_spacing=4,
                    ),
                    *_offer_buttons(offer, vm, locale),
                ],
                spacing=8,
            ),
        )
    )


def _offer_buttons(offer: Offer, vm: TechnicianHome, locale: Locale) -> list[ft.Control]:
    if offer.offer_status != OfferStatus.PENDING:
        return []
    busy = vm.busy_offer is not None

    async def accept() -> None:
        await vm.accept(offer.offer_id)

    async def decline() -> None:
        await vm.decline(offer.offer_id)

    return [
        ft.Row(
            [
                ft.FilledButton(t("accept_offer", locale), icon=ft.Icons.CHECK, disabled=busy, on_click=accept),
                ft.OutlinedButton(t("decline_offer", locale), icon=ft.Icons.CLOSE, disabled=busy, on_click=decline),
            ],
            wrap=True,
        )
    ]


def _where(offer: Offer, locale: Locale) -> str:
    """Distance, then the area: optional on the form, so only the parts the citizen gave."""
    area = ", ".join(part for part in (offer.district, offer.province) if part)
    distance = ui("distance_km", locale, km=format_km(offer.distance_km))
    return f"{distance} · {area}" if area else distance
