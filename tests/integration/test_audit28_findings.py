"""audit28: a fresh-eyes audit of session 27's code (991c348..9578dbf). Each finding is proved here first (a strict
xfail until it is fixed); /tmp/p28/audit28-findings.md describes them."""

from datetime import UTC, datetime

import httpx
import respx

from backend.settings import Settings
from shared.text import error_text
from tests.helpers import fresh_phone
from tests.integration.app_at import client_at, with_supabase_auth

SUPABASE = "https://audit28.supabase.co"


def supabase_settings(settings: Settings) -> Settings:
    return with_supabase_auth(settings, SUPABASE, otp_requests_per_address=1000)


# --- #1: a code that may have gone out is answered as "sign-in is down": its SMS cannot be typed in -----------------


async def test_a_code_that_may_have_gone_out_says_so_and_lets_the_person_type_it(settings: Settings) -> None:
    """Supabase Auth's SMS side is slow: GoTrue hands the code to the SMS provider but its answer comes after the
    backend's timeout (audit27 F1's `MaybeSent`). The phone's allowances count it, rightly. But the person was told
    "sign-in by SMS is not available right now, try again later", the same words as an outage that sent nothing,
    so the app stayed on the number step: the SMS that arrives a moment later holds a code nobody can type in, and
    the next ask (which counts again, and at GoTrue's 60 s spacing is refused) sends a new code that voids it. The
    answer must say that a code may be on its way (its own code, Thai and English), so the app opens the code step."""
    sb = supabase_settings(settings)
    phone = fresh_phone()

    def gotrue_sends_then_is_late(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("the answer came after the client's timeout", request=request)

    with respx.mock(base_url=f"{SUPABASE}/auth/v1") as fake:
        fake.post("/otp").mock(side_effect=gotrue_sends_then_is_late)
        async with client_at(sb, "198.51.100.93", datetime.now(UTC)) as api:
            answer = await api.post("/auth/otp/request", json={"phone": phone})
    assert answer.status_code == 503, answer.text
    body = answer.json()["error"]
    assert body["code"] == "otp_maybe_sent", body
    words = error_text("otp_maybe_sent")
    assert (body["message_th"], body["message_en"]) == (words.th, words.en)
    assert answer.headers["retry-after"] == "60"  # a new code only after GoTrue's own spacing


async def test_an_outage_that_sent_nothing_still_says_sign_in_is_unavailable(settings: Settings) -> None:
    """#1's other side: a request that never reached GoTrue sent nothing: the person is told sign-in is down."""
    sb = supabase_settings(settings)

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with respx.mock(base_url=f"{SUPABASE}/auth/v1") as fake:
        fake.post("/otp").mock(side_effect=unreachable)
        async with client_at(sb, "198.51.100.94", datetime.now(UTC)) as api:
            answer = await api.post("/auth/otp/request", json={"phone": fresh_phone()})
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "sign_in_unavailable"
