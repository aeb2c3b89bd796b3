"""Admin home: requests waiting for a college (send them on by hand), then an overview of the colleges."""

from uuid import UUID

import flet as ft

from mobile.formatting import format_date, format_km
from mobile.models import AdminCollege, College, RequestSummary, WaitingRequest
from mobile.viewmodels.colleges_admin import REGIONS, CollegeForm, CollegesAdminViewModel
from mobile.viewmodels.home import AdminHome, CollegeChoice
from mobile.viewmodels.loadable import LoadState
from mobile.views.citizen import draft_to_discard_card
from mobile.views.common import (
    Action,
    category_icon,
    empty,
    error_message,
    error_with_retry,
    greeting,
    heading,
    home_notice,
    icon_button,
    keyed,
    labelled_toggle,
    load_state,
    loading,
    muted,
    reload_failed,
    request_cards,
    screen_header,
    section,
)
from mobile.views.invites import invite_row
from mobile.views.paging import more_controls
from mobile.views.photos import SMALL_THUMB_SIZE, thumbnail
from mobile.views.status import status_chip
from mobile.views.typed_field import TypedField
from shared.text import Locale, t


def admin_home_view(vm: AdminHome, locale: Locale, on_manage_colleges: Action | None = None) -> ft.Control:
    controls: list[ft.Control] = [greeting(vm, locale)]
    if on_manage_colleges is not None:
        controls.append(ft.Row([ft.FilledButton(t("colleges_manage", locale), icon=ft.Icons.DOMAIN_ADD,
                                                on_click=on_manage_colleges)]))
    # Keyed, part by part and card by card (a waiting request by its id): a notice, or a request dispatched and
    # gone, leaves the cards below their ids, so a tap aimed at one request cannot reach the next.
    keyed("top", controls)
    controls += keyed("waiting-title", [section(t("waiting_title", locale), locale, vm.load)])
    controls += keyed("notice", home_notice(vm))
    controls += [draft_to_discard_card(item, vm, locale) for item in vm.outbox_items]
    controls += keyed("reload-failed", reload_failed(vm, locale))
    state = load_state(vm, locale)
    if state is not None:
        controls += keyed("load-state", [state])
        return ft.Column(controls, spacing=12)
    if vm.waiting:
        for request in vm.waiting:
            card = _waiting_card(request, vm, locale)
            card.key = f"waiting-{request.id}"
            controls.append(card)
        controls += more_controls(vm.waiting_pages, locale, vm.load_more_waiting, key="waiting")
    else:
        controls += keyed("waiting-empty", [empty(t("waiting_empty", locale))])
    # Jobs waiting on a college with nobody to decide them: the admin opens each as a job and decides it.
    controls += keyed("undecided-title", [section(t("undecided_title", locale), locale)])
    if vm.undecided:
        reasons = {job.id: job.why_text(locale) for job in vm.undecided}

        def why(request: RequestSummary) -> str | None:
            return reasons.get(request.id)

        controls += request_cards(vm.undecided, locale, vm.open_job, key="undecided", tag=why)
        controls += more_controls(vm.undecided_pages, locale, vm.load_more_undecided, key="undecided")
    else:
        controls += keyed("undecided-empty", [empty(t("undecided_empty", locale))])
    controls += keyed("colleges-title", [section(t("admin_home_title", locale), locale)])
    controls += _colleges_overview(vm, locale, on_manage_colleges)
    return ft.Column(controls, spacing=12)


