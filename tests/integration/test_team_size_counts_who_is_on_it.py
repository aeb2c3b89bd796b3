"""A job's team is full at shared.credit.TEAM_MAX members on it now. The helpers who left with a lead the job was
taken from (`job_team.handed_on_at`, migrations 0048 and 0054) keep their rows for their hours, and took no place
on the next lead's team with them: it counted them, so a lead whose former helpers left could add nobody. A helper
handed off is added again into a place of their own, and the record says who is no longer on the team (the app
counts the same). Real PostgreSQL."""

import httpx
import psycopg
from psycopg.rows import dict_row

from shared.credit import TEAM_MAX
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import Area, _student, accepted_job


async def _add(api: httpx.AsyncClient, lead: str, rid: str, student: str) -> httpx.Response:
    return await api.post(f"/requests/{rid}/team", json={"technician_id": student, "task": "ช่วยถอดฝา"},
                          headers=bearer(lead))


async def test_helpers_who_left_with_a_former_lead_take_no_place_on_the_next_leads_team(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        extra = [_student(conn, area.near, f"เสริม {n}", {"electrical_appliance": 3})[0] for n in range(4)]
    _, ace, rid = await accepted_job(api, area, "ace")
    ids = {name: area.students[name][0] for name in ("ace", "bee", "cat")}
    # ace's team: ace, bee and three more (five rows).
    for helper in (ids["bee"], *extra[:3]):
        added = await _add(api, ace, rid, helper)
        assert added.status_code == 204, added.text
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    given = await api.post(f"/requests/{rid}/assign", json={"technician_id": ids["cat"]}, headers=bearer(teacher))
    assert given.status_code == 200, given.text
    # cat leads alone: ace and the four helpers left with ace (handed off), six rows in all.
    cat, _ = await sign_in(api, area.students["cat"][1])
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(cat))).json()
    assert {m["technician_id"]: m["handed_on"] for m in record["team"]} == {
        ids["ace"]: True, ids["bee"]: True, **dict.fromkeys(extra[:3], True), ids["cat"]: False}
    assert len(record["team"]) == TEAM_MAX

    # The new lead adds a helper of their own: two on the team, not a seventh member of a full one.
    added = await _add(api, cat, rid, extra[3])
    assert added.status_code == 204, added.text
    # A helper handed off is added again (on the job anew, with a place of their own) ...
    again = await _add(api, cat, rid, ids["bee"])
    assert again.status_code == 204, again.text
    bee, _ = await sign_in(api, area.students["bee"][1])
    assert (await api.get(f"/requests/{rid}", headers=bearer(bee))).status_code == 200
    # ... until TEAM_MAX are on it: cat, extra[3], bee and the three others who left with ace.
    for helper in extra[:3]:
        added = await _add(api, cat, rid, helper)
        assert added.status_code == 204, added.text
    full = await _add(api, cat, rid, ids["ace"])
    assert full.status_code == 409 and full.json()["error"]["code"] == "team_full", full.text
    # A member already on the full team is named again with another task, taking no second place.
    renamed = await api.post(f"/requests/{rid}/team", json={"technician_id": ids["bee"], "task": "ทำความสะอาด"},
                             headers=bearer(cat))
    assert renamed.status_code == 204, renamed.text
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(cat))).json()
    on_team = {m["technician_id"] for m in record["team"] if not m["handed_on"]}
    assert on_team == {ids["cat"], ids["bee"], *extra} and len(on_team) == TEAM_MAX
    assert [m["technician_id"] for m in record["team"] if m["handed_on"]] == [ids["ace"]]
    assert next(m["task"] for m in record["team"] if m["technician_id"] == ids["bee"]) == "ทำความสะอาด"


async def test_a_helper_added_to_a_cancelled_job_is_refused_by_its_status(api: httpx.AsyncClient, area: Area) -> None:
    """A job its owner cancelled takes no helper; the refusal says it is cancelled (`team_closed`, the status's
    label in the reader's words), not "the team cannot change after hours are approved" (`team_not_now`), which
    told a lead of a cancelled job something that never happened."""
    citizen, ace, rid = await accepted_job(api, area, "ace")
    cancelled = await api.post(f"/requests/{rid}/cancel", json={"note": "ซ่อมเองได้แล้ว"}, headers=bearer(citizen))
    assert cancelled.status_code == 200, cancelled.text
    refused = await _add(api, ace, rid, area.students["bee"][0])
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "team_closed"
    assert "ยกเลิก" in error["message_th"] and "Cancelled" in error["message_en"], error
