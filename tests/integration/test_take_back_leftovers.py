"""What a take back (or a direct reassign) of a job under way leaves behind, and a part proposed by mistake
(known18be): the former student's hours, photos and after photos stay theirs, on the record, and never pass as the
next student's; a part still waiting for the citizen's answer may be withdrawn by whoever proposed it (or the
job's teacher), and the citizen is told. Driven on a real PostgreSQL through the app's routes."""

import csv
import io
import uuid
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from backend.services import credit
from tests.helpers import bearer, sign_in
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import (
    AppClock,
    Area,
    assigned_by_teacher,
    kinds_told,
    last_notification,
    record_work,
    step,
)


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
    await record_work(api, ace, rid, hours=1.0, notes="เปลี่ยนมอเตอร์ใหม่ ใช้งานได้", idx=1)
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

    await record_work(api, ace, rid, hours=1.0, notes="เปลี่ยนมอเตอร์ใหม่ ใช้งานได้", idx=1)
    assert (await step(api, ace, rid, "quality_check")).status_code == 200


async def test_a_part_proposed_by_mistake_is_withdrawn_while_it_waits_and_the_citizen_is_told(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """bee proposes three parts; the citizen approves the first. bee withdraws the second, proposed by mistake: it
    is withdrawn (by hand, not by the job ending), the citizen is told in one message naming it, and can no longer
    answer it. The answered one cannot be withdrawn (a code and Thai/English text); another student cannot withdraw
    bee's part, nor the citizen; the job's teacher can; a retry is answered as the first."""
    api, _ = app_and_clock
    citizen, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    assert (await step(api, bee, rid, "diagnosing")).status_code == 200
    parts = []
    for name in ("มอเตอร์พัดลม", "สายไฟผิดรุ่น", "คาปาซิเตอร์"):
        proposed = await api.post(f"/requests/{rid}/parts", json={"name": name, "qty": 1, "price_baht": 350},
                                  headers=bearer(bee))
        assert proposed.status_code == 201, proposed.text
        parts.append(proposed.json()["id"])
    assert (await api.post(f"/requests/{rid}/parts/{parts[0]}/decision", json={"approve": True},
                           headers=bearer(citizen))).status_code == 200
    before = last_notification(database_url)

    ace, _ = await sign_in(api, area.students["ace"][1])
    for stranger in (ace, citizen):
        refused = await api.post(f"/requests/{rid}/parts/{parts[1]}/withdraw", headers=bearer(stranger))
        assert refused.status_code in (403, 404), refused.text
    withdrawn = await api.post(f"/requests/{rid}/parts/{parts[1]}/withdraw", headers=bearer(bee))
    assert withdrawn.status_code == 200, withdrawn.text
    assert (withdrawn.json()["status"], withdrawn.json()["withdrawn_by_hand"]) == ("withdrawn", True)
    again = await api.post(f"/requests/{rid}/parts/{parts[1]}/withdraw", headers=bearer(bee))
    assert again.status_code == 200 and again.json()["status"] == "withdrawn", again.text

    answered = await api.post(f"/requests/{rid}/parts/{parts[0]}/withdraw", headers=bearer(bee))
    assert answered.status_code == 409, answered.text
    error = answered.json()["error"]
    assert error["code"] == "part_answered" and error["message_th"] and error["message_en"], error
    late = await api.post(f"/requests/{rid}/parts/{parts[1]}/decision", json={"approve": True},
                          headers=bearer(citizen))
    assert late.status_code == 409, late.text

    by_teacher = await api.post(f"/requests/{rid}/parts/{parts[2]}/withdraw", headers=bearer(teacher))
    assert by_teacher.status_code == 200, by_teacher.text
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("select id::text, status from public.job_parts where request_id = %s", [rid]).fetchall()
    assert dict(rows) == {parts[0]: "approved", parts[1]: "withdrawn", parts[2]: "withdrawn"}
    assert kinds_told(database_url, rid, role="citizen", since_id=before) == ["part_withdrawn", "part_withdrawn"]
    inbox = (await api.get("/me/notifications", headers=bearer(citizen))).json()["items"]
    told = [n for n in inbox if n["kind"] == "part_withdrawn"]
    assert any("สายไฟผิดรุ่น" in n["body"] for n in told), told
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(citizen))).json()
    assert {p["id"]: p["withdrawn_by_hand"] for p in record["parts"]} == {
        parts[0]: False, parts[1]: True, parts[2]: True}


