"""The teacher's list of rounds whose hours wait for approval (GET /supervisor/hours-waiting) comes a page at a time
(shared.credit.HOURS_WAITING_PAGE rounds, oldest job first, `offset` for the next) with the count of all of them in
X-Total-Count, read in one statement; each round's team is what the job record's team card shows (the current
round's lead with their report's hours, an ended round's team as kept). Real PostgreSQL."""

import uuid
from typing import Any

import psycopg
from psycopg.rows import dict_row

from backend.services import credit
from shared.credit import HOURS_WAITING_PAGE
from shared.credit_wire import TOTAL_COUNT_HEADER, HoursWaiting
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import (
    HOME,
    AppClock,
    Area,
    assigned_by_teacher,
    backdate_acceptance,
    handed_back_job,
    step,
    work_to_quality_check,
)

EXTRA = 3  # rounds beyond the first page


def checked_jobs_without_a_team(database_url: str, area: Area, count: int) -> list[str]:
    """`count` jobs of the near college the teacher checked (done), each with its student's work report and no team
    row yet (their lead is shown from the report), written directly: the API would take minutes for this many."""
    ace = area.students["ace"][0]
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        citizen = conn.execute("select id from public.profiles where role = 'citizen' limit 1").fetchone()
        assert citizen is not None
        rows = conn.execute(
            """insert into public.repair_requests (citizen_id, idempotency_key, category_code, item, description,
                   lat, lon, contact_phone, pdpa_consent_at, status, college_id, technician_id)
               select %s, gen_random_uuid(), 'appliance', 'พัดลม ' || g, 'ไม่หมุน', %s, %s, '+66812345678', now(),
                      'done', %s, %s
               from generate_series(1, %s) g
               returning id::text""",
            [citizen["id"], HOME[0], HOME[1], area.near, ace, count]).fetchall()
        ids = [r["id"] for r in rows]
        conn.execute("insert into public.job_reports (request_id, technician_id, hours, notes) "
                     "select id, %s, 2.5, 'เปลี่ยนฟิวส์' from unnest(%s::uuid[]) id", [ace, ids])
    return ids


async def old_team(database_url: str, row: dict[str, Any]) -> list[dict[str, Any]]:
    """The round's team as the list built it before it was one statement: a query or three per round."""
    async with await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as owner:
        if row["ended"]:
            members = await credit.team(owner, uuid.UUID(row["request_id"]), row["round"])
        else:
            lead = await (await owner.execute("select technician_id from public.repair_requests where id = %s",
                                              [row["request_id"]])).fetchone()
            assert lead is not None
            members = await credit._team_with_lead(owner, {"id": uuid.UUID(row["request_id"]),
                                                            "technician_id": lead["technician_id"]})
        await credit.name_team(owner, members)
    return list(HoursWaiting.model_validate({**row, "team": members}).model_dump(mode="json")["team"])


