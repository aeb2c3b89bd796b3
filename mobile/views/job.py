"""A job: the student's working screen, or the supervisor's review of it (same view-model, steps per role)."""

import flet as ft

from mobile.device import Device
from mobile.formatting import format_phone
from mobile.models import WorkDetail
from mobile.photo_picking import PhotoPicker
from mobile.viewmodels.credit import RecordPanel
from mobile.viewmodels.job import JobViewModel, Step
from mobile.views.common import confirm_panel, error_message, heading, icon_button, keyed, loading, muted, screen_header
from mobile.views.credit import record_panel, record_steps
from mobile.views.photos import thumbnail_row
from mobile.views.request_parts import PHOTO_KINDS, notice, photo_thumbnails, screen_top, summary_head, timeline
from mobile.views.typed_field import TypedField
from shared.credit import format_baht
from shared.photos import MAX_PHOTOS_PER_REQUEST
from shared.statuses import RequestStatus
from shared.text import Locale, t
from shared.work import NOTES_MAX, STEP_NOTE_MAX


def job_view(vm: JobViewModel, locale: Locale, device: Device | None = None, record: RecordPanel | None = None
             ) -> ft.Control:
    title = t("review_title" if vm.is_supervisor else "job_title", locale)
    if (closed := vm.closed_text) is not None:  # a job the student helped on, closed to them since
        controls = keyed("top", screen_header(title, locale, vm.load)) + keyed("closed", notice(closed))
        return ft.Column(controls, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    controls = keyed("top", screen_top(vm, title, locale))
    detail = vm.detail
    if detail is not None and record is not None and record.first_loading:
        # The screen comes whole: the record's steps sit above the photos and the report, and arriving late they
        # would move what a tap was aimed at.
        controls += keyed("record-loading", [loading(locale)])
    elif detail is not None:
        controls += keyed("summary", _summary(detail, locale))
        controls += keyed("contact", _contact(vm, detail, locale, device))
        controls += keyed("notice", notice(vm.notice))
        controls += keyed("qc-missing", _qc_missing(vm, locale))
        if (own_note := vm.own_request_note) is not None:
            controls += keyed("own-note", [muted(own_note)])
        if (helping_note := vm.helping_note) is not None:  # a job the student helps on: read only
            controls += keyed("helping-note", [muted(helping_note)])
        if (teacher_note := vm.teacher_needed_note) is not None:  # no teacher of the college can be present
            controls += keyed("teacher-needed", [ft.Text(teacher_note, color=ft.Colors.ERROR)])
        decision = keyed("steps", _steps(vm, locale)) + keyed("record-steps", record_steps(record, locale))
        if vm.is_supervisor:
            decision += keyed("assign", _assign(vm, locale))
        checking = _checking(vm)
        if not checking:
            controls += decision
        controls += keyed("photos", _photos(vm, locale, device))
        controls += keyed("report", _report(vm, locale))
        # parts, outcome, hand back, team
        controls += keyed("record", record_panel(record, locale, with_steps=False))
        if checking:
            controls += decision
        controls += keyed("timeline", timeline(vm, locale))
    return ft.Column(controls, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def _checking(vm: JobViewModel) -> bool:
    """A teacher's (or an admin's) check of a job in quality_check: its decision (send back, approve) comes after
    what the student did (the photos, the report and its parts, the team's hours), so the check is made having
    passed them; above them, on a phone, "approve" was reached before any of it was seen (ux21)."""
    return vm.is_supervisor and vm.status == RequestStatus.QUALITY_CHECK


def _summary(detail: WorkDetail, locale: Locale) -> list[ft.Control]:
    controls = summary_head(detail, locale)
    if detail.description:
        controls.append(ft.Text(t("description", locale, description=detail.description)))
    place = t("service_place_home" if detail.service_place == "home" else "service_place_centre", locale)
    controls.append(ft.Text(t("service_place", locale, place=place)))
    if detail.technician_first_name:
        controls.append(ft.Text(t("technician_name", locale, name=detail.technician_first_name)))
    return controls


def _contact(vm: JobViewModel, detail: WorkDetail, locale: Locale, device: Device | None) -> list[ft.Control]:
    call_url, route_url = vm.call_url, vm.route_url
    if not (call_url or route_url or detail.address):
        return []
    lines: list[ft.Control] = [ft.Text(t("contact_title", locale), weight=ft.FontWeight.W_600)]
    if detail.contact_phone:
        lines.append(ft.Text(t("contact_phone", locale, phone=format_phone(detail.contact_phone)), selectable=True))
    if detail.address:
        lines.append(ft.Text(t("address", locale, address=detail.address), selectable=True))
    if detail.location_approximate:
        lines.append(muted(t("job_pin_approximate", locale)))
    buttons: list[ft.Control] = []
    for url, label, icon in ((call_url, "call_owner", ft.Icons.PHONE), (route_url, "open_route", ft.Icons.MAP)):
        if url is None:
            continue

        async def launch(_: object = None, url: str = url) -> None:  # Flet passes the event first
            if device is not None:
                await device.launch_url(url)

        buttons.append(ft.OutlinedButton(t(label, locale), icon=icon, on_click=launch, tooltip=url))
    if buttons:
        lines.append(ft.Row(buttons, wrap=True))
    return [ft.Card(content=ft.Container(content=ft.Column(lines, spacing=8), padding=12))]


def _steps(vm: JobViewModel, locale: Locale) -> list[ft.Control]:
    if vm.open_step is not None:
        panel = _step_panel(vm, vm.open_step, locale)
        panel.key = "step-panel"
        return [panel]
    buttons: list[ft.Control] = []
    for step in vm.steps:

        async def start(_: object = None, step: Step = step) -> None:  # Flet passes the event first
            vm.start_step(step.to_status)

        label = step.label.in_(locale)
        kind = ft.FilledButton if step.primary else ft.OutlinedButton
        buttons.append(kind(label, on_click=start))
    # An admin at a high-risk check whose college has no teacher to be present at a rework (ux26): why the send-back
    # is not among the steps, and what they can do instead, above the steps that are.
    no_teacher = vm.rework_no_teacher_note
    if not buttons and no_teacher is None:
        return []
    controls: list[ft.Control] = [ft.Text(t("steps_title", locale), weight=ft.FontWeight.W_600)]
    if no_teacher is not None:
        controls.append(ft.Container(content=ft.Text(no_teacher, color=ft.Colors.ON_TERTIARY_CONTAINER), padding=10,
                                     border_radius=8, bgcolor=ft.Colors.TERTIARY_CONTAINER, key="rework-no-teacher"))
    if buttons:
        controls.append(ft.Row(buttons, wrap=True, spacing=8, run_spacing=8))
    return controls


def named(label: str, chosen: str, dropdown: ft.Dropdown) -> ft.Control:
    """Flet's Dropdown reaches the semantics tree as a button with no name (its floating label is not part of it):
    the label names it, for screen readers and tests; the chosen option is its value."""
    return ft.Semantics(label=label, value=chosen or None, content=dropdown)


def _qc_missing(vm: JobViewModel, locale: Locale) -> list[ft.Control]:
    """What the record lacks before the teacher's check: the student sees what to add before sending."""
    missing = vm.qc_missing
    if not missing or vm.open_step is not None:
        return []
    lines: list[ft.Control] = [ft.Text(t("qc_missing_title", locale), weight=ft.FontWeight.W_600,
                                       color=ft.Colors.ON_TERTIARY_CONTAINER)]
    lines += [ft.Text(f"• {m}", color=ft.Colors.ON_TERTIARY_CONTAINER) for m in missing]
    return [ft.Container(content=ft.Column(lines, spacing=4), padding=12, border_radius=8,
                         bgcolor=ft.Colors.TERTIARY_CONTAINER)]


def _round_note(text: str, key: str) -> ft.Control:
    """A reopened job's later round: what this round still needs of its own, where the student adds it."""
    return ft.Container(content=ft.Text(text, color=ft.Colors.ON_TERTIARY_CONTAINER), padding=10, border_radius=8,
                        bgcolor=ft.Colors.TERTIARY_CONTAINER, key=key)


def _step_panel(vm: JobViewModel, step: Step, locale: Locale) -> ft.Control:
    def note_typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_note(e.control.value)

    def reason_chosen(e: ft.Event[ft.Dropdown]) -> None:
        vm.set_reason(e.control.value or "")

    controls: list[ft.Control] = [heading(step.label.in_(locale), size=18)]
    if step.hint is not None:
        controls.append(ft.Text(step.hint.in_(locale)))
    if step.needs_teacher:
        controls.append(_present_teacher(vm, locale))
    if step.needs_reason:
        chosen = dict(vm.reasons()).get(vm.reason or "", "")
        controls.append(named(t("reason_label", locale), chosen,
            ft.Dropdown(
                label=t("reason_label", locale),
                value=vm.reason,
                options=[ft.DropdownOption(key=code, text=text) for code, text in vm.reasons()],
                on_select=reason_chosen,
                disabled=vm.sending,
            ))
        )
    note_label = "rework_note_label" if step.needs_note else "step_note_label"
    label = step.note_label.in_(locale) if step.note_label is not None else t(note_label, locale)
    # Read again at the confirm tap: on a slow device a tap can be handled before the last keystrokes' changes.
    note_field = ft.Ref[ft.TextField]()

    async def confirm() -> None:
        if (note := _typed(note_field)) is not None:
            vm.set_note(note)
        await vm.confirm_step()

    controls.append(
        TypedField(ref=note_field, key="step_note", label=label, value=vm.note, multiline=True,
                     max_length=STEP_NOTE_MAX,
                     read_only=vm.sending, on_change=note_typed)
    )
    # The backend's refusal, then its list of what is missing, one line each.
    error = vm.step_error
    if error and vm.step_missing:
        controls += [error_message(error), *[error_message(f"• {m}") for m in vm.step_missing]]
        error = None
    return confirm_panel(
        controls,
        error=error,
        sending=vm.sending,
        confirm=t("step_confirm", locale),
        on_confirm=confirm,
        dismiss=t("close_panel", locale),
        on_dismiss=vm.dismiss_step,
        sending_text=t("sending", locale),
    )


def _present_teacher(vm: JobViewModel, locale: Locale) -> ft.Control:
    """An admin's send-back of a high-risk check: which of the college's teachers is present at the rework (ux26)."""
    def picked(e: ft.Event[ft.Dropdown]) -> None:
        vm.pick_present_teacher(e.control.value or "")

    teachers = vm.present_teachers or []
    label = t("rework_teacher_label", locale)
    chosen = next((x.display_name for x in teachers if x.id == vm.present_teacher), "")
    return named(label, chosen, ft.Dropdown(
        label=label,
        value=None if vm.present_teacher is None else str(vm.present_teacher),
        options=[ft.DropdownOption(key=str(x.id), text=x.display_name) for x in teachers],
        on_select=picked,
        disabled=vm.sending,
        key="present-teacher",
    ))


def _assign(vm: JobViewModel, locale: Locale) -> list[ft.Control]:
    if not vm.can_assign:
        return []
    title = t("reassign_title" if vm.is_reassign else "assign_title", locale)
    if not vm.assign_open:
        return [ft.Row([ft.OutlinedButton(title, icon=ft.Icons.PERSON_ADD, on_click=vm.open_assign)])]

    def picked(e: ft.Event[ft.Dropdown]) -> None:
        vm.pick_technician(e.control.value or "")

    controls: list[ft.Control] = [heading(title, size=18)]
    if vm.technicians:
        chosen = next((x.display_name for x in vm.technicians if x.id == vm.assign_to), "")
        controls.append(named(t("assign_pick", locale), chosen,
            ft.Dropdown(
                label=t("assign_pick", locale),
                value=None if vm.assign_to is None else str(vm.assign_to),
                options=[
                    ft.DropdownOption(key=str(x.id), text=f"{x.display_name} · {t('open_jobs', locale, n=x.open_jobs)}")
                    for x in vm.technicians
                ],
                on_select=picked,
                disabled=vm.sending,
            ))
        )
    else:
        controls.append(muted(t("assign_none", locale)))
    return [
        confirm_panel(
            controls,
            error=vm.assign_error,
            sending=vm.sending,
            confirm=title,
            on_confirm=vm.confirm_assign,
            dismiss=t("close_panel", locale),
            on_dismiss=vm.close_assign,
            can_confirm=vm.assign_to is not None,
            sending_text=t("sending", locale),
        )
    ]


def _photos(vm: JobViewModel, locale: Locale, device: Device | None) -> list[ft.Control]:
    controls: list[ft.Control] = []
    for kind, title, alt in PHOTO_KINDS:
        editing_after = kind == "after" and vm.can_edit_work
        thumbs = photo_thumbnails(vm, kind, alt, locale,
                                  earlier_round=vm.earlier_round_after_photos if kind == "after" else ())
        if not thumbs and not editing_after:
            continue
        heading_text = (
            t("after_photos_label", locale, max=MAX_PHOTOS_PER_REQUEST) if editing_after else t(title, locale)
        )
        # Keyed by what they are: a first photo's thumbnails or the progress appear above the add button.
        controls.append(ft.Text(heading_text, weight=ft.FontWeight.W_600, key=f"{kind}-photos-title"))
        if editing_after and vm.after_photo_round_note:
            controls.append(_round_note(vm.after_photo_round_note, key="after-photos-round"))
        if thumbs:
            row = thumbnail_row(thumbs)
            row.key = f"{kind}-photos"
            controls.append(row)
        if editing_after:

            async def pick() -> None:
                if device is not None:
                    await vm.pick_after_photos(PhotoPicker(device))

            controls.append(ft.Row([ft.OutlinedButton(t("add_after_photo", locale), icon=ft.Icons.ADD_A_PHOTO,
                                                      disabled=not vm.can_add_after_photo, on_click=pick)],
                                   key="add-after-photo"))
            if vm.uploading:
                progress = vm.photo_progress or t("uploading_after", locale)
                controls += [ft.ProgressBar(key="after-photos-progress"),
                             ft.Semantics(live_region=True, content=muted(progress), key="after-photos-progress-text")]
            if vm.photo_error:
                controls.append(error_message(vm.photo_error, key="after-photos-error"))
            if vm.unsent_after_count and not vm.uploading:
                controls.append(ft.Row([ft.OutlinedButton(t("after_photos_send_again", locale), icon=ft.Icons.UPLOAD,
                                                          on_click=vm.send_after_again)],
                                       key="after-photos-send-again"))
    return controls


def _report(vm: JobViewModel, locale: Locale) -> list[ft.Control]:
    controls: list[ft.Control] = [heading(t("report_title", locale), size=18)]
    if not vm.can_edit_work:
        report = vm.detail.report if vm.detail is not None else None
        if report is None:
            return [*controls, muted(t("report_none", locale))]
        controls.append(ft.Text(t("report_hours_value", locale, hours=f"{report.hours:g}")))
        if report.notes:
            controls.append(ft.Text(report.notes))
        if report.parts:  # the report's own list, named as the student's form names it: not the owner's bill
            controls.append(ft.Text(t("report_parts", locale), weight=ft.FontWeight.W_600))
        for saved in report.parts:
            controls.append(ft.Text(t("report_part_line", locale, name=saved.name, qty=saved.qty,
                                      cost=format_baht(saved.qty * saved.cost_baht))))
        controls.append(ft.Text(t("parts_total", locale, total=format_baht(report.parts_total_baht)),
                                weight=ft.FontWeight.W_600))
        return controls

    def hours_typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_hours(e.control.value)

    def notes_typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_notes(e.control.value)

    if vm.report_round_note:
        controls.append(_round_note(vm.report_round_note, key="report-round"))

    # Read again at the save tap: on a slow device a tap can be handled before the last keystrokes' changes.
    hours_field, notes_field = ft.Ref[ft.TextField](), ft.Ref[ft.TextField]()
    part_fields: list[PartFields] = []

    async def save() -> None:
        if (hours := _typed(hours_field)) is not None:
            vm.set_hours(hours)
        if (notes := _typed(notes_field)) is not None:
            vm.set_notes(notes)
        for index, (name, qty, cost) in enumerate(part_fields):
            vm.set_part(index, name=_typed(name), qty=_typed(qty), cost=_typed(cost))
        await vm.save_report()

    controls += [
        TypedField(ref=hours_field, key="report_hours", label=t("report_hours", locale), value=vm.report.hours,
                     keyboard_type=ft.KeyboardType.NUMBER,
                     on_change=hours_typed),
        TypedField(ref=notes_field, key="report_notes", label=t("report_notes", locale), value=vm.report.notes,
                     multiline=True, max_length=NOTES_MAX,
                     on_change=notes_typed),
        ft.Text(t("report_parts", locale), weight=ft.FontWeight.W_600),
        muted(t("report_parts_who", locale)),
    ]
    for index, part in enumerate(vm.report.parts):
        refs: PartFields = (ft.Ref[ft.TextField](), ft.Ref[ft.TextField](), ft.Ref[ft.TextField]())
        part_fields.append(refs)
        row = _part_row(vm, index, part.name, part.qty, part.cost, locale, refs)
        row.key = f"part-{part.local_id}"  # by the row: removing one leaves the rows below their ids
        controls.append(row)
    controls += [
        ft.Row([ft.TextButton(t("add_part", locale), icon=ft.Icons.ADD, on_click=vm.add_part)], key="add-part"),
        ft.Semantics(live_region=True, content=ft.Text(vm.parts_total_text, weight=ft.FontWeight.W_600),
                     key="parts-total"),
    ]
    controls += [error_message(problem, key=f"report-error-{n}") for n, problem in enumerate(vm.report_errors)]
    controls.append(ft.Row([ft.FilledButton(t("save_report", locale), icon=ft.Icons.SAVE, disabled=vm.sending,
                                            on_click=save)], key="save-report"))
    return controls


PartFields = tuple[ft.Ref[ft.TextField], ft.Ref[ft.TextField], ft.Ref[ft.TextField]]


def _typed(field: ft.Ref[ft.TextField]) -> str | None:
    """What a field holds now (None when it is not on the screen)."""
    return None if field.current is None else field.current.value


def _part_row(
    vm: JobViewModel, index: int, name: str, qty: str, cost: str, locale: Locale, refs: PartFields
) -> ft.Control:
    def name_typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_part(index, name=e.control.value)

    def qty_typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_part(index, qty=e.control.value)

    def cost_typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_part(index, cost=e.control.value)

    def total() -> None:
        vm.refresh_total()

    async def remove() -> None:
        vm.remove_part(index)

    n = index + 1
    return ft.Column(
        [
            ft.Row(
                [
                    TypedField(ref=refs[0], label=t("part_name", locale, n=n), value=name, expand=True,
                                 on_change=name_typed),
                    icon_button(ft.Icons.DELETE_OUTLINE, t("remove_part", locale, n=n), remove),
                ]
            ),
            ft.Row(
                [
                    TypedField(ref=refs[1], label=t("part_qty", locale), value=qty, width=90,
                                 keyboard_type=ft.KeyboardType.NUMBER, on_change=qty_typed, on_blur=total,
                                 on_submit=total),
                    TypedField(ref=refs[2], label=t("part_cost", locale), value=cost, expand=True,
                                 keyboard_type=ft.KeyboardType.NUMBER, on_change=cost_typed, on_blur=total,
                                 on_submit=total),
                ]
            ),
        ],
        spacing=6,
    )
