"""review28a: a skeptical review of audit28's merged code (9578dbf..b53854e). Each finding is proved here (or in
tests/unit/test_review28a_*.py) first, as a strict xfail until it is fixed; /tmp/p28/review28a-findings.md
describes them."""

import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx
import pytest
import respx

import shared.otp
from backend.app import create_app
from backend.deps import get_now
from backend.routes import auth as auth_routes
from backend.settings import Settings
from mobile.api_client import ApiClient
from mobile.models import SignedIn
from mobile.viewmodels import login
from mobile.viewmodels.login import LoginStep, LoginViewModel
from mobile.viewmodels.session import Session
from shared.phone import normalize_thai_phone
from shared.text import Locale, error_text, error_text_waiting
from tests.helpers import fresh_phone
from tests.integration.app_at import with_supabase_auth

SUPABASE = "https://review28a.supabase.co"


@asynccontextmanager
async def app_client_at(settings: Settings, address: str) -> AsyncIterator[ApiClient]:
    """The app's own API client (mobile.api_client) calling the real backend in-process, as a client at `address`."""
    app = create_app(settings)
    app.dependency_overrides[get_now] = lambda: datetime.now(UTC)
    async with app.router.lifespan_context(app):
        api = ApiClient("http://fixit.test", transport=httpx.ASGITransport(app=app, client=(address, 40000)))
        try:
            yield api
        finally:
            await api.aclose()


# --- #2 (fixed): the maybe-sent answer's code was typed twice; nothing proved the app reads what the backend sends -


@pytest.mark.parametrize("locale", [Locale.TH, Locale.EN])
async def test_the_app_opens_the_code_step_on_the_backends_own_maybe_sent_answer(settings: Settings,
                                                                                 locale: Locale) -> None:
    """audit28 #1's two halves were proved apart: the route's answer against a literal, the app's view model against
    a hand-made body in a fake backend. Here the app's own client reads the real route's answer (GoTrue's answer
    lost after the request went out) and its login view model opens the code step for it. And the code the two
    halves agree on is one name in shared/ (the house rule: a rule typed once), not a string in the route and a
    second one in the app, where a rename of either half leaves the other answering as "sign-in is down"."""
    sb = with_supabase_auth(settings, SUPABASE, otp_requests_per_address=1000)
    phone = fresh_phone()

    def gotrue_sends_then_is_late(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("the answer came after the client's timeout", request=request)

    async def signed_in(_: SignedIn) -> None:
        raise AssertionError("no sign-in here")

    with respx.mock(base_url=f"{SUPABASE}/auth/v1") as fake:
        fake.post("/otp").mock(side_effect=gotrue_sends_then_is_late)
        async with app_client_at(sb, "198.51.100.95") as api:
            vm = LoginViewModel(api, Session(locale), signed_in)
            vm.set_phone_input(phone)
            await vm.request_code()
    assert vm.step == LoginStep.CODE, (vm.error, vm.phone_error)
    assert vm.phone == normalize_thai_phone(phone)
    assert vm.code_sent is None
    assert vm.error == error_text_waiting("otp_maybe_sent", error_text("otp_maybe_sent"), 60).in_(locale)
    assert vm.resend_at is not None and not vm.can_retry
    # One name for the code, in shared/, that the app reads (and the route answers with).
    assert shared.otp.MAYBE_SENT == "otp_maybe_sent"
    for half in (auth_routes, login):
        assert '"otp_maybe_sent"' not in inspect.getsource(half), half.__name__