async def test_the_rounds_waiting_for_approval_come_a_page_at_a_time_with_their_count(
    app_and_clock: AppClock, area: Area, database_url: str,
) -> None:
    api, _ = app_and_clock
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    # An ended round: bee's, its owner reopened the job before the approval.
    citizen, reopened = await handed_back_job(api, area)
    backdate_acceptance(database_url, reopened, 2)
    assert (await api.post(f"/requests/{reopened}/reopen", json={"note": ""},
                           headers=bearer(citizen))).status_code == 200
    # A checked job's current round with a helper (the lead's row carries their report's hours).
    _, _, bee, helped = await assigned_by_teacher(api, area)
    joined = await api.post(f"/requests/{helped}/team", json={"technician_id": area.students["cat"][0],
                                                              "task": "ช่วยถอดฝา"}, headers=bearer(bee))
    assert joined.status_code == 204, joined.text
    await work_to_quality_check(api, bee, helped)
    assert (await step(api, teacher, helped, "done")).status_code == 200
    # And more checked jobs than one page holds.
    bare = checked_jobs_without_a_team(database_url, area, HOURS_WAITING_PAGE + EXTRA)
    everything = {(reopened, 1), (helped, 1), *((rid, 1) for rid in bare)}

    first = await api.get("/supervisor/hours-waiting", headers=bearer(teacher))
    assert first.status_code == 200, first.text
    assert first.headers[TOTAL_COUNT_HEADER] == str(len(everything))
    assert len(first.json()) == HOURS_WAITING_PAGE
    rest = await api.get("/supervisor/hours-waiting", params={"offset": HOURS_WAITING_PAGE},
                         headers=bearer(teacher))
    assert rest.status_code == 200 and rest.headers[TOTAL_COUNT_HEADER] == str(len(everything))
    listed = first.json() + rest.json()
    assert len(rest.json()) == len(everything) - HOURS_WAITING_PAGE
    assert {(w["request_id"], w["round"]) for w in listed} == everything and len(listed) == len(everything)
    assert [w["ref_no"] for w in listed] == sorted(w["ref_no"] for w in listed)  # oldest job first
    # Past the end: nothing, and still the count.
    beyond = await api.get("/supervisor/hours-waiting", params={"offset": len(everything)}, headers=bearer(teacher))
    assert beyond.json() == [] and beyond.headers[TOTAL_COUNT_HEADER] == str(len(everything))
    # No page longer than the project's page.
    too_long = await api.get("/supervisor/hours-waiting", params={"limit": HOURS_WAITING_PAGE + 1},
                             headers=bearer(teacher))
    assert too_long.status_code == 422

    # Each round's fields and team are what the per-round reads built.
    by_id = {w["request_id"]: w for w in listed}
    assert by_id[reopened]["ended"] is True and by_id[helped]["ended"] is False
    assert [(m["technician_id"], m["role"], m["hours"]) for m in by_id[reopened]["team"]] == \
        [(area.students["bee"][0], "lead", 1.5)]
    assert [(m["display_name"], m["role"], m["hours"]) for m in by_id[helped]["team"]] == \
        [("บี เก่ง", "lead", 1.5), ("ซี พอได้", "helper", None)]
    assert [(m["display_name"], m["role"], m["hours"], m["task"]) for m in by_id[bare[0]]["team"]] == \
        [("เอ เก่งมาก", "lead", 2.5, "")]
    for row in listed:
        assert row["team"] == await old_team(database_url, row), row["request_id"]
        assert set(row) == set(HoursWaiting.model_fields)


async def test_the_next_page_follows_the_last_round_listed_whatever_was_approved_meanwhile(
    app_and_clock: AppClock, area: Area, database_url: str,
) -> None:
    """review14 finding 2: the next page was asked from `offset` = the rounds listed, so a round approved meanwhile
    (another teacher) shifted the list and the first round of the next page was never listed. The page after the
    last round listed (`after_ref`, `after_round`: its sort key) lists every round still waiting after it, and
    X-Total-Count says how many wait from there on."""
    api, _ = app_and_clock
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    bare = checked_jobs_without_a_team(database_url, area, HOURS_WAITING_PAGE + EXTRA)
    first = await api.get("/supervisor/hours-waiting", headers=bearer(teacher))
    assert first.status_code == 200 and first.headers[TOTAL_COUNT_HEADER] == str(len(bare))
    listed = first.json()
    assert len(listed) == HOURS_WAITING_PAGE
    # Another teacher approves the first round listed meanwhile.
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("""insert into public.job_team (request_id, round, technician_id, role, hours, approved_hours,
                                                     approved_at, college_id)
                        values (%s, 1, %s, 'lead', 2.5, 2.5, now(), %s)""",
                     [listed[0]["request_id"], area.students["ace"][0], area.near])
    last = listed[-1]
    after = {"after_ref": last["ref_no"], "after_round": last["round"]}
    rest = await api.get("/supervisor/hours-waiting", params=after, headers=bearer(teacher))
    assert rest.status_code == 200, rest.text
    assert rest.headers[TOTAL_COUNT_HEADER] == str(EXTRA) and len(rest.json()) == EXTRA
    assert {w["request_id"] for w in listed[1:] + rest.json()} == set(bare) - {listed[0]["request_id"]}
    assert all(w["ref_no"] > last["ref_no"] for w in rest.json())
    # The key decides the page: an offset beside it is not read.
    beside = await api.get("/supervisor/hours-waiting", params={**after, "offset": 2}, headers=bearer(teacher))
    assert beside.json() == rest.json() and beside.headers[TOTAL_COUNT_HEADER] == str(EXTRA)
    # A key is both the job's number and the round, or neither: half of one is refused, with the code and its text.
    for half in ({"after_ref": last["ref_no"]}, {"after_round": 1}):
        refused = await api.get("/supervisor/hours-waiting", params=half, headers=bearer(teacher))
        assert refused.status_code == 400, refused.text
        error = refused.json()["error"]
        assert error["code"] == "hours_waiting_after_incomplete" and error["message_th"] and error["message_en"]
