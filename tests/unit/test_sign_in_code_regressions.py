"""The sign-in's code step: a refused new code's wait outlives a wrong code (review16a's finding 6), and each new
code that went says so in new words (finding 10)."""

import flet as ft

from mobile.models import SignedIn
from mobile.viewmodels.login import LoginStep, LoginViewModel
from mobile.viewmodels.session import Session
from mobile.views.login import login_view
from shared.phone import national_format
from shared.text import Locale, t
from tests.unit.mobile_fakes import FakeBackend, error_response, find, texts
from tests.unit.test_retry_waits_for_retry_after import Later, limited


async def _on_signed_in(_: SignedIn) -> None:
    return None


async def test_a_refused_new_codes_wait_outlives_a_wrong_code() -> None:
    """Sign-in, code step: "ขอรหัสใหม่" refused 429 with Retry-After: 600; the button says "ขอรหัสใหม่ได้เวลา …" and is
    disabled. The person then types the old code and presses "ยืนยัน": otp_invalid. `verify` cleared the wait, so the
    button was enabled again nine minutes early, and the line that said when was gone: the next tap was refused
    again. The wait is the new-code button's own now; changing the number ends it."""
    backend = FakeBackend()
    vm = LoginViewModel(backend.client(), Session(Locale.TH), on_signed_in=_on_signed_in)
    later = Later()
    later.on(vm.resend_wait)
    vm.set_phone_input("0811111111")
    await vm.request_code()
    assert vm.step == LoginStep.CODE
    backend.overrides[("POST", "/auth/otp/request")] = limited(600, code="otp_rate_limited")
    await vm.resend_code()
    assert vm.resend_at == "10:10"
    backend.overrides[("POST", "/auth/otp/verify")] = lambda _: error_response(400, "otp_invalid")
    vm.set_code_input("0" * (vm.code_length or 6))
    try:
        await vm.verify()
        assert vm.code_error is not None
        assert vm.resend_at == "10:10", "the new-code button came back during the server's Retry-After"
        sends = len(backend.calls("POST", "/auth/otp/request"))
        await vm.resend_code()
        assert len(backend.calls("POST", "/auth/otp/request")) == sends, "a new code was asked for during the wait"
        vm.change_phone()
        assert vm.resend_at is None and not vm.resend_wait.waiting
    finally:
        vm.resend_wait.after(None)  # no wake-up left sleeping past the test


def _said(vm: LoginViewModel) -> list[str]:
    """What the code step's live regions hold once nothing is on its way (the busy line gone)."""
    return [w for s in find(login_view(vm, Locale.TH), ft.Semantics, lambda s: bool(s.live_region)) for w in texts(s)]


async def test_a_second_new_code_says_it_was_sent() -> None:
    """Sign-in, code step, the SMS does not come: "ขอรหัสใหม่" → "ส่งรหัสใหม่ไปที่ 081-111-1111 แล้ว ใช้รหัสใน SMS
    ล่าสุด". It still does not come; a second tap (within the backend's limit) succeeded, and the screen was exactly as
    before: the live region's label unchanged, so Flutter announced nothing (it speaks a live region when its label
    changes) and a sighted person saw only the bar flash. Now each new code's line says its number."""
    backend = FakeBackend()
    vm = LoginViewModel(backend.client(), Session(Locale.TH), on_signed_in=_on_signed_in)
    vm.set_phone_input("0811111111")
    await vm.request_code()
    await vm.resend_code()
    first = _said(vm)
    phone = national_format("+66811111111")
    assert vm.resent and t("code_resent", Locale.TH, phone=phone) in first and not vm.busy
    await vm.resend_code()
    assert vm.error is None and vm.resent and not vm.busy
    assert _said(vm) != first, "the second new code changed nothing on the screen"
    assert t("code_resent_again", Locale.TH, phone=phone, n=2) in _said(vm)
    await vm.resend_code()
    assert t("code_resent_again", Locale.TH, phone=phone, n=3) in _said(vm)
    vm.change_phone()
    vm.set_phone_input("0811111111")
    await vm.request_code()  # a first code again: counted afresh
    await vm.resend_code()
    assert t("code_resent", Locale.TH, phone=phone) in _said(vm)
