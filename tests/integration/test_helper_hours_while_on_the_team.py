"""A helper reports their own hours (PUT /requests/{id}/team/me) while they are on the job's team and the job takes
hours: from its acceptance through the check and the hand back until the teacher approves them
(shared.credit.helper_hours_refusal). A helper who left the team (the job was given to another student, or taken back
to offer again: `job_team.handed_on_at`) changed their hours all the same, and so did a helper of a cancelled job;
each is now refused with its code and its Thai and English text, and nothing of the team is changed. Real
PostgreSQL."""

from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row

from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import (
    Area,
    assigned_by_teacher,
    backdate_acceptance,
    confirm_handover,
    record_work,
    step,
)


def _team(database_url: str, rid: str) -> list[dict[str, Any]]:
    """Every team row of the job, as stored."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return conn.execute(
            "select technician_id::text, round, role, task, hours::float as hours, handed_on_at, approved_hours, "
            "approved_at from public.job_team where request_id = %s order by technician_id", [rid]).fetchall()


async def _report(api: httpx.AsyncClient, token: str, rid: str, hours: float, task: str = "ถอดฝา"
                  ) -> httpx.Response:
    return await api.put(f"/requests/{rid}/team/me", json={"hours": hours, "task": task}, headers=bearer(token))


def _hours_of(database_url: str, rid: str, student: str) -> tuple[float, str]:
    row = next(r for r in _team(database_url, rid) if r["technician_id"] == student)
    return row["hours"], row["task"]


async def _refused(api: httpx.AsyncClient, database_url: str, token: str, rid: str, code: str) -> dict[str, Any]:
    """The report is refused with 409 `code` and words in both languages, and the team is stored as before."""
    before = _team(database_url, rid)
    refused = await _report(api, token, rid, 2.5, "งานอื่น")
    assert refused.status_code == 409, refused.text
    error: dict[str, Any] = refused.json()["error"]
    assert error["code"] == code and error["message_th"] and error["message_en"], error
    assert _team(database_url, rid) == before
    return error


async def _helping(api: httpx.AsyncClient, token: str, rid: str) -> dict[str, Any]:
    jobs = (await api.get("/me/team-jobs", headers=bearer(token))).json()
    found: dict[str, Any] = next(j for j in jobs if j["request_id"] == rid)
    return found


async def _with_helper(api: httpx.AsyncClient, area: Area, lead: str = "bee", helper: str = "cat"
                       ) -> tuple[str, str, str, str, str]:
    """A job the teacher gave `lead`, with `helper` on its team: (citizen, teacher, lead, helper tokens, id)."""
    citizen, teacher, lead_token, rid = await assigned_by_teacher(api, area, lead)
    joined = await api.post(f"/requests/{rid}/team", json={"technician_id": area.students[helper][0],
                                                           "task": "ถอดฝา"}, headers=bearer(lead_token))
    assert joined.status_code == 204, joined.text
    helper_token, _ = await sign_in(api, area.students[helper][1])
    return citizen, teacher, lead_token, helper_token, rid


async def test_a_helper_reports_from_acceptance_through_the_hand_back_until_the_approval(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    citizen, teacher, bee, cat, rid = await _with_helper(api, area)
    cat_id = area.students["cat"][0]

    async def reported(hours: float) -> None:
        mine = await _report(api, cat, rid, hours, f"ช่วย {hours}")
        assert mine.status_code == 204, mine.text
        assert _hours_of(database_url, rid, cat_id) == (hours, f"ช่วย {hours}")

    await reported(0.5)  # accepted
    for hours, to in ((0.75, "diagnosing"), (1.0, "repairing")):
        assert (await step(api, bee, rid, to)).status_code == 200
        await reported(hours)
    await record_work(api, bee, rid)
    assert (await step(api, bee, rid, "quality_check")).status_code == 200
    await reported(1.25)
    assert (await step(api, teacher, rid, "done")).status_code == 200
    await reported(1.5)
    await confirm_handover(api, citizen, rid)
    assert (await step(api, teacher, rid, "handed_back")).status_code == 200
    # Handed back, the hours are still to approve: the helper still reports.
    assert (await _helping(api, cat, rid))["handed_on"] is False
    await reported(1.75)

    backdate_acceptance(database_url, rid, 3)
    approved = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    assert approved.status_code == 200, approved.text
    assert {m["technician_id"]: m["approved_hours"] for m in approved.json()}[cat_id] == 1.75
    # Approved, the hours are the teacher's record.
    await _refused(api, database_url, cat, rid, "team_not_now")


async def test_a_helper_of_an_unrepairable_job_still_reports(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    _, _, bee, cat, rid = await _with_helper(api, area)
    assert (await step(api, bee, rid, "diagnosing")).status_code == 200
    assert (await step(api, bee, rid, "unrepairable", reason="no_parts")).status_code == 200
    mine = await _report(api, cat, rid, 0.5)
    assert mine.status_code == 204, mine.text
    assert _hours_of(database_url, rid, area.students["cat"][0]) == (0.5, "ถอดฝา")


async def test_a_helper_the_job_left_with_their_lead_changes_their_hours_no_more(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    """Given to another student, the job leaves bee's helper: cat's reported hours stay for the teacher, cat changes
    them no more, and the app is told (`handed_on`). The new lead adds cat again: cat reports again."""
    _, teacher, _, cat, rid = await _with_helper(api, area)
    cat_id = area.students["cat"][0]
    assert (await _report(api, cat, rid, 1.0)).status_code == 204
    given = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]},
                           headers=bearer(teacher))
    assert given.status_code == 200, given.text

    error = await _refused(api, database_url, cat, rid, "team_handed_on")
    assert "ไม่ได้อยู่ในทีม" in error["message_th"] and "no longer on this job's team" in error["message_en"]
    assert _hours_of(database_url, rid, cat_id) == (1.0, "ถอดฝา")
    listed = await _helping(api, cat, rid)
    assert (listed["handed_on"], listed["hours"]) == (True, 1.0)

    ace, _ = await sign_in(api, area.students["ace"][1])
    again = await api.post(f"/requests/{rid}/team", json={"technician_id": cat_id, "task": "ถอดฝา"},
                           headers=bearer(ace))
    assert again.status_code == 204, again.text
    assert (await _helping(api, cat, rid))["handed_on"] is False
    mine = await _report(api, cat, rid, 1.5)
    assert mine.status_code == 204, mine.text
    assert _hours_of(database_url, rid, cat_id) == (1.5, "ถอดฝา")


async def test_a_helper_of_a_job_taken_back_or_cancelled_is_refused_by_what_happened(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    # Taken back to offer again: the helpers left with their lead.
    _, teacher, _, cat, taken = await _with_helper(api, area)
    assert (await _report(api, cat, taken, 1.0)).status_code == 204
    assert (await step(api, teacher, taken, "offered")).status_code == 200
    await _refused(api, database_url, cat, taken, "team_handed_on")
    # A helper an earlier backend left on a job taken back (the row migration 0054 hands off): the job is out on
    # offer, nobody holds it, and it takes no hours.
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.job_team set handed_on_at = null where request_id = %s", [taken])
    error = await _refused(api, database_url, cat, taken, "team_hours_closed")
    assert "กำลังหาช่าง" in error["message_th"] and "Finding a technician" in error["message_en"], error

    # Cancelled by its owner while the team worked: nothing of it is approved, so no hours are reported.
    citizen, _, _, dan, cancelled = await _with_helper(api, area, helper="dan")
    assert (await _report(api, dan, cancelled, 1.0)).status_code == 204
    gone = await api.post(f"/requests/{cancelled}/cancel", json={"note": "ซ่อมเองได้แล้ว"}, headers=bearer(citizen))
    assert gone.status_code == 200, gone.text
    error = await _refused(api, database_url, dan, cancelled, "team_hours_closed")
    assert "ยกเลิก" in error["message_th"] and "Cancelled" in error["message_en"], error
    assert _hours_of(database_url, cancelled, area.students["dan"][0]) == (1.0, "ถอดฝา")
