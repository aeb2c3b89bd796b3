"""Sign-in's code step for someone slow to read the SMS (audit16a, finding 11): a code that expired or was mistyped
says what to do, and the step has the button it names, "ขอรหัสใหม่", which sends a new code to the same number within
the backend's limit on sends (its refusal says when to ask again)."""

import json

import flet as ft
import httpx

from mobile.viewmodels.app import AppViewModel
from mobile.viewmodels.login import LoginStep
from mobile.views.frame import app_view
from shared.phone import national_format
from shared.text import Locale, error_text, t
from tests.unit.mobile_fakes import (
    DEV_CODE,
    PHONES,
    FakeBackend,
    MemoryStore,
    button_named,
    error_response,
    find,
    texts,
    walk,
)


async def _at_the_code_step(backend: FakeBackend) -> AppViewModel:
    app = AppViewModel(backend.client(), MemoryStore())
    await app.start()
    app.login.set_phone_input(PHONES["citizen"])
    await app.login.request_code()
    assert app.login.step == LoginStep.CODE
    return app


async def test_an_expired_code_can_be_asked_for_again_where_the_error_says() -> None:
    """Login (citizen), code step: codes live 60 s by default (backend/settings.py otp_ttl_seconds). An older citizen
    reading the SMS with a large font takes longer, and is told "รหัสยืนยันหมดอายุ กรุณาขอรหัสใหม่". The screen
    offers "เข้าสู่ระบบ" and "เปลี่ยนเบอร์" (change number): nothing says how to ask for a new code, and the number
    is right, so "change number" is not what they look for."""
    backend = FakeBackend()
    app = await _at_the_code_step(backend)
    backend.overrides[("POST", "/auth/otp/verify")] = lambda r: error_response(400, "otp_expired")
    app.login.set_code_input(DEV_CODE)
    await app.login.verify()
    assert app.login.code_error == error_text("otp_expired").th and app.login.step == LoginStep.CODE
    tree = app_view(app)
    names = [c.content for c in walk(tree) if isinstance(c, ft.Button | ft.TextButton | ft.OutlinedButton
                                                        | ft.FilledButton)]
    assert any(isinstance(n, str) and "ขอรหัส" in n for n in names), f"buttons: {names}"


async def test_a_new_code_goes_to_the_same_number_and_the_step_says_so() -> None:
    """"ขอรหัสใหม่" asks the backend again for the number the code step is for (not what the phone field last held),
    clears the old code from the field, says in a live region that a new code was sent, and the new code signs in."""
    backend = FakeBackend()
    app = await _at_the_code_step(backend)
    app.login.set_code_input("000000")
    await app.login.verify()
    assert app.login.code_error == error_text("otp_invalid").th
    assert "ขอรหัสใหม่" in app.login.code_error  # the wrong code's message says what to do next, by the button's name
    await button_named(app_view(app), t("resend_code", Locale.TH)).on_click()  # type: ignore[attr-defined]
    sends = backend.calls("POST", "/auth/otp/request")
    assert len(sends) == 2 and {json.loads(s.content)["phone"] for s in sends} == {"+66811111111"}
    assert app.login.step == LoginStep.CODE and app.login.code_error is None and app.login.code_input == ""
    said = t("code_resent", Locale.TH, phone=national_format("+66811111111"))
    live = [w for s in find(app_view(app), ft.Semantics, lambda s: bool(s.live_region)) for w in texts(s)]
    assert said in live
    app.login.set_code_input(DEV_CODE)
    await app.login.verify()
    assert app.home is not None


async def test_asking_too_often_says_when_a_new_code_may_be_asked_for() -> None:
    """The backend sends at most a few codes a number in its window: its 429 (with Retry-After) is shown on the code
    step with when to ask again, the code step stays (the code already sent may still be good), and no "try again"
    appears there, which on this step would send the code, not ask for one."""
    backend = FakeBackend()
    app = await _at_the_code_step(backend)

    def refused(request: httpx.Request) -> httpx.Response:
        response = error_response(429, "otp_rate_limited", seconds=840)
        response.headers["Retry-After"] = "840"
        return response

    backend.overrides[("POST", "/auth/otp/request")] = refused
    await app.login.resend_code()
    assert app.login.step == LoginStep.CODE
    shown = app.login.error or app.login.code_error
    assert shown is not None and "14 นาที" in shown, shown
    assert shown in texts(app_view(app))
    assert not app.login.can_retry
    assert not [c for c in walk(app_view(app)) if isinstance(c, ft.OutlinedButton | ft.FilledButton)
                and c.content == t("retry", Locale.TH)]
    # The new-code button itself waits for the refusal's Retry-After: disabled, saying from when; a tap sends nothing.
    waiting = [c for c in walk(app_view(app)) if isinstance(c, ft.OutlinedButton)
               and c.content == t("resend_code_at", Locale.TH, time=app.login.resend_at)]
    assert app.login.resend_at is not None and len(waiting) == 1 and waiting[0].disabled
    await app.login.resend_code()
    assert len(backend.calls("POST", "/auth/otp/request")) == 2
