"""Dispatch's offers and the SLA clock's failing steps: regressions from review17b."""

import logging
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.settings import Settings
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import ADMIN_PHONE, AppClock, Area, failing_status_change, submit


def _offer_km(database_url: str, request_id: str) -> list[float]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("select distance_km::float8 from public.offers where request_id = %s order by rank",
                            [request_id]).fetchall()
    return [float(r[0]) for r in rows]


async def test_an_offer_asked_again_by_the_admin_keeps_its_true_distance(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """An admin's send-on to the college whose offer lapsed re-opens that offer row: it keeps its true distance
    (the chosen-college plan once said 0 km, so the card read 0 km and sorted first; a take-back's re-offer too)."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, request = await submit(api, category_code="plumbing")
    rid = str(request["id"])
    (first_km,) = _offer_km(database_url, rid)
    assert first_km > 0
    clock.now += timedelta(minutes=settings.dispatch_sla_minutes + 1)
    await tick(pool, settings, clock.now)
    admin, _ = await sign_in(api, ADMIN_PHONE)
    sent = await api.post(f"/requests/{rid}/dispatch", json={"college_id": str(area.near)}, headers=bearer(admin))
    assert sent.status_code == 200, sent.text
    assert _offer_km(database_url, rid) == [first_km]


async def _failing_turns(app_and_clock: AppClock, database_url: str, settings: Settings,
                         pool: AsyncConnectionPool[Any], caplog: pytest.LogCaptureFixture,
                         turns: int) -> tuple[str, list[logging.LogRecord]]:
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, poisoned = await submit(api, category_code="plumbing")
    rid = str(poisoned["id"])
    with failing_status_change(database_url, rid):
        caplog.set_level(logging.INFO, logger="fixit.dispatch")
        clock.now += timedelta(minutes=settings.dispatch_sla_minutes + 1)
        for _ in range(turns):
            await tick(pool, settings, clock.now)
            clock.now += timedelta(seconds=settings.dispatch_tick_seconds)
    return rid, [r for r in caplog.records if r.name == "fixit.dispatch" and rid in r.getMessage()]


async def test_a_step_the_clock_caught_failing_is_logged_with_its_traceback(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any], caplog: pytest.LogCaptureFixture) -> None:
    """The clock's savepoint (dispatch._isolated) caught a failing step: its log says where (the traceback)."""
    _, records = await _failing_turns(app_and_clock, database_url, settings, pool, caplog, turns=1)
    assert records, "the failure is logged"
    assert any(r.exc_info is not None for r in records), [r.getMessage() for r in records]


async def test_a_request_failing_every_turn_is_not_logged_on_every_turn(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any], caplog: pytest.LogCaptureFixture) -> None:
    """A request whose step fails on every turn (escalating, then handing on) is warned of once, not on each turn:
    2,880 lines a day for one request would drown the others."""
    _, records = await _failing_turns(app_and_clock, database_url, settings, pool, caplog, turns=4)
    warned = [r for r in records if r.levelno >= logging.WARNING]
    assert 1 <= len(warned) <= 2, [r.getMessage() for r in warned]
