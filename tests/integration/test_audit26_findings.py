"""audit26: a fresh-eyes audit of session 25's code (/health's shared check, the local sign-in's refresh reuse, the
LINE link codes' overall cap, the take back from the check, the report's parts). Findings are in
/tmp/p26/audit26-findings.md; each is proved here first (strict xfail), the mark removed by its fix."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import psycopg
import pytest

from backend import health_check
from backend.app import create_app
from backend.settings import Settings
from tests.helpers import fresh_phone, session_for
from tests.integration.lock_waits import until_waiting

# How long a test waits for a /health answer before it calls the call hung: far above any check's own limit, so
# only a call that would never be answered reaches it (a guard against a hung test, not a speed figure).
HUNG_SECONDS = 20


@pytest.fixture
async def served(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://fixit.test"
    ) as client:
        yield client, app


# --- 1. A check that never returns holds every later /health call ------------------------------------------------
async def test_a_check_that_never_returns_does_not_hold_health_for_good(
        served: tuple[httpx.AsyncClient, Any], database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The round trip held by a lock nobody releases (as a connection to a host that went silent would hold it):
    /health says "degraded" within the check's limit, the connection is not kept from the app for good, and once
    the database answers again so does /health."""
    monkeypatch.setattr(health_check, "CHECK_SECONDS", 1.0)
    client, _ = served
    async with await psycopg.AsyncConnection.connect(database_url) as locker:
        await locker.execute("lock table private.schema_migrations in access exclusive mode")
        held = asyncio.create_task(client.get("/health"))
        await until_waiting(database_url, 1, held)  # the check is under way, held by the lock
        try:
            answer = await asyncio.wait_for(held, HUNG_SECONDS)
        except TimeoutError:
            raise AssertionError("/health was never answered while its check was held") from None
        assert answer.status_code == 503, answer.text
        assert answer.json()["database"] == {"ok": False, "latency_ms": None, "migrations": None,
                                             "error": "TimeoutError"}
        # Asked again while the lock still holds: a fresh check, answered "degraded" in its turn, not a wait for the
        # first one.
        again = await asyncio.wait_for(client.get("/health"), HUNG_SECONDS)
        assert again.status_code == 503
        await locker.rollback()
    answered = await asyncio.wait_for(client.get("/health"), HUNG_SECONDS)
    assert answered.status_code == 200 and answered.json()["database"]["ok"] is True


# --- 2. A rotated refresh token replayed within the reuse interval takes the session ---------------------------
async def test_a_replay_within_the_interval_does_not_keep_the_session_from_its_owner(api: httpx.AsyncClient) -> None:
    """A copy of a refresh token (a proxy's log, a backup of the phone) replayed within the reuse interval of the
    app's own refresh is answered, as the app's own repeat would be: the two cannot be told apart. But the app then
    presents the token it was given, which the replay superseded: that is a second use of a used token, a copy in
    play, and it ends the whole session as any other reuse does; the replayer's token stops working too. (No app
    ever presents a superseded token of its own: the one whose answer it lost never reached it.)"""
    first = await session_for(api, fresh_phone())
    apps = await api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert apps.status_code == 200  # the app got its answer and holds the new token
    replayed = await api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replayed.status_code == 200  # within the interval: indistinguishable from the app asking again
    refused = await api.post("/auth/refresh", json={"refresh_token": apps.json()["refresh_token"]})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "session_expired"
    stolen = await api.post("/auth/refresh", json={"refresh_token": replayed.json()["refresh_token"]})
    assert stolen.status_code == 401, "the replayer kept the session its owner was signed out of"
