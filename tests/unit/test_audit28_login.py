"""audit28 #1, the app's side: a code the backend says may have gone out (GoTrue's answer lost or late, 503
`otp_maybe_sent`) opens the code step, so the SMS that arrives can be typed in; a new code waits for the answer's
Retry-After (GoTrue's own 60 s spacing would refuse it, and it would void the code on its way)."""

import httpx
import pytest

from mobile.viewmodels.login import LoginStep
from shared.text import Locale, error_text, error_text_waiting
from tests.unit.mobile_fakes import FakeBackend
from tests.unit.test_mobile_login import make_login


def maybe_sent(_: httpx.Request) -> httpx.Response:
    text = error_text("otp_maybe_sent")
    return httpx.Response(503, headers={"Retry-After": "60"},
                          json={"error": {"code": "otp_maybe_sent", "message_th": text.th, "message_en": text.en}})


@pytest.mark.parametrize("locale", [Locale.TH, Locale.EN])
async def test_a_code_that_may_have_gone_out_opens_the_code_step(locale: Locale) -> None:
    backend = FakeBackend()
    backend.overrides[("POST", "/auth/otp/request")] = maybe_sent
    vm, signed, _ = make_login(backend, locale)
    vm.set_phone_input("081-111-1111")
    await vm.request_code()
    assert vm.step == LoginStep.CODE
    assert vm.phone == "+66811111111"
    # says a code may come, what to do, and when a new one may be asked for
    assert vm.error == error_text_waiting("otp_maybe_sent", error_text("otp_maybe_sent"), 60).in_(locale)
    assert vm.code_sent is None  # never "a code was sent": nobody knows
    assert vm.resend_at is not None  # a new code after the Retry-After, not at once
    assert not vm.can_retry  # "try again" on the code step verifies: nothing to verify yet
    vm.set_code_input("123456")  # the SMS came after all
    await vm.verify()
    assert signed and not vm.busy


async def test_a_new_code_that_may_have_gone_out_no_longer_says_the_last_one_was_sent() -> None:
    """review28a's leftover: on the code step, the new-code button answered `otp_maybe_sent` left the line "a code was
    sent to 081-..." above the field, about a code the new one may have voided."""
    backend = FakeBackend()
    vm, _, _ = make_login(backend, Locale.EN)
    vm.set_phone_input("081-111-1111")
    await vm.request_code()
    assert vm.step == LoginStep.CODE and vm.code_sent is not None  # a code was sent: the line says so
    backend.overrides[("POST", "/auth/otp/request")] = maybe_sent
    vm.resend_wait.after(None)  # the first code's own spacing past
    await vm.resend_code()
    assert vm.step == LoginStep.CODE
    assert vm.code_sent is None  # nobody knows which code is good now
    assert vm.error == error_text_waiting("otp_maybe_sent", error_text("otp_maybe_sent"), 60).in_(Locale.EN)
    assert vm.resend_at is not None
