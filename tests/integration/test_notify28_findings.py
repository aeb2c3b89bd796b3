"""notify28 on a real PostgreSQL: the deciders' closed messages and their live events (session 27's leftovers).

1. 0120 announced each closed message as its own `notification` event: a restore (or a bulk move) closing k
   messages of one reader in one commit sent that reader k events, and their app re-read its bell, inbox and (an
   admin) home k times. One event per reader per commit now (the same payload, which PostgreSQL folds).
2. A request deleted outright (the SQL editor, Supabase's dashboard) took its messages with it and said nothing: an
   open inbox and its bell kept showing them until a reload.
3. A reassign made in the SQL editor (the request's holder changed, no status event: 0003 logs status changes only)
   closed nothing: the deciders were still asked to hand on a job already in another student's hands.
4. 0120's pass over old rows left a `holder_suspended` written before a restore (and a suspension again) on a job that
   has not moved: it asked about a suspension that had ended, beside the current one's message.

The events are read where backend/live.py reads them (LISTEN on its channel; it routes a `notification` event to its
`recipient_id`'s streams alone), up to a marker the listener sends itself after the change committed: everything
the change's commit announced arrives before it."""

import asyncio
import json
import uuid
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from backend.live import CHANNEL
from backend.migrate import MIGRATIONS_DIR as MIGRATIONS
from backend.services import account
from backend.settings import Settings
from shared.roles import AppRole
from tests.helpers import sign_in
from tests.integration.dispatch_area import AppClock, Area, assigned_by_teacher
from tests.integration.live_streams import open_stream
from tests.integration.wall_clock import wall

MARKER = '{"kind": "notify28-marker"}'


def _open_messages(database_url: str, kind: str, rids: list[str]) -> list[tuple[str, str, str | None]]:
    """(job, reader, params.closed) of each `kind` message about `rids`, by id."""
    with psycopg.connect(database_url) as conn:
        return [(str(r[0]), str(r[1]), r[2]) for r in conn.execute(
            """select request_id, recipient_id, params ->> 'closed' from public.notifications
               where request_id = any(%s::uuid[]) and kind = %s order by id""", [rids, kind])]


async def _suspend(pool: AsyncConnectionPool[Any], person: str) -> None:
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        await account.suspend(conn, uuid.UUID(person), AppRole.TECHNICIAN, "โทรศัพท์หาย", *wall())


async def _restore(pool: AsyncConnectionPool[Any], person: str) -> None:
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        await account.restore(conn, uuid.UUID(person), *wall())


def _listening(database_url: str) -> psycopg.Connection[Any]:
    listener = psycopg.connect(database_url, autocommit=True)
    listener.execute(f"listen {CHANNEL}")
    return listener


