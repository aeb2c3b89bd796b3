"""gaps26: the small leftovers audit26 found and left (its findings file, "Checked and found sound (or known)").
Each is the behaviour the project's rules promise; a finding not fixed yet is a strict xfail. Real PostgreSQL; the
Data API's reads as PostgREST makes them (`authenticated` with the caller's JWT claims, RLS and the grants
deciding)."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from pydantic import SecretStr

from backend.app import create_app
from backend.deps import get_now
from backend.dispatch_ticks import tick
from backend.settings import Settings
from shared.notifications import LINE_LINK_TRIES_PER_HOUR, LINE_LINK_WRONG_CODES_OVERALL
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.dispatch_area import (
    AppClock,
    Area,
    Clock,
    assigned_by_teacher,
    last_notification,
    offers_of,
    record_work,
    request_status,
    step,
    submit,
    told_since,
)
from tests.integration.test_audit8_line_link import OWNER, SECRET, _linked_to, _send
from tests.integration.test_gaps25_findings import _offered_with_a_photo, _what_the_data_api_shows


def _moved_by_sql(database_url: str, student: str, college: Any) -> None:
    """The student moved to another college outside the app (the SQL editor, Supabase's dashboard): their pending
    offers are not ended by the move's own path (staff.end_open_offers), as a dispatch racing the app's move leaves
    one pending at the old college too."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set college_id = %s where id = %s", [college, student])


