"""What a take back (or a direct reassign) of a job under way leaves behind, and a part proposed by mistake
(known18be): the former student's hours, photos and after photos stay theirs, on the record, and never pass as the
next student's; a part still waiting for the citizen's answer may be withdrawn by whoever proposed it (or the
job's teacher), and the citizen is told. Driven on a real PostgreSQL through the app's routes."""

import csv
import io
from typing import Any

import psycopg

from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, assigned_by_teacher, record_work, step


async def _repairing_taken_back_from_bee(api: Any, area: Area) -> tuple[str, str, str]:
    """bee repairs an electrical job the teacher gave them, with an after photo and a 2-hour report; the teacher
    takes it back from `repairing` and gives it to ace. Returns (the citizen's, the teacher's token, the request)."""
    citizen, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    await record_work(api, bee, rid, hours=2.0, notes="ถอดพัดลมออกมาตรวจ มอเตอร์ไหม้")
    taken = await step(api, teacher, rid, "offered", note="บีลาออกแล้ว")
    assert taken.status_code == 200, taken.text
    given = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]},
                           headers=bearer(teacher))
    assert given.status_code == 200, given.text
    return citizen, teacher, rid


def _jobs_csv_row(content: bytes, reference: str) -> dict[str, str]:
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    return next(r for r in rows if r["Reference"] == reference)


async def test_the_college_job_list_shows_the_hours_of_the_student_holding_the_job(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """After the take back the job list's hours are not bee's 2 hours (they stay bee's, on the team and in their
    credit): ace has reported nothing yet, so none; once ace reports, ace's."""
    api, _ = app_and_clock
    _, teacher, rid = await _repairing_taken_back_from_bee(api, area)
    detail = (await api.get(f"/requests/{rid}", headers=bearer(teacher))).json()
    listed = await api.get("/supervisor/jobs.csv", params={"lang": "en"}, headers=bearer(teacher))
    assert listed.status_code == 200, listed.text
    row = _jobs_csv_row(listed.content, detail["reference"])
    assert (row["Student technician"], row["Hours worked"]) == ("เอ เก่งมาก", ""), row
    with psycopg.connect(database_url) as conn:  # bee's hours stay bee's, on the round's team
        kept = conn.execute("select hours::float from public.job_team where request_id = %s and technician_id = %s",
                            [rid, area.students["bee"][0]]).fetchone()
    assert kept == (2.0,)

    ace, _ = await sign_in(api, area.students["ace"][1])
    for to in ("diagnosing", "repairing"):
        assert (await step(api, ace, rid, to)).status_code == 200
    await record_work(api, ace, rid, hours=1.0, notes="เปลี่ยนมอเตอร์ใหม่ ใช้งานได้")
    listed = await api.get("/supervisor/jobs.csv", params={"lang": "en"}, headers=bearer(teacher))
    assert _jobs_csv_row(listed.content, detail["reference"])["Hours worked"] == "1"


async def test_a_direct_reassign_leaves_the_former_students_after_photos_out_of_the_next_students_check(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """The teacher moves a job bee is repairing straight to ace (a reassign, no take back): bee's after photo and
    report stay on the record but are bee's work, so ace may not send the job to the check on them, as after a take
    back (the one rule, credit.WORK_BEGAN_SQL); with their own, ace may."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    await record_work(api, bee, rid, hours=2.0, notes="ถอดพัดลมออกมาตรวจ มอเตอร์ไหม้")
    moved = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]},
                           headers=bearer(teacher))
    assert moved.status_code == 200, moved.text
    ace, _ = await sign_in(api, area.students["ace"][1])
    detail = (await api.get(f"/requests/{rid}", headers=bearer(ace))).json()
    assert detail["status"] == "repairing"
    assert [p["idx"] for p in detail["photos"] if p["kind"] == "after"] == [0]  # bee's stays on the record
    assert detail["after_photos_in_round"] == []
    assert {m["code"] for m in detail["quality_check_missing"]} >= {"after_photo", "report"}
    refused = await step(api, ace, rid, "quality_check")
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "quality_check_incomplete"
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select status::text from public.repair_requests where id = %s", [rid]).fetchone()
    assert row == ("repairing",)

    await record_work(api, ace, rid, hours=1.0, notes="เปลี่ยนมอเตอร์ใหม่ ใช้งานได้")
    assert (await step(api, ace, rid, "quality_check")).status_code == 200
