"""Whose work an after photo or the report is, stamped under the request's lock (audit20 #5, migration 0092): the
id of the timeline event that began the work it was written in (`work_event`, private.work_began), never judged by
the start times of two transactions. The photo's own race: test_audit20_findings. Real PostgreSQL, through the
app's routes; the waits are seen in pg_stat_activity (tests.integration.lock_waits), never slept on."""

import asyncio

import psycopg

from shared.statuses import REASSIGNABLE, RequestStatus
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, assigned_by_teacher, record_work, step
from tests.integration.lock_waits import until_waiting


def test_the_databases_reassignable_is_shareds(database_url: str) -> None:
    """private.work_began (a take back: a move to `offered` from a student's hands) asks private.reassignable(),
    the database's copy of shared.statuses.REASSIGNABLE: kept equal here."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select private.reassignable()::text[]").fetchone()
    assert row is not None
    assert {RequestStatus(s) for s in row[0]} == REASSIGNABLE and len(row[0]) == len(REASSIGNABLE)


async def test_a_report_saved_while_a_reassign_waits_stays_the_former_students_with_their_hours(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """The teacher's reassign of bee's job to ace has begun and waits for ace's profile; bee, still on the job, saves
    the report meanwhile (committed after the reassign's transaction began). It is bee's: after the reassign it is
    not ace's report on the detail (nor counted for ace's check), and bee's hours stay bee's on the round's team."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    ace_id, ace_phone = area.students["ace"]
    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from public.profiles where id = %s for no key update", [ace_id])
        moving = asyncio.create_task(api.post(f"/requests/{rid}/assign", json={"technician_id": ace_id},
                                              headers=bearer(teacher)))
        try:
            await until_waiting(database_url, 1, moving)  # begun, waiting for ace's profile
            saved = await api.put(f"/requests/{rid}/report", json={
                "hours": 2.5, "notes": "ถอดมอเตอร์ออกมาตรวจ ขดลวดไหม้", "parts": []}, headers=bearer(bee))
            assert saved.status_code == 200, saved.text
        finally:
            await holder.rollback()
    moved = await moving
    assert moved.status_code == 200, moved.text

    ace, _ = await sign_in(api, ace_phone)
    detail = (await api.get(f"/requests/{rid}", headers=bearer(ace))).json()
    assert detail["report"]["hours"] == 2.5  # on the record, as the former student's
    assert detail["report_in_round"] is False
    assert {m["code"] for m in detail["quality_check_missing"]} == {"after_photo", "hours", "report"}
    with psycopg.connect(database_url) as conn:
        kept = conn.execute("select role, hours::float from public.job_team where request_id = %s "
                            "and technician_id = %s", [rid, area.students["bee"][0]]).fetchone()
    assert kept == ("helper", 2.5)

    # ace's own work, recorded after the reassign, is ace's: the check takes it.
    await record_work(api, ace, rid, hours=1.0, notes="เปลี่ยนมอเตอร์ใหม่ ใช้งานได้ดี")
    again = (await api.get(f"/requests/{rid}", headers=bearer(ace))).json()
    assert (again["report_in_round"], again["after_photos_in_round"], again["quality_check_missing"]) == (
        True, [0], [])
    assert (await step(api, ace, rid, "quality_check")).status_code == 200


async def test_every_after_photo_and_report_carries_the_work_it_was_written_in(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """The stamp itself: bee's photo and report of the first work carry none (no work began by a change of hands);
    after the teacher's reassign, ace's photo and report carry the reassign's timeline event."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    await record_work(api, bee, rid, hours=2.0)
    with psycopg.connect(database_url) as conn:
        firsts = conn.execute("select (select array_agg(work_event) from public.request_photos "
                              "where request_id = %(id)s and kind = 'after'), "
                              "(select work_event from public.job_reports where request_id = %(id)s)",
                              {"id": rid}).fetchone()
    assert firsts == ([None], None)
    given = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]},
                           headers=bearer(teacher))
    assert given.status_code == 200, given.text
    ace, _ = await sign_in(api, area.students["ace"][1])
    await record_work(api, ace, rid, hours=1.0, idx=1)
    with psycopg.connect(database_url) as conn:
        reassign = conn.execute("select max(id) from public.status_events where request_id = %s "
                                "and note_code = 'reassigned'", [rid]).fetchone()
        stamps = conn.execute("select (select array_agg(work_event order by idx) from public.request_photos "
                              "where request_id = %(id)s and kind = 'after'), "
                              "(select work_event from public.job_reports where request_id = %(id)s)",
                              {"id": rid}).fetchone()
    assert reassign is not None and reassign[0] is not None
    assert stamps == ([None, reassign[0]], reassign[0])