def _colleges_overview(vm: AdminHome, locale: Locale, on_manage_colleges: Action | None) -> list[ft.Control]:
    """Compact (ux21 finding 3): how many colleges, the few whose place needs a look, and the way to the colleges
    screen (which lists and searches them all), not every college again. Keyed part by part and row by college."""
    if vm.is_empty:
        return keyed("colleges-empty", [empty(t("admin_empty", locale))])
    controls = keyed("colleges-count", [ft.Text(t("colleges_count", locale, count=len(vm.colleges)),
                                                weight=ft.FontWeight.W_600)])
    to_check = vm.colleges_to_check
    if to_check:
        controls += keyed("colleges-attention-title", [
            ft.Row([ft.Icon(ft.Icons.WARNING_AMBER, size=18, color=ft.Colors.ERROR),
                    ft.Text(t("colleges_attention_title", locale, count=len(to_check)), expand=True)])])
        controls += [_college_row(c, locale) for c in to_check[:vm.attention_shown]]  # each keyed by its college
        rest = len(to_check) - vm.attention_shown
        if rest > 0:
            controls += keyed("colleges-attention-more", [muted(t("colleges_attention_more", locale, count=rest))])
    else:
        controls += keyed("colleges-attention-none", [muted(t("colleges_attention_none", locale))])
    if on_manage_colleges is not None:
        controls += keyed("colleges-see-all", [ft.Row([ft.TextButton(
            t("colleges_see_all", locale), icon=ft.Icons.SEARCH, on_click=on_manage_colleges)])])
    return controls


def _waiting_card(request: WaitingRequest, vm: AdminHome, locale: Locale) -> ft.Control:
    busy = vm.busy is not None

    async def pick(_: object = None, request_id: UUID = request.id) -> None:  # Flet passes the event first
        vm.open_picker(request_id)  # the list shows at once; which colleges can take the job comes after
        await vm.fit_colleges(request_id)

    async def retry(_: object = None, request_id: UUID = request.id) -> None:
        await vm.dispatch(request_id, None)

    lines: list[ft.Control] = [
        ft.Row(
            [
                ft.Icon(category_icon(request.category_icon), color=ft.Colors.PRIMARY),
                ft.Column(
                    [ft.Text(request.item, weight=ft.FontWeight.BOLD), muted(request.category_name(locale))],
                    spacing=0,
                    expand=True,
                ),
            ]
        ),
        ft.Row(
            [
                ft.Icon(ft.Icons.PLACE, size=16, color=ft.Colors.ON_SURFACE_VARIANT),
                ft.Text(vm.area(request), expand=True),
            ]
        ),
        *_waiting_what(request, vm, locale),
        ft.Row(
            [
                status_chip(request.status, locale),
                muted(f"{t('requested_on', locale)} {format_date(request.created_at, locale)}"),
            ],
            wrap=True,
            run_spacing=4,
        ),
    ]
    owner_note = vm.owner_note(request)
    if owner_note is not None:  # why it waits, and why it is not to be sent on now
        lines.append(ft.Row([ft.Icon(ft.Icons.BLOCK, size=16, color=ft.Colors.ERROR),
                             ft.Text(owner_note, color=ft.Colors.ERROR, expand=True)]))
    send_off = busy or not vm.can_send_on(request)
    if vm.picking == request.id:
        lines.append(_picker(request, vm, locale))
    else:
        lines.append(
            ft.Row(
                [
                    ft.FilledButton(t("dispatch_to_college", locale), icon=ft.Icons.SEND, disabled=send_off,
                                    on_click=pick),
                    ft.OutlinedButton(t("retry_dispatch", locale), icon=ft.Icons.REFRESH, disabled=send_off,
                                      on_click=retry),
                ],
                wrap=True,
            )
        )
    return ft.Card(content=ft.Container(padding=12, content=ft.Column(lines, spacing=8)))


# The description's lines on a waiting card: enough to tell a fan that does not spin from one that smokes, short
# enough that the cards still stack on a 640 px phone (the request's screen has all of it).
WAITING_DESCRIPTION_LINES = 3


