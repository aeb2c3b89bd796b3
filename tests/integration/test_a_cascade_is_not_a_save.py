"""A cascade is not a save (audit21 #1, migration 0096). An account's deletion keeps what the person left behind
without them (0012: foreign keys ON DELETE SET NULL), and PostgreSQL carries each SET NULL out as an UPDATE of the
rows: no row trigger may take it for a person's act. The former student's report and after photos keep the work
they were written in and their time; their finished jobs keep their place in the lists, gain no audit row in the
deleting person's name and are not announced as taken back; a hand back is not audited again when its confirmer's
account goes. Each through the real API on the real database (DELETE /me, the way every deletion path ends)."""

import json
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg.rows import dict_row

from tests.helpers import bearer, sign_in
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import (
    AppClock,
    Area,
    assigned_by_teacher,
    handed_back_job,
    record_work,
    repaired_job,
    step,
)


def _one(database_url: str, query: str, params: list[Any]) -> dict[str, Any]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        row = conn.execute(query, params).fetchone()
    assert row is not None
    return row


def _report(database_url: str, rid: str) -> dict[str, Any]:
    return _one(database_url, "select technician_id, work_event, updated_at, hours::float as hours from "
                "public.job_reports where request_id = %s", [rid])


def _after_photo(database_url: str, rid: str, idx: int) -> dict[str, Any]:
    return _one(database_url, "select uploaded_by, work_event, storage_path from public.request_photos "
                "where request_id = %s and kind = 'after' and idx = %s", [rid, idx])


def _heard(listener: psycopg.Connection[Any], database_url: str, rid: str) -> Iterator[dict[str, Any]]:
    """The `fixit_events` about `rid` the listener heard, up to a marker sent after every change before (one
    connection's notifications arrive in commit order: nothing committed before the marker comes after it)."""
    marker = str(uuid.uuid4())
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("select pg_notify('fixit_events', %s)", [json.dumps({"marker": marker})])
    for note in listener.notifies(timeout=10):
        event = json.loads(note.payload)
        if event.get("marker") == marker:
            return
        if event.get("request_id") == rid:
            yield event
    raise AssertionError("the marker sent after the deletion was never heard")


