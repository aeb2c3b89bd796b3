"""Sign-in abuse, submit floods and unsafe production defaults (issue: hardening), on the real app and database."""

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from psycopg.rows import dict_row

from backend.app import create_app
from backend.deps import get_now
from backend.local_postgres import LocalPostgres
from backend.seed import demo_accounts_present, remove_demo_accounts, seed
from backend.services.rate_limits import purge
from backend.settings import PROJECT_ROOT, AuthMode, Settings
from tests.conftest import MigratedDatabases
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft, rows_with_key


@asynccontextmanager
async def served(settings: Settings, now: datetime | None = None) -> AsyncIterator[FastAPI]:
    """The app, started; its clock held at `now` when given."""
    app = create_app(settings)
    if now is not None:
        held = now

        def clock() -> datetime:
            return held

        app.dependency_overrides[get_now] = clock
    async with app.router.lifespan_context(app):
        yield app


def caller(app: FastAPI, address: str) -> httpx.AsyncClient:
    """A client of the running `app` at `address` (the address its limits count by)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 40000)),
                             base_url="http://fixit.test")


@asynccontextmanager
async def client(settings: Settings, address: str = "198.51.100.7",
                 now: datetime | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """The app as a client at `address` sees it; its clock held at `now` when given."""
    async with served(settings, now) as app, caller(app, address) as api:
        yield api


# The sign-in limits count in fixed windows of the clock (rate_limits.window_start: 10-minute windows on the epoch's
# grid, :00, :10, ...). A test reading the real clock at each request finds the counter back at 0 when a boundary
# falls between two of its requests: the overall test's 7 requests, each starting an app of its own (seconds on a
# loaded machine), then see fewer than two refusals. The tests of a limit hold the clock at one moment instead: every
# request counts in the same window, and the answers are exact.


async def test_sign_in_codes_are_limited_per_address(settings: Settings) -> None:
    tight = settings.model_copy(update={"otp_requests_per_address": 3})
    now = datetime.now(UTC)
    async with served(tight, now) as app, caller(app, "198.51.100.21") as one, caller(app, "198.51.100.22") as other:
        answers = [await one.post("/auth/otp/request", json={"phone": fresh_phone()}) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        refused = answers[-1]
        assert refused.json()["error"]["code"] == "otp_rate_limited" and int(refused.headers["Retry-After"]) > 0
        # Another address still gets its codes.
        assert (await other.post("/auth/otp/request", json={"phone": fresh_phone()})).status_code == 200


async def test_sign_in_codes_are_limited_overall(settings: Settings, database_url: str) -> None:
    with psycopg.connect(database_url) as conn:  # this test owns the overall counter from a clean slate
        conn.execute("delete from private.rate_counters where bucket = 'otp:all'")
    tight = settings.model_copy(update={"otp_requests_overall": 5})
    now = datetime.now(UTC)
    statuses = []
    # Two started apps, the seven callers alternating (two backend copies): the overall count holds across copies
    # because it is kept in the database, which one app alone would not show (review28c #3); an app for each request
    # took 4 s each on a loaded machine.
    async with served(tight, now) as one, served(tight, now) as two:
        for n in range(7):
            async with caller((one, two)[n % 2], f"203.0.113.{n + 1}") as api:
                statuses.append((await api.post("/auth/otp/request", json={"phone": fresh_phone()})).status_code)
    with psycopg.connect(database_url) as conn:
        conn.execute("delete from private.rate_counters where bucket = 'otp:all'")
    # Five codes from five addresses, then the overall limit: a refused request's hit rolls back with it, so the
    # 7th is refused as the 6th was.
    assert statuses == [200] * 5 + [429] * 2


async def test_new_submits_are_limited_per_person_and_retries_are_free(settings: Settings,
                                                                       database_url: str) -> None:
    tight = settings.model_copy(update={"submits_per_person_per_hour": 2})
    async with client(tight) as api:
        token, _ = await sign_in(api, fresh_phone())
        first, second, third = draft(), draft(), draft()
        assert (await api.post("/requests", json=first, headers=bearer(token))).status_code == 201
        assert (await api.post("/requests", json=second, headers=bearer(token))).status_code == 201
        refused = await api.post("/requests", json=third, headers=bearer(token))
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "too_many_requests"
        assert rows_with_key(database_url, third["idempotency_key"]) == 0  # nothing half-stored
        assert (await api.post("/requests", json=first, headers=bearer(token))).status_code == 200


async def test_the_tick_purges_old_counters_and_spent_codes(database_url: str) -> None:
    old = datetime.now(UTC) - timedelta(days=3)
    async with await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as conn:
        await conn.execute("insert into private.rate_counters values ('test:old', %s, 9)", [old])
        await conn.execute("insert into private.otp_codes (phone, code_hash, expires_at, window_started_at) "
                           "values ('+66600000001', 'x', %s, %s) on conflict do nothing", [old, old])
        await conn.commit()
        removed = await purge(conn, datetime.now(UTC))
        await conn.commit()
        left = await (await conn.execute(
            "select (select count(*) from private.rate_counters where bucket = 'test:old') + "
            "(select count(*) from private.otp_codes where phone = '+66600000001') as n")).fetchone()
    assert removed >= 2 and left == {"n": 0}


def test_the_code_hint_needs_development_mode() -> None:
    assert Settings(dev_mode=True).shows_dev_code
    assert not Settings(dev_mode=False).shows_dev_code
    assert not Settings(dev_mode=True, auth_mode=AuthMode.SUPABASE).shows_dev_code
    assert Settings(dev_mode=False).production_problems()
    assert Settings(dev_mode=True).production_problems() == []


async def test_without_development_mode_no_code_is_answered_or_logged(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    production_like = settings.model_copy(update={"dev_mode": False})
    async with client(production_like, "198.51.100.99") as api:
        sent = await api.post("/auth/otp/request", json={"phone": fresh_phone()})
    assert sent.status_code == 200 and sent.json()["dev_code"] is None
    assert not [r for r in caplog.records if "sign-in code" in r.getMessage()]


def test_serve_refuses_development_conveniences(database_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIXIT_")}
    env.update({"DATABASE_URL": database_url, "FIXIT_JWT_SECRET": "x" * 48})
    done = subprocess.run([sys.executable, "-m", "backend.cli", "serve", "--port", "9"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "FIXIT_AUTH_MODE" in done.stdout and "demo accounts" in done.stdout


def test_demo_accounts_can_be_removed_before_production(
    local_pg: LocalPostgres, migrated_database: MigratedDatabases
) -> None:
    url = migrated_database("fixit_demo_removal")
    seed_dir = PROJECT_ROOT / "assets" / "seed"
    seed(url, seed_dir, demo=True)
    assert demo_accounts_present(url, seed_dir)
    assert remove_demo_accounts(url, seed_dir) > 4
    assert not demo_accounts_present(url, seed_dir)
    with psycopg.connect(url) as conn:
        assert conn.execute("select count(*) from public.colleges").fetchone() != (0,)
    local_pg.drop_database("fixit_demo_removal")