async def test_a_student_moved_away_reads_nothing_of_the_old_colleges_offer_through_the_data_api(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """1: `private.holds_open_offer_of` (0107/0110) asked only the offer (pending, not run out), where the accept
    asks the offer's college too (`o.college_id = my_college()`): a student moved to another college kept reading
    the old college's offer's before photos and timeline through the Data API until it ran out (an offer they can
    never accept)."""
    api, _ = app_and_clock
    rid, ace, _ = await _offered_with_a_photo(api, area, database_url)
    photos, moves = _what_the_data_api_shows(database_url, ace, rid)
    assert photos == ["before"] and moves[-1] == "offered"
    _moved_by_sql(database_url, ace, area.far)
    assert _what_the_data_api_shows(database_url, ace, rid) == ([], [])  # before the fix: (['before'], [...])


async def test_a_student_moved_away_gets_no_photo_of_the_old_colleges_offer_through_the_api(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """1, the HTTP API's side: the photo route asks the same rule (`holds_offer_open_at`, at the app's clock)."""
    api, _ = app_and_clock
    rid, ace, _ = await _offered_with_a_photo(api, area, database_url)
    token, _ = await sign_in(api, area.students["ace"][1])
    photo = f"/requests/{rid}/photos/before/0"
    assert (await api.get(photo, headers=bearer(token))).status_code == 200
    _moved_by_sql(database_url, ace, area.far)
    assert (await api.get(photo, headers=bearer(token))).status_code == 404  # before the fix: 200


async def test_offers_of_students_moved_away_outside_the_app_end_and_the_next_student_is_asked(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """1, the offers themselves: the app's move ends the student's pending offers (staff.end_open_offers), but a
    move outside the app (or past a dispatch that read the student's college just before the app's move committed)
    left them pending at the old college until they ran out (30 min; an offer made at night until 07:30): offers
    nobody can accept (the accept asks the offer's college) holding the job from the college's other students. The
    clock's turn now withdraws them (each student told the job no longer waits for them, which is true) and hands
    the job on as a decline does: the college's next fitting student."""
    api, clock = app_and_clock
    _, request = await submit(api)
    rid = request["id"]
    moved = [area.students[name][0] for name in ("ace", "bee", "cat")]
    assert sorted(o["technician_id"] for o in offers_of(database_url, rid) if o["status"] == "pending") \
        == sorted(moved)
    before = last_notification(database_url)
    for student in moved:
        _moved_by_sql(database_url, student, area.far)
    await tick(pool, settings, clock.now + timedelta(minutes=1))
    offers = {o["technician_id"]: (o["status"], o["college_id"]) for o in offers_of(database_url, rid)}
    assert all(offers[s][0] == "withdrawn" for s in moved)  # before the fix: pending until they ran out
    assert offers[area.students["dan"][0]] == ("pending", area.near)  # the college's next fitting student
    assert request_status(database_url, rid) == "offered"
    assert told_since(database_url, rid, moved[0], before) == [("offer_withdrawn", None)]


@pytest.fixture
async def line_api_and_clock(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Clock]]:
    """The app with a LINE channel, on a clock of its own: 03:00 UTC on a day no other test's clock reaches, so the
    rate limits' windows it counts in are this test's alone."""
    app = create_app(settings.model_copy(update={"line_channel_secret": SecretStr(SECRET)}))
    clock = Clock()
    clock.now = datetime(2031, 3, 9, 3, 0, tzinfo=UTC)
    app.dependency_overrides[get_now] = clock
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as client:
        yield client, clock


async def test_a_right_code_resent_during_a_pause_leaves_its_line_user_their_tries(
        line_api_and_clock: tuple[httpx.AsyncClient, Clock], database_url: str) -> None:
    """2: while linking is paused for everyone (the window's wrong codes spent, gaps25 #2) no code is looked at,
    yet each code a LINE user sent still spent one of their tries an hour: a person resending their right code
    while paused (nothing answers them) was locked out for the rest of the hour after the pause ended. Nothing is
    looked at during a pause, so nothing is counted against the sender."""
    api, clock = line_api_and_clock
    token, person = await sign_in(api, fresh_phone())
    code = (await api.post("/me/line/link-code", headers=bearer(token))).json()["code"]
    wrong = [f"{(int(code) + n) % 10**6:06d}" for n in range(1, LINE_LINK_WRONG_CODES_OVERALL + 1)]
    for i in range(0, len(wrong), LINE_LINK_TRIES_PER_HOUR):  # others spend the window's wrong codes
        assert await _send(api, f"U{i + 7:032x}", *wrong[i:i + LINE_LINK_TRIES_PER_HOUR]) == 0
    # The person sends their right code again and again while paused: none is looked at.
    assert await _send(api, OWNER, *[code] * (LINE_LINK_TRIES_PER_HOUR + 1)) == 0
    assert _linked_to(database_url, person["id"]) is None
    # The next window (the same hour): a new code, sent once, links (before the fix: 0, out of tries till 04:00).
    clock.now += timedelta(minutes=10)
    code = (await api.post("/me/line/link-code", headers=bearer(token))).json()["code"]
    assert await _send(api, OWNER, code) == 1
    assert _linked_to(database_url, person["id"]) == OWNER


def _outcome(database_url: str, rid: str) -> dict[str, Any] | None:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return conn.execute("select outcome, reason, fault_found, recorded_by::text from public.job_outcomes "
                            "where request_id = %s", [rid]).fetchone()


async def test_a_job_done_by_the_next_student_keeps_no_outcome_of_the_former(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """3: `job_outcomes` holds one outcome a job; the approval's `fixed` was written `on conflict do nothing`, so an
    outcome the former lead recorded (a partial repair, the fault they found) stayed the job's after a reassign (or
    a take back) even though the next student did the work that passed the check. An outcome recorded before the
    work the check approved began is not this work's: at done the record says what that work's student recorded,
    else `fixed` by the approving teacher."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    assert (await step(api, bee, rid, "diagnosing")).status_code == 200
    recorded = await api.put(f"/requests/{rid}/outcome", headers=bearer(bee), json={
        "outcome": "repaired_partly", "reason": "parts_unavailable",
        "fault_found": "คอมเพรสเซอร์เสีย ยังหาอะไหล่ไม่ได้"})
    assert recorded.status_code == 200, recorded.text
    ace_id, ace_phone = area.students["ace"]
    reassigned = await api.post(f"/requests/{rid}/assign", json={"technician_id": ace_id},
                                headers=bearer(teacher))
    assert reassigned.status_code == 200, reassigned.text
    ace, _ = await sign_in(api, ace_phone)
    assert (await step(api, ace, rid, "repairing")).status_code == 200
    await record_work(api, ace, rid, idx=1)
    assert (await step(api, ace, rid, "quality_check")).status_code == 200
    assert (await step(api, teacher, rid, "done")).status_code == 200
    outcome = _outcome(database_url, rid)
    assert outcome is not None
    # before the fix: ('repaired_partly', 'parts_unavailable', "คอมเพรสเซอร์เสีย ...", bee)
    assert (outcome["outcome"], outcome["reason"], outcome["fault_found"]) == ("fixed", None, "")
    assert outcome["recorded_by"] == area.students["teacher"][0]
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(teacher))).json()
    assert record["outcome"]["outcome"] == "fixed" and record["outcome"]["fault_found"] == ""


async def test_the_next_students_own_outcome_is_the_jobs_at_done(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """3, the other side: what the next student records in their own work is the job's outcome at done, the former
    lead's finding replaced by theirs (not by the approval's `fixed`)."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    assert (await step(api, bee, rid, "diagnosing")).status_code == 200
    assert (await api.put(f"/requests/{rid}/outcome", headers=bearer(bee), json={
        "outcome": "repaired_partly", "reason": "parts_unavailable",
        "fault_found": "คอมเพรสเซอร์เสีย"})).status_code == 200
    ace_id, ace_phone = area.students["ace"]
    assert (await api.post(f"/requests/{rid}/assign", json={"technician_id": ace_id},
                           headers=bearer(teacher))).status_code == 200
    ace, _ = await sign_in(api, ace_phone)
    assert (await step(api, ace, rid, "repairing")).status_code == 200
    own = await api.put(f"/requests/{rid}/outcome", headers=bearer(ace),
                        json={"outcome": "fixed", "fault_found": "ฟิวส์ขาด เปลี่ยนแล้ว"})
    assert own.status_code == 200, own.text
    await record_work(api, ace, rid, idx=1)
    assert (await step(api, ace, rid, "quality_check")).status_code == 200
    assert (await step(api, teacher, rid, "done")).status_code == 200
    assert _outcome(database_url, rid) == {"outcome": "fixed", "reason": None, "fault_found": "ฟิวส์ขาด เปลี่ยนแล้ว",
                                           "recorded_by": ace_id}


async def test_a_job_the_next_student_hands_back_unrepairable_keeps_no_outcome_of_the_former(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """3, unrepairable: the step's reason replaced only a repaired outcome, so the former lead's "not repaired, the
    owner declined" (and their fault found) stayed the record of a job the next student found could not be
    repaired. An outcome of an earlier work gives way to the step's here too."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    assert (await step(api, bee, rid, "diagnosing")).status_code == 200
    assert (await api.put(f"/requests/{rid}/outcome", headers=bearer(bee), json={
        "outcome": "not_repaired", "reason": "owner_declined",
        "fault_found": "เจ้าของไม่อยากซ่อม"})).status_code == 200
    ace_id, ace_phone = area.students["ace"]
    assert (await api.post(f"/requests/{rid}/assign", json={"technician_id": ace_id},
                           headers=bearer(teacher))).status_code == 200
    ace, _ = await sign_in(api, ace_phone)
    moved = await step(api, ace, rid, "unrepairable", reason="no_parts")
    assert moved.status_code == 200, moved.text
    assert _outcome(database_url, rid) == {"outcome": "unrepairable", "reason": "parts_unavailable",
                                           "fault_found": "", "recorded_by": ace_id}
