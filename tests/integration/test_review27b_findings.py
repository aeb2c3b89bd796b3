"""review27b: race27's and close27's merge read as a skeptical reviewer, each finding driven on the real database
(explicit locks in the test's own transactions, waits seen in pg_stat_activity: tests/integration/lock_waits.py), no
sleeps. /tmp/p27/review27b-findings.md has what was checked and found sound."""

import asyncio
import uuid
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from backend.db import service_tx
from backend.notifications.outbox import notify_undecided
from backend.services import account
from shared.roles import AppRole
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, accepted_job, request_status, step
from tests.integration.lock_waits import until_waiting
from tests.integration.wall_clock import wall


def _asking(database_url: str, rid: str, kind: str) -> int:
    """How many `kind` messages about the job still ask (no `params.closed`, 0120)."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute("""select count(*) from public.notifications where request_id = %s and kind = %s
                              and (params ->> 'closed') is null""", [rid, kind]).fetchone()
    return int(row[0]) if row else 0


async def _done_or_waiting(database_url: str, count: int, task: "asyncio.Task[Any]") -> None:
    """Until `task` has ended or `count` backends wait on a lock (it among them): for a step that waits on one
    path and not on another."""
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as watcher:
        while not task.done():
            row = await (await watcher.execute(
                "select count(*) from pg_stat_activity where cardinality(pg_blocking_pids(pid)) > 0")).fetchone()
            if row is not None and row[0] >= count:
                return
            await asyncio.sleep(0.01)  # a poll of what waits on what, not a wait for an outcome


# --- 1. A suspension's holder_suspended written after a take back committed under it ----------------------------


async def test_a_suspension_racing_a_take_back_leaves_no_message_asking_about_a_job_already_taken_back(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """account.suspend reads the student's jobs in hand from its statement's snapshot, unlocked (its
    `_LOCK_REQUESTS` takes their own requests and pending offers, not the jobs they hold). A teacher's take back
    holds the job (transitions.py: the request FOR UPDATE first) and, here, waits at the job's accepted offer (held
    a moment as a second writer of it would); the suspension's `holder_suspended` insert waits at its foreign key
    check of the job; the take back commits (0120's trigger closes what it can see: nothing yet), the insert goes
    on: the teacher is asked to hand on a job that is back on offer, unread, and nothing closes it (close27's
    "left" note). Fixed: the suspension holds the jobs in the student's hands with their own requests
    (`_LOCK_REQUESTS`), so it waits for the take back and then finds the job no longer theirs."""
    api, _ = app_and_clock
    _, _, rid = await accepted_job(api, area, "ace")
    ace_id = area.students["ace"][0]
    teacher, _ = await sign_in(api, area.students["teacher"][1])

    async def suspend() -> account.Suspended:
        async with pool.connection() as conn, conn.transaction():
            await conn.execute("select set_config('fixit.actor', 'operator', true)")
            return await account.suspend(conn, uuid.UUID(ace_id), AppRole.TECHNICIAN, "โทรศัพท์หาย", *wall())

    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from public.offers where request_id = %s and status = 'accepted' for update",
                             [rid])
        taking = asyncio.create_task(step(api, teacher, rid, "offered"))
        await until_waiting(database_url, 1, taking)  # the job held, waiting at its offer
        suspending = asyncio.create_task(suspend())
        await until_waiting(database_url, 2, taking, suspending)  # the suspension's insert waits on the job
        await holder.rollback()
        taken = await taking
        await suspending
    assert taken.status_code == 200, taken.text
    assert request_status(database_url, rid) == "offered"
    assert _asking(database_url, rid, "holder_suspended") == 0


# --- 3. The clock's holder_suspended to the admins, written beside the student's restore -------------------------


async def test_the_clocks_message_of_a_suspended_holder_written_beside_their_restore_is_closed(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """close27's fix of review26b #6 holds the job FOR SHARE and checks its wait on the row, but a holder_suspended
    wait is the *student's* row: `notify_undecided` reads `not s.is_active` from its statement's snapshot, unlocked.
    The college's one teacher leaves after the suspension told them, so the clock tells the admins; its insert waits
    at a foreign key check (an admin's profile, held a moment as their deletion would hold it); the student's restore
    commits meanwhile (0120's restore trigger closes what it can see: not the clock's); the insert goes on. The
    admins are asked to hand on the job of a student who is back at work, unread, until the job next moves. Fixed:
    the clock holds the holder's profile FOR SHARE (skip locked) as it holds the job, so the restore waits for the
    clock's commit and its trigger then closes the message."""
    api, _ = app_and_clock
    _, _, rid = await accepted_job(api, area, "ace")
    ace_id = area.students["ace"][0]
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        await account.suspend(conn, uuid.UUID(ace_id), AppRole.TECHNICIAN, "โทรศัพท์หาย", *wall())
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assert (await api.delete("/me", params={"confirm": "true"}, headers=bearer(teacher))).status_code == 204

    async def clock_turn() -> int:
        async with service_tx(pool) as owner:
            return await notify_undecided(owner)

    async def restore() -> None:
        async with pool.connection() as conn, conn.transaction():
            await conn.execute("select set_config('fixit.actor', 'operator', true)")
            await account.restore(conn, uuid.UUID(ace_id), *wall())

    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from public.profiles where role = 'admin' and is_active for update")
        turn = asyncio.create_task(clock_turn())
        await until_waiting(database_url, 1, turn)  # its snapshot taken, its insert waiting on an admin
        restoring = asyncio.create_task(restore())
        await _done_or_waiting(database_url, 2, restoring)  # committed, or (fixed) waiting for the clock
        await holder.rollback()
        await turn
        await restoring
    assert request_status(database_url, rid) == "accepted"
    assert _asking(database_url, rid, "holder_suspended") == 0
