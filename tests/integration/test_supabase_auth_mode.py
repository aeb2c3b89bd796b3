"""AuthMode.SUPABASE: the backend asks Supabase Auth to send and verify the code (a fake of its HTTP API,
since no hosted project is reachable here) and then trusts only the JWT, against the real database."""

import secrets
import time
import uuid
from collections.abc import AsyncIterator

import httpx
import jwt
import psycopg
import pytest
import respx
from pydantic import SecretStr

from backend.app import create_app
from backend.settings import AuthMode, Settings
from tests.helpers import bearer, fresh_phone

SUPABASE = "https://abcdefgh.supabase.co"


@pytest.fixture
async def supabase_api(database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, Settings]]:
    settings = Settings(
        database_url=database_url,
        auth_mode=AuthMode.SUPABASE,
        jwt_secret=SecretStr(secrets.token_urlsafe(48)),
        supabase_url=SUPABASE,
        supabase_anon_key=SecretStr("anon-key"),
        otp_requests_per_address=100_000,  # every in-process client is 127.0.0.1
        otp_requests_overall=100_000,
        dispatch_tick_seconds=3600.0,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://fixit.test"
    ) as client:
        yield client, settings


def supabase_session(settings: Settings, user_id: uuid.UUID, phone: str) -> dict[str, object]:
    now = int(time.time())
    claims = {"iss": f"{SUPABASE}/auth/v1", "sub": str(user_id), "aud": "authenticated", "role": "authenticated",
              "exp": now + 3600, "iat": now, "phone": phone, "aal": "aal1", "session_id": str(uuid.uuid4()),
              "amr": [{"method": "otp", "timestamp": now}], "is_anonymous": False}
    token = jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")
    return {"access_token": token, "token_type": "bearer", "expires_in": 3600, "refresh_token": "r"}


async def test_sign_in_goes_through_supabase_auth(
    supabase_api: tuple[httpx.AsyncClient, Settings], database_url: str
) -> None:
    api, settings = supabase_api
    phone = fresh_phone()
    e164 = "+66" + phone[1:]
    user_id = uuid.uuid4()
    # What Supabase Auth does on its side when the code is right: the user row, its phone confirmed (our trigger
    # adds the profile).
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("insert into auth.users (id, phone, phone_confirmed_at) values (%s, %s, now())",
                     [user_id, e164[1:]])

    with respx.mock(base_url=f"{SUPABASE}/auth/v1", assert_all_called=True) as fake:
        otp = fake.post("/otp").respond(200, json={})
        verify = fake.post("/verify").respond(200, json=supabase_session(settings, user_id, e164[1:]))
        sent = await api.post("/auth/otp/request", json={"phone": phone})
        assert sent.status_code == 200 and sent.json()["dev_code"] is None  # Supabase sends a real SMS
        verified = await api.post("/auth/otp/verify", json={"phone": phone, "code": "123456"})

    assert otp.calls.last.request.headers["apikey"] == "anon-key"
    assert b'"phone":"' + e164.encode() in otp.calls.last.request.content
    assert b'"type":"sms"' in verify.calls.last.request.content
    assert verified.status_code == 200, verified.text
    body = verified.json()
    assert body["profile"]["id"] == str(user_id) and body["profile"]["phone"] == e164
    me = await api.get("/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200 and me.json()["role"] == "citizen"


async def test_supabase_errors_become_ours(supabase_api: tuple[httpx.AsyncClient, Settings]) -> None:
    api, _ = supabase_api
    with respx.mock(base_url=f"{SUPABASE}/auth/v1") as fake:
        fake.post("/verify").respond(403, json={"code": 403, "error_code": "otp_expired",
                                                "msg": "Token has expired or is invalid"})
        fake.post("/otp").respond(429, json={"code": 429, "error_code": "over_sms_send_rate_limit"})
        expired = await api.post("/auth/otp/verify", json={"phone": fresh_phone(), "code": "123456"})
        limited = await api.post("/auth/otp/request", json={"phone": fresh_phone()})
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "otp_invalid_or_expired"
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "otp_rate_limited"


async def test_a_phone_of_another_account_is_said_as_such(supabase_api: tuple[httpx.AsyncClient, Settings]) -> None:
    """GoTrue's `phone_exists` was answered as `validation_failed` with no detail: the person read a literal
    "Invalid input: {detail}". It is its own refusal, said in both languages."""
    api, _ = supabase_api
    with respx.mock(base_url=f"{SUPABASE}/auth/v1") as fake:
        fake.post("/otp").respond(422, json={"code": 422, "error_code": "phone_exists",
                                             "msg": "Phone number already registered by another user"})
        refused = await api.post("/auth/otp/request", json={"phone": fresh_phone()})
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "phone_in_use"
    assert "บัญชีอื่น" in error["message_th"] and "another account" in error["message_en"]
    assert "{" not in error["message_th"] + error["message_en"]
