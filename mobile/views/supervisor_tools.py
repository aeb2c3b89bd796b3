"""The supervisor's students (active switch, skill levels) and the training-hours ledger with CSV downloads."""

from collections.abc import Awaitable, Callable
from uuid import UUID

import flet as ft

from mobile.formatting import format_phone
from mobile.models import LedgerRow
from mobile.viewmodels.loadable import LoadState
from mobile.viewmodels.supervisor import SKILL_LEVELS, LedgerViewModel, TechnicianEdit, TechniciansViewModel
from mobile.views.common import (
    empty,
    error_message,
    error_with_retry,
    keyed,
    labelled_toggle,
    loading,
    muted,
    screen_header,
)
from mobile.views.credit import level_history_toggle
from mobile.views.invites import invite_row
from mobile.views.typed_field import TypedField
from shared.text import Locale, t


def _state(vm: TechniciansViewModel | LedgerViewModel, locale: Locale) -> ft.Control | None:
    if vm.state == LoadState.FAILED:
        return error_with_retry(vm, locale)
    if vm.state != LoadState.READY and not vm.has_loaded:  # a reload (after an add, an import) keeps the rows
        return loading(locale)
    return None


def technicians_view(
    vm: TechniciansViewModel, locale: Locale,
    pick_csv: Callable[[], Awaitable[list[tuple[str, bytes]]]] | None = None,
) -> ft.Control:
    # Keyed, part by part and student by student (invitations by phone): the notice, an invitation or an import's
    # lines appearing above leave the fields, switches and buttons below their control ids.
    controls = keyed("top", screen_header(t("technicians_title", locale), locale, vm.load))
    state = _state(vm, locale)
    if state is not None:
        controls += keyed("state", [state])
    else:
        if vm.notice:
            controls.append(ft.Semantics(live_region=True, content=ft.Text(vm.notice, color=ft.Colors.PRIMARY),
                                         key="notice"))
        controls += keyed("add-students", _add_students(vm, locale, pick_csv))
        if vm.invites:
            controls.append(ft.Text(t("invites_title", locale), weight=ft.FontWeight.W_600, key="invites-title"))
            controls += [invite_row(vm, invite, locale) for invite in vm.invites]
        if not vm.rows:
            controls += keyed("empty", [empty(t("technicians_empty", locale))])
        controls += [_student_row(vm, row, locale) for row in vm.rows]
    return ft.Column(controls, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def _add_students(
    vm: TechniciansViewModel, locale: Locale, pick_csv: Callable[[], Awaitable[list[tuple[str, bytes]]]] | None
) -> list[ft.Control]:
    def phone_typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_phone_input(e.control.value)

    def name_typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_name_input(e.control.value)

    # Read again at the add tap: on a slow device a tap can be handled before the last keystrokes' changes.
    phone_field, name_field = ft.Ref[ft.TextField](), ft.Ref[ft.TextField]()

    async def add(_: object = None) -> None:  # the event comes first
        if name_field.current is not None and name_field.current.value is not None:
            vm.set_name_input(name_field.current.value)
        await vm.add_student(None if phone_field.current is None else phone_field.current.value)

    async def import_file(_: object = None) -> None:  # the event comes first
        if pick_csv is not None:
            await vm.import_csv(await pick_csv())

    lines: list[ft.Control] = [
        ft.Text(t("add_student_title", locale), weight=ft.FontWeight.W_600, key="add-student-title"),
        TypedField(ref=phone_field, key="student_phone", label=t("add_student_phone", locale), value=vm.phone_input,
                     keyboard_type=ft.KeyboardType.PHONE, error=vm.add_error, read_only=vm.adding,
                     on_change=phone_typed, on_submit=add),
        TypedField(ref=name_field, key="student_name", label=t("add_student_name", locale), value=vm.name_input,
                     read_only=vm.adding, on_change=name_typed, on_submit=add),
        ft.Row([ft.FilledButton(t("add_student", locale), icon=ft.Icons.PERSON_ADD, disabled=vm.adding,
                                on_click=add)], wrap=True, key="add-student"),
    ]
    # Keyed: the progress appears above the import button, which keeps its id.
    if vm.adding:
        lines.append(ft.ProgressBar(key="add-progress"))
    if pick_csv is not None:
        codes = vm.skill_code_lines()
        toggle = (t("import_students_codes_hide", locale) if vm.codes_shown
                  else t("import_students_codes_show", locale, n=len(codes)))
        lines += keyed("import", [
            muted(t("import_students_hint", locale)),
            ft.Row([ft.TextButton(toggle, icon=ft.Icons.LIST, on_click=vm.toggle_codes)], key="skill-codes-toggle"),
        ])
        # Keyed: the list opening leaves the import button and the lines below their ids.
        if vm.codes_shown:
            lines.append(ft.Column([ft.Text(line, size=13, selectable=True) for line in codes], spacing=2,
                                   key="skill-codes"))
        lines += keyed("import-button", [
            ft.Row([ft.OutlinedButton(t("import_students", locale), icon=ft.Icons.UPLOAD_FILE,
                                      disabled=vm.importing, on_click=import_file)], wrap=True),
        ])
    if vm.importing:
        lines += keyed("importing", [ft.ProgressBar(), muted(t("importing_students", locale))])
    if vm.import_error:
        lines.append(error_message(vm.import_error, key="import-error"))
    lines += keyed("import-lines", [error_message(line) for line in vm.import_lines])
    return [ft.Container(content=ft.Column(lines, spacing=8), padding=12, border_radius=12,
                         border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT))]


