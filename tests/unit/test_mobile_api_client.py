"""ApiClient: the contract's payloads become typed objects, every failure one ApiError."""

import json

import httpx
import pytest

from mobile.api_client import ApiClient, ApiError
from mobile.models import OfferStatus
from shared.roles import AppRole
from shared.statuses import RequestStatus
from shared.text import Locale, error_text
from tests.unit.test_mobile_support import BASE_URL, FakeBackend


async def test_otp_request_posts_the_phone_without_a_token() -> None:
    backend = FakeBackend()
    api = backend.client()
    api.token = "left-over"
    sent = await api.request_otp("+66811111111")
    (call,) = backend.calls("POST", "/auth/otp/request")
    assert json.loads(call.content) == {"phone": "+66811111111"}
    assert "authorization" not in call.headers
    assert sent.phone == "+66811111111" and sent.dev_code == "123456" and sent.expires_in == 300


async def test_verify_returns_token_and_profile() -> None:
    api = FakeBackend().client()
    signed_in = await api.verify_otp("+66822222222", "123456")
    assert signed_in.access_token.startswith("token-technician")
    assert signed_in.profile.role == AppRole.TECHNICIAN
    assert signed_in.profile.college is not None and signed_in.profile.college.code == "1310"


async def test_authenticated_calls_send_the_bearer_token_and_parse_lists() -> None:
    backend = FakeBackend()
    api = backend.client()
    api.token = backend.issue_token("technician")
    offers = await api.technician_offers()
    jobs = await api.technician_jobs()
    (call,) = backend.calls("GET", "/technician/offers")
    assert call.headers["authorization"] == f"Bearer {api.token}"
    assert offers[0].offer_status == OfferStatus.PENDING and offers[0].distance_km == pytest.approx(3.24)
    assert jobs[0].status == RequestStatus.DIAGNOSING


async def test_update_me_sends_only_what_changes() -> None:
    backend = FakeBackend()
    api = backend.client()
    api.token = backend.issue_token("citizen")
    profile = await api.update_me(locale=Locale.EN)
    (call,) = backend.calls("PATCH", "/me")
    assert json.loads(call.content) == {"locale": "en"}
    assert profile.locale == Locale.EN


async def test_error_body_becomes_api_error() -> None:
    api = FakeBackend().client()
    with pytest.raises(ApiError) as caught:
        await api.my_requests()  # no token
    error = caught.value
    assert (error.status, error.code) == (401, "token_invalid")
    assert error.is_auth_lost
    assert error.message(Locale.TH) == error_text("token_invalid").th


async def test_wrong_role_is_forbidden_role() -> None:
    backend = FakeBackend()
    api = backend.client()
    api.token = backend.issue_token("citizen")
    with pytest.raises(ApiError) as caught:
        await api.supervisor_queue()
    assert (caught.value.status, caught.value.code) == (403, "forbidden_role")
    assert not caught.value.is_auth_lost


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped")],
)
async def test_network_failures_become_network_unreachable(failure: httpx.TransportError) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise failure

    api = ApiClient(BASE_URL, transport=httpx.MockTransport(handler))
    with pytest.raises(ApiError) as caught:
        await api.categories()
    assert caught.value.code == "network_unreachable" and caught.value.status == 0
    assert caught.value.is_network
    assert caught.value.message_th == "เชื่อมต่อเซิร์ฟเวอร์ไม่ได้ กรุณาตรวจสอบอินเทอร์เน็ต"


async def test_error_without_contract_body_still_has_both_languages() -> None:
    api = ApiClient(BASE_URL, transport=httpx.MockTransport(lambda r: httpx.Response(502, text="<html>Bad gateway")))
    with pytest.raises(ApiError) as caught:
        await api.categories()
    assert (caught.value.status, caught.value.code) == (502, "internal_error")
    assert caught.value.message_th and caught.value.message_en


async def test_payload_breaking_the_contract_is_internal_error() -> None:
    api = ApiClient(BASE_URL, transport=httpx.MockTransport(lambda r: httpx.Response(200, json=[{"code": 1}])))
    with pytest.raises(ApiError) as caught:
        await api.categories()
    assert caught.value.code == "internal_error"
