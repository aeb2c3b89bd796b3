"""One repair request for its owner: status, where it went, the timeline, photos, and the allowed actions."""

import flet as ft

from mobile.device import Device
from mobile.formatting import format_phone
from mobile.models import RequestAction, RequestDetail
from mobile.viewmodels.credit import RecordPanel
from mobile.viewmodels.request_detail import MAX_COMMENT, RequestDetailViewModel
from mobile.views.common import (
    confirm_panel,
    heading,
    icon_button,
    keyed,
    loading,
    muted,
)
from mobile.views.credit import record_panel
from mobile.views.photos import thumbnail_row
from mobile.views.request_parts import PHOTO_KINDS, notice, photo_thumbnails, screen_top, summary_head, timeline
from mobile.views.typed_field import TypedField
from shared.aftercare import RATING_MAX, RATING_MIN
from shared.credit import format_baht
from shared.statuses import CONTACT_OPEN, OPEN_STATUSES, RequestStatus
from shared.text import Locale, t
from shared.thai_address import area_text
from shared.work import STEP_NOTE_MAX

# While the owner has something to arrange with the college (the job asked for or under way, the item to collect):
# the college's phone and its place on the map. Handed back or cancelled, nothing is (a reopen, "ยังไม่หาย", is
# the screen's own action), and "call the college" under a cancelled request reads as if something still waited.
ARRANGING: frozenset[RequestStatus] = OPEN_STATUSES | CONTACT_OPEN

ACTION_LABELS = {
    RequestAction.CANCEL: "action_cancel",
    RequestAction.RATE: "action_rate",
    RequestAction.REOPEN: "action_reopen",
}
ACTION_ICONS = {
    RequestAction.CANCEL: ft.Icons.CANCEL_OUTLINED,
    RequestAction.RATE: ft.Icons.STAR_OUTLINE,
    RequestAction.REOPEN: ft.Icons.REPLAY,
}


def request_detail_view(vm: RequestDetailViewModel, locale: Locale, device: Device | None = None,
                        record: RecordPanel | None = None) -> ft.Control:
    controls = keyed("top", screen_top(vm, t("request_detail_title", locale), locale))
    detail = vm.detail
    if detail is not None and record is not None and record.first_loading:
        # The record's panel sits above the photos: the screen comes whole, or a tap aimed at a thumbnail lands on
        # whatever the late panel pushed under it.
        controls += keyed("record-loading", [loading(locale)])
    elif detail is not None:
        controls += keyed("summary", _summary(detail, locale))
        controls += keyed("next-step", _next_step(detail, locale))
        controls += keyed("notice", notice(vm.notice))
        controls += keyed("actions", _actions(vm, locale))
        # parts waiting for the owner, "I have it back"
        controls += keyed("record", record_panel(record, locale))
        controls += keyed("college", _college(vm, detail, locale, device))
        controls += keyed("entered", _what_you_entered(vm, detail, locale))
        controls += keyed("repair-record", _repair_record(detail, locale))
        controls += keyed("photos", _photos(vm, locale))
        controls += keyed("timeline", timeline(vm, locale))
    return ft.Column(controls, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def _summary(detail: RequestDetail, locale: Locale) -> list[ft.Control]:
    controls = summary_head(detail, locale)
    if detail.reference:
        # The number to quote on the phone, large.
        controls.append(ft.Text(t("reference_number", locale, reference=detail.reference), size=16,
                                weight=ft.FontWeight.W_600))
    college = detail.college_name(locale)
    if college:
        controls.append(ft.Text(t("sent_to_college", locale, college=college)))
    # A request with no college: its next step (the backend's sentence, below) says so and what happens now.
    if detail.technician_first_name:
        controls.append(ft.Text(t("technician_name", locale, name=detail.technician_first_name)))
    if detail.rating:
        controls.append(ft.Text(t("your_rating", locale, stars=detail.rating)))
    return controls


def _next_step(detail: RequestDetail, locale: Locale) -> list[ft.Control]:
    """What happens next and how long it usually takes, for every status (the backend's sentence)."""
    if not detail.next_step:
        return []
    lines: list[ft.Control] = [ft.Text(t("next_step_title", locale), weight=ft.FontWeight.W_600),
                               ft.Text(detail.next_step)]
    if detail.expected_wait:
        lines.append(ft.Text(t("expected_wait", locale, wait=detail.expected_wait)))
    # A job in hand that waits for a teacher of its college (teacher_needed): the sentence says why, and the box
    # stands out from an ordinary step's, as nothing moves until a teacher or an administrator acts.
    waits = detail.teacher_needed
    return [ft.Container(content=ft.Column(lines, spacing=4), padding=12, border_radius=8,
                         bgcolor=ft.Colors.ERROR_CONTAINER if waits else ft.Colors.SECONDARY_CONTAINER)]


def _college(vm: RequestDetailViewModel, detail: RequestDetail, locale: Locale,
             device: Device | None) -> list[ft.Control]:
    college = detail.college_name(locale)
    call_url, map_url = vm.college_call_url, vm.college_map_url
    if not college or not (call_url or map_url) or detail.status not in ARRANGING:
        return []
    lines: list[ft.Control] = [ft.Text(t("college_contact_title", locale), weight=ft.FontWeight.W_600),
                               ft.Text(college)]
    buttons: list[ft.Control] = []
    if call_url and detail.college_phone:
        buttons.append(_link(t("call_college", locale, phone=format_phone(detail.college_phone)), ft.Icons.PHONE,
                             call_url, device))
    if map_url:
        buttons.append(_link(t("college_map", locale), ft.Icons.MAP, map_url, device))
    lines.append(ft.Row(buttons, wrap=True, run_spacing=8))
    if map_url and detail.college_coordinates_approximate:
        lines.append(muted(t("college_map_approximate", locale)))
    return [_box(lines)]


def _box(lines: list[ft.Control]) -> ft.Control:
    # A bordered box, not a Card: a Card reads out as one group named by all its text, and each line here is
    # worth hearing (and finding) on its own.
    return ft.Container(content=ft.Column(lines, spacing=6), padding=12, border_radius=12,
                        border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT))


