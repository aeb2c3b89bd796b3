"""close27 on a real PostgreSQL: the deciders' messages that outlive their job (session 26's leftovers).

1. A teacher's "unrepairable, to hand back" (`handback_waiting`) and "student suspended on a job"
   (`holder_suspended`) stayed unread once the job had moved on (handed back, taken back, the holder restored), as
   `qc_waiting` did before 0114: they read as work still to do.
2. Closing a message announced nothing on the live channel: an open inbox and its bell kept the closed message as
   unread until a reload. The app re-reads its bell on a `notification` event (mobile/viewmodels/app.py live_event).
3. review26b #6: the clock's `notify_undecided` (its own transaction, backend/dispatch_ticks.py) reads a job in the
   check from its snapshot; an approval committing between that snapshot and the clock's commit closed the messages
   it could see, not the clock's, which then stayed asking about a job already done."""

import asyncio
import json
import uuid
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from backend.db import service_tx
from backend.live import CHANNEL
from backend.migrate import MIGRATIONS_DIR as MIGRATIONS
from backend.notifications.outbox import notify_undecided
from backend.services import account
from shared.roles import AppRole
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import (
    ADMIN_PHONE,
    AppClock,
    Area,
    accepted_job,
    assigned_by_teacher,
    confirm_handover,
    request_status,
    step,
    work_to_quality_check,
)
from tests.integration.wall_clock import wall


def _messages(database_url: str, rid: str, kind: str) -> list[tuple[str, bool, str | None]]:
    """(reader, read, params.closed) of each `kind` message about the job, oldest first."""
    with psycopg.connect(database_url) as conn:
        return [(str(r[0]), bool(r[1]), r[2]) for r in conn.execute(
            """select recipient_id, read_at is not null, params ->> 'closed' from public.notifications
               where request_id = %s and kind = %s order by id""", [rid, kind])]


async def _suspend(pool: AsyncConnectionPool[Any], person: str) -> None:
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        await account.suspend(conn, uuid.UUID(person), AppRole.TECHNICIAN, "โทรศัพท์หาย", *wall())


