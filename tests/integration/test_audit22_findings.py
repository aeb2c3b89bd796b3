"""audit22: findings of a fresh-eyes read of session 21's code (git diff cbdd4f5 d6bf266), each written as the
behaviour the project's own rules promise (README, the migrations' and modules' docstrings). Real PostgreSQL."""

import uuid
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.services.request_detail import read_detail
from backend.settings import Settings
from shared.text import EVENT_NOTES, Locale
from tests.helpers import bearer, sign_in
from tests.integration.builders import as_user
from tests.integration.dispatch_area import (
    AppClock,
    Area,
    by_operator,
    close_the_area,
    kinds_told,
    last_notification,
    offers_of,
    owner_of,
    request_status,
    set_owner_active,
    submit,
)

MINUTE = timedelta(minutes=1)


# --- 1. A parked request nobody can take after the restore reaches no administrator (0098) ------------------------

async def test_a_restored_request_the_restore_cannot_offer_reaches_the_admins(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """0098 stopped the parking (`owner_suspended`) from asking the admins to send the request on, because the
    restore offers it itself. But when the restore finds nobody to offer it to (the college closed, its students
    gone), it stays `no_centre`, and its owner's next step says "an administrator sends it on to a college": no
    administrator was ever told of it. Before 0098 they were, at the parking; every other move into no_centre tells
    them (0074). The clock's revival is no help past shared.reminders.RETRY_WINDOW."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, request = await submit(api)
    rid = request["id"]
    owner = owner_of(database_url, rid)
    before = last_notification(database_url)
    await by_operator(pool, owner, suspend=True, now=clock.now)
    assert request_status(database_url, rid) == "no_centre"
    close_the_area(database_url, area)
    await by_operator(pool, owner, suspend=False, now=clock.now)
    assert request_status(database_url, rid) == "no_centre"
    # Before the fix: [] (the admins heard of it neither at the parking nor at the restore).
    assert kinds_told(database_url, rid, role="admin", since_id=before) == ["no_centre"]


async def test_a_restored_request_the_restore_offers_asks_no_admin(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """The other side of #1: a request the restore offers again is announced to nobody but its students and its
    citizen (test_a_reinstated_citizens_request); the admins have nothing to send on."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, request = await submit(api)
    rid = request["id"]
    owner = owner_of(database_url, rid)
    before = last_notification(database_url)
    await by_operator(pool, owner, suspend=True, now=clock.now)
    await by_operator(pool, owner, suspend=False, now=clock.now)
    assert request_status(database_url, rid) == "offered"
    assert kinds_told(database_url, rid, role="admin", since_id=before) == []


async def test_a_request_parked_by_the_clock_reaches_the_admins_once_its_owner_is_active_again(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """The same by the other path (test_a_reinstated_citizens_request: an operator's SQL or Supabase's dashboard
    switches the account off and on): the offers lapse, dispatch parks the request (`owner_suspended`), and nothing
    offers it once the account is active again when the clock's revival finds nobody new (here: nobody at all). It
    waits for an administrator who was never told."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, request = await submit(api)
    rid = request["id"]
    before = last_notification(database_url)
    set_owner_active(database_url, rid, False)
    lapsed = clock.now + timedelta(minutes=settings.dispatch_sla_minutes + 1)
    await tick(pool, settings, lapsed)
    assert request_status(database_url, rid) == "no_centre"
    assert kinds_told(database_url, rid, role="admin", since_id=before) == []  # 0098: not while suspended
    close_the_area(database_url, area)
    set_owner_active(database_url, rid, True)
    await tick(pool, settings, lapsed + MINUTE)
    assert request_status(database_url, rid) == "no_centre"
    assert kinds_told(database_url, rid, role="admin", since_id=before) == ["no_centre"]


# --- 2. A student learns that the citizen was suspended (0094) -----------------------------------------------------

async def test_a_student_cannot_read_through_the_data_api_that_the_citizen_was_suspended(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """0094 added `offers.withdrawn_for_suspension`, and `authenticated` reads every column of public.offers (0002's
    table grant; a policy shows a student their own offers, a teacher their college's). So a student offered a
    request reads, through Supabase's Data API, that the person who asked for it had their account suspended:
    a sanction on a stranger (0061: an offer says what and roughly where, never whose). Dispatch alone reads the
    mark (`_ASKED`), as the owner."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, request = await submit(api)
    rid = request["id"]
    owner = owner_of(database_url, rid)
    await by_operator(pool, owner, suspend=True, now=clock.now)
    ace = area.students["ace"][0]
    assert ace in {o["technician_id"] for o in offers_of(database_url, rid)}
    with pytest.raises(psycopg.errors.InsufficientPrivilege), as_user(database_url, ace) as conn:
        # Before the fix: [{'withdrawn_for_suspension': True}]
        conn.execute("select withdrawn_for_suspension from public.offers where request_id = %s", [rid]).fetchall()
    with as_user(database_url, ace) as conn:  # what the offer says is still theirs to read
        seen = conn.execute("select status::text from public.offers where request_id = %s", [rid]).fetchall()
    assert seen == [{"status": "withdrawn"}]


async def test_a_student_offered_a_restored_request_is_not_told_its_owner_was_suspended(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """After the restore the request is offered again to ace, who takes it. The job's timeline (the student's and
    the college's teachers' to read) said "On hold: the account of the person who asked for this repair was
    suspended" and "The account ... is restored": the owner and the admins need that reason (reinstate21), the
    student who is about to call the owner does not (0061: an offer says nothing of whose it is). They read that it
    was on hold and offered again. (The note's code stays readable through the Data API to a student holding a
    pending offer, 0006's `can_see_request`: see /tmp/p22/audit22-findings.md, #3.)"""
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, request = await submit(api)
    rid = request["id"]
    owner = owner_of(database_url, rid)
    await by_operator(pool, owner, suspend=True, now=clock.now)
    await by_operator(pool, owner, suspend=False, now=clock.now)
    assert request_status(database_url, rid) == "offered"
    ace, _ = await sign_in(api, area.students["ace"][1])
    offer = next(o for o in offers_of(database_url, rid)
                 if o["technician_id"] == area.students["ace"][0] and o["status"] == "pending")
    taken = await api.post(f"/offers/{offer['id']}/accept", headers=bearer(ace))
    assert taken.status_code == 200, taken.text
    seen = await api.get(f"/requests/{rid}", headers=bearer(ace))
    assert seen.status_code == 200, seen.text
    timeline = seen.json()["timeline"]
    # Before the fix: ['owner_suspended', 'owner_restored'] ("... บัญชีของผู้แจ้งซ่อมถูกระงับ ...")
    assert [e["note_code"] for e in timeline[-3:-1]] == ["on_hold", "on_hold_ended"]
    assert [(e["note_code"], e["note"]) for e in timeline[-3:-1]] == [
        ("on_hold", EVENT_NOTES["on_hold"].th), ("on_hold_ended", EVENT_NOTES["on_hold_ended"].th)]
    # The same by the detail's other form (the app's actions answer with it), in the language the call asks for.
    detail = await read_detail(pool, {"sub": area.students["ace"][0], "role": "authenticated"}, uuid.UUID(rid),
                               clock.now, Locale.EN)
    assert [(e["note_code"], e["note"]) for e in detail["timeline"][-3:-1]] == [
        ("on_hold", EVENT_NOTES["on_hold"].en), ("on_hold_ended", EVENT_NOTES["on_hold_ended"].en)]
    # The owner and the admins still read why (test_a_reinstated_citizens_request).