async def test_the_next_students_after_photos_go_beside_the_former_students_never_over_them(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """bee's after photo 0 is bee's work, on the record (the timeline's photos, bee's portfolio): ace, given the job
    after the take back, cannot replace it (409 photo_earlier_work, nothing stored), and adds their own beside it:
    up to five of their own (shared.photos.MAX_PHOTOS_PER_REQUEST per student's work), each of which they may
    replace, while bee's stays as it was."""
    api, _ = app_and_clock
    _, teacher, rid = await _repairing_taken_back_from_bee(api, area)
    ace, _ = await sign_in(api, area.students["ace"][1])
    for to in ("diagnosing", "repairing"):
        assert (await step(api, ace, rid, to)).status_code == 200

    def after_rows() -> dict[int, tuple[str, str]]:
        with psycopg.connect(database_url) as conn:
            rows = conn.execute("select idx, id::text, uploaded_by::text from public.request_photos "
                                "where request_id = %s and kind = 'after'", [rid]).fetchall()
        return {int(r[0]): (str(r[1]), str(r[2])) for r in rows}

    bees = after_rows()
    assert list(bees) == [0] and bees[0][1] == area.students["bee"][0]

    def photo() -> dict[str, Any]:
        return {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}

    over = await api.put(f"/requests/{rid}/after-photos/0", files=photo(), headers=bearer(ace))
    assert over.status_code == 409, over.text
    error = over.json()["error"]
    assert error["code"] == "photo_earlier_work" and error["message_th"] and error["message_en"], error
    assert after_rows() == bees
    for idx in range(1, 6):
        added = await api.put(f"/requests/{rid}/after-photos/{idx}", files=photo(), headers=bearer(ace))
        assert added.status_code == 201, added.text
    sixth = await api.put(f"/requests/{rid}/after-photos/6", files=photo(), headers=bearer(ace))
    assert sixth.status_code == 400 and sixth.json()["error"]["code"] == "photo_too_many", sixth.text
    again = await api.put(f"/requests/{rid}/after-photos/3", files=photo(), headers=bearer(ace))
    assert again.status_code == 201, again.text  # their own: replaced, as before
    rows = after_rows()
    assert rows[0] == bees[0] and sorted(rows) == [0, 1, 2, 3, 4, 5]
    assert {who for i, (_, who) in rows.items() if i > 0} == {area.students["ace"][0]}
    detail = (await api.get(f"/requests/{rid}", headers=bearer(teacher))).json()
    assert [p["idx"] for p in detail["photos"] if p["kind"] == "after"] == [0, 1, 2, 3, 4, 5]
    assert detail["after_photos_in_round"] == [1, 2, 3, 4, 5]
    shown = await api.get(f"/requests/{rid}/photos/after/0", headers=bearer(teacher))
    assert shown.status_code == 200 and shown.content  # bee's, still there to see


async def test_giving_a_job_to_the_student_who_has_it_leaves_their_work_counting(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """A teacher who picks the same student again in the assign list changes nothing: no reassign on the timeline,
    and bee's after photo and report still count for bee's check (a reassign starts new work only when the job
    changes hands)."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    await record_work(api, bee, rid)
    same = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["bee"][0]},
                          headers=bearer(teacher))
    assert same.status_code == 200, same.text
    assert "reassigned" not in [e["note_code"] for e in same.json()["timeline"]]
    assert same.json()["after_photos_in_round"] == [0]
    assert (await step(api, bee, rid, "quality_check")).status_code == 200


async def test_each_students_portfolio_shows_their_own_after_photo_of_a_job_that_changed_hands(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """The printed portfolio shows one after photo per job: for ace, who finished the job bee began, ace's own
    (index 1), not bee's (index 0, the job's first); for bee, bee's."""
    api, _ = app_and_clock
    _, _, rid = await _repairing_taken_back_from_bee(api, area)
    ace, _ = await sign_in(api, area.students["ace"][1])
    for to in ("diagnosing", "repairing"):
        assert (await step(api, ace, rid, to)).status_code == 200
    await record_work(api, ace, rid, idx=1)
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("select uploaded_by::text, thumb_path from public.request_photos "
                            "where request_id = %s and kind = 'after'", [rid]).fetchall()
    thumbs: dict[str, str] = {str(r[0]): str(r[1]) for r in rows}
    async with pool.connection() as owner:
        for name in ("ace", "bee"):
            student = uuid.UUID(area.students[name][0])
            paths = await credit.portfolio_photo_paths(owner, [uuid.UUID(rid)], student)
            after = [p["thumb_path"] for p in paths if p["kind"] == "after"]
            assert after == [thumbs[str(student)]], name
