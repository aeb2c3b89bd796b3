"""The account screen (issue 11): who is signed in, download my data, delete my account (asked first), sign out."""

from collections.abc import Awaitable, Callable

import flet as ft

from mobile.strings import notification_kind_label, pref_label
from mobile.viewmodels.account import AccountViewModel
from mobile.viewmodels.loadable import LoadState
from mobile.views.common import error_message, error_with_retry, heading, keyed, labelled_toggle, muted
from shared.notifications import by_topic
from shared.text import Locale, t


def account_view(vm: AccountViewModel, locale: Locale) -> ft.Control:
    # Keyed, part by part: an error, the notice, the data to copy or the quiet times appearing above leave the
    # buttons and switches below their control ids, so a tap aimed at one is not dropped or taken by another.
    # Back is the app bar's arrow (mobile/views/frame.py::back_button).
    controls: list[ft.Control] = keyed("top", [heading(t("account_title", locale), size=22)])
    if vm.state == LoadState.FAILED:
        controls += keyed("load-error", [error_with_retry(vm, locale)])
    rows = [
        (t("account_name", locale), vm.name),
        (t("account_phone", locale), vm.phone),
        (t("account_role", locale), vm.role),
    ]
    if vm.college:
        rows.append((t("account_college", locale), vm.college))
    controls.append(ft.Card(key="about", content=ft.Container(padding=12, content=ft.Column(
        [ft.Column([muted(label), ft.Text(value, weight=ft.FontWeight.W_600)], spacing=0) for label, value in rows],
        spacing=10,
    ))))
    controls += my_data_parts(vm, locale)
    if vm.settings is not None:
        controls += keyed("preferences", [_preferences(vm, locale)])
    controls += keyed("end", [
        ft.OutlinedButton(t("sign_out", locale), icon=ft.Icons.LOGOUT, on_click=vm.sign_out),
        ft.Divider(),
        delete_account_button(vm, locale),
    ])
    return ft.Column(controls, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def my_data_parts(vm: AccountViewModel, locale: Locale) -> list[ft.Control]:
    """The screen's notice, then "download my data" (the file, or the text to copy), keyed: the account screen's
    and the suspended account's."""
    controls: list[ft.Control] = []
    if vm.notice:
        controls.append(ft.Semantics(live_region=True, content=ft.Text(vm.notice, color=ft.Colors.PRIMARY),
                                     key="notice"))
    controls += keyed("download", [
        muted(t("download_my_data_hint", locale)),
        ft.OutlinedButton(t("download_my_data", locale), icon=ft.Icons.DOWNLOAD, disabled=vm.downloading,
                          on_click=vm.download_data),
    ])
    if vm.downloading:
        controls.append(ft.ProgressBar(key="download-progress"))
    if vm.data_text is not None:
        controls += keyed("my-data", [
            ft.TextField(value=vm.data_text, multiline=True, read_only=True, max_lines=12, text_size=12),
            ft.Row([ft.TextButton(t("close_panel", locale), icon=ft.Icons.CLOSE, on_click=vm.close_data)]),
        ])
    return controls


def delete_account_button(vm: AccountViewModel, locale: Locale) -> ft.Control:
    """Opens `delete_account_dialog`: nothing is erased before the person confirms there."""
    return ft.FilledButton(
        t("delete_account", locale), icon=ft.Icons.DELETE_FOREVER, on_click=vm.ask_delete,
        style=ft.ButtonStyle(bgcolor=ft.Colors.ERROR, color=ft.Colors.ON_ERROR),
    )


def _preferences(vm: AccountViewModel, locale: Locale) -> ft.Control:
    """Channels per kind of message (SMS only where allowed), quiet hours, SMS fallback; saved at each change."""
    settings = vm.settings
    assert settings is not None
    busy = vm.saving_settings
    rows: list[ft.Control] = [heading(t("prefs_title", locale), size=16), muted(t("prefs_hint", locale))]
    # The kinds (only the role's: the backend lists them) folded behind one button; the general switches below
    # stay in view, so "sign out" is a short scroll away whatever the role.
    count = len(settings.allowed)
    rows.append(ft.TextButton(
        t("prefs_channels_hide" if vm.channels_open else "prefs_channels_show", locale, count=count),
        icon=ft.Icons.EXPAND_LESS if vm.channels_open else ft.Icons.EXPAND_MORE,
        on_click=vm.toggle_channels, key="channels-toggle",
    ))
    if vm.channels_open:
        rows += _kinds_by_topic(vm, locale)

    rows.append(labelled_toggle(ft.Switch(value=settings.quiet_hours, disabled=busy),
                                t("prefs_quiet_hours", locale, start=settings.quiet_start, end=settings.quiet_end),
                                vm.set_quiet_hours, key="quiet-hours"))
    if settings.quiet_hours:
        times = _quiet_times(vm, locale)
        times.key = "quiet-times"
        rows.append(times)
    if "offer_new" in settings.allowed:
        rows.append(labelled_toggle(ft.Switch(value=settings.offers_in_quiet_hours, disabled=busy),
                                    t("prefs_offers_at_night", locale), vm.set_offers_in_quiet_hours,
                                    key="offers-at-night"))
    if any("sms" in allowed for allowed in settings.allowed.values()):
        rows.append(labelled_toggle(ft.Switch(value=settings.sms_fallback, disabled=busy),
                                    t("prefs_sms_fallback", locale), vm.set_sms_fallback, key="sms-fallback"))
    return ft.Card(content=ft.Container(padding=12, content=ft.Column(rows, spacing=10)))


def _kinds_by_topic(vm: AccountViewModel, locale: Locale) -> list[ft.Control]:
    """The person's kinds (the backend's: shared.notifications.settings_kinds) under short topic headings in the
    screen's order (shared.notifications.by_topic), each kind with its channel boxes; every heading and kind keyed,
    so opening or a saved change redraws only what changed."""
    settings = vm.settings
    assert settings is not None
    busy = vm.saving_settings
    controls: list[ft.Control] = []
    for topic, kinds in by_topic(settings.allowed):
        controls.append(ft.Semantics(header=True, key=f"topic-{topic.value}", content=ft.Text(
            t(f"topic_{topic.value}", locale), size=15, weight=ft.FontWeight.BOLD, color=ft.Colors.PRIMARY)))
        for kind in kinds:

            def box(pref: str, kind: str = kind) -> ft.Control:
                async def changed(on: bool, pref: str = pref) -> None:
                    await vm.set_channel(kind, pref, on)

                return labelled_toggle(ft.Checkbox(value=vm.chosen(kind, pref), disabled=busy),
                                       pref_label(pref, locale), changed)

            # The channels tight on one line under the kind (their names are short in both languages, so the three
            # fit the card's 296 px at 360, with a phone's 48 px checkboxes): with the row's default
            # spacing the SMS box wrapped to a line of its own and read like a setting apart.
            controls.append(ft.Column([ft.Text(notification_kind_label(kind, locale), weight=ft.FontWeight.W_600),
                                       ft.Row([box(p) for p in settings.allowed[kind]], wrap=True, spacing=0,
                                              run_spacing=0)],
                                      spacing=0, key=f"kind-{kind}"))
    return controls


def _quiet_times(vm: AccountViewModel, locale: Locale) -> ft.Control:
    """The start and the end of the quiet hours (Bangkok time), whole and half hours, each saved when chosen."""
    settings = vm.settings
    assert settings is not None

    async def start_chosen(e: ft.Event[ft.Dropdown]) -> None:
        if e.control.value:
            await vm.set_quiet_start(e.control.value)

    async def end_chosen(e: ft.Event[ft.Dropdown]) -> None:
        if e.control.value:
            await vm.set_quiet_end(e.control.value)

    def picker(key: str, value: str, chosen: Callable[[ft.Event[ft.Dropdown]], Awaitable[None]]) -> ft.Control:
        label = t(key, locale)
        # The semantics name the field and its time together, as a screen reader (and a test) reads it.
        return ft.Semantics(label=label, value=value, expand=True, content=ft.Dropdown(
            label=label, value=value, dense=True, expand=True, disabled=vm.saving_settings, on_select=chosen,
            options=[ft.DropdownOption(key=v, text=v) for v in vm.quiet_time_choices(value)],
            menu_height=320,
        ))

    return ft.Row([picker("prefs_quiet_start", settings.quiet_start, start_chosen),
                   picker("prefs_quiet_end", settings.quiet_end, end_chosen)], spacing=12)


def delete_account_dialog(vm: AccountViewModel | None, locale: Locale) -> ft.AlertDialog | None:
    """Asked before anything is erased: what goes, what stays (without the person), and that it is for good."""
    if vm is None or not vm.confirming_delete:
        return None
    content: list[ft.Control] = [ft.Text(t("delete_account_text", locale))]
    if vm.delete_error:
        content.append(error_message(vm.delete_error, key="delete-error"))
    if vm.deleting:
        content.append(ft.ProgressBar(key="delete-progress"))
    return ft.AlertDialog(
        modal=True,
        title=ft.Text(t("delete_account_title", locale)),
        content=ft.Column(content, tight=True, spacing=12),
        actions=[
            ft.TextButton(t("account_cancel", locale), disabled=vm.deleting, on_click=vm.cancel_delete),
            ft.TextButton(t("delete_account_confirm", locale), disabled=vm.deleting, on_click=vm.delete_account,
                          style=ft.ButtonStyle(color=ft.Colors.ERROR)),
        ],
    )
