"""The supervisor's students (active switch, skill levels) and the training-hours ledger with CSV downloads."""

from uuid import UUID

import flet as ft

from mobile.strings import t
from mobile.viewmodels.loadable import LoadState
from mobile.viewmodels.supervisor import SKILL_LEVELS, LedgerViewModel, TechnicianEdit, TechniciansViewModel
from mobile.views.common import empty, error_message, error_with_retry, heading, icon_button, loading, muted
from shared.text import Locale, ui


def _top(title: str, locale: Locale, back: object, refresh: object) -> list[ft.Control]:
    return [
        ft.Row(
            [
                ft.TextButton(t("back", locale), icon=ft.Icons.ARROW_BACK, on_click=back),  # type: ignore[arg-type]
                ft.Container(expand=True),
                icon_button(ft.Icons.REFRESH, ui("refresh", locale), refresh),  # type: ignore[arg-type]
            ]
        ),
        heading(title, size=22),
    ]


def _state(vm: TechniciansViewModel | LedgerViewModel, locale: Locale) -> ft.Control | None:
    if vm.state == LoadState.FAILED:
        return error_with_retry(vm.error or "", locale, vm.retry)
    if vm.state != LoadState.READY:
        return loading(locale)
    return None


def technicians_view(vm: TechniciansViewModel, locale: Locale) -> ft.Control:
    controls = _top(t("technicians_title", locale), locale, vm.back, vm.load)
    state = _state(vm, locale)
    if state is not None:
        controls.append(state)
    else:
        if vm.notice:
            controls.append(ft.Semantics(live_region=True, content=ft.Text(vm.notice, color=ft.Colors.PRIMARY)))
        if not vm.rows:
            controls.append(empty(t("technicians_empty", locale)))
        controls += [_student_card(vm, row, locale) for row in vm.rows]
    return ft.Column(controls, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def _student_card(vm: TechniciansViewModel, row: TechnicianEdit, locale: Locale) -> ft.Control:
    student_id: UUID = row.item.id

    def active_changed(e: ft.Event[ft.Switch]) -> None:
        vm.set_active(student_id, bool(e.control.value))

    async def save() -> None:
        await vm.save(student_id)

    lines: list[ft.Control] = [
        ft.Row(
            [
                ft.Column([ft.Text(row.item.display_name, weight=ft.FontWeight.BOLD),
                           muted(t("open_jobs", locale, n=row.item.open_jobs))], spacing=0, expand=True),
                ft.Switch(label=t("active_label", locale), value=row.is_active, on_change=active_changed),
            ]
        ),
    ]
    for skill in vm.skills:

        def level_chosen(e: ft.Event[ft.Dropdown], code: str = skill.code) -> None:
            vm.set_skill(student_id, code, int(e.control.value or 0))

        options = [ft.DropdownOption(key="0", text=t("skill_none", locale))]
        options += [ft.DropdownOption(key=str(n), text=str(n)) for n in SKILL_LEVELS]
        lines.append(
            ft.Dropdown(
                label=t("skill_level_label", locale, skill=skill.name(locale)),
                value=str(row.skills.get(skill.code, 0)),
                options=options,
                on_select=level_chosen,
                dense=True,
            )
        )
    if row.error is not None:
        lines.append(error_message(row.error.in_(locale)))
    lines.append(ft.Row([ft.FilledButton(t("save_student", locale), icon=ft.Icons.SAVE,
                                         disabled=row.saving or not row.dirty, on_click=save)]))
    return ft.Card(content=ft.Container(content=ft.Column(lines, spacing=8), padding=12))


def ledger_view(vm: LedgerViewModel, locale: Locale) -> ft.Control:
    controls = _top(t("ledger_title", locale), locale, vm.back, vm.load)

    async def jobs_csv() -> None:
        await vm.download("jobs")

    async def ledger_csv() -> None:
        await vm.download("ledger")

    busy = vm.downloading is not None
    controls.append(
        ft.Row(
            [
                ft.OutlinedButton(t("download_jobs_csv", locale), icon=ft.Icons.DOWNLOAD, disabled=busy,
                                  on_click=jobs_csv),
                ft.OutlinedButton(t("download_ledger_csv", locale), icon=ft.Icons.DOWNLOAD, disabled=busy,
                                  on_click=ledger_csv),
            ],
            wrap=True,
        )
    )
    if busy:
        controls.append(ft.ProgressBar())
    if vm.notice:
        controls.append(ft.Semantics(live_region=True, content=ft.Text(vm.notice, color=ft.Colors.PRIMARY)))
    if vm.csv_text is not None:
        controls += [
            ft.TextField(label=t("csv_copy_label", locale), value=vm.csv_text, multiline=True, read_only=True,
                         min_lines=4, max_lines=12, text_size=12),
            ft.Row([ft.TextButton(t("close_panel", locale), on_click=vm.close_csv)]),
        ]
    state = _state(vm, locale)
    if state is not None:
        controls.append(state)
    elif not vm.rows:
        controls.append(empty(t("ledger_empty", locale)))
    else:
        controls.append(
            ft.Row(
                [
                    ft.DataTable(
                        columns=[
                            ft.DataColumn(label=ft.Text(t("ledger_student", locale))),
                            ft.DataColumn(label=ft.Text(t("ledger_jobs", locale)), numeric=True),
                            ft.DataColumn(label=ft.Text(t("ledger_hours", locale)), numeric=True),
                            ft.DataColumn(label=ft.Text(t("ledger_categories", locale))),
                        ],
                        rows=[
                            ft.DataRow(
                                cells=[
                                    ft.DataCell(ft.Text(row.display_name)),
                                    ft.DataCell(ft.Text(str(row.approved_jobs))),
                                    ft.DataCell(ft.Text(f"{row.hours:g}")),
                                    ft.DataCell(ft.Text(vm.categories_text(row))),
                                ]
                            )
                            for row in vm.rows
                        ],
                        column_spacing=16,
                    )
                ],
                scroll=ft.ScrollMode.AUTO,  # wider than a phone: scrolls sideways, the page does not
            )
        )
    return ft.Column(controls, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
