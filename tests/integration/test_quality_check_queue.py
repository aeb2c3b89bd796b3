"""The teacher's quality-check queue (`public.college_quality_check_queue`, migration 0026) reads as the owner to
walk an index the row-level policy would not let it use: it must answer exactly the college's supervisors and
admins, with every job waiting for QC, however old, and nobody else."""

import psycopg
import pytest

from tests.integration.builders import as_user
from tests.integration.dispatch_area import AppClock, Area, submit

_QUEUE = "select id, status, updated_at from public.college_quality_check_queue(%s)"


async def test_the_queue_is_every_waiting_job_of_the_college_for_its_supervisor_only(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    ids = [(await submit(api))[1]["id"] for _ in range(3)]
    with psycopg.connect(database_url, autocommit=True) as owner:
        # Two wait for QC, the first since before the second (each its own transaction: its own now()).
        for rid in ids[:2]:
            owner.execute("update public.repair_requests set status = 'quality_check', college_id = %s "
                          "where id = %s", [area.near, rid])
    with as_user(database_url, area.students["teacher"][0]) as conn:
        queue = conn.execute(_QUEUE, [area.near]).fetchall()
        assert [str(r["id"]) for r in queue] == ids[:2]  # longest waiting first
        assert {r["status"] for r in queue} == {"quality_check"}
        # The same jobs the read policy shows her, asked the slow way.
        policy = conn.execute("select id from public.repair_requests where college_id = %s "
                              "and status = 'quality_check'", [area.near]).fetchall()
        assert {r["id"] for r in policy} == {r["id"] for r in queue}
        assert conn.execute(_QUEUE, [area.far]).fetchall() == []  # not her college
    with as_user(database_url, area.students["ace"][0]) as conn:  # a student of that college
        assert conn.execute(_QUEUE, [area.near]).fetchall() == []
    with as_user(database_url, None) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(_QUEUE, [area.near])  # nobody signed in may not even call it
