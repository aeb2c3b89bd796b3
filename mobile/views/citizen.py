"""Citizen home: drafts waiting to be sent, then my repair requests with their status; and the same for a student's
or a teacher's own repairs on their home."""

from datetime import UTC, datetime

import flet as ft

from mobile.formatting import format_datetime, format_time
from mobile.outbox import ItemState, OutboxItem
from mobile.viewmodels.home import CitizenHome, HomeViewModel
from mobile.views.common import (
    confirm_panel,
    empty,
    error_message,
    greeting,
    heading,
    keyed,
    load_state,
    muted,
    question,
    reload_failed,
    request_cards,
    section,
)
from mobile.views.invitation import invitation_controls
from mobile.views.paging import more_controls
from mobile.views.status import chip
from shared.text import Locale, t

WAITING_COLOURS = (ft.Colors.AMBER_100, ft.Colors.BROWN_900)
FAILED_COLOURS = (ft.Colors.RED_100, ft.Colors.RED_900)


def citizen_home_view(vm: CitizenHome, locale: Locale) -> ft.Control:
    controls: list[ft.Control] = [
        greeting(vm, locale),
        # The one thing most people come for: big, with words, at the top.
        ft.FilledButton(
            t("new_request", locale),
            icon=ft.Icons.ADD,
            height=52,
            on_click=vm.new_request,
        ),
    ]
    # Keyed, part by part and card by card: what appears above a button leaves it its id (and a tap on it).
    keyed("top", controls)
    if vm.notice:
        controls += keyed("notice", [_notice(vm.notice)])
    controls += keyed("invitation", invitation_controls(vm.invitation, locale))
    controls += keyed("requests-title", [section(t("citizen_home_title", locale), locale, vm.load)])
    # Waiting drafts first: they live on this device and show even when the list cannot load.
    controls += [outbox_card(item, vm, locale) for item in vm.outbox_items]
    controls += keyed("reload-failed", reload_failed(vm, locale))
    state = load_state(vm, locale)
    if state is not None:
        controls += keyed("load-state", [state])
    elif vm.is_empty:
        controls += keyed("empty", [empty(t("citizen_empty", locale))])
    else:
        controls += request_cards(vm.requests, locale, vm.open_request)
        controls += more_controls(vm.mine, locale, vm.load_more_own_requests, key="requests")
    return ft.Column(controls, spacing=12)


def _notice(text: str) -> ft.Control:
    return ft.Semantics(
        live_region=True,
        content=ft.Container(
            content=ft.Row(
                [ft.Icon(ft.Icons.INFO_OUTLINE, color=ft.Colors.PRIMARY), ft.Text(text, expand=True)],
                vertical_alignment=ft.CrossAxisAlignment.START,
            ),
            bgcolor=ft.Colors.PRIMARY_CONTAINER,
            border_radius=8,
            padding=10,
        ),
    )


def outbox_card(item: OutboxItem, vm: HomeViewModel, locale: Locale) -> ft.Control:
    card = held_card(item, vm, locale) if item.state == ItemState.HELD else _outbox_card(item, vm, locale)
    card.key = f"outbox-{item.key}"
    return card


def _outbox_card(item: OutboxItem, vm: HomeViewModel, locale: Locale) -> ft.Control:
    failed = item.state == ItemState.FAILED
    details: list[ft.Control] = [
        ft.Row(
            [
                ft.Icon(ft.Icons.ERROR_OUTLINE if failed else ft.Icons.CLOUD_UPLOAD, color=ft.Colors.PRIMARY),
                ft.Text(item.item, weight=ft.FontWeight.BOLD, expand=True),
            ]
        ),
        ft.Row(
            [
                chip(t("outbox_failed" if failed else "outbox_waiting", locale),
                     FAILED_COLOURS if failed else WAITING_COLOURS),
                muted(_saved_at(item, locale)),
            ],
            wrap=True,
            run_spacing=4,
        ),
    ]
    if item.photos:
        details.append(muted(t("outbox_photos", locale, count=len(item.photos))))
    if item.received:
        details.append(muted(t("outbox_received", locale)))
    if not failed and item.not_before:
        # The server asked to wait (its Retry-After): when the sender tries again, in Thai time.
        again = format_time(datetime.fromtimestamp(item.not_before, UTC))
        details.append(muted(t("outbox_waiting_until", locale, time=again)))
    error = item.error
    if failed and error is not None:
        if vm.discard_asked == item.key:
            return _discard_question(item, vm, locale, details)

        async def edit() -> None:
            await vm.edit_outbox_item(item.key)

        async def discard() -> None:
            vm.ask_discard_outbox_item(item.key)

        details += [
            error_message(error.in_(locale)),
            ft.Row(
                [
                    # A received request's details are final: the button offers what is left, its photos.
                    ft.OutlinedButton(t("outbox_edit_photos" if item.received else "outbox_edit", locale),
                                      icon=ft.Icons.EDIT, on_click=edit),
                    ft.TextButton(t("outbox_discard", locale), icon=ft.Icons.DELETE_OUTLINE, on_click=discard),
                ],
                wrap=True,
            ),
        ]
    return ft.Card(content=ft.Container(content=ft.Column(details, spacing=8), padding=12))


