"""The job record and the student's credit on screen (issue 14): the record panel a request's screen includes in one
line (`record_panel`), the student's portfolio and the teacher's college view."""

from uuid import UUID

import flet as ft

from mobile.models import JobPart
from mobile.viewmodels.app import AppViewModel, Screen
from mobile.viewmodels.credit import (
    CollegeCreditViewModel,
    PortfolioViewModel,
    RecordPanel,
    StudentLevelsScreen,
    hours_text,
    outcome_label,
    part_state,
    role_label,
)
from mobile.viewmodels.loadable import LoadState
from mobile.views.common import (
    confirm_panel,
    empty,
    error_message,
    error_with_retry,
    heading,
    keyed,
    loading,
    muted,
    question,
    screen_header,
)
from mobile.views.paging import more_controls
from mobile.views.typed_field import TypedField
from shared.credit import (
    FAULT_MAX,
    PART_NAME_MAX,
    PART_NOTE_MAX,
    TASK_MAX,
    PartStatus,
    TeamRole,
    format_baht,
)
from shared.reference import format_reference
from shared.statuses import RequestStatus
from shared.text import Locale, status_label, t


def _typed(field: ft.Ref[ft.TextField]) -> str | None:
    """What a field holds at the tap (None before it was drawn)."""
    return None if field.current is None else field.current.value


def _card(controls: list[ft.Control], key: str | None = None) -> ft.Control:
    return ft.Card(key=key, content=ft.Container(content=ft.Column(controls, spacing=10), padding=12))


def record_steps(panel: RecordPanel | None, locale: Locale) -> list[ft.Control]:
    """Under the job's steps: a high-risk job's hands-on steps, with the teacher named present."""
    if panel is None or panel.record is None:
        return []
    return _presence(panel, locale)


def record_panel(panel: RecordPanel | None, locale: Locale, *, with_steps: bool = True) -> list[ft.Control]:
    """The job record's part of a request's screen, for whoever looks at it (nothing until it has loaded).
    `with_steps=False` when the screen shows record_steps under its own steps."""
    if panel is None or panel.record is None:
        return []
    # Keyed, part by part: the notice or the error appearing on top leaves the cards below their ids (unkeyed, the
    # parts card would take over the outcome card's ids, and a tap aimed at one would reach the other).
    controls: list[ft.Control] = []
    if panel.notice:
        controls.append(ft.Semantics(live_region=True, content=ft.Text(panel.notice, weight=ft.FontWeight.W_600),
                                     key="record-notice"))
    if panel.action_error and not panel.asking:  # an open question shows its own refusal
        controls.append(error_message(panel.action_error, key="record-error"))
    if panel.is_owner:
        controls += keyed("record-owner", _owner(panel, locale))
    else:
        if with_steps:
            controls += keyed("record-presence", _presence(panel, locale))
        controls += keyed("record-parts", _parts(panel, locale))
        controls += keyed("record-outcome", _outcome(panel, locale))
        controls += keyed("record-hand-back", _hand_back(panel, locale))
        controls += keyed("record-waiting-round", _waiting_round(panel, locale))
        controls += keyed("record-team", _team(panel, locale))
    if panel.sending and not panel.asking:  # an open question shows its own progress
        controls.append(ft.ProgressBar(key="record-progress"))
    return controls


# --- the owner -------------------------------------------------------------------------------------------------

def _owner(panel: RecordPanel, locale: Locale) -> list[ft.Control]:
    # Each waiting part's line and buttons keyed by the part: one decided and gone leaves the next one's buttons
    # their own ids (paired by place, a tap on "approve" aimed at one part could approve the next).
    lines: list[ft.Control] = []
    waiting = panel.parts_waiting
    if waiting:
        lines.append(ft.Text(t("parts_waiting_title", locale), weight=ft.FontWeight.W_600, key="waiting-title"))
        for part in waiting:

            async def approve(_: object = None, part_id: UUID = part.id) -> None:  # Flet passes the event first
                panel.ask_part(part_id, True)

            async def decline(_: object = None, part_id: UUID = part.id) -> None:
                panel.ask_part(part_id, False)

            lines.append(ft.Text(_part_line(part, locale), key=f"{part.id}-line"))
            if panel.part_asked is not None and panel.part_asked[0] == part.id:
                lines.append(_part_question(panel, part, panel.part_asked[1], locale))
                continue
            lines.append(ft.Row([
                ft.FilledButton(t("part_approve", locale), disabled=panel.sending, on_click=approve),
                ft.OutlinedButton(t("part_decline", locale), disabled=panel.sending, on_click=decline),
            ], wrap=True, key=f"{part.id}-decide"))
    # The parts they said yes to, each with its price, above their total: a total alone was a sum they could not
    # check (the repair record lists them too, but only once the student's report is in).
    approved = panel.parts_approved
    if approved:
        lines.append(ft.Text(t("parts_approved_title", locale), weight=ft.FontWeight.W_600, key="approved-title"))
        lines += [ft.Text(_part_line(part, locale), key=f"{part.id}-approved") for part in approved]
    if panel.parts_total:
        lines.append(ft.Text(t("record_parts_total", locale, total=format_baht(panel.parts_total)),
                             key="parts-total"))
    if panel.handover_confirmed:
        lines.append(ft.Text(t("handover_confirmed", locale), key="handover-confirmed"))
    elif panel.can_confirm_handover:
        ready = muted(t("handover_ready", locale))
        ready.key = "handover-ready"
        lines.append(ready)
        if panel.handover_asked:
            lines.append(_handover_question(panel, locale))
        else:
            lines.append(_handover_buttons(panel, locale))
        if panel.handover_code:
            lines.append(ft.Text(panel.handover_code, size=28, weight=ft.FontWeight.BOLD, selectable=True,
                                 key="handover-code"))
    if not lines:
        return []
    return [_card([heading(t("record_title", locale), size=18), *lines])]


