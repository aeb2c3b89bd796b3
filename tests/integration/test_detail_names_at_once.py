"""GET /requests/{id} names the people on a request's timeline and its student with one visibility check for the
request, not one an event (issue 15, migration 0064): PostgreSQL's own count of function calls for the detail's
statement shows no `private.first_name` or `private.event_actor_first_name` per event, and
`private.timeline_actor_names` gives every reader, event by event, exactly what `private.event_actor_first_name`
gives them (the owner, the student on the job, a student only offered the request, a student of neither)."""

import json
from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row

from backend.services.request_detail import _DETAIL_JSON
from tests.helpers import bearer
from tests.integration.builders import as_user
from tests.integration.dispatch_area import Area, accepted_job, submit

NAMED = ("first_name", "event_actor_first_name", "timeline_actor_names", "technician_first_name")


def _owner(database_url: str, request_id: str) -> str:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select citizen_id::text from public.repair_requests where id = %s",
                           [request_id]).fetchone()
    assert row is not None
    return str(row[0])


def _calls_for_detail(superuser_url: str, reader: str, request_id: str) -> tuple[dict[str, Any], dict[str, int]]:
    """The detail's statement as `reader` (the route's SQL), with the calls PostgreSQL counted for it."""
    with psycopg.connect(superuser_url, row_factory=dict_row) as conn:
        conn.execute("set track_functions = 'all'")  # a superuser's setting, before the switch to the reader
        conn.execute("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true)",
                     [json.dumps({"sub": reader, "role": "authenticated"})])
        row = conn.execute(_DETAIL_JSON, [request_id]).fetchone()
        calls = {r["funcname"]: r["calls"] for r in conn.execute(
            "select funcname, calls from pg_stat_xact_user_functions where schemaname = 'private' "
            "and funcname = any(%s)", [list(NAMED)]).fetchall()}
        conn.rollback()
    assert row is not None
    return row, calls


async def test_the_detail_names_its_timeline_once_not_once_an_event(
    api: httpx.AsyncClient, area: Area, database_url: str, superuser_url: str,
) -> None:
    citizen, _, request_id = await accepted_job(api, area, "ace")
    assert (await api.patch("/me", json={"display_name": "สมศรี มีสุข"}, headers=bearer(citizen))).status_code == 200
    owner = _owner(database_url, request_id)
    for reader in (owner, area.students["ace"][0]):
        row, calls = _calls_for_detail(superuser_url, reader, request_id)
        timeline = json.loads(row["timeline"])
        assert len(timeline) >= 2  # submitted by the owner, accepted by the student
        names = {e["actor"]: e["actor_name"] for e in timeline}
        assert names["citizen"] == "สมศรี" and names["technician"] == "เอ"
        assert json.loads(row["body"])["technician_first_name"] == "เอ"
        # One call for the timeline's names and one for the student's, whatever the timeline's length.
        assert calls == {"timeline_actor_names": 1, "technician_first_name": 1}, calls


async def test_every_reader_reads_the_timeline_names_as_before(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    citizen, _, held = await accepted_job(api, area, "ace")
    assert (await api.patch("/me", json={"display_name": "สมศรี มีสุข"}, headers=bearer(citizen))).status_code == 200
    _, second = await submit(api)
    offered = second["id"]  # offered to ace, pending
    owner = _owner(database_url, held)
    readers = {"owner": owner, "ace": area.students["ace"][0], "plumber": area.students["plumber"][0],
               "far": area.students["far1"][0]}
    seen: dict[tuple[str, str], list[tuple[int, str | None]]] = {}
    for name, reader in readers.items():
        with as_user(database_url, reader) as conn:
            for request_id in (held, offered):
                before = [(r["id"], r["name"]) for r in conn.execute(
                    """select e.id, private.event_actor_first_name(e.id) as name from public.status_events e
                       where e.request_id = %s order by e.id""", [request_id]).fetchall()]
                now = [(r["event_id"], r["actor_name"]) for r in conn.execute(
                    "select * from private.timeline_actor_names(%s) order by event_id", [request_id]).fetchall()]
                assert now == before, (name, request_id)
                seen[name, request_id] = now
    # What that is: the owner and the student on the job read the names; the student only offered the other
    # request reads its timeline without the owner's name (0061); a student of neither reads no event at all.
    assert "สมศรี" in [n for _, n in seen["owner", held]] and "สมศรี" in [n for _, n in seen["ace", held]]
    assert seen["ace", offered] and all(n is None for _, n in seen["ace", offered])
    assert seen["plumber", held] == [] and seen["far", offered] == []
