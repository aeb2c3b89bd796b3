"""Audit 8: who may act on a job, checked where the earlier attack tests did not look.

A teacher is staff of one college; being able to *see* a request for another reason (they asked for the repair
themselves before they became a teacher, or held the job as a student before) gives them no right to run it."""

import psycopg

from tests.helpers import bearer
from tests.integration.dispatch_area import AppClock, Area, accepted_job


async def test_a_teacher_of_another_college_cannot_reassign_a_job_they_can_see_as_its_owner(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    citizen, _, rid = await accepted_job(api, area)  # ace (near college) holds it
    owner_id = (await api.get("/me", headers=bearer(citizen))).json()["id"]
    with psycopg.connect(database_url, autocommit=True) as conn:  # the owner later becomes a teacher elsewhere
        conn.execute("update public.profiles set role = 'supervisor', college_id = %s where id = %s",
                     [area.far, owner_id])
    taken = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["bee"][0]},
                           headers=bearer(citizen))
    assert taken.status_code == 403, taken.text
    assert taken.json()["error"]["code"] == "not_your_college"
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select technician_id::text from public.repair_requests where id = %s", [rid]).fetchone()
    assert row is not None and row[0] == area.students["ace"][0]  # still ace's job
