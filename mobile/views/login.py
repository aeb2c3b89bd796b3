"""Sign-in screen: phone number first, then the one-time code."""

import flet as ft

from mobile.viewmodels.login import LoginStep, LoginViewModel
from mobile.views.common import error_message, heading, keyed, muted, retry_button, working
from mobile.views.typed_field import TypedField
from shared.otp import MAX_LENGTH
from shared.text import Locale, t


def login_view(vm: LoginViewModel, locale: Locale) -> ft.Control:
    # Keyed, part by part: the notice going at the first tap (a sign-in that ran out said why), or the code step's
    # lines coming, leaves the field and the buttons below their control ids, so a tap aimed at one is not lost.
    controls: list[ft.Control] = keyed("top", [
        ft.Icon(ft.Icons.HANDYMAN, size=48, color=ft.Colors.PRIMARY),
        heading(t("app_title", locale), size=22),
        muted(t("app_subtitle", locale)),
    ])
    if vm.notice:
        controls += keyed("notice", [error_message(vm.notice)])
    if vm.step == LoginStep.PHONE:
        controls += keyed("phone-step", _phone_step(vm, locale))
    else:
        controls += _code_step(vm, locale)
    if vm.error:
        controls += keyed("error", [error_message(vm.error)])
        if vm.can_retry:
            controls += keyed("retry", [retry_button(locale, vm.retry, vm.retry_at)])
    if vm.busy:
        controls += keyed("busy", [working(vm.working or "")])
    return ft.Column(controls, spacing=16, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def _phone_step(vm: LoginViewModel, locale: Locale) -> list[ft.Control]:
    field = ft.Ref[ft.TextField]()

    def typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_phone_input(e.control.value)

    async def send() -> None:
        # What the field holds now: on a slow device a tap can be handled before the last keystrokes' changes.
        if field.current is not None and field.current.value is not None:
            vm.set_phone_input(field.current.value)
        await vm.request_code()

    return [
        TypedField(
            ref=field,
            key="phone",
            label=t("phone_label", locale),
            hint_text=t("phone_hint", locale),
            value=vm.phone_input,
            error=vm.phone_error,
            error_max_lines=3,
            keyboard_type=ft.KeyboardType.PHONE,
            prefix_icon=ft.Icons.PHONE,
            autofill_hints=ft.AutofillHint.TELEPHONE_NUMBER,
            autofocus=True,
            read_only=vm.busy,
            on_change=typed,
            on_submit=send,
        ),
        muted(t("code_goes_to", locale, phone=vm.phone_preview) if vm.phone_preview else ""),
        ft.FilledButton(t("request_code", locale), icon=ft.Icons.SMS, disabled=vm.busy, on_click=send),
    ]


def _code_step(vm: LoginViewModel, locale: Locale) -> list[ft.Control]:
    field = ft.Ref[ft.TextField]()

    def typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_code_input(e.control.value)

    async def verify() -> None:
        if field.current is not None and field.current.value is not None:  # as for the phone, above
            vm.set_code_input(field.current.value)
        await vm.verify()

    controls: list[ft.Control] = []
    if vm.code_sent:
        # Read out when it changes: a new code asked for from this step says it was sent.
        controls += keyed("code-sent", [ft.Semantics(live_region=True, content=ft.Text(vm.code_sent))])
    if vm.dev_hint:
        controls += keyed("dev-hint", [
            ft.Container(
                content=ft.Text(vm.dev_hint, color=ft.Colors.ON_TERTIARY_CONTAINER),
                bgcolor=ft.Colors.TERTIARY_CONTAINER,
                border_radius=8,
                padding=10,
            )
        ])
    controls += keyed("code-step", [
        TypedField(
            ref=field,
            key="code",
            label=t("code_label_digits", locale, n=vm.code_length) if vm.code_length else t("code_label", locale),
            value=vm.code_input,
            error=vm.code_error,
            error_max_lines=3,
            keyboard_type=ft.KeyboardType.NUMBER,
            max_length=vm.code_length or MAX_LENGTH,
            prefix_icon=ft.Icons.PASSWORD,
            autofill_hints=ft.AutofillHint.ONE_TIME_CODE,
            autofocus=True,
            read_only=vm.busy,
            on_change=typed,
            on_submit=verify,
        ),
        ft.FilledButton(t("verify_code", locale), icon=ft.Icons.LOGIN, disabled=vm.busy, on_click=verify),
        # Where an expired or wrong code's message points: a new code to the same number (the backend's limit on
        # sends holds; its refusal says when to ask again). Changing the number is the other way out.
        ft.Row([
            ft.OutlinedButton(t("resend_code", locale) if vm.resend_at is None
                              else t("resend_code_at", locale, time=vm.resend_at),
                              icon=ft.Icons.SMS, disabled=vm.busy or vm.resend_at is not None,
                              on_click=vm.resend_code),
            ft.TextButton(t("change_phone", locale), icon=ft.Icons.EDIT, disabled=vm.busy, on_click=vm.change_phone),
        ], wrap=True, spacing=8, run_spacing=8),
    ])
    return controls
