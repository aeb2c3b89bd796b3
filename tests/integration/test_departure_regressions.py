"""Audit 12: a student's account deletion must not strand the jobs they were offered: a deleted student's waiting
offer is handed on by the clock."""

from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.settings import Settings
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, offers_of, submit


def _request_row(database_url: str, request_id: str) -> dict[str, Any]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        row = conn.execute("select status, technician_id, college_id from public.repair_requests where id = %s",
                           [request_id]).fetchone()
    assert row is not None
    return row


async def _tick(database_url: str, settings: Settings, now: datetime) -> None:
    async with AsyncConnectionPool(database_url, kwargs={"row_factory": dict_row, "autocommit": True}) as pool:
        await tick(pool, settings, now)  # type: ignore[arg-type]


async def test_a_deleted_students_offer_is_handed_on_by_the_clock(
    app_and_clock: AppClock, area: Area, database_url: str, settings: Settings
) -> None:
    """The plumber is the only student near HOME who fits a plumbing job, so the request is offered to them alone.
    They delete their account (PDPA, or the operator's delete-person) before answering. A suspension or a
    switch-off ends such an offer so that the SLA clock hands the job on (staff.end_open_offers); a deletion
    removes the offer row with the profile (offers.technician_id ON DELETE CASCADE), and the clock, which found
    its work through pending offers only, never saw the request again: it waited as `offered` for ever. The tick
    now hands on `offered` requests with no offer waiting (dispatch.hand_on_unanswerable)."""
    api, clock = app_and_clock
    _, created = await submit(api, category_code="plumbing", item="ก๊อกน้ำ", description="น้ำรั่วตลอดเวลา")
    request_id = created["id"]
    offers = offers_of(database_url, request_id)
    plumber_id, plumber_phone = area.students["plumber"]
    assert [o["technician_id"] for o in offers] == [plumber_id] and offers[0]["status"] == "pending"

    plumber, _ = await sign_in(api, plumber_phone)
    deleted = await api.delete("/me", params={"confirm": "true"}, headers=bearer(plumber))
    assert deleted.status_code == 204, deleted.text

    late = clock.now + timedelta(minutes=settings.dispatch_sla_minutes) + timedelta(minutes=1)
    await _tick(database_url, settings, late)
    pending = [o for o in offers_of(database_url, request_id) if o["status"] == "pending"]
    status = _request_row(database_url, request_id)["status"]
    # Handed on: to another college's fitting student (an offer), or waiting for an admin (`no_centre`).
    assert status != "offered" or pending, f"stranded: {status} with {len(pending)} pending offers"
