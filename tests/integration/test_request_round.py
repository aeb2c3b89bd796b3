"""A request's current round has one definition, `private.request_round` (migration 0057): 1 + the number of its
reopens (handed back -> submitted). Over requests reopened 0, 1 and 2 times, beside another request's reopen, the
function, credit.py's SQL, and what the credit, team-helper (RLS, jobs in hand) and live-event paths decide agree:
each of them takes the team of that round and no other. Real PostgreSQL; the timelines are written by the database's
own status log, as every path's status change writes them."""

import json
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg.rows import dict_row

from backend.services import credit
from tests.helpers import fresh_phone
from tests.integration.builders import as_user
from tests.integration.dispatch_area import Area

Sync = psycopg.Connection[dict[str, Any]]


def _request(conn: Sync, area: Area, lead: str, reopens: int) -> str:
    """A request in repair by `lead`, reopened `reopens` times before (each reopen: handed back, then submitted
    again without a lead, then offered, accepted and in repair again), through updates the status log records."""
    citizen = uuid.uuid4()
    conn.execute("select private.create_phone_user(%s, %s, true)", [citizen, "66" + fresh_phone()[1:]])
    row = conn.execute(
        """insert into public.repair_requests (citizen_id, idempotency_key, category_code, item, description, lat, lon,
                                               contact_phone, pdpa_consent_at, status, college_id, technician_id)
           select %s, gen_random_uuid(), c.code, 'พัดลม', 'เปิดแล้วไม่หมุน', 19.3, 97.97, '+66812345678', now(),
                  'submitted', %s, null
           from public.categories c order by c.code limit 1 returning id""",
        [citizen, area.near]).fetchone()
    assert row is not None
    rid = str(row["id"])
    walk = ["offered", "accepted", "repairing"]
    for _ in range(reopens):
        walk += ["quality_check", "done", "handed_back", "submitted", "offered", "accepted", "repairing"]
    for status in walk:
        conn.execute("update public.repair_requests set status = %s, technician_id = case when %s in "
                     "('submitted', 'offered') then null else %s::uuid end where id = %s", [status, status, lead, rid])
    return rid


def _member(conn: Sync, rid: str, round_: int, who: str, role: str = "helper") -> None:
    conn.execute("insert into public.job_team (request_id, round, technician_id, role) values (%s, %s, %s, %s)",
                 [rid, round_, who, role])


def _heard(listener: psycopg.Connection[Any], conn: Sync, rids: set[str]) -> Iterator[dict[str, Any]]:
    """The `fixit_events` the listener heard about these requests, up to a marker sent after every change before."""
    marker = str(uuid.uuid4())
    conn.execute("select pg_notify('fixit_events', %s)", [json.dumps({"marker": marker})])
    for note in listener.notifies(timeout=10):
        event = json.loads(note.payload)
        if event.get("marker") == marker:
            return
        if note.channel == "fixit_events" and event.get("request_id") in rids:
            yield event
    raise AssertionError("the marker sent after the changes was never heard")