def _part_question(panel: RecordPanel, part: JobPart, approve: bool, locale: Locale) -> ft.Control:
    """In place of a waiting part's two buttons once one was tapped: the question naming the part and its price,
    what the answer does, and the app's confirm step."""
    values = {"name": part.name, "total": format_baht(part.total_baht)}
    kind = "part_approve" if approve else "part_decline"

    async def send() -> None:
        await panel.decide_part(part.id, approve)

    async def back() -> None:
        panel.dismiss_question()

    asked = confirm_panel(
        question(t(f"{kind}_confirm_title", locale, **values), t(f"{kind}_confirm_body", locale)),
        error=panel.action_error,
        sending=panel.sending,
        sending_text=t("sending", locale),
        confirm=t(f"{kind}_confirm", locale),
        on_confirm=send,
        dismiss=t("confirm_go_back", locale),
        on_dismiss=back,
    )
    asked.key = f"{part.id}-question"  # not paired with the buttons' row it replaces
    return asked


def _withdraw(panel: RecordPanel, part: JobPart, locale: Locale) -> ft.Control:
    """A waiting part's "ถอนรายการ" for its student or the job's teacher; once tapped, in its place the question
    naming the part and its price (keyed by the part, apart from the button's row it replaces)."""
    async def ask(_: object = None) -> None:  # Flet passes the event first
        panel.ask_withdraw(part.id)

    async def send() -> None:
        await panel.withdraw_part(part.id)

    async def back() -> None:
        panel.dismiss_question()

    if panel.withdraw_asked != part.id:
        return ft.Row([ft.OutlinedButton(t("part_withdraw", locale), icon=ft.Icons.UNDO, disabled=panel.sending,
                                         on_click=ask)], key=f"{part.id}-withdraw")
    values = {"name": part.name, "total": format_baht(part.total_baht)}
    asked = confirm_panel(
        question(t("part_withdraw_confirm_title", locale, **values), t("part_withdraw_confirm_body", locale)),
        error=panel.action_error,
        sending=panel.sending,
        sending_text=t("sending", locale),
        confirm=t("part_withdraw_confirm", locale),
        on_confirm=send,
        dismiss=t("confirm_go_back", locale),
        on_dismiss=back,
    )
    asked.key = f"{part.id}-withdraw-question"
    return asked


def _handover_question(panel: RecordPanel, locale: Locale) -> ft.Control:
    async def back() -> None:
        panel.dismiss_question()

    asked = confirm_panel(
        question(t("handover_confirm_title", locale), t("handover_confirm_body", locale)),
        error=panel.action_error,
        sending=panel.sending,
        sending_text=t("sending", locale),
        confirm=t("handover_confirm_yes", locale),
        on_confirm=panel.confirm_handover,
        dismiss=t("handover_not_yet", locale),
        on_dismiss=back,
    )
    asked.key = "handover-question"
    return asked


def _handover_buttons(panel: RecordPanel, locale: Locale) -> ft.Control:
    async def ask() -> None:
        panel.ask_handover()

    return ft.Row(key="handover-buttons", controls=[
        ft.FilledButton(t("handover_confirm", locale), icon=ft.Icons.CHECK_CIRCLE, disabled=panel.sending,
                        on_click=ask),
        ft.OutlinedButton(t("handover_show_code", locale), disabled=panel.sending,
                          on_click=panel.show_handover_code),
    ], wrap=True)


def _part_line(part: JobPart, locale: Locale) -> str:
    return t("part_line", locale, name=part.name, qty=part.qty, total=format_baht(part.total_baht))


