"""gaps25: the privacy leftovers attack24 found and left (its findings file, L2-L4). Each is the behaviour the
project's rules promise; a finding not fixed yet is a strict xfail. Real PostgreSQL; the Data API's reads as
PostgREST makes them (`authenticated` with the caller's JWT claims, RLS and the grants deciding)."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row
from pydantic import SecretStr

from backend.app import create_app
from backend.deps import get_now
from backend.settings import Settings
from shared.notifications import LINE_LINK_TRIES_PER_HOUR, LINE_LINK_WRONG_CODES_OVERALL
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import as_user, jpeg_with_gps
from tests.integration.dispatch_area import AppClock, Area, Clock, assigned_by_teacher, step, submit
from tests.integration.test_audit8_line_link import OWNER, SECRET, _linked_to, _send


async def _offered_with_a_photo(api: Any, area: Area, database_url: str) -> tuple[str, str, datetime]:
    """A citizen's request with a before photo, dispatched: (the request, ace's id, when ace's pending offer runs
    out). ace is the best-ranked student of the area, so always offered it."""
    citizen, request = await submit(api)
    rid = request["id"]
    photo = {"file": ("before.jpg", jpeg_with_gps((400, 300)), "image/jpeg")}
    assert (await api.put(f"/requests/{rid}/photos/0", files=photo, headers=bearer(citizen))).status_code == 201
    ace_id = area.students["ace"][0]
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        row = conn.execute("select expires_at from public.offers where request_id = %s and technician_id = %s "
                           "and status = 'pending'", [rid, ace_id]).fetchone()
    assert row is not None
    return rid, ace_id, row["expires_at"]


def _what_the_data_api_shows(database_url: str, student: str, rid: str) -> tuple[list[str], list[str]]:
    """What the student reads of the request through the Data API: its photos' kinds and its timeline's moves."""
    with as_user(database_url, student) as conn:
        photos = conn.execute("select kind::text from public.request_photos where request_id = %s", [rid]).fetchall()
        moves = conn.execute("select to_status::text from public.status_events where request_id = %s order by id",
                             [rid]).fetchall()
    return [p["kind"] for p in photos], [m["to_status"] for m in moves]


async def test_an_offer_past_its_expiry_shows_nothing_through_the_data_api(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """L2: `private.holds_offer_of` asked only `status = 'pending'`, and an offer stays pending after its expiry
    until the clock's next turn (30 s; longer when no copy turns it): meanwhile the student whose offer ran out read
    the citizen's before photos and the timeline's moves through the Data API. The Data API's policies run on the
    database's clock, so they ask `expires_at > now()`."""
    api, _ = app_and_clock
    rid, ace, _ = await _offered_with_a_photo(api, area, database_url)
    # While the offer runs, 0006's view stays the student's: the before photo and the moves.
    photos, moves = _what_the_data_api_shows(database_url, ace, rid)
    assert photos == ["before"] and moves[-1] == "offered"
    # The offer runs out by the database's clock; the clock has not turned yet (the offer is still pending).
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.offers set expires_at = now() - interval '1 second' "
                     "where request_id = %s and technician_id = %s and status = 'pending'", [rid, ace])
    assert _what_the_data_api_shows(database_url, ace, rid) == ([], [])  # before the fix: (['before'], [...])


async def test_an_offer_past_its_expiry_by_the_apps_clock_shows_no_photo_through_the_api(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """L2, the HTTP API's side: the app's clock decides an offer's expiry (the accept refuses by it, the clock's
    turn expires by it), so the photo route refuses by it too, though the offer is still pending and the
    database's clock has not reached its expiry (in tests the app's clock runs ahead; in production the two are
    the same, so the Data API's check is never earlier than the app's)."""
    api, clock = app_and_clock
    rid, ace, expires_at = await _offered_with_a_photo(api, area, database_url)
    token, _ = await sign_in(api, area.students["ace"][1])
    photo = f"/requests/{rid}/photos/before/0"
    clock.now = expires_at - timedelta(seconds=1)
    assert (await api.get(photo, headers=bearer(token))).status_code == 200
    clock.now = expires_at + timedelta(seconds=1)
    assert (await api.get(photo, headers=bearer(token))).status_code == 404  # before the fix: 200
    # The database's clock has not reached the expiry: the Data API still shows what 0006 gave (later, not earlier).
    assert _what_the_data_api_shows(database_url, ace, rid)[0] == ["before"]


@pytest.fixture
async def line_api_and_clock(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Clock]]:
    """The app with a LINE channel, on a clock of its own: 03:00 UTC on a day no other test's clock reaches, so the
    rate limits' windows it counts in are this test's alone."""
    app = create_app(settings.model_copy(update={"line_channel_secret": SecretStr(SECRET)}))
    clock = Clock()
    clock.now = datetime(2031, 3, 3, 3, 0, tzinfo=UTC)
    app.dependency_overrides[get_now] = clock
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as client:
        yield client, clock