async def test_every_path_takes_the_round_private_request_round_gives(database_url: str, area: Area) -> None:
    ace, bee, cat, dan, plumber = (area.students[n][0] for n in ("ace", "bee", "cat", "dan", "plumber"))
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        jobs = {reopens: _request(conn, area, ace, reopens) for reopens in (0, 1, 2)}
        beside = _request(conn, area, dan, 1)  # another request's reopen: counted for it alone
        for reopens, rid in jobs.items():
            current = reopens + 1
            _member(conn, rid, current, ace, "lead")
            _member(conn, rid, current, bee)  # on the current round
            _member(conn, rid, current + 1 if reopens == 0 else reopens, cat)  # on a round that is not it
        _member(conn, beside, 2, dan, "lead")
        _member(conn, beside, 1, bee)  # an ended round of the request beside: nothing of bee's now

        expected = {rid: reopens + 1 for reopens, rid in jobs.items()} | {beside: 2}
        # The event that began the round: the last reopen's id (events are told apart by id, not time: 0092).
        began = {r["request_id"]: r["at"] for r in conn.execute(
            """select request_id::text, max(id) as at from public.status_events
               where request_id = any(%s::uuid[]) and from_status = 'handed_back' and to_status = 'submitted'
               group by request_id""", [list(expected)]).fetchall()}
        assert set(began) == {jobs[1], jobs[2], beside}

        # The definition, and credit.py's SQL beside it, as the owner and as the lead under RLS.
        for rid, round_ in expected.items():
            assert conn.execute("select round from private.request_round(%s)", [rid]).fetchone() == {"round": round_}
            assert conn.execute(f"select {credit.ROUND_SQL.format(rid='%s')} as n", [rid]).fetchone() == {"n": round_}
        with as_user(database_url, ace) as lead:
            for rid in jobs.values():
                row = lead.execute(f"select {credit.ROUND_SQL.format(rid='%s')} as n", [rid]).fetchone()
                assert row == {"n": expected[rid]}

        async with await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as aconn:
            for rid, round_ in expected.items():
                assert await credit.current_round(aconn, uuid.UUID(rid)) == (round_, began.get(rid))
                # The credit path: the round's team, and the helper's list of the jobs they help on.
                team = await credit.team(aconn, uuid.UUID(rid))
                assert {m["round"] for m in team} == {round_}
            assert {str(m["technician_id"]) for m in await credit.team(aconn, uuid.UUID(jobs[2]))} == {ace, bee}
            assert {(str(j["request_id"]), j["round"]) for j in (await credit.helper_jobs(aconn, uuid.UUID(bee)))[0]} \
                == {(rid, expected[rid]) for rid in jobs.values()}
            cats, _, _ = await credit.helper_jobs(aconn, uuid.UUID(cat))
            assert [j for j in cats if str(j["request_id"]) in expected] == []

        # The team-helper path: who reads the job under RLS (helps_on), and who holds it (jobs_in_hand).
        for helper, reads in ((bee, set(jobs.values())), (cat, set())):
            with as_user(database_url, helper) as member:
                seen = {str(r["id"]) for r in member.execute(
                    "select id from public.repair_requests where id = any(%s::uuid[])", [list(expected)]).fetchall()}
                assert seen == reads
                listed = {str(r["id"]) for r in member.execute("select id from public.my_jobs(200)").fetchall()}
                assert listed & set(expected) == reads
        in_hand = conn.execute("select private.jobs_in_hand(%s) as bee, private.jobs_in_hand(%s) as cat",
                               [bee, cat]).fetchone()
        assert in_hand == {"bee": 3, "cat": 0}

        # The live-event path: a status event names the helpers of its round; a reopen names those of the round it
        # ends (bee's), not the next one's (plumber, put on it ahead).
        with psycopg.connect(database_url, autocommit=True) as listener:
            listener.execute("listen fixit_events")
            _member(conn, jobs[1], 3, plumber)
            for rid in jobs.values():
                conn.execute("update public.repair_requests set status = 'quality_check' where id = %s", [rid])
            for status in ("done", "handed_back", "submitted"):
                conn.execute("update public.repair_requests set status = %s where id = %s", [status, jobs[1]])
            heard = [(e["request_id"], e.get("status"), e.get("helper_ids")) for e in
                     _heard(listener, conn, set(expected)) if e.get("status")]
            assert heard == [(jobs[0], "quality_check", [bee]), (jobs[1], "quality_check", [bee]),
                             (jobs[2], "quality_check", [bee]), (jobs[1], "done", [bee]),
                             (jobs[1], "handed_back", [bee]), (jobs[1], "submitted", [bee])]
            assert conn.execute("select round from private.request_round(%s)", [jobs[1]]).fetchone() == {"round": 3}

            # The lead a job leaves is told whether they stay on its current round's team (keep_former_student's
            # row): ace is kept on jobs[2]'s round 3; on jobs[0] ace's helper row is of round 2, not the current 1.
            with conn.transaction():
                conn.execute("update public.job_team set role = 'helper' where request_id = %s and technician_id = %s",
                             [jobs[2], ace])
                conn.execute("update public.repair_requests set technician_id = %s where id = %s", [dan, jobs[2]])
            with conn.transaction():
                conn.execute("delete from public.job_team where request_id = %s and technician_id = %s",
                             [jobs[0], ace])
                _member(conn, jobs[0], 2, ace)
                conn.execute("update public.repair_requests set technician_id = %s where id = %s", [dan, jobs[0]])
            left = {e["request_id"]: e["kept"] for e in _heard(listener, conn, set(expected)) if "lead_left" in e}
            assert left == {jobs[2]: True, jobs[0]: False}
