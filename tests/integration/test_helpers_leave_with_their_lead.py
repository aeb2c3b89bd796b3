"""A helper reads the job they help on while its lead holds it (review14 finding 1). Taken from its lead (taken back
to offer again, or given to another student), the job goes from the helpers the lead brought too: none reads it any
more (the citizen's phone and address included), through the API or the Data API path, nor holds it; each keeps the
hours they reported for the teacher to credit, and the next lead adds any of them again. Migration 0054 hands off
the helpers an earlier take back left on a job. Real PostgreSQL."""

from pathlib import Path

import httpx
import psycopg

from backend.migrate import MIGRATIONS_DIR
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import (
    AppClock,
    Area,
    accepted_job,
    assigned_by_teacher,
    backdate_acceptance,
    record_work,
    step,
)
from tests.integration.test_helper_reads_job import _DATA_API_READS, data_api_reads, jobs_of
from tests.integration.test_team_hours_regressions import _told

_NOTHING = dict.fromkeys(_DATA_API_READS, 0)


async def _joined(api: httpx.AsyncClient, lead: str, rid: str, area: Area, student: str) -> str:
    """`student` added to the job's team by `lead` (their token back)."""
    joined = await api.post(f"/requests/{rid}/team", json={"technician_id": area.students[student][0],
                                                           "task": "ช่วยถอดฝา"}, headers=bearer(lead))
    assert joined.status_code == 204, joined.text
    token, _ = await sign_in(api, area.students[student][1])
    return token


def _handed_off(database_url: str, rid: str) -> dict[str, bool]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("select technician_id::text, handed_on_at is not null from public.job_team "
                            "where request_id = %s", [rid]).fetchall()
    return dict(rows)


