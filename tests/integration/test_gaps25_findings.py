"""gaps25: the privacy leftovers attack24 found and left (its findings file, L2-L4). Each is the behaviour the
project's rules promise; a finding not fixed yet is a strict xfail. Real PostgreSQL; the Data API's reads as
PostgREST makes them (`authenticated` with the caller's JWT claims, RLS and the grants deciding)."""

from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row

from tests.helpers import bearer, sign_in
from tests.integration.builders import as_user, jpeg_with_gps
from tests.integration.dispatch_area import AppClock, Area, submit


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