def _part_state(part: JobPart, locale: Locale) -> str:
    return part_state(part).in_(locale)


# --- the student and the teacher ----------------------------------------------------------------------------------

def _presence(panel: RecordPanel, locale: Locale) -> list[ft.Control]:
    steps = panel.presence_steps
    if not steps:
        return []

    def picked(e: ft.Event[ft.Dropdown]) -> None:
        panel.pick_teacher(e.control.value or "")

    lines: list[ft.Control] = [heading(t("teacher_present_title", locale), size=18)]
    if not panel.teachers:
        lines.append(muted(t("teacher_none", locale)))
    else:
        lines.append(ft.Dropdown(
            label=t("teacher_present", locale),
            value=None if panel.teacher_id is None else str(panel.teacher_id),
            options=[ft.DropdownOption(key=str(t.id), text=t.display_name) for t in panel.teachers],
            on_select=picked, disabled=panel.sending))
    buttons: list[ft.Control] = []
    for step in steps:

        async def go(_: object = None, step: RequestStatus = step) -> None:
            await panel.step_with_teacher(step)

        buttons.append(ft.FilledButton(t("teacher_step", locale, step=status_label(step, locale)), on_click=go,
                                       disabled=panel.sending or panel.teacher_id is None))
    lines.append(ft.Row(buttons, wrap=True))
    return [_card(lines)]


def _parts(panel: RecordPanel, locale: Locale) -> list[ft.Control]:
    if not panel.parts and not panel.can_edit_parts:
        return []
    # Each part's lines keyed by the part: a part proposed or approved leaves the lines below their ids.
    # Who sees this list and who pays, as the report's own list of parts says its own (ux21 finding 6).
    lines: list[ft.Control] = [heading(t("parts_title", locale), size=18), muted(t("parts_who", locale))]
    for part in panel.parts:
        lines.append(ft.Text(_part_line(part, locale), key=f"{part.id}-line"))
        state = muted(_part_state(part, locale))
        state.key = f"{part.id}-state"
        lines.append(state)
        if panel.can_withdraw(part):
            lines.append(_withdraw(panel, part, locale))
        if panel.can_edit_parts and part.status == PartStatus.PROPOSED:
            note = ft.Ref[ft.TextField]()

            def note_typed(e: ft.Event[ft.TextField], part_id: UUID = part.id) -> None:
                panel.set_phone_note(part_id, e.control.value)

            async def phoned(_: object = None, part_id: UUID = part.id, note: ft.Ref[ft.TextField] = note) -> None:
                await panel.record_phone_approval(part_id, _typed(note))

            lines.append(TypedField(ref=note, label=t("phone_note", locale), max_length=PART_NOTE_MAX,
                                      value=panel.phone_notes.get(part.id, ""), on_change=note_typed,
                                      read_only=panel.sending, key=f"{part.id}-note"))
            lines.append(ft.Row([ft.OutlinedButton(t("phone_approval", locale), icon=ft.Icons.PHONE,
                                                   disabled=panel.sending, on_click=phoned)], key=f"{part.id}-phoned"))
    if panel.parts_total:
        lines.append(ft.Text(t("record_parts_total", locale, total=format_baht(panel.parts_total)),
                             key="parts-total"))
    if panel.can_edit_parts:
        name, qty, price = ft.Ref[ft.TextField](), ft.Ref[ft.TextField](), ft.Ref[ft.TextField]()

        def name_typed(e: ft.Event[ft.TextField]) -> None:
            panel.set_part_name(e.control.value)

        def qty_typed(e: ft.Event[ft.TextField]) -> None:
            panel.set_part_qty(e.control.value)

        def price_typed(e: ft.Event[ft.TextField]) -> None:
            panel.set_part_price(e.control.value)

        async def propose() -> None:
            await panel.propose_part(_typed(name), _typed(qty), _typed(price))

        lines += [
            TypedField(ref=name, label=t("propose_part_name", locale), value=panel.part_name, key="propose-name",
                         max_length=PART_NAME_MAX, on_change=name_typed, read_only=panel.sending),
            ft.Row(key="propose-qty-price", controls=[
                TypedField(ref=qty, label=t("propose_part_qty", locale), value=panel.part_qty, width=100,
                             keyboard_type=ft.KeyboardType.NUMBER, on_change=qty_typed, read_only=panel.sending),
                TypedField(ref=price, label=t("propose_part_price", locale), value=panel.part_price,
                             expand=True, keyboard_type=ft.KeyboardType.NUMBER, on_change=price_typed,
                             read_only=panel.sending),
            ]),
            ft.Row([ft.FilledButton(t("propose_part", locale), icon=ft.Icons.ADD_SHOPPING_CART,
                                    disabled=panel.sending, on_click=propose)], key="propose"),
        ]
    return [_card(lines)]


