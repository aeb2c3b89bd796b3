"""A request its citizen submits or reopens while the operator's suspension of them is under way (audit21 #2).

The suspension (account.suspend) locks the citizen's profile FOR NO KEY UPDATE, then their open requests as its
snapshot finds them, and parks those (review18a #2: nobody may answer for them). A request stored in that moment,
or a handed-back one reopened then (not an open request), is not among them: so the submit's dispatch
(`dispatch_submitted`) and the reopen (aftercare.reopen) share the owner's profile first, the lock order's step 1.
Whichever begins first, once both have committed no student holds an offer of the suspended citizen's request.
The order is driven by row locks and seen in pg_stat_activity (tests/integration/lock_waits.py): no sleeps."""

import asyncio
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.db import service_tx
from backend.dispatch_ticks import policy_of
from backend.routes import requests as request_routes
from backend.services import account
from backend.services import request_detail as request_detail_module
from backend.services.dispatch import dispatch_submitted
from backend.settings import Settings
from shared.roles import AppRole
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft
from tests.integration.dispatch_area import (
    HOME,
    AppClock,
    Area,
    accepted_job,
    handed_back_job,
    offers_of,
    owner_of,
    request_status,
    step,
    submit,
)
from tests.integration.lock_waits import until_waiting
from tests.integration.test_dispatch import _waits
from tests.integration.test_suspended_account import assert_suspended
from tests.integration.wall_clock import wall

REASON = "แจ้งเหตุเท็จซ้ำหลายครั้ง"


def _pending(database_url: str, request_id: str) -> list[str]:
    return [o["technician_id"] for o in offers_of(database_url, request_id) if o["status"] == "pending"]


async def _suspend(pool: AsyncConnectionPool[Any], person: uuid.UUID) -> None:
    """The operator's suspension, committed: as `fixit-backend suspend` runs it."""
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        await account.suspend(conn, person, AppRole.CITIZEN, REASON, *wall())


