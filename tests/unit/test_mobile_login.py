"""LoginViewModel: phone → code → signed in, with errors next to the right field in the right language."""

import json

import httpx

from mobile.models import SignedIn
from mobile.viewmodels.login import LoginStep, LoginViewModel
from mobile.viewmodels.session import Session
from shared.text import Locale
from tests.unit.mobile_fakes import FakeBackend, error_response

INVALID_PHONE_TH = "เบอร์โทรศัพท์ไม่ถูกต้อง กรุณากรอกเบอร์ไทย 9–10 หลัก เช่น 0812345678"
INVALID_PHONE_EN = "Invalid phone number: enter a Thai number of 9–10 digits, e.g. 0812345678"
NETWORK_TH = "เชื่อมต่อเซิร์ฟเวอร์ไม่ได้ กรุณาตรวจสอบอินเทอร์เน็ต"
WRONG_CODE_TH = "รหัสยืนยันไม่ถูกต้อง กรุณาตรวจรหัสใน SMS ล่าสุดแล้วพิมพ์ใหม่ หรือกด \"ขอรหัสใหม่\""


def make_login(backend: FakeBackend, locale: Locale = Locale.TH) -> tuple[LoginViewModel, list[SignedIn], list[int]]:
    signed: list[SignedIn] = []
    changes: list[int] = []

    async def on_signed_in(result: SignedIn) -> None:
        signed.append(result)

    vm = LoginViewModel(backend.client(), Session(locale), on_signed_in=on_signed_in)
    vm.on_change.append(lambda: changes.append(1))
    return vm, signed, changes


async def test_invalid_phone_shows_thai_message_without_calling_the_backend() -> None:
    backend = FakeBackend()
    vm, _, changes = make_login(backend)
    vm.set_phone_input("12345")
    await vm.request_code()
    assert vm.phone_error == INVALID_PHONE_TH
    assert vm.step == LoginStep.PHONE
    assert backend.requests == []
    assert changes, "the view must re-render to show the error"


async def test_invalid_phone_message_follows_the_language() -> None:
    backend = FakeBackend()
    vm, _, _ = make_login(backend, Locale.EN)
    vm.set_phone_input("0123")
    await vm.request_code()
    assert vm.phone_error == INVALID_PHONE_EN
    assert backend.requests == []


async def test_request_code_moves_to_code_step_with_dev_hint() -> None:
    backend = FakeBackend()
    vm, _, _ = make_login(backend)
    vm.set_phone_input("081-111-1111")
    await vm.request_code()
    (call,) = backend.calls("POST", "/auth/otp/request")
    assert json.loads(call.content) == {"phone": "+66811111111"}  # normalised before sending
    assert vm.step == LoginStep.CODE
    assert vm.phone == "+66811111111"
    assert vm.dev_hint == "โหมดทดสอบ: รหัสคือ 123456"
    assert vm.code_sent == "ส่งรหัสไปที่ 081-111-1111 แล้ว"
    assert vm.phone_error is None and vm.error is None and not vm.busy


async def test_no_dev_hint_when_the_backend_sends_no_code() -> None:
    backend = FakeBackend()
    backend.overrides[("POST", "/auth/otp/request")] = lambda r: httpx.Response(
        200, json={"phone": "+66811111111", "expires_in": 300, "dev_code": None}
    )
    vm, _, _ = make_login(backend)
    vm.set_phone_input("0811111111")
    await vm.request_code()
    assert vm.step == LoginStep.CODE and vm.dev_hint is None


async def test_busy_while_waiting_for_the_backend() -> None:
    backend = FakeBackend()
    vm, _, _ = make_login(backend)
    seen: list[bool] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(vm.busy)
        return httpx.Response(200, json={"phone": "+66811111111", "expires_in": 300, "dev_code": "123456"})

    backend.overrides[("POST", "/auth/otp/request")] = answer
    vm.set_phone_input("0811111111")
    await vm.request_code()
    assert seen == [True]
    assert vm.busy is False


async def test_server_side_phone_rejection_lands_next_to_the_field() -> None:
    backend = FakeBackend()
    backend.overrides[("POST", "/auth/otp/request")] = lambda r: error_response(422, "invalid_phone")
    vm, _, _ = make_login(backend)
    vm.set_phone_input("0811111111")
    await vm.request_code()
    assert vm.phone_error == INVALID_PHONE_TH and vm.error is None


