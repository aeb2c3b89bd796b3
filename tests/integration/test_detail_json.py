"""GET /requests/{id} as one statement whose data fields PostgreSQL writes (issue 15: request_detail_json) against
the row form it replaced on that route (request_detail, which the write routes still answer through the response
model): for each reader of each kind of job, the bytes the route sends equal the service's, validate against
RequestDetail, carry every field (null, not missing), parse to the same values as the row form read in the same
transaction with the session's TimeZone in Bangkok, and parse in the app. RLS still decides who reads it."""

import json
import uuid
from datetime import datetime
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from pydantic import BaseModel

from backend.app import create_app
from backend.errors import ApiError
from backend.services.request_detail import request_detail, request_detail_json
from backend.settings import Settings
from mobile import models
from shared.wire import Photo, RequestDetail, StatusEvent
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft, jpeg_with_gps
from tests.integration.dispatch_area import (
    HOME,
    AppClock,
    Area,
    accepted_job,
    assigned_to_bee,
    confirm_handover,
    handed_back_job,
    record_work,
    submit,
    work_to_quality_check,
)

Conn = AsyncConnection[DictRow]
AWKWARD = 'พัดลม "ตัวเก่า" \\ ชั้น 2'


async def _both(database_url: str, user_id: str, request_id: str, now: datetime) -> tuple[dict[str, Any], bytes]:
    """The row form and the JSON form in one transaction as this user, the session's clock in Bangkok (UTC+7)."""
    async with (await AsyncConnection.connect(database_url, row_factory=dict_row, autocommit=True) as conn,
                conn.transaction(force_rollback=True)):
        await conn.execute(
            "select set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true), "
            "set_config('TimeZone', 'Asia/Bangkok', true)",
            [json.dumps({"sub": user_id, "role": "authenticated"})],
        )
        rid = uuid.UUID(request_id)
        return await request_detail(conn, rid, now), await request_detail_json(conn, rid, now)


async def _not_found(database_url: str, user_id: str, request_id: str, now: datetime) -> None:
    """Both forms refuse this reader the request: 404, no hint that it exists."""
    async with (await AsyncConnection.connect(database_url, row_factory=dict_row, autocommit=True) as conn,
                conn.transaction(force_rollback=True)):
        await conn.execute("select set_config('role', 'authenticated', true), "
                           "set_config('request.jwt.claims', %s, true)",
                           [json.dumps({"sub": user_id, "role": "authenticated"})])
        for read in (request_detail, request_detail_json):
            with pytest.raises(ApiError) as refused:
                await read(conn, uuid.UUID(request_id), now)
            assert refused.value.status == 404


def _every_field(item: dict[str, Any], model: type[BaseModel]) -> None:
    assert set(item) == set(model.model_fields), set(item) ^ set(model.model_fields)