async def _stored_only(api: Any, token: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A request submitted and stored, its dispatch left for the test to run; its id."""
    async def not_yet(*_: Any, **__: Any) -> None:
        return None

    with monkeypatch.context() as patch:
        patch.setattr(request_routes, "dispatch_submitted", not_yet)
        made = await api.post("/requests", json=draft(lat=HOME[0], lon=HOME[1]), headers=bearer(token))
    assert made.status_code == 201 and made.json()["status"] == "submitted", made.text
    return str(made.json()["id"])


async def test_a_submits_dispatch_still_waits_for_the_database_twice(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The owner's profile lock is one statement more whose result is not read: in the pipelined transaction it
    leaves with the plan, and the first dispatch still waits for the database twice (issue 15, as
    test_dispatch's count of `dispatch`)."""
    api, clock = app_and_clock
    token, _ = await sign_in(api, fresh_phone())
    rid = await _stored_only(api, token, monkeypatch)
    trace = tmp_path / "libpq.trace"
    async with AsyncConnectionPool(database_url, min_size=1, max_size=1,
                                   kwargs={"row_factory": dict_row, "autocommit": True}) as own:
        with trace.open("w") as out:
            async with own.connection() as conn:
                conn.pgconn.trace(out.fileno())
            async with service_tx(own) as owner:  # type: ignore[arg-type]
                result = await dispatch_submitted(owner, uuid.UUID(rid), clock.now, policy_of(settings))
            async with own.connection() as conn:
                conn.pgconn.untrace()
    assert result.status.value == "offered" and result.college_id == area.near and result.offered_to
    text = trace.read_text()
    assert "for share" in text and "insert into public.offers" in text and "COMMIT" in text
    assert _waits(text) == 2


async def test_a_reopen_while_its_owner_is_being_suspended_waits_and_is_refused(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """The suspension began first: the reopen waits for it, then answers what the owner's token answers from then
    on (403 account_suspended, in Thai and English), and the job stays handed back, offered to nobody."""
    api, _ = app_and_clock
    citizen, rid = await handed_back_job(api, area)
    async with pool.connection() as suspending, suspending.transaction():
        await suspending.execute("select set_config('fixit.actor', 'operator', true)")
        await account.suspend(suspending, owner_of(database_url, rid), AppRole.CITIZEN, REASON, *wall())
        reopening = asyncio.create_task(api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่หาย"},
                                                 headers=bearer(citizen)))
        await until_waiting(database_url, 1, reopening)  # at the owner's profile, before the request
    assert_suspended(await reopening, "reopen")
    assert request_status(database_url, rid) == "handed_back"
    assert _pending(database_url, rid) == []


async def test_a_reopen_under_way_is_waited_for_by_the_suspension_which_parks_it(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """The reopen began first (it shares the owner's profile, then waits for the request, held here): the suspension
    waits for the reopen's commit, then finds the request offered again and parks it, its offer withdrawn."""
    api, _ = app_and_clock
    citizen, rid = await handed_back_job(api, area)
    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from public.repair_requests where id = %s for update", [rid])
        reopening = asyncio.create_task(api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่หาย"},
                                                 headers=bearer(citizen)))
        await until_waiting(database_url, 1, reopening)  # holds the owner's profile, waits for the request
        suspending = asyncio.create_task(_suspend(pool, owner_of(database_url, rid)))
        await until_waiting(database_url, 2, reopening, suspending)  # the suspension waits for the profile
        await holder.rollback()
    reopened = await reopening
    assert reopened.status_code == 200 and reopened.json()["status"] == "offered", reopened.text
    await suspending
    assert request_status(database_url, rid) == "no_centre"
    assert _pending(database_url, rid) == []


async def test_a_submits_dispatch_under_way_is_waited_for_by_the_suspension_which_parks_it(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings, pool: AsyncConnectionPool[Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The submit's dispatch began first (it shares the owner's profile, then waits for the request, held here):
    the suspension waits for it, then finds the request offered and parks it, the offers it made withdrawn. (The
    other order, the suspension first: test_audit21_findings, the submit's dispatch waits and parks it itself.)"""
    api, clock = app_and_clock
    token, _ = await sign_in(api, fresh_phone())
    rid = await _stored_only(api, token, monkeypatch)

    async def dispatch_it() -> None:
        async with service_tx(pool) as owner:
            await dispatch_submitted(owner, uuid.UUID(rid), clock.now, policy_of(settings))

    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from public.repair_requests where id = %s for update", [rid])
        dispatching = asyncio.create_task(dispatch_it())
        await until_waiting(database_url, 1, dispatching)  # holds the owner's profile, waits for the request
        suspending = asyncio.create_task(_suspend(pool, owner_of(database_url, rid)))
        await until_waiting(database_url, 2, dispatching, suspending)  # the suspension waits for the profile
        await holder.rollback()
    await dispatching
    await suspending
    assert [o["status"] for o in offers_of(database_url, rid)] and _pending(database_url, rid) == []
    assert request_status(database_url, rid) == "no_centre"


async def test_a_submit_while_its_owner_is_being_suspended_is_stored_parked_and_told_so(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """The suspension began first: the request is stored (its insert waits for nothing), its dispatch waits for the
    suspension at the owner's profile, then parks it (no_centre, offered to nobody), and the answer is what the
    owner's token answers from then on, 403 account_suspended, not 404 (the stored request is theirs, hidden while
    the account is suspended; a retry of its key finds it once the account is restored)."""
    api, _ = app_and_clock
    citizen, profile = await sign_in(api, fresh_phone())
    async with pool.connection() as suspending, suspending.transaction():
        await suspending.execute("select set_config('fixit.actor', 'operator', true)")
        await account.suspend(suspending, uuid.UUID(str(profile["id"])), AppRole.CITIZEN, REASON, *wall())
        submitting = asyncio.create_task(api.post("/requests", json=draft(lat=HOME[0], lon=HOME[1]),
                                                  headers=bearer(citizen)))
        await until_waiting(database_url, 1, submitting)  # the dispatch, at the owner's profile
    assert_suspended(await submitting, "submit")
    with psycopg.connect(database_url) as conn:
        stored = conn.execute("select id::text, status::text from public.repair_requests where citizen_id = %s",
                              [profile["id"]]).fetchall()
    assert [status for _, status in stored] == ["no_centre"]
    assert offers_of(database_url, stored[0][0]) == []


def _suspended_before_the_read_back(monkeypatch: pytest.MonkeyPatch, pool: AsyncConnectionPool[Any],
                                    person: uuid.UUID, role: AppRole) -> None:
    """The operator's suspension of `person` commits in the instant after their write committed and before the
    route reads the request back for them (request_detail.read_detail, its own transaction as the caller)."""
    real = request_detail_module.request_detail

    async def suspended_first(*args: Any, **kwargs: Any) -> dict[str, Any]:
        async with pool.connection() as conn, conn.transaction():
            await conn.execute("select set_config('fixit.actor', 'operator', true)")
            await account.suspend(conn, person, role, REASON, *wall())
        return await real(*args, **kwargs)

    monkeypatch.setattr(request_detail_module, "request_detail", suspended_first)


async def test_a_cancel_whose_owner_is_suspended_before_it_is_read_back_answers_account_suspended(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """suspend22 #2: the owner is told why they cannot see what they did (403 account_suspended, as their token
    answers from then on), not 404 as if it had vanished; the cancel stays done."""
    api, _ = app_and_clock
    citizen, request = await submit(api)
    rid = request["id"]
    _suspended_before_the_read_back(monkeypatch, pool, owner_of(database_url, rid), AppRole.CITIZEN)
    assert_suspended(await api.post(f"/requests/{rid}/cancel", json={"note": ""}, headers=bearer(citizen)),
                     "cancel")
    assert request_status(database_url, rid) == "cancelled"


async def test_a_students_step_whose_student_is_suspended_before_it_is_read_back_answers_account_suspended(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The same for the other writes that read the request back (a student's step, an accept, an assign, an
    administrator's send-on: one rule, in read_detail); the step stays done."""
    api, _ = app_and_clock
    _, ace, rid = await accepted_job(api, area, "ace")
    _suspended_before_the_read_back(monkeypatch, pool, uuid.UUID(area.students["ace"][0]), AppRole.TECHNICIAN)
    assert_suspended(await step(api, ace, rid, "diagnosing"), "step")
    assert request_status(database_url, rid) == "diagnosing"
