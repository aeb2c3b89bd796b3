"""ApiClient: the contract's payloads become typed objects, every failure one ApiError."""

import asyncio
import json

import httpx
import pytest

from mobile.api_client import ApiClient, ApiError
from mobile.models import OfferStatus, SessionTokens
from shared.roles import AppRole
from shared.statuses import RequestStatus
from shared.text import Locale, error_text
from tests.unit.mobile_fakes import BASE_URL, FakeBackend


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
    assert signed_in.profile is not None and not signed_in.suspended
    assert signed_in.profile.role == AppRole.TECHNICIAN
    assert signed_in.profile.college is not None and signed_in.profile.college.code == "1310"


async def test_authenticated_calls_send_the_bearer_token_and_parse_lists() -> None:
    backend = FakeBackend()
    api = backend.client()
    api.token = backend.issue_token("technician")
    feed = await api.technician_offers()
    jobs = await api.technician_jobs()
    (call,) = backend.calls("GET", "/technician/offers")
    assert call.headers["authorization"] == f"Bearer {api.token}"
    offers = feed.offers
    assert feed.takes_jobs is True  # the feed's X-Takes-Jobs header
    assert offers[0].offer_status == OfferStatus.PENDING and offers[0].distance_km == pytest.approx(3.24)
    assert jobs.rows[0].status == RequestStatus.DIAGNOSING and jobs.total == 1  # its X-Total-Count header


@pytest.mark.parametrize(("header", "told"), [
    ({"X-Unread-Count": "3"}, [3]), ({"X-Unread-Count": "0"}, [0]), ({}, []), ({"X-Unread-Count": "-1"}, []),
    ({"X-Unread-Count": "many"}, []),
])
async def test_the_own_list_reads_its_unread_count_header(header: dict[str, str], told: list[int]) -> None:
    backend = FakeBackend()
    api = backend.client()
    api.token = backend.issue_token("citizen")
    counted: list[int] = []
    api.on_unread_count = counted.append
    backend.overrides[("GET", "/requests/mine")] = lambda _: httpx.Response(200, json=[], headers=header)
    assert (await api.my_requests()).rows == []
    assert counted == told and api.unread_counts_seen == len(told)


@pytest.mark.parametrize(("header", "takes_jobs"), [
    ({"X-Takes-Jobs": "false"}, False), ({"X-Takes-Jobs": "true"}, True), ({}, None), ({"X-Takes-Jobs": "maybe"}, None),
])
async def test_the_offers_feed_reads_its_takes_jobs_header(header: dict[str, str], takes_jobs: bool | None) -> None:
    backend = FakeBackend()
    api = backend.client()
    api.token = backend.issue_token("technician")
    backend.overrides[("GET", "/technician/offers")] = lambda _: httpx.Response(200, json=[], headers=header)
    feed = await api.technician_offers()
    assert feed.offers == [] and feed.takes_jobs is takes_jobs


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


def test_a_session_banned_in_supabase_auth_is_a_lost_session() -> None:
    """Audit 11c: GoTrue's `user_banned` answers 403 `account_banned` on every refresh: back to the login (with its
    text saying whom to ask), and drafts held for later rather than failed."""
    banned = ApiError.from_catalog(403, "account_banned")
    assert banned.is_auth_lost and not banned.is_suspended
    assert banned.message(Locale.TH) == error_text("account_banned").th


def test_a_session_that_is_no_phone_sign_in_is_a_lost_session() -> None:
    """Audit 14a: a Supabase session of an e-mail or anonymous account answers 403 `phone_sign_in_required`: back
    to the login, where a phone signs in, with the text saying so."""
    refused = ApiError.from_catalog(403, "phone_sign_in_required")
    assert refused.is_auth_lost and not refused.is_suspended
    assert refused.message(Locale.EN) == error_text("phone_sign_in_required").en


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
    assert (caught.value.status, caught.value.code) == (502, "server_unavailable")  # by its status: the gateway
    assert caught.value.message_th and caught.value.message_en


