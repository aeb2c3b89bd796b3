"""No student is sent to a suspended citizen's request, by any path (review18a #2, audit20 #2): nobody may answer for
it (no chat, no part's answer, no hand back code). The suspension itself ends its offers and parks it as no_centre
(account.suspend -> dispatch.park_for_suspended_owner); an accept, an assign or reassign and a helper joining are
refused (409 owner_suspended), an accept waiting for a suspension under way; a request stranded by a crash is not
offered by the clock; the admins' waiting list says why it waits. Restored, the clock sends it on by itself.
(The take back's re-offer and the admin's send-on: test_audit20_findings.)"""

import asyncio
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.routes import requests as request_routes
from backend.services import account
from backend.settings import Settings
from shared.roles import AppRole
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft
from tests.integration.dispatch_area import (
    ADMIN_PHONE,
    HOME,
    AppClock,
    Area,
    assigned_by_teacher,
    by_operator,
    offers_of,
    owner_of,
    request_status,
    set_active,
    set_owner_active,
    submit,
)
from tests.integration.lock_waits import until_waiting
from tests.integration.wall_clock import wall

MINUTE = timedelta(minutes=1)


def _withdrawn_told(database_url: str, rid: str) -> set[str]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("select recipient_id::text from public.notifications "
                            "where request_id = %s and kind = 'offer_withdrawn'", [rid]).fetchall()
    return {str(r[0]) for r in rows}


async def _waiting_mark(api: Any, admin: str, rid: str) -> bool | None:
    rows = (await api.get("/admin/waiting", params={"limit": 200}, headers=bearer(admin))).json()
    return next((w["owner_suspended"] for w in rows if w["id"] == rid), None)


async def test_a_citizens_suspension_ends_the_offers_and_the_restore_lets_the_clock_send_it_on(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    api, clock = app_and_clock
    _, request = await submit(api)  # offered to the near college's three best students
    rid = request["id"]
    asked = {o["technician_id"] for o in offers_of(database_url, rid)}
    assert len(asked) == 3 and request_status(database_url, rid) == "offered"
    citizen = owner_of(database_url, rid)
    await by_operator(pool, citizen, suspend=True)

    # Nothing is left for a student to take, each of them is told, and the request waits for nobody.
    assert {o["status"] for o in offers_of(database_url, rid)} == {"withdrawn"}
    assert _withdrawn_told(database_url, rid) == asked
    assert request_status(database_url, rid) == "no_centre"
    with psycopg.connect(database_url) as conn:
        trail = conn.execute("select after from public.audit_events where action = 'account.suspend' "
                             "and target_id = %s", [citizen]).fetchone()
    assert trail is not None and trail[0]["requests_parked"] == 1  # the operator's record says what it did
    admin, _ = await sign_in(api, ADMIN_PHONE)
    assert await _waiting_mark(api, admin, rid) is True  # the admin sees why it waits
    await tick(pool, settings, clock.now + MINUTE)  # the clock's revival does not offer it either
    assert request_status(database_url, rid) == "no_centre"

    await by_operator(pool, citizen, suspend=False)
    assert await _waiting_mark(api, admin, rid) is None  # offered again by the restore: it waits no more
    await tick(pool, settings, clock.now + 2 * MINUTE)
    # Restored: offered again at once, to the students whose offers the suspension withdrew (they said nothing:
    # reinstate21, migration 0094; test_a_reinstated_citizens_request), and the clock asks nobody more.
    pending = {o["technician_id"] for o in offers_of(database_url, rid) if o["status"] == "pending"}
    assert request_status(database_url, rid) == "offered"
    assert pending == asked


async def test_an_accept_waits_for_the_owners_suspension_at_that_moment_and_is_refused(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """The owner's profile is shared by the accept before the request's lock (dispatch.py's lock order): a
    suspension under way is waited for and seen, never missed by a moment."""
    api, _ = app_and_clock
    _, request = await submit(api)
    rid = request["id"]
    ace_id, ace_phone = area.students["ace"]
    offer = next(o for o in offers_of(database_url, rid) if o["technician_id"] == ace_id)
    ace, _ = await sign_in(api, ace_phone)
    async with await psycopg.AsyncConnection.connect(database_url) as suspending:
        await suspending.execute("update public.profiles set is_active = false where id = %s",
                                 [owner_of(database_url, rid)])
        accepting = asyncio.create_task(api.post(f"/offers/{offer['id']}/accept", headers=bearer(ace)))
        try:
            await until_waiting(database_url, 1, accepting)
        finally:
            await suspending.commit()
    taken = await accepting
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "owner_suspended"), taken.text
    assert taken.json()["error"]["message_en"]
    assert request_status(database_url, rid) == "offered"
    assert {o["status"] for o in offers_of(database_url, rid)} == {"pending"}  # nothing written


async def test_an_admin_send_on_waits_for_the_owners_suspension_at_that_moment_and_is_refused(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """The send-on shares the owner's profile before the request's lock: the operator's suspension under way (its
    transaction not committed yet) is waited for and read, so the admin is told why and nothing is offered."""
    api, _ = app_and_clock
    _, request = await submit(api, category_code="computer")  # nobody in range fits: it waits at once
    rid = request["id"]
    assert request_status(database_url, rid) == "no_centre"
    admin, _ = await sign_in(api, ADMIN_PHONE)
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        await account.suspend(conn, owner_of(database_url, rid), AppRole.CITIZEN, "แจ้งเหตุเท็จซ้ำหลายครั้ง", *wall())
        sending = asyncio.create_task(api.post(f"/requests/{rid}/dispatch", json={"college_id": str(area.near)},
                                               headers=bearer(admin)))
        await until_waiting(database_url, 1, sending)  # an unlocked read would answer no_fitting_student now
    sent = await sending
    assert (sent.status_code, sent.json()["error"]["code"]) == (409, "owner_suspended"), sent.text
    assert request_status(database_url, rid) == "no_centre" and offers_of(database_url, rid) == []


async def test_a_teacher_neither_gives_a_suspended_citizens_job_nor_adds_hands_to_it(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    # An offered job: the teacher's assign is refused as the accept is.
    _, request = await submit(api)
    rid = request["id"]
    set_owner_active(database_url, rid, False)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    given = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["bee"][0]},
                           headers=bearer(teacher))
    assert (given.status_code, given.json()["error"]["code"]) == (409, "owner_suspended"), given.text
    assert request_status(database_url, rid) == "offered"

    # A job in bee's hands: not given to ace instead, and no helper joins it.
    _, teacher, bee, held = await assigned_by_teacher(api, area, "bee")
    set_owner_active(database_url, held, False)
    moved = await api.post(f"/requests/{held}/assign", json={"technician_id": area.students["ace"][0]},
                           headers=bearer(teacher))
    assert (moved.status_code, moved.json()["error"]["code"]) == (409, "owner_suspended"), moved.text
    joined = await api.post(f"/requests/{held}/team", json={"technician_id": area.students["ace"][0]},
                            headers=bearer(bee))
    assert (joined.status_code, joined.json()["error"]["code"]) == (409, "owner_suspended"), joined.text
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select technician_id::text, status::text, "
                           "(select count(*) from public.job_team t where t.request_id = r.id "
                           " and t.technician_id = %s) as helping "
                           "from public.repair_requests r where r.id = %s",
                           [area.students["ace"][0], held]).fetchone()
    assert row == (area.students["bee"][0], "accepted", 0)


