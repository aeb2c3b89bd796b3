"""Pieces every screen shares: headings, the loading / error / empty states, request cards."""

import inspect
from collections.abc import Awaitable, Callable, Sequence
from uuid import UUID

import flet as ft

from mobile.formatting import format_date, format_phone
from mobile.models import RequestSummary
from mobile.viewmodels.home import HomeViewModel
from mobile.viewmodels.loadable import Loadable, LoadState
from mobile.views.status import status_chip
from mobile.views.typed_field import TypedField
from shared.display_names import MAX_LENGTH
from shared.text import Locale, t

Action = Callable[[], Awaitable[None]]

FALLBACK_ICON = ft.Icons.BUILD
# What a disabled control's content is drawn in: Material 3's disabled colour, the theme's on-surface colour at 38 %
# (what Flutter greys a disabled checkbox, switch or button with). A text that belongs to a control (a toggle's label
# beside it) takes it too, so the pair reads as one thing that cannot be used now.
DISABLED_CONTENT = ft.Colors.with_opacity(0.38, ft.Colors.ON_SURFACE)


def keyed(name: str, controls: list[ft.Control]) -> list[ft.Control]:
    """A screen part's controls, keyed by the part and their place in it. Flet pairs a new render's unkeyed
    controls with the old ones by position, so a part that appears or grows would shift every control below it
    onto another's id, and a tap on the old id is dropped; keyed, the parts below keep theirs."""
    for n, control in enumerate(controls):
        if control.key is None:
            control.key = f"{name}-{n}"
    return controls


def labelled_toggle(toggle: ft.Checkbox | ft.Switch, label: str,
                    on_change: Callable[[bool], Awaitable[None] | None], *, key: str | None = None) -> ft.Control:
    """A checkbox or a switch with its label beside it, wrapped onto more lines where the screen is narrow.

    Flet 1.0 draws a Checkbox's or a Switch's own `label` in a Row without Flexible: one line that runs off a 360 px
    phone in English. Here the toggle has no label; the text next to it takes the width left and wraps. Tapping the
    text toggles too (as Flet's own label does), and MergeSemantics makes the toggle and its text one node, so a
    screen reader (and a test) finds a checkbox or switch named by the label. `on_change` gets the new value;
    `toggle.value` and `toggle.disabled` are read as drawn, and the view-model's redraw shows the change. A disabled
    toggle's text is greyed as the toggle is (`DISABLED_CONTENT`): in the normal colour it looked usable."""
    assert toggle.label is None, "the label goes beside the toggle, not in it"
    value, disabled = bool(toggle.value), bool(toggle.disabled)

    async def changed(new: bool) -> None:
        done = on_change(new)
        if inspect.isawaitable(done):
            await done

    async def toggled(e: ft.Event[ft.Checkbox] | ft.Event[ft.Switch]) -> None:
        await changed(bool(e.control.value))

    async def text_tapped(_: object = None) -> None:  # the event comes first
        await changed(not value)

    toggle.on_change = toggled
    text = ft.GestureDetector(
        content=ft.Text(label, color=DISABLED_CONTENT if disabled else None),
        on_tap=None if disabled else text_tapped,
        mouse_cursor=None if disabled else ft.MouseCursor.CLICK,
        exclude_from_semantics=True,  # the toggle's own tap is the one a screen reader offers
        expand=True,
        expand_loose=True,  # as wide as the text, at most what the row leaves: short labels still sit in a wrap
    )
    return ft.MergeSemantics(
        key=key,
        content=ft.Row([toggle, text], tight=True, spacing=4, vertical_alignment=ft.CrossAxisAlignment.CENTER),
    )


def category_icon(name: str) -> ft.IconData:
    """Categories name their icon as in ft.Icons (e.g. "KITCHEN"); an unknown name gets a spanner."""
    icon: ft.IconData = getattr(ft.Icons, name, FALLBACK_ICON)
    return icon


def heading(text: str, *, size: int = 20) -> ft.Control:
    return ft.Semantics(header=True, content=ft.Text(text, size=size, weight=ft.FontWeight.BOLD))