async def test_a_former_students_report_and_photo_keep_their_work_when_the_account_goes(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """bee repaired, photographed and reported; the teacher reassigned the job to ace. bee's deletion takes bee
    off the report and the photo (0012: they stay, without the student) and nothing else: the report's work
    (`work_event`, 0092) and its last save (`updated_at`) are bee's, and so is the photo's work. The report is
    stamped when its student saves it: ace's save makes it ace's work."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    await record_work(api, bee, rid, hours=2.0, notes="ถอดมอเตอร์ออกมาตรวจ ขดลวดไหม้")
    given = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]},
                           headers=bearer(teacher))
    assert given.status_code == 200, given.text
    report, photo = _report(database_url, rid), _after_photo(database_url, rid, 0)
    assert str(report["technician_id"]) == str(photo["uploaded_by"]) == area.students["bee"][0]

    deleted = await api.delete("/me", params={"confirm": "true"}, headers=bearer(bee))
    assert deleted.status_code == 204, deleted.text

    assert _report(database_url, rid) == {**report, "technician_id": None}
    assert _after_photo(database_url, rid, 0) == {**photo, "uploaded_by": None}

    ace, _ = await sign_in(api, area.students["ace"][1])
    photo_file = {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    assert (await api.put(f"/requests/{rid}/after-photos/1", files=photo_file,
                          headers=bearer(ace))).status_code == 201
    saved = await api.put(f"/requests/{rid}/report", json={"hours": 1.0, "notes": "เปลี่ยนขดลวดใหม่", "parts": []},
                          headers=bearer(ace))
    assert saved.status_code == 200, saved.text
    began = _one(database_url, "select event from private.work_began(%s)", [rid])["event"]
    resaved = _report(database_url, rid)
    assert began is not None and report["work_event"] != began
    assert (str(resaved["technician_id"]), resaved["work_event"], resaved["hours"]) == (
        area.students["ace"][0], began, 1.0)
    assert resaved["updated_at"] > report["updated_at"]
    assert _after_photo(database_url, rid, 1)["work_event"] == began
    checked = await step(api, ace, rid, "quality_check")
    assert checked.status_code == 200, checked.text


async def test_a_former_students_finished_job_is_not_changed_in_their_name(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """bee's job is done (not in hand: the deletion goes ahead). bee's deletion takes bee off it: the job keeps
    its last change (the lists' order and cursors), the audit trail gains no "request.assignment" row for it in
    bee's name (the deletion is audited once, `account.delete`), and nobody hears it taken back from its lead."""
    api, _ = app_and_clock
    _, _, bee, rid = await repaired_job(api, area, "bee")
    query = ("select r.technician_id, r.status, r.updated_at, (select count(*) from public.audit_events a "
             "where a.target_id = r.id and a.action = 'request.assignment') as assignments "
             "from public.repair_requests r where r.id = %s")
    before = _one(database_url, query, [rid])
    assert (str(before["technician_id"]), before["status"]) == (area.students["bee"][0], "done")

    with psycopg.connect(database_url, autocommit=True) as listener:
        listener.execute("listen fixit_events")
        deleted = await api.delete("/me", params={"confirm": "true"}, headers=bearer(bee))
        assert deleted.status_code == 204, deleted.text
        heard = list(_heard(listener, database_url, rid))

    assert _one(database_url, query, [rid]) == {**before, "technician_id": None}
    assert [e for e in heard if "lead_left" in e] == []
    audited = _one(database_url, "select count(*) as n from public.audit_events where action = 'account.delete' "
                   "and target_id = %s", [area.students["bee"][0]])
    assert audited == {"n": 1}


async def test_a_hand_back_is_not_audited_again_when_its_confirmer_is_deleted(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """The owner confirmed they have the item back (job_handovers.confirmed_by); their account's deletion keeps
    the hand back without them, and the trail keeps the one "request.handover" row it had."""
    api, _ = app_and_clock
    citizen, rid = await handed_back_job(api, area)
    query = ("select h.method, h.confirmed_by, h.confirmed_at, (select count(*) from public.audit_events a "
             "where a.target_id = h.request_id and a.action = 'request.handover') as audited "
             "from public.job_handovers h where h.request_id = %s")
    before = _one(database_url, query, [rid])
    assert before["confirmed_by"] is not None and before["audited"] >= 1

    deleted = await api.delete("/me", params={"confirm": "true"}, headers=bearer(citizen))
    assert deleted.status_code == 204, deleted.text

    assert _one(database_url, query, [rid]) == {**before, "confirmed_by": None}


async def test_the_service_role_still_writes_a_request_and_moves_its_last_change(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """The request's triggers ask `private.takes_a_person_off_only` as whoever writes the row: the service role
    may (0002: Supabase's dashboard, PostgREST with the service key). Its write goes through and is a change of the
    request (`updated_at` moves, the audit trail has it); only a deletion's taking a person off is left alone."""
    api, _ = app_and_clock
    _, _, _, rid = await repaired_job(api, area, "bee")
    query = ("select r.updated_at, r.college_id, (select count(*) from public.audit_events a "
             "where a.target_id = r.id and a.action = 'request.assignment') as assignments "
             "from public.repair_requests r where r.id = %s")
    before = _one(database_url, query, [rid])
    with psycopg.connect(database_url) as conn, conn.transaction():
        conn.execute("set local role service_role")
        conn.execute("update public.repair_requests set college_id = %s where id = %s", [area.far, rid])
    after = _one(database_url, query, [rid])
    assert (after["college_id"], after["assignments"]) == (area.far, before["assignments"] + 1)
    assert after["updated_at"] > before["updated_at"]