async def test_payload_breaking_the_contract_is_internal_error() -> None:
    api = ApiClient(BASE_URL, transport=httpx.MockTransport(lambda r: httpx.Response(200, json=[{"code": 1}])))
    with pytest.raises(ApiError) as caught:
        await api.categories()
    assert caught.value.code == "internal_error"


# --- sessions that last: refresh before expiry, once after a 401, and a clean end ---------------------------------


class RefreshingBackend:
    """A backend whose access tokens expire at a set time and whose refresh tokens are single use."""

    def __init__(self, clock: list[float]) -> None:
        self.clock = clock
        self.generation = 0
        self.valid_access: dict[str, float] = {}  # token -> expires_at
        self.refresh_tokens: set[str] = set()
        self.calls: list[tuple[str, str]] = []
        self.refresh_fails_with: int | None = None

    def issue(self) -> dict[str, object]:
        self.generation += 1
        access, refresh = f"access-{self.generation}", f"refresh-{self.generation}"
        expires_at = self.clock[0] + 3600
        self.valid_access[access] = expires_at
        self.refresh_tokens.add(refresh)
        return {"access_token": access, "refresh_token": refresh, "expires_in": 3600, "expires_at": expires_at,
                "profile": {"id": "00000000-0000-0000-0000-000000000001", "role": "citizen", "display_name": "ก"}}

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((request.method, request.url.path))
        if request.url.path == "/auth/otp/verify":
            return httpx.Response(200, json=self.issue())
        if request.url.path == "/auth/refresh":
            token = json.loads(request.content)["refresh_token"]
            if self.refresh_fails_with is not None:
                return httpx.Response(self.refresh_fails_with, json=error_body("database_unavailable"))
            if token not in self.refresh_tokens:
                return httpx.Response(401, json=error_body("session_expired"))
            self.refresh_tokens.discard(token)
            return httpx.Response(200, json=self.issue())
        if request.url.path == "/auth/sign-out":
            body = json.loads(request.content) if request.content else {}
            self.refresh_tokens.discard(body.get("refresh_token"))
            return httpx.Response(204)
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if self.valid_access.get(token, 0) <= self.clock[0]:
            return httpx.Response(401, json=error_body("token_invalid"))
        return httpx.Response(200, json={"id": "00000000-0000-0000-0000-000000000001", "role": "citizen",
                                         "display_name": "ก"})


def error_body(code: str) -> dict[str, object]:
    text = error_text(code)
    return {"error": {"code": code, "message_th": text.th, "message_en": text.en}}


def refreshing_client() -> tuple[ApiClient, RefreshingBackend, list[float], list[object]]:
    clock = [1_000_000.0]
    backend = RefreshingBackend(clock)
    api = ApiClient(BASE_URL, transport=httpx.MockTransport(backend.handler), clock=lambda: clock[0])
    stored: list[object] = []

    async def remember(tokens: object) -> None:
        stored.append(tokens)

    api.on_tokens_changed = remember
    return api, backend, clock, stored


async def test_a_session_outlives_its_access_token_without_a_new_code() -> None:
    api, backend, clock, stored = refreshing_client()
    signed_in = await api.verify_otp("+66811111111", "123456")
    assert signed_in.refresh_token == "refresh-1" and api.token == "access-1"
    for hour in range(1, 6):  # five hours of use: each call near the end of a token's life refreshes first
        clock[0] += 3600 - 30
        await api.me()
        assert api.token == f"access-{hour + 1}"
    assert backend.calls.count(("POST", "/auth/otp/verify")) == 1
    assert backend.calls.count(("POST", "/auth/refresh")) == 5
    assert ("GET", "/me") in backend.calls and all(c[1] != "/auth/otp/request" for c in backend.calls)
    # Every new pair was handed over to be stored (the refresh token is single use).
    assert [getattr(s, "refresh_token", None) for s in stored] == [f"refresh-{n}" for n in range(1, 7)]