def _link(label: str, icon: ft.IconData, url: str, device: Device | None) -> ft.Control:
    async def launch(_: object = None) -> None:  # Flet passes the event first
        if device is not None:
            await device.launch_url(url)

    return ft.OutlinedButton(label, icon=icon, on_click=launch, tooltip=url)


def _what_you_entered(vm: RequestDetailViewModel, detail: RequestDetail, locale: Locale) -> list[ft.Control]:
    lines: list[ft.Control] = [ft.Text(t("your_request_title", locale), weight=ft.FontWeight.W_600)]
    if detail.description:
        lines.append(ft.Text(t("description", locale, description=detail.description)))
    if detail.address:
        lines.append(ft.Text(t("address", locale, address=detail.address)))
    area = area_text(locale, detail.province, detail.district, detail.sub_district)
    if area:
        lines.append(muted(area))
    if detail.location_approximate:
        lines.append(muted(t("request_pin_approximate", locale)))
    place = t("service_place_home" if detail.service_place == "home" else "service_place_centre", locale)
    lines.append(ft.Text(t("service_place", locale, place=place)))
    if vm.preferred_days_text:
        lines.append(ft.Text(t("preferred_days_value", locale, days=vm.preferred_days_text)))
    if detail.contact_phone:
        lines.append(ft.Text(t("contact_phone", locale, phone=format_phone(detail.contact_phone))))
    return [_box(lines)]


def _repair_record(detail: RequestDetail, locale: Locale) -> list[ft.Control]:
    """What the student did: the report, hours, and the parts the owner approved with their cost (the backend sends
    the owner only those)."""
    report = detail.report
    if report is None or not (report.notes or report.hours or report.parts):
        return []
    lines: list[ft.Control] = [ft.Text(t("repair_record_title", locale), weight=ft.FontWeight.W_600)]
    if report.notes:
        lines.append(ft.Text(report.notes))
    if report.hours:
        lines.append(ft.Text(t("report_hours_value", locale, hours=f"{report.hours:g}")))
    for part in report.parts:
        lines.append(ft.Text(t("report_part_line", locale, name=part.name, qty=part.qty,
                               cost=format_baht(part.qty * part.cost_baht))))
    if report.parts:
        lines.append(ft.Text(t("parts_total", locale, total=format_baht(report.parts_total_baht)),
                             weight=ft.FontWeight.W_600))
    return [_box(lines)]