def _student_row(vm: TechniciansViewModel, row: TechnicianEdit, locale: Locale) -> ft.Control:
    """One line per student: who, their skills in words, the active switch and the skills button, each named."""
    student_id: UUID = row.item.id
    name = row.item.display_name

    async def active_changed(on: bool) -> None:
        await vm.toggle_active(student_id, on)

    def edit_skills(_: object = None) -> None:  # the event comes first
        vm.open_skills(student_id)

    details = [t("open_jobs", locale, n=row.item.open_jobs)]
    if row.item.phone:
        details.insert(0, format_phone(row.item.phone))
    lines: list[ft.Control] = [
        ft.Text(name, weight=ft.FontWeight.BOLD),
        muted(" · ".join(details)),
        ft.Text(vm.skills_text(row), size=13),
    ]
    if row.suspended:  # keyed by the student: the line coming or going leaves the controls below their ids
        lines.append(ft.Row([ft.Icon(ft.Icons.BLOCK, color=ft.Colors.ERROR, size=18),
                             ft.Text(t("student_suspended_label", locale), color=ft.Colors.ERROR, size=13)],
                            spacing=6, key=f"suspended-{student_id}"))
    lines += [
        ft.Row(
            [
                # Suspended, the switch is disabled and its own name carries the reason (a screen reader reads the
                # name with the switch; the line above shows it to everyone).
                labelled_toggle(
                    ft.Switch(value=row.is_active and not row.suspended, disabled=row.saving or row.suspended),
                    t("active_label_suspended_for" if row.suspended else "active_label_for", locale, name=name),
                    active_changed,
                ),
                ft.OutlinedButton(t("edit_skills_for", locale, name=name), icon=ft.Icons.TUNE,
                                  disabled=row.saving, on_click=edit_skills),
            ],
            wrap=True, run_spacing=4, key=f"controls-{student_id}",
        ),
    ]
    lines += level_history_toggle(vm, student_id, name, locale)
    if row.error is not None and vm.editing != student_id:
        lines.append(error_message(row.error.in_(locale)))
    return ft.Container(key=str(student_id), content=ft.Column(lines, spacing=4), padding=12, border_radius=12,
                        border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT))


