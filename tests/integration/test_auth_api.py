"""Phone + one-time code sign-in against the real API and database."""

import time
import uuid

import httpx
import jwt
import psycopg

from backend.auth.tokens import issue_token, verify_token
from backend.settings import Settings
from tests.helpers import bearer, fresh_phone, sign_in


async def test_sign_in_creates_a_citizen_with_supabase_claims(api: httpx.AsyncClient, settings: Settings) -> None:
    phone = fresh_phone()
    token, profile = await sign_in(api, phone)
    assert profile["role"] == "citizen"
    assert profile["phone"] == "+66" + phone[1:]
    claims = verify_token(settings, token).claims
    assert claims["role"] == "authenticated" and claims["aud"] == "authenticated"
    assert claims["sub"] == profile["id"] and claims["phone"] == "66" + phone[1:]
    assert claims["exp"] > time.time()

    me = await api.get("/me", headers=bearer(token))
    assert me.status_code == 200 and me.json()["id"] == profile["id"]

    # Signing in again is the same person, not a second account.
    _, again = await sign_in(api, phone)
    assert again["id"] == profile["id"]


async def test_bad_phone_is_a_bilingual_400(api: httpx.AsyncClient) -> None:
    response = await api.post("/auth/otp/request", json={"phone": "12345"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_phone"
    assert "เบอร์โทรศัพท์" in error["message_th"] and "phone" in error["message_en"]


async def test_missing_field_is_a_422_with_reason(api: httpx.AsyncClient) -> None:
    response = await api.post("/auth/otp/request", json={})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed" and "phone" in error["message_en"]


async def test_wrong_codes_are_counted_then_locked(api: httpx.AsyncClient, settings: Settings) -> None:
    phone = fresh_phone()
    sent = (await api.post("/auth/otp/request", json={"phone": phone})).json()
    wrong = "000000" if sent["dev_code"] != "000000" else "111111"
    for _ in range(settings.otp_max_attempts):
        response = await api.post("/auth/otp/verify", json={"phone": phone, "code": wrong})
        assert response.status_code == 401 and response.json()["error"]["code"] == "otp_invalid"
    # Even the right code no longer works once the attempts are used up.
    response = await api.post("/auth/otp/verify", json={"phone": phone, "code": sent["dev_code"]})
    assert response.status_code == 401 and response.json()["error"]["code"] == "otp_too_many_attempts"


async def test_malformed_code_and_unknown_phone(api: httpx.AsyncClient) -> None:
    response = await api.post("/auth/otp/verify", json={"phone": fresh_phone(), "code": "12ab"})
    assert response.json()["error"]["code"] == "invalid_code_format" and response.status_code == 400
    response = await api.post("/auth/otp/verify", json={"phone": fresh_phone(), "code": "123456"})
    assert response.json()["error"]["code"] == "otp_expired" and response.status_code == 401


async def test_expired_code_is_refused(api: httpx.AsyncClient, database_url: str) -> None:
    phone = fresh_phone()
    code = (await api.post("/auth/otp/request", json={"phone": phone})).json()["dev_code"]
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update private.otp_codes set expires_at = now() - interval '1 second' where phone = %s",
                     ["+66" + phone[1:]])
    response = await api.post("/auth/otp/verify", json={"phone": phone, "code": code})
    assert response.status_code == 401 and response.json()["error"]["code"] == "otp_expired"


async def test_code_requests_are_rate_limited(api: httpx.AsyncClient, settings: Settings) -> None:
    phone = fresh_phone()
    codes = []
    for _ in range(settings.otp_max_sends_per_window):
        response = await api.post("/auth/otp/request", json={"phone": phone})
        assert response.status_code == 200
        codes.append(response.json()["dev_code"])
    limited = await api.post("/auth/otp/request", json={"phone": phone})
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "otp_rate_limited"
    assert int(limited.headers["Retry-After"]) > 0
    # The refused request did not replace the last code: it still signs in.
    response = await api.post("/auth/otp/verify", json={"phone": phone, "code": codes[-1]})
    assert response.status_code == 200


async def test_tokens_are_checked(api: httpx.AsyncClient, settings: Settings) -> None:
    assert (await api.get("/me")).json()["error"]["code"] == "not_authenticated"
    forged = jwt.encode({"sub": str(uuid.uuid4()), "role": "authenticated", "aud": "authenticated",
                         "exp": int(time.time()) + 60}, "x" * 40, algorithm="HS256")
    response = await api.get("/me", headers=bearer(forged))
    assert response.status_code == 401 and response.json()["error"]["code"] == "token_invalid"
    expired = issue_token(settings, uuid.uuid4(), None, now=time.time() - settings.jwt_ttl_seconds - 10)
    assert (await api.get("/me", headers=bearer(expired))).status_code == 401
    service = jwt.encode({"sub": str(uuid.uuid4()), "role": "service_role", "aud": "authenticated",
                          "exp": int(time.time()) + 60}, settings.jwt_secret.get_secret_value(), algorithm="HS256")
    assert (await api.get("/me", headers=bearer(service))).status_code == 401


async def test_display_name_update(api: httpx.AsyncClient) -> None:
    token, _ = await sign_in(api, fresh_phone())
    response = await api.patch("/me", json={"display_name": "  มานี   มีนา ", "locale": "en"}, headers=bearer(token))
    assert response.status_code == 200
    assert response.json()["display_name"] == "มานี มีนา" and response.json()["locale"] == "en"
    response = await api.patch("/me", json={"display_name": "   "}, headers=bearer(token))
    assert response.status_code == 400 and response.json()["error"]["code"] == "display_name_invalid"
    response = await api.patch("/me", json={"locale": "fr"}, headers=bearer(token))
    assert response.status_code == 422
