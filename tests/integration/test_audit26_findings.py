"""audit26: a fresh-eyes audit of session 25's code (/health's shared check, the local sign-in's refresh reuse, the
LINE link codes' overall cap, the take back from the check, the report's parts). Findings are in
/tmp/p26/audit26-findings.md; each is proved here first (strict xfail), the mark removed by its fix."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import psycopg
import pytest
from pydantic import SecretStr

from backend import health_check
from backend.app import create_app
from backend.deps import get_now
from backend.routes.notifications import LINK_WRONG_CODES
from backend.services import rate_limits
from backend.settings import Settings
from tests.helpers import fresh_phone, session_for
from tests.integration.dispatch_area import Clock
from tests.integration.lock_waits import until_waiting
from tests.integration.test_audit8_line_link import SECRET, _send

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


# --- 3. Wrong LINE link codes racing at the overall cap are all looked at ---------------------------------------
@pytest.fixture
async def line_api(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, datetime]]:
    """The app with a LINE channel, on a clock of its own: 05:00 UTC on a day no other test's clock reaches, so the
    window of wrong codes it counts in is this test's alone."""
    app = create_app(settings.model_copy(update={"line_channel_secret": SecretStr(SECRET)}))
    clock = Clock()
    clock.now = datetime(2031, 5, 5, 5, 0, tzinfo=UTC)
    app.dependency_overrides[get_now] = clock
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as client:
        yield client, clock.now


async def test_wrong_codes_racing_at_the_cap_are_not_all_looked_at(
        line_api: tuple[httpx.AsyncClient, datetime], database_url: str) -> None:
    """One wrong code left in the window (29 of 30 counted), and three LINE accounts' wrong codes delivered at the
    same moment (LINE posts each account's messages as they come, in parallel): one is looked at, the window is then
    spent, and the other two are not looked at. The bound the cap promises (gaps25: at most 30 wrong codes looked
    at a window, whatever the number of accounts) holds under concurrency: the deliveries in flight together (the
    copies' pool connections) were each looked at past it, up to doubling it with a few copies."""
    api, now = line_api
    start = rate_limits.window_start(now, LINK_WRONG_CODES.window)
    with psycopg.connect(database_url) as holder:
        holder.execute("insert into private.rate_counters (bucket, window_start, hits) values (%s, %s, %s)",
                       [LINK_WRONG_CODES.bucket, start, LINK_WRONG_CODES.hits - 1])
        holder.commit()
        # The counter's row held (as a delivery counting its wrong code holds it until it commits), so the three
        # deliveries are all under way at once whatever the machine's speed.
        holder.execute("select 1 from private.rate_counters where bucket = %s and window_start = %s for update",
                       [LINK_WRONG_CODES.bucket, start])
        racing = [asyncio.create_task(_send(api, f"U{n:032x}", f"{123450 + n:06d}")) for n in range(1, 4)]
        await until_waiting(database_url, 3, *racing)
        holder.commit()
        assert await asyncio.gather(*racing) == [0, 0, 0]
        row = holder.execute("select hits from private.rate_counters where bucket = %s and window_start = %s",
                             [LINK_WRONG_CODES.bucket, start]).fetchone()
    assert row == (LINK_WRONG_CODES.hits,), f"{row[0] if row else 0} wrong codes looked at in a window capped at 30"
