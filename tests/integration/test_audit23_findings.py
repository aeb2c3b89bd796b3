"""audit23: the suspension's two leftovers named in session 22's note, and findings of a fresh-eyes read of session
22's code (git diff e9c928c edfaade), each written as the behaviour the project's own rules promise (README, the
migrations' and modules' docstrings). Real PostgreSQL; the Data API's reads as PostgREST makes them (`authenticated`
with the caller's JWT claims, RLS and the column grants deciding)."""

import asyncio
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from backend.db import service_tx
from backend.dispatch_ticks import policy_of, tick
from backend.services.dispatch import expire_overdue
from backend.settings import Settings
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
from tests.integration.lock_waits import until_waiting_or_done

MINUTE = timedelta(minutes=1)


# --- A1. The stored note codes tell a student, through the Data API, that the citizen was suspended ----------------

async def test_a_student_offered_a_restored_request_cannot_read_the_suspension_through_the_data_api(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """audit22 #3 gave readers other than the owner and the admins neutral notes in the API ("on hold"), but the
    stored codes `owner_suspended` / `owner_restored` stayed readable in public.status_events to whoever
    `can_see_request` (0050): the student holding a pending offer of the restored request reads, through Supabase's
    Data API, that a stranger's account was suspended (0061: an offer says what and roughly where, never whose)."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, request = await submit(api)
    rid = request["id"]
    owner = owner_of(database_url, rid)
    await by_operator(pool, owner, suspend=True, now=clock.now)
    await by_operator(pool, owner, suspend=False, now=clock.now)
    ace = area.students["ace"][0]
    assert any(o["technician_id"] == ace and o["status"] == "pending" for o in offers_of(database_url, rid))
    with pytest.raises(psycopg.errors.InsufficientPrivilege), as_user(database_url, ace) as conn:
        # Before the fix: [..., 'owner_suspended', 'owner_restored']
        conn.execute("select note_code from public.status_events where request_id = %s order by id", [rid]).fetchall()
    with as_user(database_url, ace) as conn:  # the rest of the timeline is still theirs to read
        seen = conn.execute("select to_status::text from public.status_events where request_id = %s order by id",
                            [rid]).fetchall()
    assert seen[-1] == {"to_status": "offered"}


# --- A2. Switched off and on by SQL: the parked request's citizen is never told ------------------------------------

async def _parked_by_sql(api: Any, database_url: str, settings: Settings, pool: AsyncConnectionPool[Any],
                         clock: Any) -> tuple[str, str]:
    """A request whose citizen is switched off by SQL (Supabase's dashboard) while its offers wait; they lapse and the
    clock parks it (`owner_suspended`): (the citizen's token, the request)."""
    citizen, request = await submit(api)
    rid = request["id"]
    set_owner_active(database_url, rid, False)
    await tick(pool, settings, clock.now + timedelta(minutes=settings.dispatch_sla_minutes + 1))
    assert request_status(database_url, rid) == "no_centre"
    return citizen, rid


async def test_a_request_parked_and_restored_by_sql_that_nobody_can_take_tells_its_citizen(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """The operator's restore tells the citizen of a parked request nobody can take now (timeline `no_taker`, their
    `no_taker` message, the admins asked: 0101). Switched on by SQL, only the admins were told (0100): the citizen
    read "waiting for your account" on an active account for ever, told nothing."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    citizen, rid = await _parked_by_sql(api, database_url, settings, pool, clock)
    before = last_notification(database_url)
    close_the_area(database_url, area)
    set_owner_active(database_url, rid, True)
    # The clock's next turn resumes it as the operator's restore would (audit24 R2; 0102 wrote the note at the
    # switch's commit, whatever a student could do).
    await tick(pool, settings, clock.now + timedelta(minutes=settings.dispatch_sla_minutes + 2))
    detail = (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()
    # Before the fix: 'owner_suspended' (and nothing told)
    assert detail["timeline"][-1]["note_code"] == "no_taker"
    assert kinds_told(database_url, rid, role="citizen", since_id=before) == ["no_taker"]
    assert kinds_told(database_url, rid, role="admin", since_id=before) == ["no_centre"]


# --- B1. 0100's deferred trigger fires once per switch back to active, not once per transaction --------------------

async def test_an_account_switched_off_and_on_twice_in_one_transaction_tells_once(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """0100's constraint trigger is deferred to the commit, but it fires there once per row event that matched its
    WHEN: an operator's SQL that switches an account off and on twice in one transaction (a script run twice, a
    dashboard edit and its undo) asked every admin twice to send the same request on. Fixed by 0102 (audit23 A2):
    the first firing writes the request's note, and the second finds nothing parked any more; since 0103 (audit24
    R2) the switch writes nothing and the clock's next turn resumes the request, once."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, rid = await _parked_by_sql(api, database_url, settings, pool, clock)
    before = last_notification(database_url)
    close_the_area(database_url, area)
    owner = owner_of(database_url, rid)
    with psycopg.connect(database_url) as conn:
        for active in (True, False, True):
            conn.execute("update public.profiles set is_active = %s where id = %s", [active, owner])
    await tick(pool, settings, clock.now + timedelta(minutes=settings.dispatch_sla_minutes + 2))
    assert kinds_told(database_url, rid, role="admin", since_id=before) == ["no_centre"]
    assert kinds_told(database_url, rid, role="citizen", since_id=before) == ["no_taker"]


# --- B2. Who may read which colleges can take a job ----------------------------------------------------------------

async def test_only_admins_read_which_colleges_can_take_a_waiting_request(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """GET /admin/waiting/{id}/colleges (session 22) says how many students of each college fit a job: the
    administrators' picker only. A student (or the request's own citizen) is refused, as for every /admin route."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    citizen, request = await submit(api)
    rid = request["id"]
    await by_operator(pool, owner_of(database_url, rid), suspend=True, now=clock.now)  # waits as no_centre
    assert request_status(database_url, rid) == "no_centre"
    ace, _ = await sign_in(api, area.students["ace"][1])
    for token in (ace, citizen):
        answer = await api.get(f"/admin/waiting/{rid}/colleges", headers=bearer(token))
        assert answer.status_code == 403, answer.text



# --- B3. A parking that commits across the switch back to active ---------------------------------------------------

async def _switch_on(database_url: str, person: str) -> None:
    """An operator's SQL (or Supabase's dashboard) switches the account back on, in a transaction of its own."""
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        await conn.execute("update public.profiles set is_active = true where id = %s", [person])
        await conn.commit()


async def test_a_parking_under_way_when_the_account_is_switched_on_is_told_to_its_citizen(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """The clock parks a request whose offers lapsed while its citizen was switched off by SQL (it read the owner
    inactive, under the request's lock), and the account is switched back on before that parking commits. The
    switch's commit-time trigger (0100, 0102) looked for parked requests in its own snapshot, where the request was
    still `offered`: it wrote nothing, and the parking then committed on an active account, its citizen reading
    "waiting for your account", told nothing (past RETRY_WINDOW, for ever)."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, request = await submit(api)
    rid = request["id"]
    owner = str(owner_of(database_url, rid))
    set_owner_active(database_url, rid, False)
    close_the_area(database_url, area)  # nobody can take it: the note is all the citizen will hear
    lapsed = clock.now + timedelta(minutes=settings.dispatch_sla_minutes + 1)
    before = last_notification(database_url)
    async with service_tx(pool) as clock_tx:  # the clock's turn, as dispatch_ticks.tick runs it
        await expire_overdue(clock_tx, lapsed, policy_of(settings))  # parks it, not yet committed
        switching = asyncio.create_task(_switch_on(database_url, owner))
        await until_waiting_or_done(database_url, switching)
    await switching
    # Since 0103 (audit24 R2) the switch's commit takes no lock and writes nothing: the clock's next turn resumes
    # whatever is still parked on an active account, the parking that committed across the switch among them.
    await tick(pool, settings, lapsed + MINUTE)
    assert request_status(database_url, rid) == "no_centre"
    with psycopg.connect(database_url) as check:
        last = check.execute("select note_code from public.status_events where request_id = %s "
                             "order by id desc limit 1", [rid]).fetchone()
    # Before the fix: ('owner_suspended',), nobody told
    assert last == ("no_taker",)
    assert kinds_told(database_url, rid, role="citizen", since_id=before) == ["no_taker"]
