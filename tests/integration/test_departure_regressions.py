"""Audit 12: a student's account deletion or their college's close must not strand the jobs they were offered or
held. A deleted student's waiting offer is handed on by the clock; a student holding a job is refused the deletion
until it is finished or reassigned; a closed college's waiting offers end, cannot be accepted, and the clock
offers those jobs elsewhere."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.settings import Settings
from shared.statuses import WORK_IN_HAND
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, offers_of, submit
from tests.integration.lock_waits import until_waiting


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


async def test_a_closed_colleges_pending_offers_cannot_be_accepted(
    app_and_clock: AppClock, area: Area, database_url: str, settings: Settings
) -> None:
    """Dispatch offers only active colleges' students, and an invitation to a closed college cannot be accepted
    (409 invitation_college_inactive); yet the offers its students already held stayed open when an admin closed
    it, and an accept after the close gave the job to the closed college (whose teachers then run it). The close
    now ends those offers (staff.end_college_offers), an accept after it is refused (409 college_closed), and the
    clock offers the job at the next college, as it does for any unanswered offer."""
    api, _ = app_and_clock
    admin, _ = await sign_in(api, "0844444444")
    _, created = await submit(api)
    ace_id, ace_phone = area.students["ace"]
    offer = next(o for o in offers_of(database_url, created["id"]) if o["technician_id"] == ace_id)
    assert offer["status"] == "pending" and offer["college_id"] == area.near

    closed = await api.patch(f"/admin/colleges/{area.near}", json={"is_active": False}, headers=bearer(admin))
    assert closed.status_code == 200 and closed.json()["is_active"] is False, closed.text

    ace, _ = await sign_in(api, ace_phone)
    accepted = await api.post(f"/offers/{offer['id']}/accept", headers=bearer(ace))
    row = _request_row(database_url, created["id"])
    assert accepted.status_code == 409, (accepted.status_code, row)
    assert accepted.json()["error"]["code"] == "college_closed"
    assert row["college_id"] != area.near or row["status"] != "accepted"

    await _tick(database_url, settings, datetime.now(UTC))  # the close ended the offers: no SLA to wait for
    row = _request_row(database_url, created["id"])
    pending = [o for o in offers_of(database_url, created["id"]) if o["status"] == "pending"]
    assert row["status"] == "offered" and row["college_id"] == area.far, row
    assert pending and {o["college_id"] for o in pending} == {area.far}


async def test_an_accept_waits_for_a_close_under_way_and_finds_the_college_closed(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """The lock order (dispatch.py): an accept takes the student's profile, then the college shared, then the
    request; a close takes the college, then the requests of its waiting offers. Here someone else holds the
    request a moment (the tick, a cancel): the close waits for it holding the college, the accept waits for the
    close, and once the request is let go the close ends the offer and the accept reads the college closed (409
    college_closed), never a 503 deadlock nor a job given to the closed college."""
    api, _ = app_and_clock
    admin, _ = await sign_in(api, "0844444444")
    _, created = await submit(api)
    ace_id, ace_phone = area.students["ace"]
    offer = next(o for o in offers_of(database_url, created["id"]) if o["technician_id"] == ace_id)
    ace, _ = await sign_in(api, ace_phone)
    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from public.repair_requests where id = %s for update", [created["id"]])
        closing = asyncio.create_task(api.patch(f"/admin/colleges/{area.near}", json={"is_active": False},
                                                headers=bearer(admin)))
        await until_waiting(database_url, 1, closing)
        accepting = asyncio.create_task(api.post(f"/offers/{offer['id']}/accept", headers=bearer(ace)))
        await until_waiting(database_url, 2, closing, accepting)
        await holder.rollback()
        closed, accepted = await closing, await accepting
    assert closed.status_code == 200, closed.text
    assert accepted.status_code == 409 and accepted.json()["error"]["code"] == "college_closed", accepted.text
    row = _request_row(database_url, created["id"])
    assert row["status"] == "offered" and row["technician_id"] is None, row


async def test_a_close_does_not_block_an_offer_written_for_the_college_under_a_requests_lock(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """A dispatch or a decline's refill holds its request, then writes offers naming the college, whose foreign-key
    check takes FOR KEY SHARE on the college's row. The close holds the college (FOR NO KEY UPDATE) while it waits
    for the requests of the college's waiting offers: had it locked the college FOR UPDATE, the two would wait for
    each other (a deadlock, one answered 503). Here a transaction holding the request checks the college's key
    while the close waits for that request."""
    api, _ = app_and_clock
    admin, _ = await sign_in(api, "0844444444")
    _, created = await submit(api)
    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from public.repair_requests where id = %s for update", [created["id"]])
        closing = asyncio.create_task(api.patch(f"/admin/colleges/{area.near}", json={"is_active": False},
                                                headers=bearer(admin)))
        await until_waiting(database_url, 1, closing)
        # What an offer's insert checks for its college_id, under the request's lock.
        await holder.execute("select 1 from public.colleges where id = %s for key share", [area.near])
        await holder.commit()
        closed = await closing
    assert closed.status_code == 200 and closed.json()["is_active"] is False, closed.text


async def test_a_deleted_students_job_in_hand_is_not_left_without_a_student(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """A switch-off, a move or a promotion of a student holding jobs is refused (409 student_has_jobs): "the
    teacher reassigns them or the student finishes first". Their account's deletion was not: the job kept its
    status (accepted here; diagnosing, repairing alike) with technician_id set null by the foreign key and the
    team rows gone, nobody on it and nobody told. The deletion is now refused the same way (409 account_has_jobs,
    nothing deleted) until the job is finished or reassigned."""
    api, _ = app_and_clock
    _, created = await submit(api)
    ace_id, ace_phone = area.students["ace"]
    offer = next(o for o in offers_of(database_url, created["id"]) if o["technician_id"] == ace_id)
    ace, _ = await sign_in(api, ace_phone)
    accepted = await api.post(f"/offers/{offer['id']}/accept", headers=bearer(ace))
    assert accepted.status_code == 200, accepted.text

    refused = await api.delete("/me", params={"confirm": "true"}, headers=bearer(ace))
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "account_has_jobs" and "1" in error["message_en"] and error["message_th"]
    row = _request_row(database_url, created["id"])
    in_hand = {s.value for s in WORK_IN_HAND}
    assert not (row["status"] in in_hand and row["technician_id"] is None), row
    assert row["status"] == "accepted" and str(row["technician_id"]) == ace_id  # still theirs, account kept