async def test_rate_limit_message_comes_from_the_server() -> None:
    backend = FakeBackend()
    backend.overrides[("POST", "/auth/otp/request")] = lambda r: error_response(429, "otp_rate_limited", seconds=42)
    vm, _, _ = make_login(backend)
    vm.set_phone_input("0811111111")
    await vm.request_code()
    assert vm.error == "ขอรหัสบ่อยเกินไป กรุณารอ 42 วินาทีแล้วลองใหม่"
    assert not vm.can_retry  # pressing again right away would only be refused again


async def test_verify_hands_token_and_profile_over() -> None:
    backend = FakeBackend()
    vm, signed, _ = make_login(backend)
    vm.set_phone_input("0811111111")
    await vm.request_code()
    vm.set_code_input(" 123456 ")
    await vm.verify()
    (call,) = backend.calls("POST", "/auth/otp/verify")
    assert json.loads(call.content) == {"phone": "+66811111111", "code": "123456"}
    profile = signed[0].profile if len(signed) == 1 else None
    assert profile is not None and profile.display_name == "สมชาย ใจดี"
    assert not vm.busy and vm.code_input == ""


async def test_malformed_code_is_refused_locally() -> None:
    backend = FakeBackend()
    vm, signed, _ = make_login(backend)
    vm.set_phone_input("0811111111")
    await vm.request_code()
    vm.set_code_input("12ab")
    await vm.verify()
    assert vm.code_error == "รหัสยืนยันต้องเป็นตัวเลขครบทุกหลักตามที่ได้รับทาง SMS"
    assert backend.calls("POST", "/auth/otp/verify") == [] and signed == []


async def test_the_code_has_the_length_the_issuer_sends() -> None:
    """Supabase projects set 6–10 digits: an 8-digit issuer's code is checked against 8, not 6."""
    backend = FakeBackend()
    backend.overrides[("POST", "/auth/otp/request")] = lambda r: httpx.Response(
        200, json={"phone": "+66811111111", "expires_in": 60, "code_length": 8})
    backend.overrides[("POST", "/auth/otp/verify")] = lambda r: error_response(400, "otp_invalid")
    vm, signed, _ = make_login(backend)
    vm.set_phone_input("0811111111")
    await vm.request_code()
    assert vm.code_length == 8
    vm.set_code_input("123456")  # six digits: too short for this issuer, refused before any call
    await vm.verify()
    assert vm.code_error == "รหัสยืนยันต้องเป็นตัวเลขครบทุกหลักตามที่ได้รับทาง SMS"
    assert backend.calls("POST", "/auth/otp/verify") == []
    vm.set_code_input("12345678")
    await vm.verify()
    (call,) = backend.calls("POST", "/auth/otp/verify")
    assert json.loads(call.content)["code"] == "12345678" and signed == []
    assert vm.code_error == WRONG_CODE_TH


async def test_wrong_code_is_shown_at_the_code_field() -> None:
    backend = FakeBackend()
    vm, signed, _ = make_login(backend)
    vm.set_phone_input("0811111111")
    await vm.request_code()
    vm.set_code_input("000000")
    await vm.verify()
    assert vm.code_error == WRONG_CODE_TH
    assert vm.step == LoginStep.CODE and signed == []


async def test_network_error_shows_thai_message_and_retry_works() -> None:
    backend = FakeBackend()
    backend.offline = True
    vm, _, _ = make_login(backend)
    vm.set_phone_input("0811111111")
    await vm.request_code()
    assert vm.error == NETWORK_TH
    assert vm.can_retry and not vm.busy and vm.step == LoginStep.PHONE
    backend.offline = False
    await vm.retry()
    assert vm.error is None and vm.step == LoginStep.CODE


async def test_change_phone_goes_back_and_forgets_the_code() -> None:
    backend = FakeBackend()
    vm, _, _ = make_login(backend)
    vm.set_phone_input("0811111111")
    await vm.request_code()
    vm.set_code_input("12")
    vm.change_phone()
    assert vm.step == LoginStep.PHONE and vm.code_input == "" and vm.dev_hint is None
    assert vm.phone_input == "0811111111"


async def test_texts_follow_a_locale_switch() -> None:
    backend = FakeBackend()
    session = Session(Locale.TH)

    async def ignore(_: SignedIn) -> None:
        return None

    vm = LoginViewModel(backend.client(), session, on_signed_in=ignore)
    vm.set_phone_input("0811111111")
    await vm.request_code()
    assert vm.dev_hint == "โหมดทดสอบ: รหัสคือ 123456"
    session.toggle_locale()
    assert vm.dev_hint == "Developer mode: the code is 123456"
    assert vm.code_sent == "We sent a code to 081-111-1111"