def muted(text: str) -> ft.Text:
    return ft.Text(text, size=13, color=ft.Colors.ON_SURFACE_VARIANT)


def icon_button(icon: ft.IconData, label: str, on_click: Action | Callable[[], None]) -> ft.Control:
    # Flutter web leaves a tooltip out of the button's accessible name; the icon's label gets merged in.
    return ft.IconButton(icon=ft.Icon(icon, semantics_label=label), tooltip=label, on_click=on_click)


def screen_header(title: str, locale: Locale, refresh: Action) -> list[ft.Control]:
    """The top of every screen above the home: the title, refresh on its right.

    Back is the app bar's arrow (`mobile/views/frame.py::back_button`), the screen's one way back: a second
    "ย้อนกลับ" here took a ~50 px line of a 640 px phone to say the same (session 21's walk-through)."""
    return [
        ft.Row(
            [
                ft.Container(content=heading(title, size=22), expand=True),
                icon_button(ft.Icons.REFRESH, t("refresh", locale), refresh),
            ],
            vertical_alignment=ft.CrossAxisAlignment.CENTER,
        ),
    ]


def loading(locale: Locale) -> ft.Control:
    return ft.Row(
        [ft.ProgressRing(width=20, height=20, stroke_width=2), ft.Text(t("loading", locale))],
        alignment=ft.MainAxisAlignment.CENTER,
    )


def error_message(text: str, key: str | None = None) -> ft.Control:
    # A live region: a screen reader reads the error out when it appears, without moving focus.
    return ft.Semantics(
        key=key,
        live_region=True,
        content=ft.Row(
            [
                ft.Icon(ft.Icons.ERROR_OUTLINE, color=ft.Colors.ERROR),
                ft.Text(text, color=ft.Colors.ERROR, expand=True),
            ],
            vertical_alignment=ft.CrossAxisAlignment.START,
        ),
    )


