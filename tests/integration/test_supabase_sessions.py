"""AuthMode.SUPABASE against a local fake of the project's Auth API on a real HTTP server: tokens signed with the
project's asymmetric keys (JWKS), refresh-token rotation, sign-out and GoTrue's errors, on the real database."""

import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import jwt
import psycopg
import pytest
from pydantic import SecretStr

from backend.app import create_app
from backend.settings import AuthMode, Settings
from tests.helpers import FakeGoTrue, bearer, fresh_phone, session_for


@pytest.fixture
def gotrue(database_url: str) -> Iterator[FakeGoTrue]:
    def create_user(phone: str) -> uuid.UUID:  # what GoTrue does at /otp with create_user
        with psycopg.connect(database_url, autocommit=True) as conn:
            row = conn.execute("select private.create_phone_user(%s, false)", [phone]).fetchone()
        assert row is not None
        return uuid.UUID(str(row[0]))

    def confirm(user_id: uuid.UUID) -> None:  # what GoTrue does at /verify with the right code
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update auth.users set phone_confirmed_at = now() where id = %s", [user_id])

    with FakeGoTrue(create_user, on_verified=confirm) as fake:
        yield fake


@pytest.fixture
async def api(database_url: str, gotrue: FakeGoTrue) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=database_url, auth_mode=AuthMode.SUPABASE, jwt_secret=SecretStr(""),
        supabase_url=gotrue.url, supabase_anon_key=SecretStr("anon-key"),
        otp_requests_per_address=100_000, otp_requests_overall=100_000, dispatch_tick_seconds=3600.0,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://fixit.test"
    ) as client:
        yield client