def _actions(vm: RequestDetailViewModel, locale: Locale) -> list[ft.Control]:
    if vm.open_action is not None:
        panel = _action_panel(vm, vm.open_action, locale)
        panel.key = "action-panel"  # not paired with the buttons' row it replaces
        return [panel]
    buttons: list[ft.Control] = []
    for action in vm.actions:

        async def start(_: object = None, action: RequestAction = action) -> None:  # the event comes first
            vm.start_action(action)

        label = t(ACTION_LABELS[action], locale)
        if action == RequestAction.CANCEL:
            buttons.append(ft.OutlinedButton(label, icon=ACTION_ICONS[action], on_click=start))
        else:
            buttons.append(ft.FilledButton(label, icon=ACTION_ICONS[action], on_click=start))
    return [ft.Row(buttons, wrap=True, spacing=8, run_spacing=8, key="action-buttons")] if buttons else []


def _action_panel(vm: RequestDetailViewModel, action: RequestAction, locale: Locale) -> ft.Control:
    """The confirm step of an action, in place: what it does, its fields, confirm and close."""

    def note_typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_note(e.control.value)

    def comment_typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_comment(e.control.value)

    # Read again at the confirm tap: on a slow device a tap can be handled before the last keystrokes' changes.
    note_field, comment_field = ft.Ref[ft.TextField](), ft.Ref[ft.TextField]()

    async def confirm_action() -> None:
        if note_field.current is not None and note_field.current.value is not None:
            vm.set_note(note_field.current.value)
        if comment_field.current is not None and comment_field.current.value is not None:
            vm.set_comment(comment_field.current.value)
        await vm.confirm()

    controls: list[ft.Control] = []
    if action == RequestAction.CANCEL:
        controls += [
            heading(t("cancel_confirm_title", locale), size=18),
            muted(t("cancel_confirm_body", locale)),
            TypedField(ref=note_field, key="cancel_note", label=t("note_label", locale), value=vm.note, multiline=True,
                         max_length=STEP_NOTE_MAX,
                         read_only=vm.sending, on_change=note_typed),
        ]
        confirm, dismiss = t("confirm_cancel", locale), t("keep_request", locale)
    elif action == RequestAction.RATE:
        stars: list[ft.Control] = []
        for n in range(RATING_MIN, RATING_MAX + 1):

            async def chosen(_: object = None, n: int = n) -> None:  # the event comes first
                vm.set_rating(n)

            filled = vm.rating is not None and n <= vm.rating
            stars.append(icon_button(ft.Icons.STAR if filled else ft.Icons.STAR_BORDER,
                                     t("star_label", locale, n=n), chosen))
        # The chosen rating in words, read out as it changes: filled stars alone say nothing to a screen reader.
        chosen_text = (t("rating_chosen", locale, n=vm.rating) if vm.rating is not None
                       else t("rating_none", locale))
        controls += [
            heading(t("rate_title", locale), size=18),
            ft.Row(stars, spacing=0),
            ft.Semantics(live_region=True, key="rating-chosen", content=ft.Text(chosen_text)),
            TypedField(ref=comment_field, key="comment", label=t("comment_label", locale), value=vm.comment,
                         multiline=True, max_length=MAX_COMMENT, read_only=vm.sending, on_change=comment_typed),
        ]
        confirm, dismiss = t("send_rating", locale), t("close_panel", locale)
    else:
        controls += [
            heading(t("reopen_title", locale), size=18),
            TypedField(ref=note_field, key="reopen_note", label=t("reopen_note_label", locale), value=vm.note,
                         multiline=True, max_length=STEP_NOTE_MAX,
                         read_only=vm.sending, on_change=note_typed),
        ]
        confirm, dismiss = t("send_reopen", locale), t("close_panel", locale)
    return confirm_panel(
        controls,
        error=vm.action_error,
        sending=vm.sending,
        confirm=confirm,
        on_confirm=confirm_action,
        dismiss=dismiss,
        on_dismiss=vm.dismiss_action,
        sending_text=t("sending", locale),
    )


def _photos(vm: RequestDetailViewModel, locale: Locale) -> list[ft.Control]:
    controls: list[ft.Control] = []
    for kind, title, alt in PHOTO_KINDS:
        thumbs = photo_thumbnails(vm, kind, alt, locale)
        if thumbs:
            row = thumbnail_row(thumbs)
            row.key = f"{kind}-photos"
            controls += [ft.Text(t(title, locale), weight=ft.FontWeight.W_600, key=f"{kind}-photos-title"), row]
    return controls