def _waiting_what(request: WaitingRequest, vm: AdminHome, locale: Locale) -> list[ft.Control]:
    """What the citizen wrote (clipped) beside their first before photo, small; a tap on it opens their photos.
    Nothing when they wrote nothing and sent none."""
    parts: list[ft.Control] = []
    if request.photo_count > 0:
        label = t("photo_before_alt", locale, n=1)

        async def open_it() -> None:  # `request` is this call's own (one call a card), not a loop's
            await vm.open_waiting_photo(request)

        parts.append(thumbnail(vm.waiting_photo(request), label, SMALL_THUMB_SIZE, on_open=open_it,
                               open_label=t("photo_open", locale, label=label)))
    if request.description.strip():
        parts.append(ft.Text(request.description.strip(), max_lines=WAITING_DESCRIPTION_LINES,
                             overflow=ft.TextOverflow.ELLIPSIS, expand=True, size=14))
    if not parts:
        return []
    return [ft.Row(parts, vertical_alignment=ft.CrossAxisAlignment.START, spacing=8)]


def _picker(request: WaitingRequest, vm: AdminHome, locale: Locale) -> ft.Control:
    """Close on top where a thumb finds it, a search by name, code or province, the nearest few colleges ("name ·
    3.2 กม.") with "show every college", and a tap on one asks (naming the item, the college and the distance)
    instead of sending: the request goes only at the yes (ux21 finding 2). Keyed part by part, so the list changing
    under the search leaves the buttons that stay with their ids."""
    busy = vm.busy is not None

    def typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_pick_query(e.control.value)

    controls: list[ft.Control] = [
        ft.Row(
            [
                ft.Container(heading(t("pick_college_title", locale, item=request.item), size=16), expand=True),
                # Which colleges can take the job read again (it also follows a live event about the request).
                icon_button(ft.Icons.REFRESH, t("pick_college_refresh", locale), vm.refresh_picker),
                # Two icons, not "ปิด" in words: beside the refresh, a worded close left the title half the row
                # and wrapped it to two lines (session 23's look at 360 px).
                icon_button(ft.Icons.CLOSE, t("close_panel", locale), vm.close_picker),
            ],
            key="picker-top",
            # The icons' glyphs sit mid-button (48 px): centred, they line up with a one-line title.
            vertical_alignment=ft.CrossAxisAlignment.CENTER,
        ),
    ]
    question = vm.confirm_question(request)
    if question is not None:
        # In place of the list: the question shows where the tap was, and nothing else can be tapped by mistake.
        controls.append(ft.Container(
            key="picker-confirm",
            padding=12,
            border=ft.Border.all(1, ft.Colors.PRIMARY),
            border_radius=8,
            content=ft.Column(
                [
                    ft.Semantics(live_region=True, content=ft.Text(question, weight=ft.FontWeight.W_600)),
                    *(_fit_line(vm, vm.confirming) if vm.confirming is not None else []),
                    ft.Row(
                        [
                            ft.FilledButton(t("dispatch_confirm_yes", locale), icon=ft.Icons.SEND, disabled=busy,
                                            on_click=vm.confirm_dispatch),
                            ft.TextButton(t("dispatch_confirm_no", locale), disabled=busy,
                                          on_click=vm.cancel_dispatch),
                        ],
                        wrap=True,
                    ),
                ],
                spacing=8,
            ),
        ))
        return ft.Column(controls, spacing=8)
    controls.append(TypedField(key="picker-search", label=t("college_search", locale), value=vm.pick_query,
                               prefix_icon=ft.Icons.SEARCH, on_change=typed))
    choices = vm.picker_choices(request)
    hidden = vm.picker_hidden(request)
    if request.lat is None or request.lon is None:  # no distances: the backend's order, say only how many show
        hint = t("colleges_shown", locale, shown=len(choices), total=len(vm.colleges))
    elif hidden:
        hint = t("pick_college_nearest", locale, shown=len(choices), total=len(vm.colleges))
    else:
        hint = t("pick_college_hint", locale)
    controls += keyed("picker-hint", [muted(hint)])
    options: list[ft.Control] = []
    for choice in choices:

        async def ask(_: object = None, college_id: UUID = choice.college.id) -> None:  # Flet passes the event first
            vm.ask_dispatch(college_id)

        button = ft.OutlinedButton(college_choice_label(choice, locale), icon=ft.Icons.SCHOOL, disabled=busy,
                                   on_click=ask, key=f"pick-{choice.college.id}")
        # The button first in its own keyed column: the word on who can take the job arriving under it leaves the
        # button its id, so a tap aimed at it is not dropped.
        options.append(ft.Column([button, *_fit_line(vm, choice.college.id)], spacing=2,
                                 key=f"choice-{choice.college.id}",
                                 horizontal_alignment=ft.CrossAxisAlignment.STRETCH))
    if not options:
        options.append(empty(t("college_no_match", locale, query=vm.pick_query.strip()) if vm.colleges
                             else t("admin_empty", locale)))
    controls.append(ft.Column(options, key="picker-options", spacing=6,
                              horizontal_alignment=ft.CrossAxisAlignment.STRETCH))
    if hidden:
        controls.append(ft.TextButton(t("pick_college_more", locale, count=len(vm.colleges)),
                                      icon=ft.Icons.EXPAND_MORE, key="picker-more", on_click=vm.show_all_colleges))
    return ft.Column(controls, spacing=8)


