"""Technician home: the jobs in my hands, the offers near me, then the jobs that are over."""


import flet as ft

from mobile.formatting import format_datetime, format_km
from mobile.models import JobSummary, Offer, OfferStatus
from mobile.viewmodels.home import TechnicianHome
from mobile.views.citizen import own_requests_section
from mobile.views.common import (
    FALLBACK_ICON,
    category_icon,
    confirm_panel,
    empty,
    greeting,
    home_notice,
    keyed,
    load_state,
    muted,
    question,
    reload_failed,
    request_cards,
    section,
)
from mobile.views.paging import more_controls
from mobile.views.photos import SMALL_THUMB_SIZE, thumbnail, thumbnail_row
from mobile.views.status import offer_chip
from shared.text import Locale, t
from shared.thai_address import area_text


def technician_home_view(vm: TechnicianHome, locale: Locale) -> ft.Control:
    controls: list[ft.Control] = [
        greeting(vm, locale),
        ft.Row([ft.OutlinedButton(t("portfolio_open", locale), icon=ft.Icons.WORKSPACE_PREMIUM,
                                  on_click=vm.open_portfolio)], wrap=True),
    ]
    # Keyed, part by part and card by card: what appears above a button leaves it its id (and a tap on it).
    keyed("top", controls)
    controls += own_requests_section(vm, locale)
    # What was just done (an offer answered, a draft of their own sent or held) or why not, above the lists.
    controls += keyed("notice", home_notice(vm))
    # The jobs in their hands first, those waiting for them on top: coming back to a job they hold is the usual
    # visit, and below every offer it was ~1,800 px down on a phone (ux21). The offers follow, then the finished
    # jobs, so a term of work handed back does not push the offers off the screen either.
    controls += keyed("jobs-title", [section(t("technician_jobs", locale), locale, vm.load)])
    controls += keyed("reload-failed", reload_failed(vm, locale))
    state = load_state(vm, locale)
    if state is not None:
        controls += keyed("load-state", [state])
        return ft.Column(controls, spacing=12)
    in_hand, finished = vm.jobs_in_hand, vm.jobs_finished
    if in_hand:
        controls += _job_cards(in_hand, vm, locale)
    else:
        empty_key = "technician_no_jobs_in_hand" if finished or vm.job_pages.has_more else "technician_empty_jobs"
        controls += keyed("jobs-empty", [empty(t(empty_key, locale))])
    controls += keyed("offers-title", [section(t("technician_offers", locale), locale)])
    if vm.off_roster:
        # Said above the offers, not as an empty list: the student should not wait for offers that cannot come.
        controls.append(ft.Container(content=ft.Text(vm.off_roster), padding=12, border_radius=8,
                                     bgcolor=ft.Colors.SECONDARY_CONTAINER, key="off-roster"))
    if vm.offers:
        controls += [_offer_card(o, vm, locale) for o in vm.offers]
    elif not vm.off_roster:
        controls += keyed("offers-empty", [empty(t("technician_empty_offers", locale))])
    if finished or vm.job_pages.has_more:
        controls += keyed("finished-title", [section(t("technician_jobs_finished", locale), locale)])
        controls += _job_cards(finished, vm, locale)
        controls += more_controls(vm.job_pages, locale, vm.load_more_jobs, key="jobs")
    return ft.Column(controls, spacing=12)


def _job_cards(jobs: list[JobSummary], vm: TechnicianHome, locale: Locale) -> list[ft.Control]:
    # Keyed by the job ("job-<id>") in either part: one that moves from the hands to the finished keeps its key.
    return request_cards(jobs, locale, vm.open_job, key="job", tag=lambda job: (
        t("job_helping_tag", locale) if isinstance(job, JobSummary) and job.helping else None))


def _offer_card(offer: Offer, vm: TechnicianHome, locale: Locale) -> ft.Control:
    category = vm.categories.get(offer.category_code)
    icon = category_icon(category.icon) if category else FALLBACK_ICON
    category_name = category.name(locale) if category else offer.category_code
    return ft.Card(
        key=f"offer-{offer.offer_id}",
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
                    *([ft.Text(t("offer_description", locale, description=offer.description))]
                      if offer.description else []),
                    ft.Row(
                        [
                            ft.Icon(ft.Icons.PLACE, size=16, color=ft.Colors.ON_SURFACE_VARIANT),
                            ft.Text(_where(offer, locale), expand=True),
                        ]
                    ),
                    *([muted(t("offer_pin_approximate", locale))] if offer.location_approximate else []),
                    ft.Row(
                        [
                            offer_chip(offer.offer_status, locale),
                            muted(vm.time_left(offer)),
                            muted(t("offer_expires", locale, time=format_datetime(offer.expires_at, locale))),
                        ],
                        wrap=True,
                        run_spacing=4,
                    ),
                    *_offer_photos(offer, vm, locale),
                    *_offer_buttons(offer, vm, locale),
                ],
                spacing=8,
            ),
        )
    )


def _offer_photos(offer: Offer, vm: TechnicianHome, locale: Locale) -> list[ft.Control]:
    """The citizen's before photos, small; each fills in when its thumbnail arrives."""
    photos = vm.offer_photos(offer)
    if not photos:
        return []
    thumbs: list[ft.Control] = []
    for index, data in enumerate(photos):

        async def open_it(_: object = None, index: int = index) -> None:  # the event comes first
            await vm.open_offer_photo(offer, index)

        label = t("photo_before_alt", locale, n=index + 1)
        thumbs.append(thumbnail(data, label, SMALL_THUMB_SIZE, on_open=open_it,
                                open_label=t("photo_open", locale, label=label)))
    return [thumbnail_row(thumbs)]


def _offer_buttons(offer: Offer, vm: TechnicianHome, locale: Locale) -> list[ft.Control]:
    if offer.offer_status != OfferStatus.PENDING:
        return []
    busy = vm.busy_offer is not None

    async def accept() -> None:
        await vm.accept(offer.offer_id)

    async def ask() -> None:
        vm.ask_decline(offer.offer_id)

    if vm.decline_asked == offer.offer_id:

        async def decline() -> None:
            await vm.decline(offer.offer_id)

        async def keep() -> None:
            vm.keep_offer()

        asked = confirm_panel(
            question(t("decline_confirm_title", locale, item=offer.item), t("decline_confirm_body", locale)),
            error=None,  # a refusal shows at the top of the home, as an accept's does
            sending=vm.busy_offer == offer.offer_id,  # its decline on its way: "กำลังส่ง…", read out
            sending_text=t("sending", locale),
            confirm=t("confirm_decline_offer", locale),
            on_confirm=decline,
            dismiss=t("confirm_go_back", locale),
            on_dismiss=keep,
        )
        asked.key = "decline-question"  # not paired with the buttons' row it replaces
        return [asked]
    return [
        ft.Row(
            [
                ft.FilledButton(t("accept_offer", locale), icon=ft.Icons.CHECK, disabled=busy, on_click=accept),
                ft.OutlinedButton(t("decline_offer", locale), icon=ft.Icons.CLOSE, disabled=busy, on_click=ask),
            ],
            wrap=True,
        )
    ]


def _where(offer: Offer, locale: Locale) -> str:
    """Distance, then the area: optional on the form, so only the parts the citizen gave."""
    area = area_text(locale, offer.province, offer.district)
    distance = t("distance_km", locale, km=format_km(offer.distance_km))
    return f"{distance} · {area}" if area else distance
