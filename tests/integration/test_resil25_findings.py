"""resil25: the local issuer's refresh tokens and a lost answer (development and tests; production refuses local
mode). Supabase Auth answers a refresh token presented again within its reuse interval
(GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL, 10 s by default: shared.wire.REFRESH_TOKEN_REUSE_SECONDS), so an app
whose refresh answer was lost on the way can ask again; the local issuer took any second use for a copied token and
ended the session, also the app's own repeat a moment later (resil24 F2), which therefore was never exercised here."""

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import psycopg
import pytest

from backend.app import create_app
from backend.auth.tokens import issue_token
from backend.settings import Settings
from mobile.api_client import ApiClient
from mobile.models import SessionTokens
from tests.helpers import bearer, fresh_phone, session_for


async def test_a_refresh_asked_again_at_once_keeps_the_session(api: httpx.AsyncClient) -> None:
    first = await session_for(api, fresh_phone())
    rotated = await api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200  # stored, but say its answer never reached the app
    again = await api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert again.status_code == 200, again.text
    session = again.json()
    assert session["profile"]["id"] == first["profile"]["id"]
    assert session["refresh_token"] not in (first["refresh_token"], rotated.json()["refresh_token"])
    assert (await api.get("/me", headers=bearer(session["access_token"]))).status_code == 200
    # The session goes on from the answer the app got.
    onwards = await api.post("/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert onwards.status_code == 200, onwards.text


async def test_a_token_presented_again_after_a_newer_rotation_ends_the_session(api: httpx.AsyncClient) -> None:
    """Within the interval too: once the next token was used, the app had its answer; the old one again is a copy."""
    first = await session_for(api, fresh_phone())
    second = (await api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
    third = (await api.post("/auth/refresh", json={"refresh_token": second["refresh_token"]})).json()
    replay = await api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401 and replay.json()["error"]["code"] == "session_expired"
    after = await api.post("/auth/refresh", json={"refresh_token": third["refresh_token"]})
    assert after.status_code == 401  # the whole session ended


async def test_the_token_whose_answer_was_lost_stops_working(api: httpx.AsyncClient) -> None:
    """One live token a session: the lost answer's token is superseded. The app never holds it (its answer was
    lost), so whoever presents it holds a copy: that use ends the session, as any reuse does (audit26 F2: the same
    sequence is a copy of the parent replayed within the interval while the app holds this token; before, the app
    was signed out and the copy kept the session)."""
    first = await session_for(api, fresh_phone())
    lost = (await api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
    again = (await api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
    onwards = await api.post("/auth/refresh", json={"refresh_token": again["refresh_token"]})
    assert onwards.status_code == 200, onwards.text  # the app goes on with the answer it got
    refused = await api.post("/auth/refresh", json={"refresh_token": lost["refresh_token"]})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "session_expired"
    ended = await api.post("/auth/refresh", json={"refresh_token": onwards.json()["refresh_token"]})
    assert ended.status_code == 401  # the copy's use ended the whole session


async def test_asking_again_does_not_stretch_the_interval(
    api: httpx.AsyncClient, database_url: str, settings: Settings
) -> None:
    """The interval counts from the token's first use: asked again and again, it still ends."""
    first = await session_for(api, fresh_phone())
    await api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert (await api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})).status_code == 200
    with psycopg.connect(database_url, autocommit=True) as conn:  # the interval since the first use is over
        conn.execute("update private.refresh_tokens t set used_at = used_at - %s * interval '1 second' "
                     "- interval '1 second' from private.auth_sessions s "
                     "where s.id = t.session_id and s.user_id = %s and t.used_at is not null",
                     [settings.refresh_token_reuse_seconds, first["profile"]["id"]])
    late = await api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert late.status_code == 401 and late.json()["error"]["code"] == "session_expired"


class LosesTheFirstRefreshAnswer(httpx.AsyncBaseTransport):
    """The backend in-process; the first POST /auth/refresh is handled (the token rotated and stored) and its answer
    lost on the way back, as a phone's dropped connection loses it."""

    def __init__(self, app: Any) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path == "/auth/refresh" and self.lost == 0:
            self.lost += 1
            await response.aread()
            assert response.status_code == 200
            raise httpx.ReadError("connection reset by peer", request=request)
        return response


@pytest.fixture
async def backend(settings: Settings) -> AsyncIterator[Any]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


async def test_the_app_keeps_its_session_when_a_refresh_answer_is_lost(backend: Any, settings: Settings) -> None:
    transport = LosesTheFirstRefreshAnswer(backend)
    api = ApiClient("http://fixit.test", transport=transport)
    phone = fresh_phone()
    sent = await api.request_otp(phone)
    assert sent.dev_code is not None
    signed_in = await api.verify_otp(phone, sent.dev_code)
    assert signed_in.profile is not None and signed_in.refresh_token is not None
    # The access token ran out (issued an hour and a half ago): the next call refreshes first.
    old = issue_token(settings, uuid.UUID(str(signed_in.profile.id)), signed_in.profile.phone,
                      now=time.time() - 5400)
    api.use_session(SessionTokens(access_token=old, refresh_token=signed_in.refresh_token,
                                  expires_at=time.time() - 1800))
    me = await api.me()  # refreshed; the answer lost; asked again at once: the session goes on
    assert me.id == signed_in.profile.id and transport.lost == 1
    session = api.session
    assert session is not None and session.refresh_token not in (None, signed_in.refresh_token)
    await api.aclose()