async def _stranded(api: Any, database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A request stored by a new citizen whose submit's dispatch never ran (the process died in between): it waits
    `submitted` for the clock's `dispatch_stranded`."""
    token, _ = await sign_in(api, fresh_phone())
    body = draft(lat=HOME[0], lon=HOME[1])

    async def crash(*_: Any, **__: Any) -> None:
        raise RuntimeError("the process died between storing and dispatching")

    with monkeypatch.context() as patch, pytest.raises(RuntimeError):
        patch.setattr(request_routes, "dispatch_submitted", crash)
        await api.post("/requests", json=body, headers=bearer(token))
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        stored = conn.execute("select id::text as id from public.repair_requests where idempotency_key = %s",
                              [body["idempotency_key"]]).fetchone()
    assert stored is not None
    rid: str = stored["id"]
    assert request_status(database_url, rid) == "submitted"
    return rid


async def _answered_without_waiting(database_url: str, task: "asyncio.Task[Any]") -> Any:
    """The task's answer, given while no backend waited on a lock: one that waits (for the holder the test keeps)
    fails here, rather than hanging the test."""
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as watcher:
        while not task.done():
            cur = await watcher.execute(
                "select count(*) from pg_stat_activity where cardinality(pg_blocking_pids(pid)) > 0")
            row = await cur.fetchone()
            if row is not None and row[0] > 0:
                task.cancel()
                raise AssertionError("waited for a lock")
            await asyncio.sleep(0.01)
    return task.result()


async def test_the_clocks_retry_of_a_stranded_request_neither_offers_it_nor_waits_for_its_owners_suspension(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """suspend22 #1. A request stored in the instant before a crash, while its citizen's suspension is under way, is
    not among the requests that suspension parks (it looked before this one committed). The clock's retry shares the
    owner's profile as the submit does, but after the request it holds: skip locked. With the suspension holding
    the profile (its first step, FOR NO KEY UPDATE), the retry leaves the request `submitted`, offered to nobody,
    and waits for nothing; once the suspension commits, the next turn parks it as the suspension would have."""
    api, clock = app_and_clock
    rid = await _stranded(api, database_url, monkeypatch)
    citizen = owner_of(database_url, rid)
    async with await psycopg.AsyncConnection.connect(database_url) as suspension:
        await suspension.execute("select 1 from public.profiles where id = %s for no key update", [citizen])
        await _answered_without_waiting(database_url, asyncio.create_task(tick(pool, settings, clock.now + MINUTE)))
        assert request_status(database_url, rid) == "submitted" and offers_of(database_url, rid) == []
        await suspension.execute("update public.profiles set is_active = false where id = %s", [citizen])
        await suspension.commit()
    await tick(pool, settings, clock.now + 2 * MINUTE)
    assert request_status(database_url, rid) == "no_centre" and offers_of(database_url, rid) == []
    with psycopg.connect(database_url) as conn:
        last = conn.execute("select note_code from public.status_events where request_id = %s "
                            "order by id desc limit 1", [rid]).fetchone()
    assert last is not None and last[0] == "owner_suspended"


async def test_a_suspended_citizens_request_stranded_by_a_crash_is_offered_by_the_clock_only_once_restored(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    api, clock = app_and_clock
    rid = await _stranded(api, database_url, monkeypatch)
    citizen = owner_of(database_url, rid)
    set_active(database_url, citizen, False)
    await tick(pool, settings, clock.now + MINUTE)  # dispatch_stranded: parked, offered to nobody
    assert request_status(database_url, rid) == "no_centre" and offers_of(database_url, rid) == []

    set_active(database_url, citizen, True)
    await tick(pool, settings, clock.now + 2 * MINUTE)
    assert request_status(database_url, rid) == "offered"
    assert len([o for o in offers_of(database_url, rid) if o["status"] == "pending"]) == 3
