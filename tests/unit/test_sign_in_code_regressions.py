"""The sign-in's code step: a refused new code's wait outlives a wrong code (review16a's finding 6), and each new
code that went says so in new words (finding 10)."""

from mobile.models import SignedIn
from mobile.viewmodels.login import LoginStep, LoginViewModel
from mobile.viewmodels.session import Session
from shared.text import Locale
from tests.unit.mobile_fakes import FakeBackend, error_response
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

