"""Whose work an after photo or the report is, stamped under the request's lock (audit20 #5, migration 0092): the
id of the timeline event that began the work it was written in (`work_event`, private.work_began), never judged by
the start times of two transactions. The photo's own race: test_audit20_findings. Real PostgreSQL, through the
app's routes; the waits are seen in pg_stat_activity (tests.integration.lock_waits), never slept on."""

from pathlib import Path

import psycopg

from backend.local_postgres import LocalPostgres
from backend.migrate import discover, migrate
from backend.seed import seed
from backend.settings import PROJECT_ROOT
from shared.statuses import REASSIGNABLE, RequestStatus
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, assigned_by_teacher, record_work, step
from tests.integration.lock_waits import reassign_waiting


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
    async with reassign_waiting(api, database_url, teacher, rid, ace_id) as moving:
        saved = await api.put(f"/requests/{rid}/report", json={
            "hours": 2.5, "notes": "ถอดมอเตอร์ออกมาตรวจ ขดลวดไหม้", "parts": []}, headers=bearer(bee))
        assert saved.status_code == 200, saved.text
    moved = moving.result()
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


# --- Existing rows keep their meaning (the migration's backfill) ---------------------------------------------------

_BACKFILL_DB = "fixit_work_stamp_backfill"
_REASSIGN_EVENT = """
    insert into public.status_events (request_id, actor, from_status, to_status, note, note_code, created_at)
    values (%s, 'supervisor', 'repairing', 'repairing', '', 'reassigned', now() + %s::interval) returning id"""
_AFTER_PHOTO = """
    insert into public.request_photos (request_id, kind, idx, storage_path, thumb_path, content_type, width, height,
                                       bytes, created_at)
    values (%s, 'after', %s, 'old/' || %s || '.jpg', 'old/' || %s || '.thumb.jpg', 'image/jpeg', 8, 8, 10,
            now() + %s::interval)"""


def test_rows_written_before_the_stamp_keep_the_work_their_times_gave_them(
        local_pg: LocalPostgres, tmp_path: Path) -> None:
    """A database migrated up to 0091 holds a job's after photos and report written around a reassign, told apart by
    time as until now; migration 0092 stamps each with the work that comparison gave it (an earlier work's photo is
    not the work now on the job, the later one and the report are), and the report's `updated_at` does not move."""
    local_pg.drop_database(_BACKFILL_DB)
    url = local_pg.url_for(_BACKFILL_DB)
    before = tmp_path / "migrations"
    before.mkdir()
    for migration in discover():
        if migration.version < "0092":
            (before / migration.path.name).write_bytes(migration.path.read_bytes())
    migrate(url, before)
    seed(url, PROJECT_ROOT / "assets" / "seed", demo=True)
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "select r.id from public.repair_requests r where not exists (select 1 from public.request_photos p "
            "where p.request_id = r.id and p.kind = 'after') and not exists (select 1 from public.job_reports j "
            "where j.request_id = r.id) order by r.id limit 1").fetchone()
        assert row is not None
        rid = row[0]
        conn.execute(_AFTER_PHOTO, [rid, 0, 0, 0, "1 day"])  # before the reassign: the former student's
        reassign = conn.execute(_REASSIGN_EVENT, [rid, "2 days"]).fetchone()
        assert reassign is not None
        conn.execute(_AFTER_PHOTO, [rid, 1, 1, 1, "3 days"])  # after it: the work now on the job
        conn.execute("insert into public.job_reports (request_id, hours, notes, updated_at) "
                     "values (%s, 1.5, 'เปลี่ยนมอเตอร์', now() + interval '3 days')", [rid])
        saved_at = conn.execute("select updated_at from public.job_reports where request_id = %s", [rid]).fetchone()
        earlier = conn.execute(
            "select max(e.id) from public.status_events e where e.request_id = %s and e.id < %s "
            "and ((e.from_status = 'handed_back' and e.to_status = 'submitted') or e.note_code = 'reassigned' "
            "or (e.to_status = 'offered' and e.from_status in ('accepted', 'diagnosing', 'repairing')))",
            [rid, reassign[0]]).fetchone()
    assert earlier is not None

    migrate(url)  # 0092 and whatever follows it
    with psycopg.connect(url) as conn:
        photos = conn.execute("select idx, work_event from public.request_photos where request_id = %s "
                              "and kind = 'after' order by idx", [rid]).fetchall()
        report = conn.execute("select work_event, updated_at from public.job_reports where request_id = %s",
                              [rid]).fetchone()
        now_on = conn.execute("select event from private.work_began(%s)", [rid]).fetchone()
    assert now_on == (reassign[0],)
    assert photos == [(0, earlier[0]), (1, reassign[0])]
    assert saved_at is not None and report == (reassign[0], saved_at[0])
    local_pg.drop_database(_BACKFILL_DB)