async def test_an_es256_session_signs_in_refreshes_and_signs_out(api: httpx.AsyncClient, gotrue: FakeGoTrue) -> None:
    phone = fresh_phone()
    sent = await api.post("/auth/otp/request", json={"phone": fresh_phone()})
    assert sent.json()["code_length"] == 6 and sent.json()["expires_in"] == 60  # GoTrue's defaults reach the app
    session = await session_for(api, phone, gotrue.code)
    token = str(session["access_token"])
    assert jwt.get_unverified_header(token)["alg"] == "ES256"
    assert session["expires_in"] == 3600 and session["refresh_token"]
    me = await api.get("/me", headers=bearer(token))
    assert me.status_code == 200 and me.json()["phone"] == "+66" + phone[1:] and me.json()["role"] == "citizen"

    refreshed = await api.post("/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["refresh_token"] != session["refresh_token"]
    assert refreshed.json()["profile"]["id"] == me.json()["id"]
    assert (await api.get("/me", headers=bearer(refreshed.json()["access_token"]))).status_code == 200
    # GoTrue rotated it. Its replay at once is the parent of the session's active token (the app lost the answer):
    # GoTrue answers it with that active token, no new one (RefreshTokenGrant; resil25's "left open", ux26).
    again = await api.post("/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert again.status_code == 200, again.text
    assert again.json()["refresh_token"] == refreshed.json()["refresh_token"]
    newer = await api.post("/auth/refresh", json={"refresh_token": refreshed.json()["refresh_token"]})
    assert newer.status_code == 200 and newer.json()["refresh_token"] != refreshed.json()["refresh_token"]
    # The first token is a grandparent now: replayed past the reuse interval it is refused, and the session's
    # tokens with it (a stolen token's chain, or the app's, whichever came second).
    gotrue.later = gotrue.reuse_seconds + 1
    stale = await api.post("/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert stale.status_code == 401 and stale.json()["error"]["code"] == "session_expired"
    gotrue.later = 2 * gotrue.reuse_seconds + 2  # past the interval of the family's revocation too
    ended = await api.post("/auth/refresh", json={"refresh_token": newer.json()["refresh_token"]})
    assert ended.status_code == 401 and ended.json()["error"]["code"] == "session_expired"

    out = await api.post("/auth/sign-out", headers=bearer(newer.json()["access_token"]))
    assert out.status_code == 204
    assert ("POST", "/auth/v1/logout?scope=local", {}) in gotrue.calls
    after = await api.post("/auth/refresh", json={"refresh_token": newer.json()["refresh_token"]})
    assert after.status_code == 401 and after.json()["error"]["code"] == "session_expired"


async def test_bad_tokens_are_401_everywhere(api: httpx.AsyncClient, gotrue: FakeGoTrue) -> None:
    session = await session_for(api, fresh_phone(), gotrue.code)
    user = uuid.UUID(str(jwt.decode(str(session["access_token"]), options={"verify_signature": False})["sub"]))
    claims = gotrue.claims(user, "66600000009")
    unknown = gotrue.add_key("ES256", publish=False)
    bad = {
        "unknown kid": gotrue.sign(claims, unknown),
        "wrong key": jwt.encode(claims, gotrue.keys[unknown], algorithm="ES256", headers={"kid": gotrue.kid}),
        "HS256 without a secret": jwt.encode(claims, "x" * 40, algorithm="HS256"),
        "alg none": jwt.encode(claims, "", algorithm="none"),
    }
    assert (await api.get("/me", headers=bearer(gotrue.sign(claims)))).status_code == 200
    for name, token in bad.items():
        for method, path in (("GET", "/me"), ("GET", "/requests/mine"), ("GET", "/events")):
            response = await api.request(method, path, headers=bearer(token))
            assert response.status_code == 401, (name, path, response.text)
            assert response.json()["error"]["code"] == "token_invalid"
        # Sign-out with a bad token and nothing else: not signed in, not a crash.
        assert (await api.post("/auth/sign-out", headers=bearer(token))).status_code == 401


async def test_gotrue_errors_become_distinct_messages(api: httpx.AsyncClient, gotrue: FakeGoTrue) -> None:
    phone = fresh_phone()
    assert (await api.post("/auth/otp/request", json={"phone": phone})).status_code == 200
    wrong = await api.post("/auth/otp/verify", json={"phone": phone, "code": "999999"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "otp_invalid_or_expired"
    assert "wrong or has expired" in wrong.json()["error"]["message_en"]

    gotrue.fail["/auth/v1/verify"] = (429, {"code": 429, "error_code": "over_request_rate_limit"})
    tries = await api.post("/auth/otp/verify", json={"phone": phone, "code": "123456"})
    assert tries.status_code == 429 and tries.json()["error"]["code"] == "otp_too_many_attempts"

    gotrue.fail["/auth/v1/otp"] = (400, {"code": 400, "error_code": "phone_provider_disabled",
                                         "msg": "Unsupported phone provider"})
    disabled = await api.post("/auth/otp/request", json={"phone": fresh_phone()})
    assert disabled.status_code == 503 and disabled.json()["error"]["code"] == "sign_in_unavailable"
    assert "administrators" in disabled.json()["error"]["message_en"]

    gotrue.fail["/auth/v1/otp"] = (429, {"code": 429, "error_code": "over_sms_send_rate_limit"})
    limited = await api.post("/auth/otp/request", json={"phone": fresh_phone()})
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "otp_rate_limited"

    # The 2024-01-01 API version names the code in `code`.
    gotrue.fail["/auth/v1/verify"] = (403, {"code": "otp_expired", "message": "Token has expired or is invalid"})
    expired = await api.post("/auth/otp/verify", json={"phone": phone, "code": "123456"})
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "otp_invalid_or_expired"

    gotrue.fail["/auth/v1/verify"] = (401, {"message": "Invalid API key"})  # a wrong SUPABASE_ANON_KEY
    key = await api.post("/auth/otp/verify", json={"phone": phone, "code": "123456"})
    assert key.status_code == 503 and key.json()["error"]["code"] == "sign_in_unavailable"

    malformed = await api.post("/auth/otp/verify", json={"phone": phone, "code": "12345"})
    assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "invalid_code_format"
    bad_refresh = await api.post("/auth/refresh", json={"refresh_token": "not-a-token-we-know"})
    assert bad_refresh.status_code == 401 and bad_refresh.json()["error"]["code"] == "session_expired"


async def test_an_unreachable_project_is_a_503(database_url: str) -> None:
    settings = Settings(database_url=database_url, auth_mode=AuthMode.SUPABASE, supabase_url="http://127.0.0.1:9",
                        supabase_anon_key=SecretStr("anon-key"), otp_requests_per_address=100_000,
                        otp_requests_overall=100_000,
                        dispatch_tick_seconds=3600.0)
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://fixit.test"
    ) as api:
        sent = await api.post("/auth/otp/request", json={"phone": fresh_phone()})
        assert sent.status_code == 503 and sent.json()["error"]["code"] == "sign_in_unavailable"
        with FakeGoTrue() as other:  # a token whose keys cannot be fetched: not the person's fault
            me = await api.get("/me", headers=bearer(other.token_for(uuid.uuid4(), iss="http://127.0.0.1:9/auth/v1")))
        assert me.status_code == 503 and me.json()["error"]["code"] == "auth_keys_unavailable"