async def test_a_helper_of_a_lead_the_job_was_taken_from_reads_it_no_more(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    _, ace, rid = await accepted_job(api, area, "ace")
    joined = await api.post(f"/requests/{rid}/team", json={"technician_id": area.students["bee"][0],
                                                           "task": "ช่วยถอดฝา"}, headers=bearer(ace))
    assert joined.status_code == 204, joined.text
    bee, _ = await sign_in(api, area.students["bee"][1])
    assert (await api.get(f"/requests/{rid}", headers=bearer(bee))).status_code == 200
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    taken = await step(api, teacher, rid, "offered")
    assert taken.status_code == 200, taken.text
    assert taken.json()["status"] == "offered" and taken.json()["technician_id"] is None
    # The lead it was taken from reads it no more (0048's handed_on_at) ...
    assert (await api.get(f"/requests/{rid}", headers=bearer(ace))).status_code == 404
    # ... nor does the helper they brought: the job has no lead, it is out on offer again.
    seen = await api.get(f"/requests/{rid}", headers=bearer(bee))
    assert seen.status_code == 404, seen.json().get("contact_phone")
    assert rid not in await jobs_of(api, bee)
    assert data_api_reads(database_url, area.students["bee"][0], rid)["request"] == 0
    # The helper is told why the job left their list (their open screen also closes live: 0053), and where it went.
    [left] = [n for n in await _told(api, bee, rid) if n["kind"] == "helper_left"]
    assert left["link"] == "/me/portfolio" and "FX-" in left["title"], left


async def test_helpers_go_with_a_lead_the_job_is_given_away_from_and_keep_their_hours(
    app_and_clock: AppClock, area: Area, database_url: str,
) -> None:
    """ace leads with bee and dan helping (each reports hours); the teacher gives the job to cat. Neither helper
    reads it or holds it any more; cat adds dan again, who reads it again; the approval credits everyone's own
    hours, bee's too (handed off, never re-added)."""
    api, _ = app_and_clock
    with psycopg.connect(database_url, autocommit=True) as conn:  # dan at the category's safety tier (level 2)
        conn.execute("update public.technician_skills set level = 2 where technician_id = %s",
                     [area.students["dan"][0]])
    _, ace, rid = await accepted_job(api, area, "ace")
    bee, dan = await _joined(api, ace, rid, area, "bee"), await _joined(api, ace, rid, area, "dan")
    for token, hours in ((bee, 1.0), (dan, 0.5)):
        mine = await api.put(f"/requests/{rid}/team/me", json={"hours": hours, "task": "ถอดฝา"}, headers=bearer(token))
        assert mine.status_code == 204, mine.text
    saved = await api.put(f"/requests/{rid}/report", json={"hours": 0.5, "notes": "ตรวจพบฟิวส์ขาด", "parts": []},
                          headers=bearer(ace))
    assert saved.status_code == 200, saved.text
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    ids = {name: area.students[name][0] for name in ("ace", "bee", "cat", "dan")}
    given = await api.post(f"/requests/{rid}/assign", json={"technician_id": ids["cat"]}, headers=bearer(teacher))
    assert given.status_code == 200, given.text

    for token, name in ((bee, "bee"), (dan, "dan")):
        assert (await api.get(f"/requests/{rid}", headers=bearer(token))).status_code == 404, name
        assert rid not in await jobs_of(api, token), name
        assert data_api_reads(database_url, ids[name], rid) == _NOTHING, name
    with psycopg.connect(database_url) as conn:
        held = conn.execute("select private.jobs_in_hand(%s) + private.jobs_in_hand(%s)",
                            [ids["bee"], ids["dan"]]).fetchone()
    assert held == (0,)
    assert _handed_off(database_url, rid) == {ids["ace"]: True, ids["bee"]: True, ids["dan"]: True}
    for token, name in ((bee, "bee"), (dan, "dan")):
        assert [n["kind"] for n in await _told(api, token, rid)].count("helper_left") == 1, name

    # The new lead adds dan again: on the job anew, dan reads it; bee still does not.
    cat, _ = await sign_in(api, area.students["cat"][1])
    await _joined(api, cat, rid, area, "dan")
    assert (await api.get(f"/requests/{rid}", headers=bearer(dan))).status_code == 200
    assert (await jobs_of(api, dan)).get(rid) is True
    assert (await api.get(f"/requests/{rid}", headers=bearer(bee))).status_code == 404

    for to in ("diagnosing", "repairing"):
        assert (await step(api, cat, rid, to)).status_code == 200
    await record_work(api, cat, rid, hours=1.5)
    assert (await step(api, cat, rid, "quality_check")).status_code == 200
    assert (await step(api, teacher, rid, "done")).status_code == 200
    backdate_acceptance(database_url, rid, 2)
    approved = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    assert approved.status_code == 200, approved.text
    assert {m["technician_id"]: m["approved_hours"] for m in approved.json()} == {
        ids["ace"]: 0.5, ids["bee"]: 1.0, ids["dan"]: 0.5, ids["cat"]: 1.5}


async def test_migration_0054_hands_off_the_helpers_an_earlier_take_back_left_on_the_job(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    """As the backend left them before: a job taken back with its helper still on it (no `handed_on_at`), beside a
    job still in its lead's hands. The migration hands off the first one's helper, as of the take back, and leaves
    the other team as it is."""
    _, ace, taken_rid = await accepted_job(api, area, "ace")
    bee = await _joined(api, ace, taken_rid, area, "bee")
    _, teacher, cat, kept_rid = await assigned_by_teacher(api, area, "cat")
    await _joined(api, cat, kept_rid, area, "bee")
    assert (await step(api, teacher, taken_rid, "offered")).status_code == 200
    bee_id = area.students["bee"][0]
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.job_team set handed_on_at = null where request_id = %s and technician_id = %s",
                     [taken_rid, bee_id])
    assert (await api.get(f"/requests/{taken_rid}", headers=bearer(bee))).status_code == 200  # the defect

    sql = Path(MIGRATIONS_DIR, "0054_helpers_leave_with_their_lead.sql").read_text(encoding="utf-8")
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql)
        row = conn.execute(
            """select t.handed_on_at = (select max(e.created_at) from public.status_events e
                                        where e.request_id = t.request_id and e.to_status = 'offered'
                                          and e.from_status = 'accepted')
               from public.job_team t where t.request_id = %s and t.technician_id = %s""",
            [taken_rid, bee_id]).fetchone()
    assert row == (True,)
    assert (await api.get(f"/requests/{taken_rid}", headers=bearer(bee))).status_code == 404
    assert data_api_reads(database_url, bee_id, taken_rid) == _NOTHING
    assert (await api.get(f"/requests/{kept_rid}", headers=bearer(bee))).status_code == 200
    assert _handed_off(database_url, kept_rid) == {area.students["cat"][0]: False, bee_id: False}


async def test_a_helper_the_job_is_given_to_holds_it_as_its_lead_and_the_others_go(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    """The teacher gives ace's job to bee, one of its helpers: bee leads it now (not handed off), cat goes with ace."""
    _, ace, rid = await accepted_job(api, area, "ace")
    bee, cat = await _joined(api, ace, rid, area, "bee"), await _joined(api, ace, rid, area, "cat")
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    ids = {name: area.students[name][0] for name in ("ace", "bee", "cat")}
    given = await api.post(f"/requests/{rid}/assign", json={"technician_id": ids["bee"]}, headers=bearer(teacher))
    assert given.status_code == 200, given.text
    assert _handed_off(database_url, rid) == {ids["ace"]: True, ids["bee"]: False, ids["cat"]: True}
    assert (await jobs_of(api, bee)).get(rid) is False  # theirs to lead, not helped on
    assert (await api.get(f"/requests/{rid}", headers=bearer(cat))).status_code == 404
    assert data_api_reads(database_url, ids["cat"], rid) == _NOTHING
    # On bee's team again, cat reads it again.
    await _joined(api, bee, rid, area, "cat")
    assert (await api.get(f"/requests/{rid}", headers=bearer(cat))).status_code == 200
