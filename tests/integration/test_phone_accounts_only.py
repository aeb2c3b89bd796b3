"""In Supabase mode a Fixit account is a phone that answered a code: the project's good tokens of accounts made
another way (e-mail sign-up, anonymous sign-in: both on by default in a new project) are refused with
403 phone_sign_in_required, and nothing is stored for them (review 14a)."""

import time
import uuid

import httpx
import jwt
import psycopg

from backend.settings import Settings
from tests.helpers import bearer
from tests.integration.builders import draft
from tests.integration.test_supabase_auth_mode import SUPABASE, supabase_api  # noqa: F401  (the fixture)


async def test_a_supabase_account_that_proved_no_phone_is_not_a_fixit_account(
    supabase_api: tuple[httpx.AsyncClient, Settings], database_url: str,  # noqa: F811
) -> None:
    api, settings = supabase_api
    # GoTrue's POST /auth/v1/signup {email, password} (the Email provider is enabled in a new project): the user
    # row has an e-mail and no phone.
    user_id = uuid.uuid4()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("insert into auth.users (id, email, email_confirmed_at) values (%s, %s, now())",
                     [user_id, f"{user_id.hex[:12]}@example.com"])
    now = int(time.time())
    # The access token GoTrue then issues for a password sign-in (no phone, provider email, amr password).
    claims = {"iss": f"{SUPABASE}/auth/v1", "sub": str(user_id), "aud": "authenticated", "role": "authenticated",
              "exp": now + 3600, "iat": now, "email": f"{user_id.hex[:12]}@example.com", "phone": "",
              "app_metadata": {"provider": "email", "providers": ["email"]}, "user_metadata": {},
              "aal": "aal1", "amr": [{"method": "password", "timestamp": now}], "session_id": str(uuid.uuid4()),
              "is_anonymous": False}
    token = jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")
    made = await api.post("/requests", json=draft(), headers=bearer(token))
    # Fixit's accounts are phones that answered a code (its own OTP limits, one account per number): this one is
    # refused with a code, and nothing is stored.
    assert made.status_code in (401, 403) and made.json()["error"]["code"], made.text
    with psycopg.connect(database_url) as conn:
        stored = conn.execute("select count(*) from public.repair_requests where citizen_id = %s",
                              [user_id]).fetchone()
    assert stored == (0,)
    # Said as such (the token is good, the account is not a Fixit one: sign in with a phone), wherever a token is
    # read.
    assert made.status_code == 403 and made.json()["error"]["code"] == "phone_sign_in_required"
    for path in ("/me", "/requests/mine", "/events"):
        answer = await api.get(path, headers=bearer(token))
        assert (answer.status_code, answer.json()["error"]["code"]) == (403, "phone_sign_in_required"), path
