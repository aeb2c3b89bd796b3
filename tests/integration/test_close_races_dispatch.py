"""Audit 13: a dispatch racing a college's close. The close (staff.update_college) ends the college's waiting
offers; a dispatch that read the college open just before the close committed still writes its offers there after
(its offers were not committed when the close looked). An accept of one is refused (409 college_closed), and the
job waited out the offer's 30-minute SLA before moving on. The SLA clock now ends such offers and hands their jobs
on at its next turn, as it does a close's (staff.end_offers_at_closed_colleges)."""

import uuid
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.db import service_tx
from backend.dispatch_ticks import policy_of, tick
from backend.routes import requests as request_routes
from backend.services.dispatch import dispatch_submitted
from backend.settings import Settings
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft
from tests.integration.dispatch_area import HOME, AppClock, Area, offers_of


def _timeline(database_url: str, request_id: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url) as conn:
        return conn.execute("select from_status::text, to_status::text, actor::text, note_code "
                            "from public.status_events where request_id = %s order by id", [request_id]).fetchall()


async def _offers_written_as_the_college_closed(api: Any, clock: Any, area: Area, settings: Settings,
                                                pool: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """A request whose dispatch read the near college open and committed its offers there after an admin's close
    had committed (the real interleaving, driven by holding the dispatch's transaction); its id."""
    admin, _ = await sign_in(api, "0844444444")
    token, _ = await sign_in(api, fresh_phone())

    async def not_yet(*_: Any, **__: Any) -> None:  # the submit's dispatch runs below, in a transaction we hold
        return None

    with monkeypatch.context() as patch:
        patch.setattr(request_routes, "dispatch_submitted", not_yet)
        made = await api.post("/requests", json=draft(lat=HOME[0], lon=HOME[1]), headers=bearer(token))
    assert made.status_code == 201 and made.json()["status"] == "submitted", made.text
    request_id: str = made.json()["id"]
    # The dispatch reads the near college open and writes its offers; the close commits before the dispatch does
    # (it waits for nothing: the offers it would end are not committed yet).
    async with service_tx(pool) as owner:
        result = await dispatch_submitted(owner, uuid.UUID(request_id), clock.now, policy_of(settings))
        assert result.college_id == area.near and result.offered_to
        closed = await api.patch(f"/admin/colleges/{area.near}", json={"is_active": False}, headers=bearer(admin))
        assert closed.status_code == 200 and closed.json()["is_active"] is False, closed.text
    return request_id


async def test_an_offer_a_dispatch_wrote_as_the_college_closed_is_handed_on_at_the_next_tick(
    app_and_clock: AppClock, area: Area, database_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    api, clock = app_and_clock
    async with AsyncConnectionPool(database_url, kwargs={"row_factory": dict_row, "autocommit": True}) as pool:
        request_id = await _offers_written_as_the_college_closed(api, clock, area, settings, pool, monkeypatch)
        late = [o for o in offers_of(database_url, request_id) if o["status"] == "pending"]
        assert late and {o["college_id"] for o in late} == {area.near}  # waiting at a closed college

        await tick(pool, settings, clock.now)  # type: ignore[arg-type]  # no SLA ran out: the clock's next turn

    offers = offers_of(database_url, request_id)
    assert {o["status"] for o in offers if o["college_id"] == area.near} == {"expired"}
    pending = [o for o in offers if o["status"] == "pending"]
    assert pending and {o["college_id"] for o in pending} == {area.far}
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        row = conn.execute("select status, college_id from public.repair_requests where id = %s",
                           [request_id]).fetchone()
    assert row == {"status": "offered", "college_id": area.far}
    # What a close followed by the clock writes: the escalation to the next college, by the system.
    assert _timeline(database_url, request_id) == [
        (None, "submitted", "citizen", None), ("submitted", "offered", "system", None),
        ("offered", "offered", "system", "escalated")]


async def test_the_clock_leaves_a_college_an_admin_is_reopening(
    app_and_clock: AppClock, area: Area, database_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clock holds each closed college it ends offers at (FOR SHARE, skip locked: the close's own order, the
    college and then the requests): one an admin is changing is left for the next turn, and a reopen never has the
    offers of its open college ended by a clock that read it closed a moment before."""
    api, clock = app_and_clock
    async with AsyncConnectionPool(database_url, kwargs={"row_factory": dict_row, "autocommit": True}) as pool:
        request_id = await _offers_written_as_the_college_closed(api, clock, area, settings, pool, monkeypatch)
        async with await psycopg.AsyncConnection.connect(database_url) as admin:
            # update_college's own statements, for a reopen not committed yet.
            await admin.execute("select 1 from public.colleges where id = %s for no key update", [area.near])
            await admin.execute("update public.colleges set is_active = true where id = %s", [area.near])
            await tick(pool, settings, clock.now)  # type: ignore[arg-type]
            await admin.commit()
    offers = offers_of(database_url, request_id)
    assert {o["status"] for o in offers} == {"pending"} and {o["college_id"] for o in offers} == {area.near}
