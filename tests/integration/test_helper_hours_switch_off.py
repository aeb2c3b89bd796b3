"""A helper's hours against their teacher's switch-off at the same moment (credit._student_of reads the roster
without a lock, and says why): the report neither waits for the switch-off nor is spoiled by it. Made while the
switch-off is not yet committed, it is a report from before it, and kept; made after, it is refused and changes
nothing."""

import uuid

import httpx
import psycopg
from psycopg.rows import dict_row

from backend.services import college_admin
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import Area, accepted_job, work_to_quality_check
from tests.integration.wall_clock import wall


def hours_of(database_url: str, request_id: str, student: str) -> object:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select hours::float from public.job_team where request_id = %s and technician_id = %s",
                           [request_id, student]).fetchone()
    assert row is not None
    return row[0]


async def test_a_helpers_report_during_a_switch_off_is_kept_and_one_after_it_is_refused(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    _, ace, rid = await accepted_job(api, area, "ace")
    bee_id, bee_phone = area.students["bee"]
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    joined = await api.post(f"/requests/{rid}/team", json={"technician_id": bee_id, "task": "ช่วยถอดฝา"},
                            headers=bearer(ace))
    assert joined.status_code == 204, joined.text
    await work_to_quality_check(api, ace, rid)
    done = await api.post(f"/requests/{rid}/status", json={"to_status": "done"}, headers=bearer(teacher))
    assert done.status_code == 200, done.text  # past the work: the helper may be switched off, hours not approved
    bee, _ = await sign_in(api, bee_phone)

    # The teacher's switch-off, its transaction still open (the profile locked, takes_jobs cleared, uncommitted).
    async with (await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as conn,
                conn.transaction()):
        await conn.execute("select set_config('fixit.actor', 'supervisor', true)")
        await college_admin.update_student(conn, area.near, uuid.UUID(bee_id), False, None, *wall())
        during = await api.put(f"/requests/{rid}/team/me", json={"hours": 1.5, "task": "ถอดฝา"},
                               headers=bearer(bee))
        assert during.status_code == 204, during.text  # answered without waiting for the switch-off
    # Committed after the report: the report came first, its hours stay for the teacher to approve.
    assert hours_of(database_url, rid, bee_id) == 1.5
    with psycopg.connect(database_url) as check:
        assert check.execute("select takes_jobs from public.profiles where id = %s", [bee_id]).fetchone() == (False,)

    after = await api.put(f"/requests/{rid}/team/me", json={"hours": 3, "task": "ถอดฝาและล้าง"}, headers=bearer(bee))
    assert after.status_code == 403 and after.json()["error"]["code"] == "team_member_left", after.text
    assert hours_of(database_url, rid, bee_id) == 1.5