async def test_a_hand_back_closes_the_teachers_handback_waiting(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    citizen, ace, rid = await accepted_job(api, area, "ace")
    for to, extra in (("diagnosing", {}), ("unrepairable", {"reason": "no_parts"})):
        assert (await step(api, ace, rid, to, **extra)).status_code == 200
    teacher_id = area.students["teacher"][0]
    assert _messages(database_url, rid, "handback_waiting") == [(teacher_id, False, None)]
    await confirm_handover(api, citizen, rid)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    moved = await step(api, teacher, rid, "handed_back")
    assert moved.status_code == 200, moved.text
    assert _messages(database_url, rid, "handback_waiting") == [(teacher_id, True, "handed_back")]


async def test_a_take_back_closes_the_teachers_holder_suspended(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    api, _ = app_and_clock
    _, _, rid = await accepted_job(api, area, "ace")
    await _suspend(pool, area.students["ace"][0])
    teacher_id = area.students["teacher"][0]
    assert _messages(database_url, rid, "holder_suspended") == [(teacher_id, False, None)]
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    taken = await step(api, teacher, rid, "offered")
    assert taken.status_code == 200, taken.text
    assert _messages(database_url, rid, "holder_suspended") == [(teacher_id, True, "taken_back")]
    # The teacher's inbox says it, in place of asking them to hand the job on.
    inbox = (await api.get("/me/notifications", headers={**bearer(teacher), "Accept-Language": "en"})).json()
    said = next(n for n in inbox["items"] if n["request_id"] == rid and n["kind"] == "holder_suspended")
    assert said["read"] and "nothing left to do" in said["body"], said


async def test_the_holders_restore_closes_the_teachers_holder_suspended(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    api, _ = app_and_clock
    _, _, rid = await accepted_job(api, area, "ace")
    await _suspend(pool, area.students["ace"][0])
    teacher_id = area.students["teacher"][0]
    assert _messages(database_url, rid, "holder_suspended") == [(teacher_id, False, None)]
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        await account.restore(conn, uuid.UUID(area.students["ace"][0]), *wall())
    assert request_status(database_url, rid) == "accepted"
    assert _messages(database_url, rid, "holder_suspended") == [(teacher_id, True, "restored")]


async def test_closing_a_message_tells_its_readers_open_app(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """The live channel's `notification` event (what backend/live.py sends the reader's stream, and the app's bell
    and open inbox re-read on) for each message closed, in the closing move's commit."""
    api, _ = app_and_clock
    citizen, ace, rid = await accepted_job(api, area, "ace")
    for to, extra in (("diagnosing", {}), ("unrepairable", {"reason": "no_parts"})):
        assert (await step(api, ace, rid, to, **extra)).status_code == 200
    await confirm_handover(api, citizen, rid)
    teacher_id = area.students["teacher"][0]
    with psycopg.connect(database_url, autocommit=True) as listener:
        listener.execute(f"listen {CHANNEL}")
        with psycopg.connect(database_url) as conn:
            row = conn.execute("""select id from public.notifications
                                  where request_id = %s and kind = 'handback_waiting'""", [rid]).fetchone()
        assert row is not None
        teacher, _ = await sign_in(api, area.students["teacher"][1])
        assert (await step(api, teacher, rid, "handed_back")).status_code == 200
        heard: list[dict[str, Any]] = []
        for notify in listener.notifies(timeout=10):  # ends at the closed message's event (or fails after 10 s)
            event = json.loads(notify.payload)
            if event.get("closed") is True:  # 0127: one per reader per commit, naming the reader, not the message
                heard.append(event)
                break
    assert [(e["kind"], e["recipient_id"]) for e in heard] == [("notification", teacher_id)]
    with psycopg.connect(database_url) as conn:
        assert conn.execute("select params ->> 'closed' from public.notifications where id = %s",
                            [row[0]]).fetchone() == ("handed_back",)


async def test_the_clocks_message_written_while_an_approval_commits_is_closed_too(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """review26b #6. The college's one teacher leaves while the job waits for its check: the clock tells the admins
    (`qc_waiting`, notify_undecided, its own transaction). An approval holds the job (transitions.py locks it FOR
    UPDATE first): the clock's statement, its snapshot showing the job in the check, waits at its insert's foreign
    key check of the job, the approval commits (its trigger closes the messages it can see: not the clock's), the
    clock's insert goes on. The approval here is transitions.py's statements on a connection of our own, so the
    clock can be seen waiting on it (pg_blocking_pids) before it commits."""
    api, _ = app_and_clock
    _, ace, rid = await accepted_job(api, area, "ace")
    await work_to_quality_check(api, ace, rid)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assert (await api.delete("/me", params={"confirm": "true"}, headers=bearer(teacher))).status_code == 204

    async def clock_turn() -> int:
        async with service_tx(pool) as owner:
            return await notify_undecided(owner)

    async with await psycopg.AsyncConnection.connect(database_url) as approval, \
            await psycopg.AsyncConnection.connect(database_url, autocommit=True) as look:
        await approval.execute("select 1 from public.repair_requests where id = %s for update", [rid])
        turn = asyncio.ensure_future(clock_turn())
        while not turn.done():  # the clock either waits on the approval, or (fixed) passes the job by
            row = await (await look.execute(
                "select count(*) from pg_stat_activity where %s = any(pg_blocking_pids(pid))",
                [approval.info.backend_pid])).fetchone()
            if row is not None and row[0] > 0:
                break
            await asyncio.sleep(0.02)  # a poll of what waits on what, not a wait for an outcome
        await approval.execute("update public.repair_requests set status = 'done' where id = %s", [rid])
        await approval.execute("""insert into public.status_events (request_id, actor, from_status, to_status)
                                  values (%s, 'admin', 'quality_check', 'done')""", [rid])
        await approval.commit()
        await turn
    assert request_status(database_url, rid) == "done"
    with psycopg.connect(database_url) as conn:
        asking = conn.execute("""select count(*) from public.notifications where request_id = %s
                                 and kind = 'qc_waiting' and (params ->> 'closed') is null""", [rid]).fetchone()
    assert asking == (0,)


async def test_the_messages_left_asking_before_0120_are_closed_by_the_move_that_ended_them(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """0120's own pass over the messages written before it (its statement is the file's last, read from the file),
    on rows made to look as they were: a take back's holder_suspended is closed, read at the move; a suspended
    holder's job still in their hands keeps asking."""
    api, _ = app_and_clock
    _, _, over = await accepted_job(api, area, "ace")
    _, _, waiting = await accepted_job(api, area, "bee")
    await _suspend(pool, area.students["ace"][0])
    await _suspend(pool, area.students["bee"][0])
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assert (await step(api, teacher, over, "offered")).status_code == 200
    teacher_id = area.students["teacher"][0]
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("""update public.notifications set read_at = null, planned_at = null, params = params - 'closed'
                        where request_id = %s and kind = 'holder_suspended'""", [over])
        assert _messages(database_url, over, "holder_suspended") == [(teacher_id, False, None)]
        migration = (MIGRATIONS / "0120_a_decision_that_moved_on_asks_nobody.sql").read_text()
        conn.execute(migration[migration.index("with over as ("):])
        read = conn.execute("""select n.read_at = e.created_at from public.notifications n
                               join public.status_events e on e.request_id = n.request_id and e.to_status = 'offered'
                               where n.request_id = %s and n.kind = 'holder_suspended'
                               order by e.id desc limit 1""", [over]).fetchone()
    assert read == (True,)
    assert _messages(database_url, over, "holder_suspended") == [(teacher_id, True, "left")]
    assert _messages(database_url, waiting, "holder_suspended") == [(teacher_id, False, None)]


async def test_an_approval_after_the_clocks_message_waits_for_it_and_closes_it(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """review26b #6, the other order: the clock holds the job while it tells the admins, so an admin's approval
    made meanwhile waits for the clock's commit (pg_blocking_pids) and its trigger then closes the clock's message."""
    api, _ = app_and_clock
    _, ace, rid = await accepted_job(api, area, "ace")
    await work_to_quality_check(api, ace, rid)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assert (await api.delete("/me", params={"confirm": "true"}, headers=bearer(teacher))).status_code == 204
    admin, _ = await sign_in(api, ADMIN_PHONE)
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as look:
        async with service_tx(pool) as owner:
            assert await notify_undecided(owner) >= 1
            approval = asyncio.ensure_future(step(api, admin, rid, "done"))
            while True:  # the approval waits on the clock's open transaction
                row = await (await look.execute(
                    "select count(*) from pg_stat_activity where %s = any(pg_blocking_pids(pid))",
                    [owner.info.backend_pid])).fetchone()
                if row is not None and row[0] > 0:
                    break
                assert not approval.done(), (await approval).text
                await asyncio.sleep(0.02)  # a poll of what waits on what, not a wait for an outcome
        done = await approval
    assert done.status_code == 200, done.text
    with psycopg.connect(database_url) as conn:
        asking = conn.execute("""select count(*), count(*) filter (where (params ->> 'closed') is null)
                                 from public.notifications where request_id = %s and kind = 'qc_waiting'""",
                              [rid]).fetchone()
    assert asking is not None and asking[0] >= 1 and asking[1] == 0


async def test_before_done_the_job_record_shows_no_outcome_of_the_former_lead(
        app_and_clock: AppClock, area: Area) -> None:
    """4. 0115 made the outcome the work's at done; until then the job record (GET /requests/{id}/record: the
    student's and the teacher's job screen) still showed the former lead's "repaired partly" and the fault they
    found after a reassign, as if the next student had found it. It shows the current work's outcome or none."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    assert (await step(api, bee, rid, "diagnosing")).status_code == 200
    recorded = await api.put(f"/requests/{rid}/outcome", headers=bearer(bee), json={
        "outcome": "repaired_partly", "reason": "parts_unavailable", "fault_found": "คอมเพรสเซอร์เสีย"})
    assert recorded.status_code == 200, recorded.text
    ace_id, ace_phone = area.students["ace"]
    assert (await api.post(f"/requests/{rid}/assign", json={"technician_id": ace_id},
                           headers=bearer(teacher))).status_code == 200
    ace, _ = await sign_in(api, ace_phone)
    for reader in (ace, teacher):
        record = await api.get(f"/requests/{rid}/record", headers=bearer(reader))
        assert record.status_code == 200, record.text
        assert record.json()["outcome"] is None, record.json()["outcome"]
    assert (await step(api, ace, rid, "repairing")).status_code == 200
    assert (await api.put(f"/requests/{rid}/outcome", headers=bearer(ace),
                          json={"outcome": "fixed", "fault_found": "ฟิวส์ขาด"})).status_code == 200
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(teacher))).json()
    assert (record["outcome"]["outcome"], record["outcome"]["fault_found"]) == ("fixed", "ฟิวส์ขาด")
