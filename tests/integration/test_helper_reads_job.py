"""A student the lead adds to a job's team reads the job they help on (migration 0050): its detail and their jobs
list (marked `helping`), through the API and through Supabase's Data API path (`authenticated` with the token's
claims, RLS only). They act on nothing: only the lead does. Taken off the team, handed off, or left on an ended
round, they read it no more; another student never does. Real PostgreSQL."""

import uuid
from typing import Any

import httpx
import psycopg

from tests.helpers import bearer, sign_in
from tests.integration.builders import as_user, jpeg_with_gps
from tests.integration.dispatch_area import Area, accepted_job, confirm_handover, record_work, step

# Whatever a person reads of one request through the Data API: each table a policy shows them.
_DATA_API_READS = {
    "request": "select id from public.repair_requests where id = %(rid)s",
    "timeline": "select id from public.status_events where request_id = %(rid)s",
    "photos": "select id from public.request_photos where request_id = %(rid)s",
    "report": "select request_id from public.job_reports where request_id = %(rid)s",
    "parts": "select id from public.job_parts where request_id = %(rid)s",
    "jobs": "select id from public.my_jobs(200) where id = %(rid)s",
}


def data_api_reads(database_url: str, user_id: str, rid: str) -> dict[str, int]:
    """How many rows of each table about the request the person reads as `authenticated` (the Data API)."""
    with as_user(database_url, user_id) as conn:
        return {name: len(conn.execute(sql, {"rid": rid}).fetchall()) for name, sql in _DATA_API_READS.items()}