async def test_many_line_accounts_guessing_link_codes_run_out_together(
        line_api_and_clock: tuple[httpx.AsyncClient, Clock], database_url: str) -> None:
    """L3: each LINE account had 10 tries an hour (audit8) and nothing counted them together: an attacker with N
    LINE accounts sent N x 10 guesses an hour, each matching one of the live codes (6 digits, 10 minutes) with a
    chance of live codes / 10^6, and linked their LINE to the account whose code matched (its notifications on the
    attacker's LINE). Wrong guesses now count across every LINE account too: once a window's allowance is spent, no
    code is looked at until the next window, and asking for a code says so (429, Thai and English)."""
    api, clock = line_api_and_clock
    token, victim = await sign_in(api, fresh_phone())
    code = (await api.post("/me/line/link-code", headers=bearer(token))).json()["code"]
    wrong = [f"{(int(code) + n) % 10**6:06d}" for n in range(1, LINE_LINK_WRONG_CODES_OVERALL + 1)]
    # Three LINE accounts, each within its own tries, spend the window's allowance of wrong codes.
    for i in range(0, len(wrong), LINE_LINK_TRIES_PER_HOUR):
        assert await _send(api, f"U{i:032x}", *wrong[i:i + LINE_LINK_TRIES_PER_HOUR]) == 0
    # Another LINE account's guess, the right code: not looked at (before the fix: linked, 1).
    assert await _send(api, "U" + "f" * 32, code) == 0
    assert _linked_to(database_url, victim["id"]) is None
    asked = await api.post("/me/line/link-code", headers=bearer(token))
    assert asked.status_code == 429, asked.text
    error = asked.json()["error"]
    assert error["code"] == "line_link_paused" and int(asked.headers["retry-after"]) > 0
    assert error["message_th"] and error["message_en"]
    # The next window: the person links their own LINE with a new code as usual.
    clock.now += timedelta(hours=1)
    code = (await api.post("/me/line/link-code", headers=bearer(token))).json()["code"]
    assert await _send(api, OWNER, code) == 1
    assert _linked_to(database_url, victim["id"]) == OWNER


async def test_anon_reaches_nothing_in_the_private_schema(database_url: str) -> None:
    """L4: 0001 gave `anon` USAGE on `private` ("policies call security-definer helpers that live here"), but no
    policy, view, default or function `anon` reaches calls into it: anon's policies (colleges, skills, categories,
    category_skills) are `true`, and its one function (`public.verify_portfolio`) is a security definer reading
    `public`. The schema is not served by the Data API; USAGE was still a door with nothing behind it to need it,
    and PUBLIC's EXECUTE on the trigger functions came through it."""
    with psycopg.connect(database_url) as conn:
        usage = conn.execute("select has_schema_privilege('anon', 'private', 'usage')").fetchone()
    assert usage == (False,)  # before the fix: (True,)
    with as_user(database_url, None) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege,
                                                             match="schema private"):
        conn.execute("select private.my_role()")
    # What anon is for still answers: the catalogue, the colleges and a portfolio's check, as the backend asks them
    # (backend.db.anon_tx).
    with as_user(database_url, None) as conn:
        counts = conn.execute("select (select count(*) from public.categories) as categories, "
                              "(select count(*) from public.colleges) as colleges").fetchone()
        assert counts is not None and counts["categories"] > 0 and counts["colleges"] > 0
        assert conn.execute("select * from public.verify_portfolio('NOSUCHCODE')").fetchall() == []


async def test_the_owner_reads_no_unapproved_parts_bill_through_the_data_api(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """L1: the work report's own priced parts list is the student's and the teacher's working note; the owner is
    shown as parts only those they approved (audit13: "read as a bill they never approved";
    backend.services.job_reports.owners_report, tests/integration/test_owner_parts_bill.py). The HTTP API keeps to
    it; the Data API gave the owner `job_reports.parts` whole (`job_reports_read` shows the owner the row, and a
    policy shows rows, never a column of a row)."""
    api, _ = app_and_clock
    citizen, teacher, bee, rid = await assigned_by_teacher(api, area)
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    bill = [{"name": "บอร์ดควบคุม", "qty": 1, "cost_baht": 9000}]
    saved = await api.put(f"/requests/{rid}/report", headers=bearer(bee),
                          json={"hours": 1.5, "notes": "เปลี่ยนบอร์ดควบคุม", "parts": bill})
    assert saved.status_code == 200, saved.text
    owner = (await api.get("/me", headers=bearer(citizen))).json()["id"]
    with as_user(database_url, owner) as conn:
        try:
            parts = conn.execute("select parts from public.job_reports where request_id = %s", [rid]).fetchall()
        except psycopg.errors.InsufficientPrivilege:
            parts = []  # the column is nobody's through the Data API (the backend reads it for the record's readers)
        assert parts == []  # before the fix: [{'parts': [{'name': 'บอร์ดควบคุม', 'qty': 1, 'cost_baht': 9000}]}]
    with as_user(database_url, owner) as conn:  # the rest of the report stays the owner's to read
        report = conn.execute("select hours::float, notes from public.job_reports where request_id = %s",
                              [rid]).fetchall()
    assert report == [{"hours": 1.5, "notes": "เปลี่ยนบอร์ดควบคุม"}]
    # The HTTP API as before: the owner sees no bill; the student and the teacher read the list they work from.
    assert (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()["report"]["parts"] == []
    for reader in (bee, teacher):
        detail = (await api.get(f"/requests/{rid}", headers=bearer(reader))).json()
        assert detail["report"]["parts"] == bill and detail["report"]["parts_total_baht"] == 9000