def _heard(listener: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    """The `notification` events announced since the LISTEN, up to the marker sent now (after the change's commit)."""
    listener.execute("select pg_notify(%s, %s)", [CHANNEL, MARKER])
    heard: list[dict[str, Any]] = []
    for notify in listener.notifies(timeout=10):
        if notify.payload == MARKER:
            return heard
        event = json.loads(notify.payload)
        if event.get("kind") == "notification":
            heard.append(event)
    raise AssertionError("the marker never came")


async def _two_jobs_of_a_suspended_ace(app_and_clock: AppClock, area: Area, database_url: str,
                                       pool: AsyncConnectionPool[Any]) -> list[str]:
    """Two jobs the teacher assigned to ace, then ace suspended: the teacher asked about each (`holder_suspended`)."""
    api, _ = app_and_clock
    rids = [(await assigned_by_teacher(api, area, "ace"))[3] for _ in range(2)]
    await _suspend(pool, area.students["ace"][0])
    teacher_id = area.students["teacher"][0]
    assert _open_messages(database_url, "holder_suspended", rids) == [(rid, teacher_id, None) for rid in rids]
    return rids


async def test_a_restore_closing_two_messages_of_one_reader_tells_them_once(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """#1: ace's restore closes the teacher's two messages in one commit; the teacher's app hears it once."""
    rids = await _two_jobs_of_a_suspended_ace(app_and_clock, area, database_url, pool)
    teacher_id = area.students["teacher"][0]
    with _listening(database_url) as listener:
        await _restore(pool, area.students["ace"][0])
        heard = _heard(listener)
    assert _open_messages(database_url, "holder_suspended", rids) == [(rid, teacher_id, "restored") for rid in rids]
    assert [e["recipient_id"] for e in heard] == [teacher_id]


async def test_the_teachers_open_app_hears_the_restore_once(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any],
        settings: Settings) -> None:
    """#1 on the real stream (GET /events as the app reads it): the teacher's stream carries one `notification`
    event for the restore that closed their two messages, up to a message of their own written after it."""
    api, _ = app_and_clock
    app = api._transport.app  # type: ignore[attr-defined]
    await asyncio.wait_for(app.state.hub.listening.wait(), 10)
    await _two_jobs_of_a_suspended_ace(app_and_clock, area, database_url, pool)
    teacher_id = area.students["teacher"][0]
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    chunks: Any = await open_stream(app, settings, teacher)
    try:
        await _restore(pool, area.students["ace"][0])
        with psycopg.connect(database_url, autocommit=True) as conn:
            row = conn.execute("insert into public.notifications (recipient_id, kind, params) "
                               "values (%s, 'invite_accepted', '{}') returning id", [teacher_id]).fetchone()
        assert row is not None
        mark = f'"notification_id": {row[0]},'.encode()
        events: list[bytes] = []
        async with asyncio.timeout(120):  # fails the test rather than hold the suite
            while not any(mark in e for e in events):
                chunk = bytes(await anext(chunks))
                events += [e for e in chunk.split(b"\n\n") if e.startswith(b"event: notification")]
    finally:
        await chunks.aclose()
    closed = [json.loads(e.split(b"data: ", 1)[1]) for e in events if b'"closed": true' in e]
    assert [(e["kind"], e.get("request_id")) for e in closed] == [("notification", None)]
    assert len(events) == 2  # the restore's, and the mark


async def test_a_request_deleted_outright_tells_each_reader_who_lost_a_message(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """#2: the SQL editor deletes a request; everyone who had a message about it hears one event, nobody else."""
    rids = await _two_jobs_of_a_suspended_ace(app_and_clock, area, database_url, pool)
    with psycopg.connect(database_url) as conn:
        readers = {str(r[0]) for r in conn.execute(
            "select distinct recipient_id from public.notifications where request_id = %s", [rids[0]])}
    assert area.students["teacher"][0] in readers and len(readers) >= 2  # the teacher and the citizen at least
    with _listening(database_url) as listener:
        with psycopg.connect(database_url, autocommit=True) as editor:
            editor.execute("delete from public.repair_requests where id = %s", [rids[0]])
        heard = _heard(listener)
    assert sorted(e["recipient_id"] for e in heard) == sorted(readers)


async def test_a_reassign_in_the_sql_editor_closes_the_holder_suspended(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """#3: the job of a suspended ace given to bee by an UPDATE of its holder: the teacher's ask is closed as a
    reassign is (and announced)."""
    rids = await _two_jobs_of_a_suspended_ace(app_and_clock, area, database_url, pool)
    teacher_id = area.students["teacher"][0]
    with _listening(database_url) as listener:
        with psycopg.connect(database_url, autocommit=True) as editor:
            editor.execute("update public.repair_requests set technician_id = %s where id = %s",
                           [area.students["bee"][0], rids[0]])
        heard = _heard(listener)
    assert _open_messages(database_url, "holder_suspended", rids) == [
        (rids[0], teacher_id, "reassigned"), (rids[1], teacher_id, None)]
    assert [e["recipient_id"] for e in heard] == [teacher_id]


async def test_a_holder_suspended_from_before_a_restore_is_closed_by_0127(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """#4: ace suspended, restored, suspended again, the job unmoved. Before 0120 the restore closed nothing: the
    first suspension's message is made to look so. 0120's pass leaves it asking (the job is still held by a
    suspended student); 0127's closes it as the restore would have, and keeps the current one."""
    rids = await _two_jobs_of_a_suspended_ace(app_and_clock, area, database_url, pool)
    ace, teacher_id = area.students["ace"][0], area.students["teacher"][0]
    await _restore(pool, ace)
    await _suspend(pool, ace)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("""update public.notifications set read_at = null, planned_at = null, params = params - 'closed'
                        where request_id = any(%s::uuid[]) and kind = 'holder_suspended'""", [rids])
        migration = (MIGRATIONS / "0120_a_decision_that_moved_on_asks_nobody.sql").read_text()
        conn.execute(migration[migration.index("with over as ("):])
        assert _open_messages(database_url, "holder_suspended", rids[:1]) == [
            (rids[0], teacher_id, None), (rids[0], teacher_id, None)]  # 0120's pass: both still asking
        mend = sorted(MIGRATIONS.glob("0127_*.sql"))[0].read_text()
        conn.execute(mend[mend.index("-- 0120's pass left"):])
        read = conn.execute("""select bool_and(o.read_at = n.created_at) from public.notifications o
                               join public.notifications n on n.request_id = o.request_id and n.kind = o.kind
                                and n.recipient_id = o.recipient_id and n.id > o.id
                               where o.request_id = any(%s::uuid[]) and o.kind = 'holder_suspended'""",
                            [rids]).fetchone()
    assert _open_messages(database_url, "holder_suspended", rids) == [
        (rids[0], teacher_id, "restored"), (rids[1], teacher_id, "restored"),
        (rids[0], teacher_id, None), (rids[1], teacher_id, None)]
    assert read == (True,)  # read when the next suspension's message came, as the restore before it would have