def _outcome(panel: RecordPanel, locale: Locale) -> list[ft.Control]:
    record = panel.record
    if not panel.can_record_outcome:
        if record is None or record.outcome is None:
            return []
        text = t("outcome_current", locale, outcome=outcome_label(record.outcome.outcome, locale))
        lines: list[ft.Control] = [ft.Text(text)]
        if record.outcome.fault_found:
            lines.append(muted(record.outcome.fault_found))
        return lines

    def outcome_chosen(e: ft.Event[ft.Dropdown]) -> None:
        panel.set_outcome(e.control.value or "")

    def reason_chosen(e: ft.Event[ft.Dropdown]) -> None:
        panel.set_outcome_reason(e.control.value or "")

    def fault_typed(e: ft.Event[ft.TextField]) -> None:
        panel.set_fault(e.control.value)

    fault = ft.Ref[ft.TextField]()

    async def save() -> None:
        await panel.save_outcome(_typed(fault))

    lines = [
        heading(t("outcome_title", locale), size=18),
        ft.Dropdown(label=t("outcome_label", locale), value=panel.outcome,
                    options=[ft.DropdownOption(key=k, text=v) for k, v in panel.outcomes()],
                    on_select=outcome_chosen, disabled=panel.sending),
    ]
    # Keyed: the reason's picker appears above the fault and "save" when the outcome needs one; they keep their ids
    # (and the fault field its text and focus).
    if panel.outcome_needs_reason:
        lines.append(ft.Dropdown(label=t("outcome_reason", locale), value=panel.outcome_reason,
                                 options=[ft.DropdownOption(key=k, text=v) for k, v in panel.reasons()],
                                 on_select=reason_chosen, disabled=panel.sending, key="outcome-reason"))
    lines += [
        TypedField(ref=fault, label=t("outcome_fault", locale), value=panel.fault, multiline=True,
                     max_length=FAULT_MAX, on_change=fault_typed, read_only=panel.sending, key="outcome-fault"),
        ft.Row([ft.FilledButton(t("outcome_save", locale), disabled=panel.sending or panel.outcome is None,
                                on_click=save)], key="outcome-save"),
    ]
    return [_card(lines)]


def _hand_back(panel: RecordPanel, locale: Locale) -> list[ft.Control]:
    if not panel.can_hand_back:
        return []
    code = ft.Ref[ft.TextField]()

    def code_typed(e: ft.Event[ft.TextField]) -> None:
        panel.set_hand_back_code(e.control.value)

    async def hand_back() -> None:
        await panel.hand_back(_typed(code))

    lines: list[ft.Control] = [heading(t("hand_back_title", locale), size=18)]
    if panel.handover_confirmed:
        lines.append(ft.Text(t("hand_back_owner_confirmed", locale)))
    else:
        lines.append(TypedField(ref=code, label=t("hand_back_code", locale), value=panel.hand_back_code,
                                  max_length=6, keyboard_type=ft.KeyboardType.NUMBER, on_change=code_typed,
                                  read_only=panel.sending))
    lines.append(ft.Row([ft.FilledButton(t("hand_back", locale), icon=ft.Icons.HANDSHAKE, disabled=panel.sending,
                                         on_click=hand_back)]))
    return [_card(lines)]


def _team(panel: RecordPanel, locale: Locale) -> list[ft.Control]:
    record = panel.record
    if record is None or not (record.team or panel.can_add_helper or panel.round_note):
        return []
    # Keyed, member by member: the round's note, a helper added or hours approved leave the fields and buttons
    # below their ids.
    lines: list[ft.Control] = [heading(t("team_title", locale), size=18)]
    if panel.round_note:
        note = muted(panel.round_note)
        note.key = "round-note"
        lines.append(note)
    approving = panel.can_approve_hours
    fields: dict[UUID, ft.Ref[ft.TextField]] = {}
    for member in record.team:
        member_key = f"member-{member.technician_id}"
        if member.approved_hours is not None:
            lines.append(ft.Text(t("team_line_approved", locale, name=member.display_name,
                                   role=role_label(member.role, locale), hours=hours_text(member.approved_hours)),
                                 key=member_key))
            continue
        reported = panel.reported_hours(member)
        lines += _member_hours(panel, member.technician_id, member.display_name, member.role, reported, member_key,
                               fields if approving else None, locale)
    if approving:

        async def approve() -> None:
            await panel.approve_hours({k: v for k, r in fields.items() if (v := _typed(r)) is not None})

        lines.append(ft.Row([ft.FilledButton(t("approve_hours", locale), icon=ft.Icons.VERIFIED,
                                             disabled=panel.sending, on_click=approve)], key="approve-hours"))
    if panel.can_add_helper and panel.helper_choices:
        if panel.helper_open:
            lines += keyed("add-helper", _add_helper(panel, locale))
        else:
            lines.append(ft.Row([ft.OutlinedButton(t("add_helper", locale), icon=ft.Icons.GROUP_ADD,
                                                   on_click=panel.open_helper)], key="open-helper"))
    return [_card(lines)]


