"""The local issuer's sessions: a session outlives its access token through the rotating refresh token, without a
new code; a reused, idle or signed-out refresh token ends it."""

import time
import uuid

import httpx
import psycopg

from backend.auth.tokens import issue_token
from backend.settings import Settings
from tests.helpers import bearer, fresh_phone, session_for


async def test_a_session_outlives_its_access_token_without_a_new_code(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    session = await session_for(api, fresh_phone())
    assert session["refresh_token"]
    profile = session["profile"]
    # The session's access token once its life is over: issued for this person an hour and a half ago.
    expired = issue_token(settings, uuid.UUID(profile["id"]), profile["phone"], now=time.time() - 5400)
    stale = await api.get("/me", headers=bearer(expired))
    assert stale.status_code == 401
    for _ in range(3):  # the session goes on without a new code, one rotation after another
        refreshed = await api.post("/auth/refresh", json={"refresh_token": session["refresh_token"]})
        assert refreshed.status_code == 200, refreshed.text
        assert refreshed.json()["profile"]["id"] == profile["id"]
        assert refreshed.json()["refresh_token"] != session["refresh_token"]
        session = refreshed.json()
        assert (await api.get("/me", headers=bearer(session["access_token"]))).status_code == 200


async def test_a_reused_refresh_token_ends_the_session(
    api: httpx.AsyncClient, database_url: str, settings: Settings
) -> None:
    first = await session_for(api, fresh_phone())
    second = (await api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
    # Presented again at once it would be the app asking for a lost answer (Supabase Auth's reuse interval:
    # test_resil25_findings.py); past the interval it is a copied token.
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update private.refresh_tokens t set used_at = used_at - %s * interval '1 second' "
                     "- interval '1 second' from private.auth_sessions s "
                     "where s.id = t.session_id and s.user_id = %s and t.used_at is not null",
                     [settings.refresh_token_reuse_seconds, first["profile"]["id"]])
    replay = await api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401 and replay.json()["error"]["code"] == "session_expired"
    # Whoever held the newer token is out too: a copied token cannot keep a session alive.
    after = await api.post("/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert after.status_code == 401


async def test_sign_out_revokes_the_refresh_token(api: httpx.AsyncClient) -> None:
    session = await session_for(api, fresh_phone())
    assert (await api.post("/auth/sign-out")).status_code == 401  # nothing to sign out with
    out = await api.post("/auth/sign-out", headers=bearer(session["access_token"]))
    assert out.status_code == 204
    refused = await api.post("/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "session_expired"
    # With only the refresh token (the access token already expired), and twice: both fine.
    other = await session_for(api, fresh_phone())
    for _ in range(2):
        assert (await api.post("/auth/sign-out", json={"refresh_token": other["refresh_token"]})).status_code == 204
    assert (await api.post("/auth/refresh", json={"refresh_token": other["refresh_token"]})).status_code == 401


async def test_an_idle_session_ends_and_tokens_are_stored_hashed(
    api: httpx.AsyncClient, database_url: str, settings: Settings
) -> None:
    session = await session_for(api, fresh_phone())
    with psycopg.connect(database_url, autocommit=True) as conn:
        stored = conn.execute("select token_hash from private.refresh_tokens").fetchall()
        assert all(session["refresh_token"] not in row[0] for row in stored)
        conn.execute("update private.auth_sessions set refreshed_at = now() - %s * interval '1 second' - "
                     "interval '1 minute' where user_id = %s", [settings.session_idle_seconds,
                                                                 session["profile"]["id"]])
    idle = await api.post("/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert idle.status_code == 401 and idle.json()["error"]["code"] == "session_expired"
    short = await api.post("/auth/refresh", json={"refresh_token": "x"})
    assert short.status_code == 422
