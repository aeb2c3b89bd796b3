"""The citizen's phone and exact address reach the student on their job only while the job needs them (review
audit15a): not after the citizen cancelled it, nor after it was handed back, through the app's routes or through
Supabase's Data API (`authenticated` with the student's claims: RLS is the only guard); and the student keeps what
their record of the work needs. Real PostgreSQL, the app's routes through httpx."""

from datetime import timedelta
from typing import Any

import httpx
import psycopg

from shared.statuses import CONTACT_OPEN, RequestStatus
from tests.helpers import bearer, sign_in
from tests.integration.builders import as_user
from tests.integration.dispatch_area import AppClock, Area, accepted_job, handed_back_job

# What a student is given of the citizen once they accept a job, and only for as long as the job needs it.
_CONTACT = ("contact_phone", "address")


def contact_through_api(detail: httpx.Response) -> dict[str, Any]:
    """The citizen's phone and exact address as the reader's GET /requests/{id} shows them (none when not found)."""
    if detail.status_code == 404:
        return {}
    assert detail.status_code == 200, detail.text
    body = detail.json()
    return {k: body[k] for k in _CONTACT if body[k]}


def contact_through_data_api(database_url: str, user_id: str, rid: str) -> dict[str, Any]:
    """The same through Supabase's Data API (`authenticated`, RLS only)."""
    with as_user(database_url, user_id) as conn:
        row = conn.execute("select contact_phone, address from public.repair_requests where id = %s",
                           [rid]).fetchone()
    return {k: v for k, v in (row or {}).items() if v}


async def test_a_cancelled_jobs_student_no_longer_reads_the_citizens_phone_or_address(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    citizen, ace, rid = await accepted_job(api, area, "ace")
    # While the job is theirs, the student is given the contact (the product's rule: after accepting).
    assert contact_through_api(await api.get(f"/requests/{rid}", headers=bearer(ace)))["contact_phone"]
    cancelled = await api.post(f"/requests/{rid}/cancel", json={"note": "ซ่อมเองได้แล้ว"}, headers=bearer(citizen))
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    # The citizen withdrew: the student has no job with them any more, so no reason to hold their phone or home.
    assert contact_through_api(await api.get(f"/requests/{rid}", headers=bearer(ace))) == {}
    assert contact_through_data_api(database_url, area.students["ace"][0], rid) == {}


async def test_a_closed_jobs_student_no_longer_reads_the_citizens_phone_or_address(
    app_and_clock: AppClock, area: Area, database_url: str,
) -> None:
    api, clock = app_and_clock
    _, rid = await handed_back_job(api, area)
    bee, _ = await sign_in(api, area.students["bee"][1])
    clock.now += timedelta(days=30)  # long after the 7 days in which the owner may reopen it
    assert (await api.get(f"/requests/{rid}", headers=bearer(bee))).json()["status"] == "handed_back"
    assert contact_through_api(await api.get(f"/requests/{rid}", headers=bearer(bee))) == {}
    assert contact_through_data_api(database_url, area.students["bee"][0], rid) == {}


async def test_the_student_keeps_their_record_of_a_job_that_is_over(
    app_and_clock: AppClock, area: Area, database_url: str,
) -> None:
    api, clock = app_and_clock
    _, rid = await handed_back_job(api, area)
    bee, _ = await sign_in(api, area.students["bee"][1])
    clock.now += timedelta(days=30)
    detail = await api.get(f"/requests/{rid}", headers=bearer(bee))
    assert detail.status_code == 200, detail.text
    body = detail.json()
    # The job, its category and area, and its timeline stay theirs; the place is no nearer than an area (0.1 degree).
    assert body["category_code"] and body["province"] and body["timeline"]
    assert (body["lat"], body["lon"]) == (round(body["lat"], 1), round(body["lon"], 1))
    record = await api.get(f"/requests/{rid}/record", headers=bearer(bee))
    assert record.status_code == 200, record.text
    assert area.students["bee"][0] in {member["technician_id"] for member in record.json()["team"]}
    # The college's teacher still reads the whole request (the institution keeps its contact with the owner).
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assert contact_through_api(await api.get(f"/requests/{rid}", headers=bearer(teacher)))["contact_phone"]
    assert contact_through_data_api(database_url, area.students["teacher"][0], rid)["contact_phone"]


def test_the_databases_statuses_open_to_contact_are_shareds(database_url: str) -> None:
    """The rule is the database's (the row's policy), so the set is written in SQL too: kept equal here."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select private.contact_open()::text[]").fetchone()
    assert row is not None
    assert {RequestStatus(s) for s in row[0]} == CONTACT_OPEN and len(row[0]) == len(CONTACT_OPEN)