def _member_hours(panel: RecordPanel, member_id: UUID, name: str, team_role: str, reported: float | None,
                  member_key: str, fields: dict[UUID, ft.Ref[ft.TextField]] | None, locale: Locale) -> list[ft.Control]:
    """One team member's line (their reported hours, or that none are), and with `fields` (the teacher approving)
    the field for the hours credited to them, kept in `fields` by member."""
    role = role_label(team_role, locale)
    lines: list[ft.Control] = []
    if reported is None:
        lines.append(ft.Text(f"{name} · {role} · {t('hours_not_reported', locale)}", key=member_key))
    else:
        lines.append(ft.Text(t("team_line", locale, name=name, role=role, hours=hours_text(reported)), key=member_key))
    if fields is not None:
        ref = fields[member_id] = ft.Ref[ft.TextField]()

        def typed(e: ft.Event[ft.TextField]) -> None:
            panel.set_hours_edit(member_id, e.control.value)

        label = "approve_hours_for_helper" if team_role == TeamRole.HELPER else "approve_hours_for"
        typed_so_far = panel.hours_edits.get(member_id, "" if reported is None else hours_text(reported))
        lines.append(TypedField(ref=ref, label=t(label, locale, name=name), value=typed_so_far,
                                keyboard_type=ft.KeyboardType.NUMBER, on_change=typed, read_only=panel.sending,
                                key=f"{member_key}-hours"))
    return lines


def _waiting_round(panel: RecordPanel, locale: Locale) -> list[ft.Control]:
    """For the teacher: the round its owner reopened before its hours were approved, with its team's hours to
    approve (POST .../credit/approve?round=N, whatever the job's status now). Keyed member by member."""
    waiting = panel.waiting_round
    if waiting is None:
        return []
    approving = panel.can_approve_waiting
    fields: dict[UUID, ft.Ref[ft.TextField]] = {}
    lines: list[ft.Control] = [heading(t("waiting_round_title", locale, round=waiting.round), size=18),
                               muted(t("waiting_round_note", locale))]
    for member in waiting.team:
        member_key = f"waiting-{member.technician_id}"
        lines += _member_hours(panel, member.technician_id, member.display_name, member.role, member.hours,
                               member_key, fields if approving else None, locale)
    if approving:

        async def approve() -> None:
            await panel.approve_hours({k: v for k, r in fields.items() if (v := _typed(r)) is not None},
                                      round_=waiting.round)

        lines.append(ft.Row([ft.FilledButton(t("approve_hours", locale), icon=ft.Icons.VERIFIED,
                                             disabled=panel.sending, on_click=approve)],
                            key="approve-waiting-hours"))
    return [_card(lines)]


def _add_helper(panel: RecordPanel, locale: Locale) -> list[ft.Control]:
    task = ft.Ref[ft.TextField]()

    def picked(e: ft.Event[ft.Dropdown]) -> None:
        panel.pick_helper(e.control.value or "")

    def task_typed(e: ft.Event[ft.TextField]) -> None:
        panel.set_helper_task(e.control.value)

    async def add() -> None:
        await panel.add_helper(_typed(task))

    chosen = next((s.display_name for s in panel.helper_choices if s.id == panel.helper_id), "")
    return [
        # Flet's Dropdown reaches the semantics tree as a button with no name: the label names it (as job.named).
        ft.Semantics(label=t("helper_pick", locale), value=chosen or None, content=ft.Dropdown(
            label=t("helper_pick", locale), value=None if panel.helper_id is None else str(panel.helper_id),
            options=[ft.DropdownOption(key=str(s.id), text=s.display_name) for s in panel.helper_choices],
            on_select=picked, disabled=panel.sending)),
        TypedField(ref=task, label=t("helper_task", locale), value=panel.helper_task, max_length=TASK_MAX,
                     on_change=task_typed, read_only=panel.sending),
        ft.Row([ft.FilledButton(t("add_helper_confirm", locale), icon=ft.Icons.GROUP_ADD,
                                disabled=panel.sending or panel.helper_id is None, on_click=add),
                ft.TextButton(t("close_panel", locale), disabled=panel.sending, on_click=panel.close_helper)],
               wrap=True),
    ]


# --- the student's portfolio ------------------------------------------------------------------------------------