def _fit_line(vm: AdminHome, college_id: UUID) -> list[ft.Control]:
    """Under a college in the picker (and in the question): whether it can take the job, or why not; nothing before
    the answer comes."""
    text = vm.fit_text(college_id)
    if text is None:
        return []
    ok = vm.can_take(college_id)
    return [ft.Row([ft.Icon(ft.Icons.CHECK_CIRCLE if ok else ft.Icons.BLOCK, size=16,
                            color=ft.Colors.PRIMARY if ok else ft.Colors.ERROR),
                    ft.Text(text, size=13, color=None if ok else ft.Colors.ERROR, expand=True)],
                   spacing=4, key=f"fit-{college_id}")]


def college_choice_label(choice: CollegeChoice, locale: Locale) -> str:
    name = choice.college.name(locale)
    if choice.km is None:
        return name
    return t("college_distance", locale, name=name, km=format_km(choice.km))


def _college_row(college: College, locale: Locale) -> ft.Control:
    """One line a college, in the overview's short list: name, then province and code in small type."""
    return ft.Row(
        [
            ft.Icon(ft.Icons.SCHOOL, size=18, color=ft.Colors.PRIMARY),
            ft.Column([ft.Text(college.name(locale)), muted(f"{college.province(locale)} · {college.code}")],
                      spacing=0, expand=True),
        ],
        key=f"college-{college.id}",
        vertical_alignment=ft.CrossAxisAlignment.START,
    )


# --- onboarding: colleges and their supervisors (issue 11) ---------------------------------------------------------