async def test_a_401_refreshes_once_and_retries() -> None:
    api, backend, _, _ = refreshing_client()
    await api.verify_otp("+66811111111", "123456")
    backend.valid_access.clear()  # revoked on the server before its time: the app's clock cannot know
    profile = await api.me()
    assert profile.role == AppRole.CITIZEN
    assert backend.calls[-3:] == [("GET", "/me"), ("POST", "/auth/refresh"), ("GET", "/me")]


async def test_concurrent_calls_share_one_refresh() -> None:
    api, backend, clock, _ = refreshing_client()
    await api.verify_otp("+66811111111", "123456")
    clock[0] += 3600 + 1
    await asyncio.gather(*(api.me() for _ in range(5)))
    assert backend.calls.count(("POST", "/auth/refresh")) == 1  # a second use of the token would end the session


async def test_a_refused_refresh_signs_out_cleanly() -> None:
    api, backend, clock, stored = refreshing_client()
    await api.verify_otp("+66811111111", "123456")
    backend.refresh_tokens.clear()  # signed out elsewhere, or idle too long
    clock[0] += 3600 + 1
    with pytest.raises(ApiError) as caught:
        await api.me()
    assert caught.value.code == "session_expired" and caught.value.status == 401 and caught.value.is_auth_lost
    assert api.token is None and api.session is None and stored[-1] is None


async def test_refresh_trouble_keeps_the_session() -> None:
    api, backend, clock, _ = refreshing_client()
    await api.verify_otp("+66811111111", "123456")
    clock[0] += 3600 - 30  # due, but the token still works for 30 s
    backend.refresh_fails_with = 503
    await api.me()  # the refresh failed, the call went on with the old token
    assert api.token == "access-1" and api.session is not None and api.session.refresh_token == "refresh-1"


async def test_sign_out_revokes_and_forgets() -> None:
    api, backend, clock, stored = refreshing_client()
    await api.verify_otp("+66811111111", "123456")
    await api.sign_out()
    assert backend.calls[-1] == ("POST", "/auth/sign-out") and "refresh-1" not in backend.refresh_tokens
    assert api.token is None and stored[-1] is None
    # A stored session restored at app start refreshes like a fresh one.
    stored_pair = backend.issue()
    api.use_session(SessionTokens(access_token=str(stored_pair["access_token"]),
                                  refresh_token=str(stored_pair["refresh_token"]),
                                  expires_at=float(str(stored_pair["expires_at"]))))
    api.token = str(stored_pair["access_token"])  # the view-model's assignment of the same token keeps it
    clock[0] += 3600
    await api.me()
    assert api.token == "access-3"


async def test_delete_account_confirms_and_forgets_the_session() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/me/export":
            return httpx.Response(200, json={"profile": {"id": "x"}})
        return httpx.Response(204)

    api = ApiClient(BASE_URL, transport=httpx.MockTransport(handler), token="t")
    assert json.loads(await api.export_my_data()) == {"profile": {"id": "x"}}
    await api.delete_account()
    assert seen[-1].method == "DELETE" and seen[-1].url.params["confirm"] == "true"
    assert seen[-1].headers["authorization"] == "Bearer t" and api.token is None


async def test_an_answer_that_breaks_the_contract_is_logged_with_its_fields(caplog: pytest.LogCaptureFixture) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"id": "not-a-uuid", "role": "wizard", "display_name": "x"})

    api = ApiClient(BASE_URL, token="t", transport=httpx.MockTransport(handler))
    with pytest.raises(ApiError) as failed:
        await api.me()
    assert failed.value.code == "internal_error"
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "fixit.app.api")
    assert "id: uuid_parsing" in logged and "role: enum" in logged and "wizard" not in logged