async def same(api: httpx.AsyncClient, clock: Any, database_url: str, token: str, user_id: str,
               request_id: str) -> RequestDetail:
    """What the route sends this reader, checked against the row form; returns it parsed."""
    response = await api.get(f"/requests/{request_id}", headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    old, body = await _both(database_url, user_id, request_id, clock.now)
    assert response.content == body  # the same bytes whatever the session's TimeZone
    sent = RequestDetail.model_validate_json(response.content)
    assert sent.model_dump() == RequestDetail.model_validate(old).model_dump()
    raw = response.json()
    _every_field(raw, RequestDetail)
    for event in raw["timeline"]:
        _every_field(event, StatusEvent)
    for photo in raw["photos"]:
        _every_field(photo, Photo)
    assert models.RequestDetail.model_validate(raw).id == sent.id
    return sent


async def test_a_new_request_without_photos_and_with_awkward_text(app_and_clock: AppClock, area: Area,
                                                                  database_url: str) -> None:
    api, clock = app_and_clock
    citizen, profile = await sign_in(api, fresh_phone())
    _, request = await submit(api, item=AWKWARD)  # another citizen's, for the refusals below
    created = await api.post("/requests", json={**draft(lat=HOME[0], lon=HOME[1]), "item": AWKWARD, "brand": "",
                                                "description": 'ไม่หมุน "เลย"\n\tบรรทัดสอง'},
                             headers=bearer(citizen))
    assert created.status_code == 201, created.text
    rid = created.json()["id"]

    mine = await same(api, clock, database_url, citizen, profile["id"], rid)
    assert mine.item == AWKWARD and mine.photos == [] and mine.report is None and mine.is_mine
    assert mine.actions == ["cancel"] and mine.next_step and mine.quality_check_missing == []
    assert mine.after_photos_in_round == [] and not mine.report_in_round and mine.work_round == 1
    assert [e.to_status for e in mine.timeline][-1] == mine.status

    # RLS decides as before: another citizen's request and one a student was never offered are not found.
    assert (await api.get(f"/requests/{request['id']}", headers=bearer(citizen))).status_code == 404
    far_student, _ = await sign_in(api, area.students["far1"][1])
    assert (await api.get(f"/requests/{rid}", headers=bearer(far_student))).status_code == 404
    await _not_found(database_url, area.students["far1"][0], rid, clock.now)


async def test_a_job_in_the_teachers_check_with_photos_a_report_parts_and_a_team(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, clock = app_and_clock
    citizen, ace, rid = await accepted_job(api, area)
    photo = {"file": ("before.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    assert (await api.put(f"/requests/{rid}/photos/0", files=photo, headers=bearer(citizen))).status_code == 201
    for to in ("diagnosing", "repairing"):
        moved = await api.post(f"/requests/{rid}/status", json={"to_status": to}, headers=bearer(ace))
        assert moved.status_code == 200, moved.text
    parts = []
    for name, price in (("คาปาซิเตอร์ 1.5uF", 35.5), ("ฟิวส์ 10A", 20)):
        part = await api.post(f"/requests/{rid}/parts", json={"name": name, "qty": 2, "price_baht": price},
                              headers=bearer(ace))
        assert part.status_code == 201, part.text
        parts.append(part.json()["id"])
    approved = await api.post(f"/requests/{rid}/parts/{parts[0]}/decision", json={"approve": True},
                              headers=bearer(citizen))
    assert approved.status_code == 200, approved.text
    helper = await api.post(f"/requests/{rid}/team", json={"technician_id": area.students["bee"][0],
                                                           "task": "ถอดฝาครอบ"}, headers=bearer(ace))
    assert helper.status_code == 204, helper.text
    ace_id = area.students["ace"][0]

    # While the work is under way: parts waiting and approved, nothing recorded yet.
    working = await same(api, clock, database_url, ace, ace_id, rid)
    assert working.parts_waiting == 1 and working.parts_approved_total_baht == 71.0
    assert [m.code for m in working.quality_check_missing] == ["after_photo", "hours", "report"]
    assert [p.kind for p in working.photos] == ["before"] and working.report is None

    declined = await api.post(f"/requests/{rid}/parts/{parts[1]}/decision", json={"approve": False},
                              headers=bearer(citizen))
    assert declined.status_code == 200, declined.text
    await record_work(api, ace, rid)
    saved = await api.put(f"/requests/{rid}/report", json={
        "hours": 2.25, "notes": 'เปลี่ยน "ฟิวส์"', "parts": [{"name": "ฟิวส์", "qty": 3, "cost_baht": 12.5}]},
        headers=bearer(ace))
    assert saved.status_code == 200, saved.text
    moved = await api.post(f"/requests/{rid}/status", json={"to_status": "quality_check"}, headers=bearer(ace))
    assert moved.status_code == 200, moved.text

    teacher, _ = await sign_in(api, area.students["teacher"][1])
    for token, user_id in ((ace, ace_id), (teacher, area.students["teacher"][0]), (citizen, None)):
        if user_id is None:
            user_id = str((await api.get("/me", headers=bearer(token))).json()["id"])
        detail = await same(api, clock, database_url, token, user_id, rid)
        assert [(p.kind, p.idx) for p in detail.photos] == [("before", 0), ("after", 0)]
        # The student and the teacher read the report's own list; the owner only the part they approved (audit13).
        owner = token == citizen
        assert detail.report is not None and detail.report_in_round
        assert detail.report.parts_total_baht == (71.0 if owner else 37.5)
        assert [p.name for p in detail.report.parts] == (["คาปาซิเตอร์ 1.5uF"] if owner else ["ฟิวส์"])
        assert detail.after_photos_in_round == [0] and detail.quality_check_missing == []
    # The team's helper: the detail is its lead's (technician_id); a helper on the current round reads it as the
    # lead does (migration 0050), in both forms, and it stays the lead's.
    detail = await same(api, clock, database_url, ace, ace_id, rid)
    assert detail.technician_id == uuid.UUID(ace_id)
    bee, _ = await sign_in(api, area.students["bee"][1])
    helped = await same(api, clock, database_url, bee, area.students["bee"][0], rid)
    assert helped.technician_id == uuid.UUID(ace_id) and not helped.is_mine
    assert helped.model_dump(exclude={"actions"}) == detail.model_dump(exclude={"actions"})


async def test_system_notes_in_the_readers_language_and_a_reopened_round(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, clock = app_and_clock
    # Assigned by the teacher: a coded note ("assigned") the reader reads in their language.
    _, request = await submit(api)
    rid = request["id"]
    teacher, bee = await assigned_to_bee(api, area, rid)
    bee_id = area.students["bee"][0]
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set locale = 'en' where id = %s", [bee_id])
    english = await same(api, clock, database_url, bee, bee_id, rid)
    assert "Assigned to a student by the teacher" in [e.note for e in english.timeline]
    teacher_id = area.students["teacher"][0]
    thai = await same(api, clock, database_url, teacher, teacher_id, rid)
    assert "ครูมอบหมายงานให้นักศึกษา" in [e.note for e in thai.timeline]
    assert english.next_step != thai.next_step

    # Handed back, then reopened by its owner: a later round whose record is not yet this round's.
    owner, done = await handed_back_job(api, area)
    owner_id = str((await api.get("/me", headers=bearer(owner))).json()["id"])
    back = await same(api, clock, database_url, owner, owner_id, done)
    assert back.status == "handed_back" and "reopen" in back.actions and "rate" in back.actions
    reopened = await api.post(f"/requests/{done}/reopen", json={"note": "ยังไม่หาย \"อีกแล้ว\""},
                              headers=bearer(owner))
    assert reopened.status_code == 200, reopened.text
    again = await same(api, clock, database_url, owner, owner_id, done)
    assert again.work_round == 2 and not again.report_in_round and again.after_photos_in_round == []
    assert [(e.note_code, e.note) for e in again.timeline][-2:] == [
        (None, 'ยังไม่หาย "อีกแล้ว"'), ("reopened", "แจ้งว่ายังไม่หาย ส่งกลับไปที่วิทยาลัยเดิม")]
    staff = await same(api, clock, database_url, teacher, teacher_id, done)
    assert staff.report is not None and not staff.report_in_round and staff.after_photos_in_round == []


async def test_a_deleted_citizens_job_read_by_its_student_and_teacher(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, clock = app_and_clock
    citizen, ace, rid = await accepted_job(api, area)
    moved = await api.post(f"/requests/{rid}/status", json={"to_status": "diagnosing"}, headers=bearer(ace))
    assert moved.status_code == 200, moved.text
    part = await api.post(f"/requests/{rid}/parts", json={"name": "ฟิวส์", "qty": 1, "price_baht": 35},
                          headers=bearer(ace))
    assert part.status_code == 201, part.text
    deleted = await api.delete("/me", params={"confirm": "true"}, headers=bearer(citizen))
    assert deleted.status_code == 204, deleted.text
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    for token, user_id in ((ace, area.students["ace"][0]), (teacher, area.students["teacher"][0])):
        job = await same(api, clock, database_url, token, user_id, rid)
        assert (job.status, job.is_mine, job.contact_phone, job.actions, job.parts_waiting) == (
            "cancelled", False, "", [], 0)


async def test_a_done_job_with_the_owners_receipt(app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, clock = app_and_clock
    citizen, ace, rid = await accepted_job(api, area)
    await work_to_quality_check(api, ace, rid)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    moved = await api.post(f"/requests/{rid}/status", json={"to_status": "done"}, headers=bearer(teacher))
    assert moved.status_code == 200, moved.text
    await confirm_handover(api, citizen, rid)
    done = await same(api, clock, database_url, teacher, area.students["teacher"][0], rid)
    assert done.handover_confirmed and done.status == "done"



async def test_an_unrepairable_jobs_note_with_its_reason_in_english(app_and_clock: AppClock, area: Area,
                                                                    database_url: str) -> None:
    api, clock = app_and_clock
    _, ace, rid = await accepted_job(api, area)
    for to, extra in (("diagnosing", {}), ("unrepairable", {"reason": "no_parts", "note": 'หา "อะไหล่" ไม่ได้'})):
        moved = await api.post(f"/requests/{rid}/status", json={"to_status": to, **extra}, headers=bearer(ace))
        assert moved.status_code == 200, moved.text
    ace_id = area.students["ace"][0]
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set locale = 'en' where id = %s", [ace_id])
    job = await same(api, clock, database_url, ace, ace_id, rid)
    last = job.timeline[-1]
    assert last.note_code == "unrepairable" and last.note.startswith("Cannot be repaired: ")
    assert last.note.endswith(' — หา "อะไหล่" ไม่ได้') and "no_parts" not in last.note


def test_the_route_still_documents_its_response_model(settings: Settings) -> None:
    # The route returns a Response; its response_model is what the OpenAPI document (the app's contract) still says.
    get = create_app(settings).openapi()["paths"]["/requests/{request_id}"]["get"]
    assert get["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RequestDetail"}
    assert {"200", "401", "403", "404"} <= set(get["responses"])
