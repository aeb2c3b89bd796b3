"""A person's first name has one spelling (migration 0065): `private.first_word(display name)`, the display name up
to its first space or null, and shared.display_names.first_word, the same rule in Python. Every function that names
someone asks it (none still spells `split_part(` on a display name), and the planner inlines it: a read that asks
it plans as the expression it replaced did, and PostgreSQL counts no call of it. Real PostgreSQL."""

import json
from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row

from shared.display_names import first_word
from tests.helpers import bearer
from tests.integration.builders import as_user
from tests.integration.dispatch_area import Area, accepted_job

# (display name, its first word): Thai names, one word, spaces before, after and between, nothing at all.
CASES: list[tuple[str | None, str | None]] = [
    ("สมศรี มีสุข", "สมศรี"),
    ("ณัฐวุฒิ ศรีสวัสดิ์ ใจดี", "ณัฐวุฒิ"),
    ("เอ", "เอ"),
    ("Somchai", "Somchai"),
    ("สมชาย ", "สมชาย"),
    ("สมชาย   ใจดี", "สมชาย"),
    (" สมชาย", None),  # a name that starts with a space names nobody by its first word
    ("   ", None),
    ("", None),
    (None, None),
    ("สมชาย\tใจดี", "สมชาย\tใจดี"),  # a space, not any white space, ends the first word
]

# The functions that name someone by first name: each asks first_word.
CALLERS = ("first_name", "timeline_actor_names", "technician_first_name")
_SPELLED = r"split_part\s*\("


def test_first_word_is_the_first_space_separated_word_or_null(database_url: str) -> None:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        for name, expected in CASES:
            row = conn.execute("select private.first_word(%s::text) as w", [name]).fetchone()
            assert row == {"w": expected}, name
            assert first_word(name) == expected, name  # the backend's Python, the same rule


def test_no_current_function_spells_the_rule_but_first_word(database_url: str) -> None:
    """Any `split_part(` in a function's current body: first_word's alone (no function splits anything else)."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        spelled = [r["name"] for r in conn.execute(
            """select n.nspname || '.' || p.proname as name from pg_catalog.pg_proc p
               join pg_catalog.pg_namespace n on n.oid = p.pronamespace
               where p.prosrc ~* %s and n.nspname not in ('pg_catalog', 'information_schema')""",
            [_SPELLED]).fetchall()]
        assert spelled == ["private.first_word"]
        asking = {r["proname"] for r in conn.execute(
            """select p.proname from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
               where n.nspname = 'private' and p.prosrc like '%%private.first_word(%%'""").fetchall()}
        assert asking == set(CALLERS)


def _plan(conn: psycopg.Connection[dict[str, Any]], select: str) -> str:
    rows = conn.execute(f"explain (verbose, costs) select {select} from public.profiles p").fetchall()
    return "\n".join(r["QUERY PLAN"] for r in rows)


async def test_a_read_asking_first_word_plans_as_the_expression_it_replaced(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    """The planner inlines it, for the owner (the security definer functions run as the owner) and for a signed-in
    reader (whose Data API reads run as `authenticated`): the plan is the spelled expression's, word for word."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        inlined = _plan(conn, "private.first_word(p.display_name)")
        assert inlined == _plan(conn, "nullif(split_part(p.display_name, ' ', 1), '')")
        assert "first_word" not in inlined and "split_part" in inlined
    with as_user(database_url, area.students["ace"][0]) as reader:
        assert _plan(reader, "private.first_word(p.display_name)") \
            == _plan(reader, "nullif(split_part(p.display_name, ' ', 1), '')")


async def test_the_functions_naming_people_call_no_first_word_it_is_inlined(
    api: httpx.AsyncClient, area: Area, superuser_url: str,
) -> None:
    """PostgreSQL counts a call of a SQL function it runs as a function (track_functions = 'all'), none of one it
    inlined: the functions that name people are counted, first_word inside them never is, and they name as before."""
    citizen, _, request_id = await accepted_job(api, area, "ace")
    assert (await api.patch("/me", json={"display_name": "สมศรี มีสุข"}, headers=bearer(citizen))).status_code == 200
    ace = area.students["ace"][0]
    with psycopg.connect(superuser_url, row_factory=dict_row) as conn:
        owner = conn.execute("select citizen_id from public.repair_requests where id = %s", [request_id]).fetchone()
        assert owner is not None
        conn.execute("set track_functions = 'all'")  # a superuser's setting, before the switch to the reader
        conn.execute("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true)",
                     [json.dumps({"sub": ace, "role": "authenticated"})])
        names = [r["actor_name"] for r in conn.execute(
            "select actor_name from private.timeline_actor_names(%s) order by event_id", [request_id]).fetchall()]
        student = conn.execute("select private.technician_first_name(%s) as n", [request_id]).fetchone()
        owner_named = conn.execute("select private.first_name(%s) as n", [owner["citizen_id"]]).fetchone()
        calls = {r["funcname"]: r["calls"] for r in conn.execute(
            "select funcname, calls from pg_stat_xact_user_functions where schemaname = 'private' "
            "and funcname = any(%s)", [[*CALLERS, "first_word"]]).fetchall()}
        conn.rollback()
    assert {"สมศรี", "เอ"} <= set(names)  # submitted by the owner, accepted by the student
    assert student == {"n": "เอ"} and owner_named == {"n": "สมศรี"}
    assert set(calls) == set(CALLERS) and "first_word" not in calls, calls