def working(text: str, key: str | None = None) -> ft.Control:
    """The app at work: what it is doing, over a progress bar, read out as it appears. A bare ProgressBar says
    nothing to a screen reader, and the person taps again or leaves, thinking nothing happened."""
    return ft.Semantics(
        key=key,
        live_region=True,
        content=ft.Column([ft.Text(text), ft.ProgressBar()], spacing=4,
                          horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
    )


def retry_button(locale: Locale, on_retry: Action, retry_at: str | None, *, filled: bool = False,
                 key: str | None = None) -> ft.Control:
    """Try again; while the server asked to wait (a 429's or a 503's Retry-After, `retry_at`) the same button,
    disabled, saying from when: pressed now it would only be refused again. When that time comes the view-model
    redraws once, and only this button changes (its text and its state)."""
    label = t("retry", locale) if retry_at is None else t("retry_at", locale, time=retry_at)
    kind = ft.FilledButton if filled else ft.OutlinedButton
    return kind(label, icon=ft.Icons.REFRESH, disabled=retry_at is not None, on_click=on_retry, key=key)


def error_with_retry(vm: Loadable, locale: Locale) -> ft.Control:
    """A screen's failure, with its retry (which waits for the failure's Retry-After, when it has one)."""
    return ft.Column(
        [error_message(vm.error or ""), retry_button(locale, vm.retry, vm.retry_at)],
        horizontal_alignment=ft.CrossAxisAlignment.START,
    )


def confirm_panel(
    controls: list[ft.Control],
    *,
    error: str | None,
    sending: bool,
    confirm: str,
    on_confirm: Action,
    dismiss: str,
    on_dismiss: Action | Callable[[], None],
    can_confirm: bool = True,
    sending_text: str | None = None,
) -> ft.Control:
    """A confirm step in place: its fields, then the error, while sending `sending_text` ("กำลังส่ง…") read out over a
    progress bar, confirm and close."""
    controls = list(controls)
    # Keyed: the error and the progress bar come and go above the buttons, which keep their ids.
    if error:
        controls.append(error_message(error, key="panel-error"))
    if sending:
        controls.append(working(sending_text, key="panel-progress") if sending_text
                        else ft.ProgressBar(key="panel-progress"))
    controls.append(
        ft.Row(
            key="panel-buttons",
            controls=[
                ft.FilledButton(confirm, disabled=sending or not can_confirm, on_click=on_confirm),
                ft.TextButton(dismiss, disabled=sending, on_click=on_dismiss),
            ],
            wrap=True,
        )
    )
    return ft.Card(content=ft.Container(content=ft.Column(controls, spacing=10), padding=12))


def question(title: str, consequence: str) -> list[ft.Control]:
    """The top of a confirm step (confirm_panel) that asks before something final: the question, read out as it
    appears in place of the button that was tapped, and what the answer does, in words."""
    return [
        ft.Semantics(header=True, live_region=True, key="question",
                     content=ft.Text(title, size=18, weight=ft.FontWeight.BOLD)),
        ft.Text(consequence, key="consequence"),
    ]


def empty(text: str) -> ft.Control:
    return ft.Container(content=muted(text), padding=ft.Padding.symmetric(vertical=16))


def section(title: str, locale: Locale, on_refresh: Action | None = None) -> ft.Control:
    controls: list[ft.Control] = [ft.Container(content=heading(title, size=18), expand=True)]
    if on_refresh is not None:
        controls.append(icon_button(ft.Icons.REFRESH, t("refresh", locale), on_refresh))
    return ft.Row(controls)


def load_state(vm: HomeViewModel, locale: Locale) -> ft.Control | None:
    """The loading or error block, or None when the data is there to show. A reload (a live event, a poll, an
    answered offer) keeps the list in place: a loading line in its stead moved whatever a tap was aimed at."""
    if vm.state == LoadState.IDLE or (vm.state == LoadState.LOADING and not vm.has_loaded):
        return loading(locale)
    if vm.state == LoadState.FAILED and not vm.has_loaded:
        return error_with_retry(vm, locale)
    return None


def reload_failed(vm: HomeViewModel, locale: Locale) -> list[ft.Control]:
    """A reload that failed (a poll every few seconds on a flaky line), with a retry, above the list it had: the
    list stays, rather than vanishing behind the error until the next poll goes through."""
    if vm.state == LoadState.FAILED and vm.has_loaded:
        return [error_with_retry(vm, locale)]
    return []


def home_notice(vm: HomeViewModel) -> list[ft.Control]:
    """What was just done, or (in the error colour) why it could not be; read out as it appears."""
    if not vm.notice:
        return []
    colour = ft.Colors.ERROR if vm.notice_is_error else ft.Colors.PRIMARY
    return [ft.Semantics(live_region=True, content=ft.Text(vm.notice, color=colour))]


def greeting(vm: HomeViewModel, locale: Locale) -> ft.Control:
    """Hello on a line of its own, then role (and my phone) beside sign out; while the profile has no name, the
    prompt to set one. The hello has the screen's whole width: beside sign out a teacher's "สวัสดี ครูสมศรี รักงาน"
    wrapped to two lines on a 360 px phone (ux21), and the role and phone lines below are short."""
    about: list[ft.Control] = [muted(vm.role_text)]
    if vm.profile.phone:
        about.append(muted(t("my_phone", locale, phone=format_phone(vm.profile.phone))))
    row = ft.Column(
        [
            heading(vm.greeting, size=22),
            ft.Row(
                [
                    ft.Column(about, spacing=2, expand=True),
                    ft.TextButton(t("sign_out", locale), icon=ft.Icons.LOGOUT, on_click=vm.sign_out),
                ],
                vertical_alignment=ft.CrossAxisAlignment.CENTER,
            ),
        ],
        spacing=2,
    )
    if vm.needs_name:
        return ft.Column([row, name_prompt(vm, locale)], spacing=12)
    if vm.name_notice:
        return ft.Column(
            [row, ft.Semantics(live_region=True, content=ft.Text(vm.name_notice, color=ft.Colors.PRIMARY))],
            spacing=12,
        )
    return row


def name_prompt(vm: HomeViewModel, locale: Locale) -> ft.Control:
    """A small card: "ตั้งชื่อที่แสดง", the name field and "บันทึกชื่อ" (PATCH /me)."""

    def typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_name_input(e.control.value)

    # Read again at the save tap: on a slow device a tap can be handled before the last keystrokes' changes.
    field = ft.Ref[ft.TextField]()

    async def save(_: object = None) -> None:  # the event comes first
        if field.current is not None and field.current.value is not None:
            vm.set_name_input(field.current.value)
        await vm.save_name()

    return ft.Card(
        content=ft.Container(
            padding=12,
            content=ft.Column(
                [
                    heading(t("name_prompt_title", locale), size=16),
                    muted(t("name_prompt_hint", locale)),
                    TypedField(
                        ref=field,
                        label=t("display_name_label", locale),
                        value=vm.name_input,
                        error=vm.name_error,
                        error_max_lines=3,
                        max_length=MAX_LENGTH,
                        capitalization=ft.TextCapitalization.WORDS,
                        autofill_hints=ft.AutofillHint.NAME,
                        read_only=vm.name_busy,
                        on_change=typed,
                        on_submit=save,
                    ),
                    ft.Row(
                        [
                            ft.FilledButton(
                                t("save_name", locale), icon=ft.Icons.SAVE, disabled=vm.name_busy,
                                on_click=save,
                            )
                        ]
                    ),
                ],
                spacing=8,
            ),
        )
    )


def request_card(request: RequestSummary, locale: Locale, on_open: Action | None = None,
                 tag: str | None = None) -> ft.Control:
    """One request as a card; `tag` a short line under it (a job the student helps on says so)."""
    details: list[ft.Control] = [
        ft.Row(
            [
                ft.Icon(category_icon(request.category_icon), color=ft.Colors.PRIMARY),
                ft.Column(
                    [
                        ft.Text(request.item, weight=ft.FontWeight.BOLD),
                        muted(request.category_name(locale)),
                    ],
                    spacing=0,
                    expand=True,
                ),
            ],
        ),
        ft.Row(
            [
                status_chip(request.status, locale),
                muted(f"{t('requested_on', locale)} {format_date(request.created_at, locale)}"),
            ],
            wrap=True,
            run_spacing=4,
        ),
    ]
    college = request.college_name(locale)
    if college:
        details.append(muted(f"{t('college', locale)}: {college}"))
    if tag:
        # The line wraps (expand): a tag longer than a 360 px card is ("the student was suspended: …") stays inside.
        details.append(ft.Row([ft.Icon(ft.Icons.GROUP, size=16, color=ft.Colors.SECONDARY),
                               ft.Text(tag, expand=True)], spacing=4))
    body = ft.Column(details, spacing=8)
    if on_open is None:
        return ft.Card(content=ft.Container(content=body, padding=12))
    # Tappable: the whole card opens the request, and says so to a screen reader.
    return ft.Card(
        content=ft.Semantics(
            button=True,
            label=t("open_request", locale, item=request.item),
            content=ft.Container(content=body, padding=12, on_click=on_open, ink=True, border_radius=12),
        )
    )


def request_cards(
    requests: Sequence[RequestSummary], locale: Locale, on_open: Callable[[UUID], Awaitable[None]],
    key: str = "request", tag: Callable[[RequestSummary], str | None] | None = None,
) -> list[ft.Control]:
    """Tappable cards, each opening its own request (a job, a request to review). Each is keyed by its request
    (`key` names the list: a student's own request can be their job too), so a card that arrives at the top
    leaves the others their ids."""
    cards: list[ft.Control] = []
    for request in requests:

        async def open_it(_: object = None, request_id: UUID = request.id) -> None:  # the event comes first
            await on_open(request_id)

        card = request_card(request, locale, open_it, tag(request) if tag is not None else None)
        card.key = f"{key}-{request.id}"
        cards.append(card)
    return cards
