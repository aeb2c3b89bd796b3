"""Dispatch's offers and the SLA clock's failing steps: regressions from review17b."""

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.settings import Settings
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, submit

ADMIN_PHONE = "084-444-4444"


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[AsyncConnectionPool[Any]]:
    async with AsyncConnectionPool(database_url, kwargs={"row_factory": dict_row, "autocommit": True}) as made:
        yield made


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
    clock.now = clock.now.replace(hour=3, minute=0, second=0, microsecond=0)  # 10:00 in Bangkok: the plain SLA
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