def _saved_at(item: OutboxItem, locale: Locale) -> str:
    try:
        return format_datetime(datetime.fromisoformat(item.saved_at), locale)
    except ValueError:
        return ""


def _held_summary(item: OutboxItem, locale: Locale) -> list[ft.Control]:
    """What a held draft is and since when: the first lines of its card on any home."""
    return [
        ft.Row([ft.Icon(ft.Icons.PAUSE_CIRCLE_OUTLINE, color=ft.Colors.PRIMARY),
                ft.Text(item.item, weight=ft.FontWeight.BOLD, expand=True)]),
        ft.Row([chip(t("outbox_held", locale), WAITING_COLOURS), muted(_saved_at(item, locale))], wrap=True,
               run_spacing=4),
        muted(t("outbox_category", locale, category=item.category.in_(locale))),
    ]


def _discard_question(item: OutboxItem, vm: HomeViewModel, locale: Locale, summary: list[ft.Control]) -> ft.Control:
    """A draft's card once "ทิ้ง" was tapped: what it is, then the question, in the app's confirm step. Nothing is
    deleted until the writer says yes; "ไม่ทิ้ง" brings the card back as it was."""

    async def discard() -> None:
        await vm.discard_outbox_item(item.key)

    async def keep() -> None:
        vm.keep_outbox_item()

    return confirm_panel(
        [*summary, *question(t("discard_confirm_title", locale, item=item.item), t("discard_confirm_body", locale))],
        error=None,
        sending=False,
        confirm=t("confirm_discard", locale),
        on_confirm=discard,
        dismiss=t("keep_draft", locale),
        on_dismiss=keep,
    )


def held_card(item: OutboxItem, vm: HomeViewModel, locale: Locale) -> ft.Control:
    """A request kept when the sign-in ran out as it was sent: what it is, and the writer's three choices."""

    async def send() -> None:
        await vm.send_outbox_item(item.key)

    async def edit() -> None:
        await vm.edit_outbox_item(item.key)

    async def discard() -> None:
        vm.ask_discard_outbox_item(item.key)

    details = _held_summary(item, locale)
    if item.photos:
        details.append(muted(t("outbox_photos", locale, count=len(item.photos))))
    if vm.discard_asked == item.key:
        return _discard_question(item, vm, locale, details)
    details += [
        ft.Text(t("outbox_held_hint", locale)),
        ft.Row(
            [
                ft.FilledButton(t("outbox_send", locale), icon=ft.Icons.SEND, on_click=send),
                ft.OutlinedButton(t("outbox_edit_held", locale), icon=ft.Icons.EDIT, on_click=edit),
                ft.TextButton(t("outbox_discard_held", locale), icon=ft.Icons.DELETE_OUTLINE, on_click=discard),
            ],
            wrap=True,
        ),
    ]
    return ft.Card(content=ft.Container(content=ft.Column(details, spacing=8), padding=12))


def draft_to_discard_card(item: OutboxItem, vm: HomeViewModel, locale: Locale) -> ft.Control:
    """A draft on a home that cannot send it (an admin's, written as a citizen): what it is, why it stays unsent,
    and Discard only (which asks first)."""
    if vm.discard_asked == item.key:
        panel = _discard_question(item, vm, locale, _held_summary(item, locale))
        panel.key = f"outbox-{item.key}"
        return panel

    async def discard() -> None:
        vm.ask_discard_outbox_item(item.key)

    details = [
        *_held_summary(item, locale),
        ft.Text(t("outbox_admin_note", locale)),
        ft.Row([ft.OutlinedButton(t("outbox_discard_held", locale), icon=ft.Icons.DELETE_OUTLINE,
                                  on_click=discard)], wrap=True),
    ]
    return ft.Card(key=f"outbox-{item.key}", content=ft.Container(content=ft.Column(details, spacing=8), padding=12))


def own_requests_section(vm: HomeViewModel, locale: Locale) -> list[ft.Control]:
    """A student's or a teacher's own repairs on their home: one row with "แจ้งซ่อม" (the citizen's form), then
    their drafts waiting on this device and their requests, each opening the owner's screen a citizen has."""
    title = vm.own_requests_title
    if title is None:
        return []
    entry = ft.Row(
        [
            ft.Container(content=heading(title, size=18), expand=True),
            ft.FilledTonalButton(t("ask_for_repair", locale), icon=ft.Icons.ADD, on_click=vm.new_request),
        ],
        vertical_alignment=ft.CrossAxisAlignment.CENTER,
    )
    entry.key = "own-requests-title"
    return [entry, *[outbox_card(item, vm, locale) for item in vm.outbox_items],
            *request_cards(vm.own_requests, locale, vm.open_own_request, key="own-request"),
            *more_controls(vm.mine, locale, vm.load_more_own_requests, key="own-requests")]