def skills_dialog(vm: TechniciansViewModel | None, locale: Locale) -> ft.AlertDialog | None:
    """The open student's skill levels, one labelled dropdown each; saved together."""
    row = vm.editing_row if vm is not None else None
    if vm is None or row is None:
        return None
    student_id = row.item.id
    fields: list[ft.Control] = []
    for skill in vm.skills:

        def level_chosen(e: ft.Event[ft.Dropdown], code: str = skill.code) -> None:
            vm.set_skill(student_id, code, int(e.control.value or 0))

        label = t("skill_level_label", locale, skill=skill.name(locale))
        level = row.skills.get(skill.code, 0)
        options = [ft.DropdownOption(key="0", text=t("skill_none", locale))]
        options += [ft.DropdownOption(key=str(n), text=str(n)) for n in SKILL_LEVELS]
        fields.append(ft.Semantics(
            label=label, value=str(level) if level else t("skill_none", locale),
            content=ft.Dropdown(label=label, value=str(level), options=options, on_select=level_chosen,
                                dense=True, expand=True, disabled=row.saving),
        ))
    if row.error is not None:
        fields.append(error_message(row.error.in_(locale)))
    if row.saving:
        fields.append(ft.ProgressBar())
    return ft.AlertDialog(
        modal=True,
        title=ft.Text(t("skills_dialog_title", locale, name=row.item.display_name)),
        content=ft.Column(fields, spacing=10, scroll=ft.ScrollMode.AUTO, tight=True, width=360),
        actions=[
            ft.TextButton(t("close_panel", locale), disabled=row.saving, on_click=vm.close_skills),
            ft.FilledButton(t("save_student", locale), disabled=row.saving or not row.dirty,
                            on_click=vm.save_skills),
        ],
    )


def ledger_view(vm: LedgerViewModel, locale: Locale) -> ft.Control:
    # Keyed, part by part and row by row (a student by their id): the progress, the notice or the CSV panel
    # coming and going leaves the table, the panel's buttons and the rows below their control ids.
    controls = keyed("top", screen_header(t("ledger_title", locale), locale, vm.load))

    async def jobs_csv() -> None:
        await vm.download("jobs")

    async def ledger_csv() -> None:
        await vm.download("ledger")

    busy = vm.downloading is not None
    controls += keyed("downloads", [
        ft.Row(
            [
                ft.OutlinedButton(t("download_jobs_csv", locale), icon=ft.Icons.DOWNLOAD, disabled=busy,
                                  on_click=jobs_csv),
                ft.OutlinedButton(t("download_ledger_csv", locale), icon=ft.Icons.DOWNLOAD, disabled=busy,
                                  on_click=ledger_csv),
            ],
            wrap=True,
        )
    ])
    if busy:
        controls += keyed("downloading", [ft.ProgressBar()])
    if vm.notice:
        controls += keyed("notice", [ft.Semantics(live_region=True,
                                                  content=ft.Text(vm.notice, color=ft.Colors.PRIMARY))])
    if vm.csv_text is not None:
        controls += keyed("csv", [
            ft.TextField(label=t("csv_copy_label", locale), value=vm.csv_text, multiline=True, read_only=True,
                         min_lines=4, max_lines=12, text_size=12),
            ft.Row([ft.TextButton(t("close_panel", locale), on_click=vm.close_csv)]),
        ])
    state = _state(vm, locale)
    if state is not None:
        controls += keyed("state", [state])
    elif not vm.rows:
        controls += keyed("empty", [empty(t("ledger_empty", locale))])
    else:
        # A card per student, as the roster has: a four-column table was cut at a phone's 360 px (ux21 finding 9),
        # its hours out of sight behind a sideways scroll nothing showed. Keyed by the student: one leaving the
        # ledger leaves the cards below their ids.
        controls += keyed("table", [_ledger_card(vm, row, locale) for row in vm.rows])
    return ft.Column(controls, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def _ledger_card(vm: LedgerViewModel, row: LedgerRow, locale: Locale) -> ft.Control:
    """One student's line of the ledger: the name, then each figure with its own label (no column to read it
    from), then the categories, each wrapping within the card."""
    figures = (f"{t('ledger_jobs', locale)}: {row.approved_jobs} · "
               f"{t('ledger_hours', locale)}: {row.hours:g}")
    lines: list[ft.Control] = [ft.Text(row.display_name, weight=ft.FontWeight.BOLD), ft.Text(figures)]
    if categories := vm.categories_text(row):
        lines.append(muted(f"{t('ledger_categories', locale)}: {categories}"))
    return ft.Container(key=f"student-{row.technician_id}", content=ft.Column(lines, spacing=4), padding=12,
                        border_radius=12, border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT))