def _term_picker(vm: PortfolioViewModel, locale: Locale) -> list[ft.Control]:
    """The terms the student has work in, the one shown chosen: picked, not typed as "2569-2" (a typo was a round
    trip and a refusal; ux21 finding 11). Named for screen readers (a Dropdown's floating label is not in the
    semantics tree)."""
    terms = vm.terms
    if not terms:
        return []

    async def picked(e: ft.Event[ft.Dropdown]) -> None:
        if e.control.value:
            await vm.show_term(e.control.value)

    label = t("portfolio_term", locale)
    shown = vm.term_text(vm.term) if vm.term is not None else None
    return [ft.Semantics(label=label, value=shown, content=ft.Dropdown(
        label=label, value=vm.term, options=[ft.DropdownOption(key=term, text=vm.term_text(term)) for term in terms],
        on_select=picked, width=240))]


def portfolio_view(vm: PortfolioViewModel, locale: Locale) -> ft.Control:
    # Keyed, part by part and job by job: an error, the notice, the progress or another term's jobs leave the
    # buttons below their control ids, so a tap aimed at one job's "save" cannot reach another's.
    controls = keyed("top", screen_header(t("portfolio_title", locale), locale, vm.load))
    if vm.state == LoadState.FAILED:
        controls += keyed("load-error", [error_with_retry(vm, locale)])
    elif vm.portfolio is None:
        controls += keyed("loading", [loading(locale)])
    controls += keyed("term", _term_picker(vm, locale))
    if vm.notice:
        controls.append(ft.Semantics(live_region=True, content=ft.Text(vm.notice), key="notice"))
    folio = vm.portfolio
    if folio is not None:
        controls.append(ft.Text(t("portfolio_total", locale, jobs=folio.job_count, hours=f"{folio.hours:g}"),
                                weight=ft.FontWeight.W_600, key="total"))
        if not folio.jobs:
            controls += keyed("jobs-empty", [empty(t("portfolio_none", locale))])
        for job in folio.jobs:
            category = job.category_th if locale == Locale.TH else job.category_en
            lines: list[ft.Control] = [
                ft.Text(t("portfolio_job", locale, item=job.item, category=category), weight=ft.FontWeight.W_600),
                ft.Text(t("portfolio_job_line", locale, role=role_label(job.role, locale), hours=f"{job.hours:g}",
                           outcome=outcome_label(job.outcome or "fixed", locale))),
            ]
            if job.approved_by:
                lines.append(muted(t("portfolio_job_teacher", locale, name=job.approved_by)))
            if job.round > 1:
                lines.append(muted(t("portfolio_job_round", locale, round=job.round)))
            # A job's approved rounds are rows of their own (one per round for each student).
            controls.append(_card(lines, key=f"job-{job.request_id}-{job.round}"))
        if folio.jobs:  # a term with no approved job has nothing to print or verify (the backend says 409)
            controls.append(ft.Row([ft.FilledButton(t("portfolio_pdf", locale), icon=ft.Icons.PICTURE_AS_PDF,
                                                    disabled=vm.downloading, on_click=vm.download_pdf)], key="pdf"))
        if vm.downloading:
            controls.append(ft.ProgressBar(key="pdf-progress"))
        controls += _helping(vm, locale)
        controls += keyed("levels", _levels(vm.level_lines(), locale))
    return ft.Column(controls, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def _helping(vm: PortfolioViewModel, locale: Locale) -> list[ft.Control]:
    """The jobs the student helps on: each helper reports their own hours there (the lead's are their report's)."""
    controls: list[ft.Control] = keyed("team-jobs-title", [heading(t("team_jobs_title", locale), size=18)])
    if not vm.team_jobs:
        controls += keyed("team-jobs-none", [muted(t("team_jobs_none", locale))])
    for job in vm.team_jobs:
        category = job.category_th if locale == Locale.TH else job.category_en
        lines: list[ft.Control] = [
            ft.Text(t("portfolio_job", locale, item=job.item, category=category), weight=ft.FontWeight.W_600),
            muted(t("team_job_lead", locale, name=job.lead_name or "-",
                    status=vm.status_text(job))),
        ]
        key = f"team-job-{job.request_id}"  # by the job: one approved above leaves the others' "save" their ids
        if job.approved_hours is not None:
            lines.append(ft.Text(t("team_job_approved", locale, hours=hours_text(job.approved_hours))))
            controls.append(_card(lines, key=key))
            continue
        if (refused := vm.hours_refusal(job)) is not None:  # no form where the backend would refuse the hours
            if job.hours is not None:
                lines.append(ft.Text(t("team_job_reported", locale, hours=hours_text(job.hours))))
            lines.append(muted(refused.in_(locale)))
            controls.append(_card(lines, key=key))
            continue
        hours, task = ft.Ref[ft.TextField](), ft.Ref[ft.TextField]()

        def hours_typed(e: ft.Event[ft.TextField], request_id: UUID = job.request_id) -> None:
            vm.set_hours_input(request_id, e.control.value)

        def task_typed(e: ft.Event[ft.TextField], request_id: UUID = job.request_id) -> None:
            vm.set_task_input(request_id, e.control.value)

        async def save(_: object = None, request_id: UUID = job.request_id,  # Flet passes the event first
                       hours: ft.Ref[ft.TextField] = hours, task: ft.Ref[ft.TextField] = task) -> None:
            await vm.save_my_hours(request_id, _typed(hours), _typed(task))

        busy = vm.saving_hours is not None
        lines += [
            TypedField(ref=hours, label=t("my_hours", locale), value=vm.hours_input(job),
                         keyboard_type=ft.KeyboardType.NUMBER, on_change=hours_typed, read_only=busy),
            TypedField(ref=task, label=t("my_task", locale), value=vm.task_input(job), max_length=TASK_MAX,
                         on_change=task_typed, read_only=busy),
            ft.Row([ft.FilledButton(t("my_hours_save", locale), icon=ft.Icons.SAVE, disabled=busy,
                                    on_click=save)]),
        ]
        controls.append(_card(lines, key=key))
    return controls + more_controls(vm.team_pages, locale, vm.load_more_team_jobs, key="team-jobs")


def _levels(lines: list[str], locale: Locale) -> list[ft.Control]:
    controls: list[ft.Control] = [heading(t("levels_title", locale), size=18)]
    if not lines:
        controls.append(muted(t("levels_none", locale)))
    controls += [ft.Text(line) for line in lines]
    return controls


def level_history_toggle(vm: StudentLevelsScreen, student_id: UUID, name: str, locale: Locale) -> list[ft.Control]:
    """Under a student's row on a teacher's screen: a button that shows (or hides) their level history, compact."""

    async def levels(_: object = None) -> None:  # Flet passes the event first
        await vm.toggle_levels(student_id)

    shown = vm.levels_of == student_id
    label = t("levels_hide", locale) if shown else t("levels_show", locale, name=name)
    # Keyed by the student: one student's history opening leaves the rows below their ids.
    controls: list[ft.Control] = [ft.Row([ft.TextButton(label, icon=ft.Icons.HISTORY, on_click=levels)],
                                         key=f"levels-{student_id}")]
    if shown:
        controls.append(_card(_levels(vm.level_lines(), locale), key=f"levels-{student_id}-shown"))
    return controls


# --- the teacher's college view --------------------------------------------------------------------------------

def college_credit_view(vm: CollegeCreditViewModel, locale: Locale) -> ft.Control:
    # Keyed, part by part, proposal by proposal and student by student: a proposal decided and gone leaves the
    # next one's buttons their own ids (paired by place, a tap on "confirm" could confirm the one below).
    view = vm.view
    controls = keyed("top", screen_header(t("credit_title", locale, term=view.term if view else ""), locale,
                                          vm.load))
    if vm.state == LoadState.FAILED:
        controls += keyed("load-error", [error_with_retry(vm, locale)])
    elif view is None:
        controls += keyed("loading", [loading(locale)])
    if vm.notice:
        controls.append(ft.Semantics(live_region=True, content=ft.Text(vm.notice), key="notice"))
    if view is None:
        return ft.Column(controls, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    controls += keyed("proposals-title", [heading(t("proposals_title", locale), size=18)])
    if not vm.proposals:
        controls += keyed("proposals-none", [muted(t("proposals_none", locale))])
    for proposal in vm.proposals:

        async def confirm(_: object = None, proposal_id: UUID = proposal.id) -> None:
            await vm.decide(proposal_id, True)

        async def decline(_: object = None, proposal_id: UUID = proposal.id) -> None:
            await vm.decide(proposal_id, False)

        busy = vm.deciding is not None
        controls.append(_card([
            ft.Text(t("proposal_line", locale, name=proposal.display_name, skill=vm.skill_name(proposal.skill_code),
                       from_level=proposal.from_level, to_level=proposal.to_level, jobs=proposal.jobs)),
            ft.Row([ft.FilledButton(t("proposal_confirm", locale), disabled=busy, on_click=confirm),
                    ft.OutlinedButton(t("proposal_decline", locale), disabled=busy, on_click=decline)], wrap=True),
        ], key=f"proposal-{proposal.id}"))
    controls += keyed("hours-waiting", _hours_waiting(vm, locale))
    controls += keyed("students-title", [heading(t("credit_open", locale), size=18)])
    for student in view.students:
        state = t("credit_meets" if student.meets_target else "credit_below", locale)
        controls.append(ft.Text(t("credit_student", locale, name=student.display_name, hours=f"{student.hours:g}",
                                   target=f"{student.target:g}", jobs=student.jobs) + f" · {state}",
                                key=f"student-{student.id}"))

        controls += level_history_toggle(vm, student.id, student.display_name, locale)
    controls += keyed("settings", _settings(vm, locale))
    controls += keyed("without-jobs-title", [heading(t("credit_without_jobs", locale), size=18)])
    if not view.students_without_jobs:
        controls += keyed("without-jobs-none", [muted(t("credit_none_without", locale))])
    for person in view.students_without_jobs:
        controls.append(ft.Text(person.display_name, key=f"without-jobs-{person.id}"))
    controls += keyed("lacking-title", [heading(t("credit_lacking", locale), size=18)])
    if not view.skills_lacking:
        controls += keyed("lacking-none", [muted(t("credit_none_lacking", locale))])
    for lack in view.skills_lacking:
        skills = ", ".join(f"{vm.skill_name(s.skill_code)} ≥ {s.level}" for s in lack.skills)
        controls.append(ft.Text(t("credit_lacking_line", locale, category=vm.category_name(lack.category_code),
                                   requests=lack.requests, skills=skills), key=f"lacking-{lack.category_code}"))
    return ft.Column(controls, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def _hours_waiting(vm: CollegeCreditViewModel, locale: Locale) -> list[ft.Control]:
    """The college's rounds whose hours wait for the teacher's approval, a card per round (keyed by job and round:
    one approved and gone leaves the next one's button its own id), each approved as its team reported it. A job
    that moved on to another college is approved only from here (its record is that college's now)."""
    controls: list[ft.Control] = [heading(t("hours_waiting_title", locale), size=18)]
    if not vm.hours_waiting:
        controls.append(muted(t("hours_waiting_none", locale)))
    busy = vm.approving is not None or vm.deciding is not None
    for waiting in vm.hours_waiting:
        lines: list[ft.Control] = [ft.Text(t("hours_waiting_line", locale, ref=format_reference(waiting.ref_no),
                                               item=waiting.item, round=waiting.round), weight=ft.FontWeight.BOLD)]
        if waiting.moved_on:
            lines.append(muted(t("hours_waiting_moved_on", locale)))
        elif waiting.ended:
            lines.append(muted(t("hours_waiting_reopened", locale)))
        for member in waiting.team:
            role = role_label(member.role, locale)
            lines.append(ft.Text(
                f"{member.display_name} · {role} · {t('hours_not_reported', locale)}" if member.hours is None
                else t("team_line", locale, name=member.display_name, role=role, hours=hours_text(member.hours))))

        async def approve(_: object = None, request_id: UUID = waiting.request_id, round_: int = waiting.round
                          ) -> None:  # Flet passes the event first
            await vm.approve_waiting(request_id, round_)

        lines.append(ft.Row([ft.FilledButton(t("approve_hours", locale), icon=ft.Icons.VERIFIED, disabled=busy,
                                             on_click=approve)]))
        controls.append(_card(lines, key=f"hours-waiting-{waiting.request_id}-{waiting.round}"))
    # The list comes a page at a time: how many more wait, and the next page (a failed one says why above it).
    return controls + more_controls(vm.hours_pages, locale, vm.load_more_hours_waiting, key="hours-waiting",
                                    show_more_key="hours_waiting_show_more", disabled=busy)


def _settings(vm: CollegeCreditViewModel, locale: Locale) -> list[ft.Control]:
    jobs, target = ft.Ref[ft.TextField](), ft.Ref[ft.TextField]()

    def jobs_typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_jobs_input(e.control.value)

    def target_typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_target_input(e.control.value)

    async def save() -> None:
        await vm.save_settings(_typed(jobs), _typed(target))

    return [_card([
        heading(t("settings_title", locale), size=18),
        TypedField(ref=jobs, label=t("settings_jobs", locale), value=vm.jobs_input,
                     keyboard_type=ft.KeyboardType.NUMBER, on_change=jobs_typed, read_only=vm.saving),
        TypedField(ref=target, label=t("settings_target", locale), value=vm.target_input,
                     keyboard_type=ft.KeyboardType.NUMBER, on_change=target_typed, read_only=vm.saving),
        ft.Row([ft.OutlinedButton(t("settings_save", locale), disabled=vm.saving, on_click=save)]),
    ])]


# --- where the app shows them --------------------------------------------------------------------------------------

def credit_screen(vm: AppViewModel, locale: Locale) -> ft.Control | None:
    """The screen of issue 14 that shows now, if any."""
    if vm.screen == Screen.PORTFOLIO and vm.portfolio is not None:
        return portfolio_view(vm.portfolio, locale)
    if vm.screen == Screen.COLLEGE_CREDIT and vm.college_credit is not None:
        return college_credit_view(vm.college_credit, locale)
    return None