def colleges_admin_view(vm: CollegesAdminViewModel, locale: Locale) -> ft.Control:
    # Keyed, part by part and college by college: the notice, a form opening or a college added above leaves the
    # cards and buttons below their control ids, so a tap aimed at one college cannot reach the next.
    controls = keyed("top", screen_header(t("colleges_manage", locale), locale, vm.load))
    if vm.state == LoadState.FAILED:
        controls += keyed("load-error", [error_with_retry(vm, locale)])
        return ft.Column(controls, spacing=12)
    if vm.state != LoadState.READY:
        controls += keyed("loading", [loading(locale)])
        return ft.Column(controls, spacing=12)
    if vm.notice:
        controls.append(ft.Semantics(live_region=True, content=ft.Text(vm.notice, color=ft.Colors.PRIMARY),
                                     key="notice"))
    form = vm.form
    created = next((c for c in vm.colleges if c.id == vm.just_created), None)
    if form is not None and form.college_id is None:
        controls += keyed("college-form-new", [_college_form(vm, form, locale)])
    elif created is not None and vm.naming_for == created.id:
        controls.append(ft.Card(key=f"naming-{created.id}", content=ft.Container(padding=12, content=ft.Column(
            [heading(t("name_supervisor", locale), size=16), ft.Text(created.name(locale)),
             _supervisor_form(vm, locale)],
            spacing=8))))
    else:
        controls.append(ft.Row([ft.FilledButton(t("college_new", locale), icon=ft.Icons.ADD,
                                                disabled=form is not None, on_click=vm.start_new)],
                               key="college-new"))
    controls += _admin_invites_panel(vm, locale)
    if not vm.colleges:
        controls += keyed("empty", [empty(t("admin_empty", locale))])
    else:
        controls += _colleges_search(vm, locale)
    shown = vm.shown_colleges
    if form is not None and form.college_id is not None and all(c.id != form.college_id for c in shown):
        # The college being edited stays on screen whatever is typed: its form holds unsaved changes.
        shown = [c for c in vm.colleges if c.id == form.college_id] + shown
    for college in shown:
        if form is not None and form.college_id == college.id:
            controls += keyed(f"college-form-{college.id}", [_college_form(vm, form, locale)])
        else:
            controls.append(_admin_college_card(vm, college, locale))
    return ft.Column(controls, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def _colleges_search(vm: CollegesAdminViewModel, locale: Locale) -> list[ft.Control]:
    """The search by name, code or province over the loaded list, and how many it shows (ux21 finding 3)."""
    def typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_query(e.control.value)

    controls: list[ft.Control] = [TypedField(key="college-search", label=t("college_search", locale),
                                             value=vm.query, prefix_icon=ft.Icons.SEARCH, on_change=typed)]
    if vm.searching:
        count = len(vm.shown_colleges)
        controls += keyed("college-search-count", [muted(
            t("colleges_shown", locale, shown=count, total=len(vm.colleges)) if count
            else t("college_no_match", locale, query=vm.query.strip()))])
    return controls


def _admin_college_card(vm: CollegesAdminViewModel, college: AdminCollege, locale: Locale) -> ft.Control:
    """One compact row a college: name, then province and counts (a tap opens the rest); opened, its code, reach and
    supervisors, its invitations and its buttons. The code is for the admin's records, not the list's second line."""
    async def edit(_: object = None, college_id: UUID = college.id) -> None:
        vm.start_edit(college_id)

    async def name(_: object = None, college_id: UUID = college.id) -> None:
        vm.start_naming(college_id)

    async def toggle(_: object = None, college_id: UUID = college.id) -> None:  # Flet passes the event first
        vm.toggle_college(college_id)

    opened = vm.is_open(college.id)
    counts = t("college_row_counts", locale, province=college.province(locale), students=college.students,
               supervisors=len(college.supervisors))
    if not college.is_active:
        counts += f" · {t('college_inactive', locale)}"
    summary = ft.Semantics(
        button=True,
        label=t("college_hide" if opened else "college_open", locale, name=college.name(locale)),
        content=ft.Container(
            on_click=toggle, ink=True, border_radius=8, padding=ft.Padding.symmetric(vertical=4),
            content=ft.Row(
                [
                    ft.Icon(ft.Icons.SCHOOL, color=ft.Colors.PRIMARY if college.is_active else ft.Colors.OUTLINE),
                    ft.Column([ft.Text(college.name(locale), weight=ft.FontWeight.BOLD), muted(counts)],
                              spacing=0, expand=True),
                    ft.Icon(ft.Icons.EXPAND_LESS if opened else ft.Icons.EXPAND_MORE,
                            color=ft.Colors.ON_SURFACE_VARIANT),
                ],
                vertical_alignment=ft.CrossAxisAlignment.CENTER,
            ),
        ),
    )
    lines: list[ft.Control] = [summary]
    if opened:
        supervisors = ", ".join(s.display_name or (s.phone or "") for s in college.supervisors)
        lines += keyed(f"detail-{college.id}", [
            ft.Text(f"{college.code} · {t('service_radius', locale, km=format_km(college.service_radius_km))}",
                    size=12, color=ft.Colors.ON_SURFACE_VARIANT),
            ft.Text(t("college_supervisors", locale, names=supervisors) if supervisors
                    else t("college_no_supervisors", locale)),
            muted(t("college_people", locale, students=college.students, invites=college.pending_invites)),
        ])
        lines += _invites_panel(vm, college, locale)
        if vm.naming_for == college.id and vm.just_created != college.id:
            lines.append(_supervisor_form(vm, locale))
        else:
            lines.append(ft.Row(
                [
                    ft.OutlinedButton(t("college_edit", locale), icon=ft.Icons.EDIT, disabled=vm.form is not None,
                                      on_click=edit),
                    ft.OutlinedButton(t("name_supervisor", locale), icon=ft.Icons.PERSON_ADD,
                                      disabled=not college.is_active, on_click=name),
                ],
                wrap=True,
                key=f"buttons-{college.id}",
            ))
    return ft.Card(key=f"college-{college.id}",
                   content=ft.Container(padding=ft.Padding.symmetric(horizontal=12, vertical=6),
                                        content=ft.Column(lines, spacing=6)))


def _invites_panel(vm: CollegesAdminViewModel, college: AdminCollege, locale: Locale) -> list[ft.Control]:
    """The college's invitations not yet taken up, shown on asking: who, until when, and Withdraw. Keyed, so the
    card's buttons below keep their ids when the list opens."""
    shown = vm.invites_shown_for(college.id)
    label = t("invites_hide" if shown else "invites_show", locale, name=college.name(locale))
    return keyed(f"invites-{college.id}", _invites_list(vm, college.id, label, shown, locale))


def _admin_invites_panel(vm: CollegesAdminViewModel, locale: Locale) -> list[ft.Control]:
    """The invitations at no college (to be an admin, sent by the operator), shown on asking as a college's are."""
    shown = vm.invites_shown_for(None)
    label = t("admin_invites_hide" if shown else "admin_invites_show", locale)
    return keyed("invites-admins", _invites_list(vm, None, label, shown, locale))


def _invites_list(vm: CollegesAdminViewModel, college_id: UUID | None, label: str, shown: bool,
                  locale: Locale) -> list[ft.Control]:
    async def toggle(_: object = None) -> None:  # the event comes first
        await vm.toggle_invites(college_id)

    controls: list[ft.Control] = [
        ft.TextButton(label, icon=ft.Icons.EXPAND_LESS if shown else ft.Icons.EXPAND_MORE, on_click=toggle)]
    if shown:
        controls += [invite_row(vm, invite, locale) for invite in vm.invites] or [
            muted(t("invites_none", locale))]
    return controls


def _supervisor_form(vm: CollegesAdminViewModel, locale: Locale) -> ft.Control:
    def phone_typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_supervisor_phone(e.control.value)

    def name_typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_supervisor_name(e.control.value)

    # Read again at the tap: on a slow device a tap can be handled before the last keystrokes' changes.
    phone_field, name_field = ft.Ref[ft.TextField](), ft.Ref[ft.TextField]()

    async def name_supervisor(_: object = None) -> None:  # the event comes first
        if phone_field.current is not None and phone_field.current.value is not None:
            vm.set_supervisor_phone(phone_field.current.value)
        if name_field.current is not None and name_field.current.value is not None:
            vm.set_supervisor_name(name_field.current.value)
        await vm.name_supervisor()

    controls: list[ft.Control] = [
        TypedField(ref=phone_field, label=t("supervisor_phone", locale), hint_text=t("phone_hint", locale),
                     value=vm.supervisor_phone, keyboard_type=ft.KeyboardType.PHONE, prefix_icon=ft.Icons.PHONE,
                     read_only=vm.naming, on_change=phone_typed, on_submit=name_supervisor),
        TypedField(ref=name_field, label=t("supervisor_name", locale), value=vm.supervisor_name, read_only=vm.naming,
                     capitalization=ft.TextCapitalization.WORDS, on_change=name_typed),
    ]
    # Keyed: the error and the progress bar come and go above the buttons, which keep their ids.
    if vm.naming_error:
        controls.append(error_message(vm.naming_error, key="naming-error"))
    if vm.naming:
        controls.append(ft.ProgressBar(key="naming-progress"))
    controls.append(ft.Row(
        key="naming-buttons",
        controls=[
            ft.FilledButton(t("name_supervisor", locale), icon=ft.Icons.PERSON_ADD, disabled=vm.naming,
                            on_click=name_supervisor),
            ft.TextButton(t("account_cancel", locale), disabled=vm.naming, on_click=vm.cancel_naming),
        ],
        wrap=True,
    ))
    return ft.Column(controls, spacing=8)


def _college_form(vm: CollegesAdminViewModel, form: CollegeForm, locale: Locale) -> ft.Control:
    # Read again at the save tap: on a slow device a tap can be handled before the last keystrokes' changes.
    fields: dict[str, ft.Ref[ft.TextField]] = {}

    async def save(_: object = None) -> None:  # the event comes first
        for name, ref in fields.items():
            if ref.current is not None and ref.current.value is not None:
                vm.set_value(name, ref.current.value)
        await vm.save()

    def field(name: str, label_key: str, *, number: bool = False) -> ft.Control:
        def typed(e: ft.Event[ft.TextField]) -> None:
            vm.set_value(name, e.control.value)

        fields[name] = ft.Ref[ft.TextField]()
        return TypedField(
            ref=fields[name],
            key=f"college-{name}",
            label=t(label_key, locale),
            value=form.values[name],
            error=vm.field_error(name),
            error_max_lines=2,
            keyboard_type=ft.KeyboardType.NUMBER if number else ft.KeyboardType.TEXT,
            capitalization=ft.TextCapitalization.CHARACTERS if name == "code" else ft.TextCapitalization.NONE,
            read_only=form.saving,
            on_change=typed,
        )

    def region_chosen(e: ft.Event[ft.Dropdown]) -> None:
        vm.set_region(str(e.control.value))

    controls: list[ft.Control] = [
        heading(t("college_new" if form.college_id is None else "college_edit", locale), size=16),
        field("code", "college_code"),
        field("name_th", "college_name_th"),
        field("name_en", "college_name_en"),
        field("province_th", "college_province_th"),
        field("province_en", "college_province_en"),
        ft.Dropdown(
            label=t("college_region", locale),
            value=form.values["region"],
            options=[ft.DropdownOption(key=r, text=t(f"region_{r}", locale)) for r in REGIONS],
            disabled=form.saving,
            on_select=region_chosen,
        ),
        ft.Row([ft.Container(field("lat", "college_lat", number=True), expand=True),
                ft.Container(field("lon", "college_lon", number=True), expand=True)]),
        field("service_radius_km", "college_radius", number=True),
        labelled_toggle(ft.Switch(value=form.is_active, disabled=form.saving), t("college_active", locale),
                        vm.set_active),
    ]
    # Keyed: the error and the progress bar come and go above the buttons, which keep their ids.
    if vm.form_error:
        controls.append(error_message(vm.form_error, key="form-error"))
    if form.saving:
        controls.append(ft.ProgressBar(key="form-progress"))
    controls.append(ft.Row(
        key="form-buttons",
        controls=[
            ft.FilledButton(t("college_save", locale), icon=ft.Icons.SAVE, disabled=form.saving, on_click=save),
            ft.TextButton(t("account_cancel", locale), disabled=form.saving, on_click=vm.cancel_edit),
        ],
        wrap=True,
    ))
    return ft.Card(content=ft.Container(padding=12, content=ft.Column(controls, spacing=10)))