async def job_with_helper(api: httpx.AsyncClient, area: Area) -> tuple[str, str, str, str]:
    """ace's accepted job with bee on its team, a report and a part proposed: (citizen, ace, bee tokens, id)."""
    citizen, ace, rid = await accepted_job(api, area, "ace")
    joined = await api.post(f"/requests/{rid}/team", json={"technician_id": area.students["bee"][0],
                                                           "task": "ช่วยถอดฝา"}, headers=bearer(ace))
    assert joined.status_code == 204, joined.text
    for to in ("diagnosing", "repairing"):
        assert (await step(api, ace, rid, to)).status_code == 200
    photo = {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    assert (await api.put(f"/requests/{rid}/after-photos/0", files=photo, headers=bearer(ace))).status_code == 201
    report = await api.put(f"/requests/{rid}/report", json={"hours": 1, "notes": "ตรวจพบฟิวส์ขาด", "parts": []},
                           headers=bearer(ace))
    assert report.status_code == 200, report.text
    part = await api.post(f"/requests/{rid}/parts", json={"name": "ฟิวส์", "qty": 1, "price_baht": 20},
                          headers=bearer(ace))
    assert part.status_code == 201, part.text
    bee, _ = await sign_in(api, area.students["bee"][1])
    return citizen, ace, bee, rid


async def jobs_of(api: httpx.AsyncClient, token: str) -> dict[str, bool]:
    listed = await api.get("/technician/jobs", headers=bearer(token))
    assert listed.status_code == 200, listed.text
    return {j["id"]: j["helping"] for j in listed.json()}


def snapshot(database_url: str, rid: str) -> dict[str, Any]:
    """What the helper's refused attempts must leave as it was."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            """select r.status::text, r.technician_id::text, jr.notes, jr.hours::float,
                      (select count(*) from public.job_parts p where p.request_id = r.id),
                      (select count(*) from public.request_photos p where p.request_id = r.id and p.kind = 'after'),
                      (select count(*) from public.job_team t where t.request_id = r.id),
                      (select count(*) from public.status_events e where e.request_id = r.id)
               from public.repair_requests r left join public.job_reports jr on jr.request_id = r.id
               where r.id = %s""", [rid]).fetchone()
    assert row is not None
    return dict(zip(("status", "lead", "notes", "hours", "parts", "after", "team", "events"), row, strict=True))


async def test_a_helper_reads_the_job_they_help_on_and_lists_it_as_helping(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    _, ace, bee, rid = await job_with_helper(api, area)
    lead = await api.get(f"/requests/{rid}", headers=bearer(ace))
    helper = await api.get(f"/requests/{rid}", headers=bearer(bee))
    assert helper.status_code == 200, helper.text
    seen, lead_seen = helper.json(), lead.json()
    assert seen["status"] == "repairing" and seen["technician_id"] == area.students["ace"][0]
    assert seen["technician_first_name"] == "เอ"  # the lead's first name, as the lead reads their own
    assert [e["to_status"] for e in seen["timeline"]] == [e["to_status"] for e in lead_seen["timeline"]]
    assert seen["report"]["notes"] == "ตรวจพบฟิวส์ขาด" and seen["parts_waiting"] == 1
    # What the lead is given of the citizen, no more: the same fields, the same values; never "mine"
    for field in ("contact_phone", "address", "lat", "lon"):
        assert seen[field] == lead_seen[field], field
    assert seen["is_mine"] is False and seen["actions"] == []
    # The record (team, parts) as well
    record = await api.get(f"/requests/{rid}/record", headers=bearer(bee))
    assert record.status_code == 200, record.text
    assert {m["technician_id"] for m in record.json()["team"]} == {area.students["ace"][0], area.students["bee"][0]}

    assert (await jobs_of(api, bee)).get(rid) is True
    assert (await jobs_of(api, ace)).get(rid) is False
    # The Data API path reads by the same rule: the helper reads what the lead reads of the request.
    assert data_api_reads(database_url, area.students["bee"][0], rid) == \
        data_api_reads(database_url, area.students["ace"][0], rid) == \
        {"request": 1, "timeline": 5, "photos": 1, "report": 1, "parts": 1, "jobs": 1}
    with as_user(database_url, area.students["bee"][0]) as conn:
        # never the citizen's profile (the lead does not read it either)
        assert conn.execute("select p.id from public.profiles p join public.repair_requests r "
                            "on r.citizen_id = p.id where r.id = %s", [rid]).fetchall() == []


async def test_a_helper_acts_on_nothing(api: httpx.AsyncClient, area: Area, database_url: str) -> None:
    citizen, ace, bee, rid = await job_with_helper(api, area)
    before = snapshot(database_url, rid)
    with psycopg.connect(database_url) as conn:
        offer = conn.execute("select id from public.offers where request_id = %s and status = 'accepted'",
                             [rid]).fetchone()
        part = conn.execute("select id from public.job_parts where request_id = %s", [rid]).fetchone()
    assert offer is not None and part is not None
    photo = {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    attempts = {
        "accept": await api.post(f"/offers/{offer[0]}/accept", headers=bearer(bee)),
        "quality_check": await step(api, bee, rid, "quality_check"),
        "unrepairable": await step(api, bee, rid, "unrepairable", reason="no_parts"),
        "report": await api.put(f"/requests/{rid}/report", json={"hours": 5, "notes": "ซ่อมเองทั้งหมดแล้วเสร็จ",
                                                                 "parts": []}, headers=bearer(bee)),
        "parts": await api.post(f"/requests/{rid}/parts", json={"name": "สายไฟ", "qty": 1, "price_baht": 50},
                                headers=bearer(bee)),
        "after_photo": await api.put(f"/requests/{rid}/after-photos/1", files=photo, headers=bearer(bee)),
        "team": await api.post(f"/requests/{rid}/team", json={"technician_id": area.students["cat"][0],
                                                              "task": "ช่วย"}, headers=bearer(bee)),
        "handover_code": await api.post(f"/requests/{rid}/handover-code", headers=bearer(bee)),
        "part_decision": await api.post(f"/requests/{rid}/parts/{part[0]}/decision", json={"approve": True},
                                        headers=bearer(bee)),
    }
    allowed = {name: r.status_code for name, r in attempts.items() if r.status_code < 400}
    assert allowed == {}, {name: r.text for name, r in attempts.items() if name in allowed}
    # Refused as not the job's student (403), or not found where only the lead's own rows are (their offer)
    assert {name: (r.status_code, r.json()["error"]["code"]) for name, r in attempts.items()} == {
        **{name: (403, "not_assigned") for name in attempts},
        "accept": (404, "not_found"), "handover_code": (404, "not_found"), "part_decision": (404, "not_found")}
    assert snapshot(database_url, rid) == before
    # Their own hours stay theirs to report, and the lead still acts.
    mine = await api.put(f"/requests/{rid}/team/me", json={"hours": 1, "task": "ถอดฝา"}, headers=bearer(bee))
    assert mine.status_code == 204, mine.text
    approved = await api.post(f"/requests/{rid}/parts/{part[0]}/decision", json={"approve": True},
                              headers=bearer(citizen))
    assert approved.status_code == 200, approved.text
    await record_work(api, ace, rid)
    sent = await step(api, ace, rid, "quality_check")
    assert sent.status_code == 200, sent.text
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assert (await step(api, teacher, rid, "done")).status_code == 200
    await confirm_handover(api, citizen, rid)
    # Handing the item back is the lead's (or the teacher's), never the helper's.
    refused = await step(api, bee, rid, "handed_back")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "not_assigned"), refused.text
    assert snapshot(database_url, rid)["status"] == "done"
    assert (await step(api, ace, rid, "handed_back")).status_code == 200


async def test_a_helper_taken_off_or_handed_off_and_another_student_read_nothing(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    _, _, bee, rid = await job_with_helper(api, area)
    cat, _ = await sign_in(api, area.students["cat"][1])
    bee_id, cat_id = area.students["bee"][0], area.students["cat"][0]
    nothing = dict.fromkeys(_DATA_API_READS, 0)
    # Another student of the same college: not on the team, reads nothing (offered the job before ace took it: told
    # only that, 0058).
    other = await api.get(f"/requests/{rid}", headers=bearer(cat))
    assert (other.status_code, list(other.json()), other.json()["error"]["code"]) == (410, ["error"], "offer_taken")
    assert rid not in await jobs_of(api, cat)
    assert data_api_reads(database_url, cat_id, rid) == nothing

    # Handed off (a row kept for their hours, 0048): reads nothing; on the job again: reads it again.
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.job_team set handed_on_at = now() where request_id = %s and technician_id = %s",
                     [rid, bee_id])
    assert (await api.get(f"/requests/{rid}", headers=bearer(bee))).status_code == 404
    assert rid not in await jobs_of(api, bee)
    assert data_api_reads(database_url, bee_id, rid) == nothing
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.job_team set handed_on_at = null where request_id = %s and technician_id = %s",
                     [rid, bee_id])
    assert (await api.get(f"/requests/{rid}", headers=bearer(bee))).status_code == 200

    # A row of a round other than the current one (as when the owner reopened the job since): reads nothing.
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.job_team set round = 2 where request_id = %s and technician_id = %s",
                     [rid, bee_id])
    assert (await api.get(f"/requests/{rid}", headers=bearer(bee))).status_code == 404
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.job_team set round = 1 where request_id = %s and technician_id = %s",
                     [rid, bee_id])

    # Taken off the team: reads nothing, lists nothing, through either path.
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("delete from public.job_team where request_id = %s and technician_id = %s", [rid, bee_id])
    # (bee was offered the job before ace took it: told only that, 0058.)
    gone = await api.get(f"/requests/{rid}", headers=bearer(bee))
    assert (gone.status_code, list(gone.json()), gone.json()["error"]["code"]) == (410, ["error"], "offer_taken")
    assert rid not in await jobs_of(api, bee)
    assert data_api_reads(database_url, bee_id, rid) == nothing
    assert (await api.get(f"/requests/{uuid.uuid4()}", headers=bearer(bee))).status_code == 404
