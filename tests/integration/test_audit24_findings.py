"""audit24: session 23's leftover (its note's "Still open" -> Suspensions, audit23 R2) and findings of a fresh-eyes
read of session 23's code (git diff edfaade 0571eda), each written as the behaviour the project's own rules promise
(README, the migrations' and modules' docstrings). Real PostgreSQL; the Data API's reads as PostgREST makes them
(`authenticated` with the caller's JWT claims, RLS and the column grants deciding)."""

from datetime import timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.settings import Settings
from tests.integration.dispatch_area import (
    AppClock,
    Area,
    last_notification,
    owner_of,
    request_status,
    set_owner_active,
    submit,
)

MINUTE = timedelta(minutes=1)


def _told(database_url: str, rid: str, person: str, since: int) -> list[tuple[str, Any]]:
    """What `person` was told about the request after notification `since`: (kind, params' `restored`)."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        rows = conn.execute(
            "select kind::text as kind, params from public.notifications "
            "where request_id = %s and recipient_id = %s and id > %s order by id", [rid, person, since]).fetchall()
    return [(r["kind"], r["params"].get("restored")) for r in rows]


def _last_note(database_url: str, rid: str) -> str | None:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select note_code from public.status_events where request_id = %s "
                           "order by id desc limit 1", [rid]).fetchone()
    assert row is not None
    return None if row[0] is None else str(row[0])


# --- R2. Switched off and on by SQL, a request a student can take: two messages within a minute --------------------

async def test_a_request_restored_by_sql_that_a_student_can_take_tells_its_citizen_once(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """A citizen switched off by SQL (Supabase's dashboard) while their request's offers wait; the offers lapse and
    the clock parks it (`owner_suspended`); switched back on by SQL, with the near college's students still there to
    take it. What is true is one thing: it is offered again, their account back. 0102's commit-time note said "no
    student has taken it yet, an administrator will send it on" (`no_taker`), and the clock's next turn offered it
    (`sent_again`, restored): two messages within a minute, the first untrue by the time it is read."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, request = await submit(api)
    rid = request["id"]
    owner = str(owner_of(database_url, rid))
    set_owner_active(database_url, rid, False)
    lapsed = clock.now + timedelta(minutes=settings.dispatch_sla_minutes + 1)
    await tick(pool, settings, lapsed)
    assert request_status(database_url, rid) == "no_centre"
    before = last_notification(database_url)
    set_owner_active(database_url, rid, True)
    await tick(pool, settings, lapsed + MINUTE)
    assert request_status(database_url, rid) == "offered"
    assert _last_note(database_url, rid) == "owner_restored"
    # Before the fix: [('no_taker', None), ('sent_again', True)]
    assert _told(database_url, rid, owner, before) == [("sent_again", True)]
