"""A request or a job nobody could move on (audit 17a: liveness): a request whose only fitting students let their
offers lapse, a job under way whose student cannot act, and what its citizen is told. Driven on a real PostgreSQL
with the SLA clock (backend.dispatch_ticks.tick) turned by hand at a moved clock."""

import uuid
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.services import account
from backend.settings import Settings
from shared.roles import AppRole
from tests.helpers import bearer, every_page, sign_in
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import (
    ADMIN_PHONE,
    AppClock,
    Area,
    assigned_by_teacher,
    failing_status_change,
    kinds_told,
    last_notification,
    offers_of,
    record_work,
    request_status,
    step,
    submit,
)
from tests.integration.wall_clock import wall


async def test_a_lapsed_offer_leaves_a_request_the_admin_can_still_send_back_to_its_college(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """The near college's one plumber is in class for the 30 minutes of the offer: it lapses, nobody else in range
    repairs plumbing, the request waits as `no_centre`. The admin sends it to the near college, whose plumber is
    still there, active and fitting: they are asked again (an administrator's send-on counts only offers still
    open or taken), and hear of it as of a new offer. The clock itself never asks them twice."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, request = await submit(api, category_code="plumbing")
    rid = request["id"]
    plumber = area.students["plumber"][0]
    assert [o["technician_id"] for o in offers_of(database_url, rid)] == [plumber]

    clock.now += timedelta(minutes=settings.dispatch_sla_minutes + 1)
    await tick(pool, settings, clock.now)
    assert request_status(database_url, rid) == "no_centre"
    assert [o["status"] for o in offers_of(database_url, rid)] == ["expired"]
    clock.now += timedelta(minutes=settings.dispatch_sla_minutes + 1)
    await tick(pool, settings, clock.now)  # the clock leaves it to the admin: no second offer of its own
    assert [o["status"] for o in offers_of(database_url, rid)] == ["expired"]

    admin, _ = await sign_in(api, ADMIN_PHONE)
    assert rid in [w["id"] for w in await every_page(api, "/admin/waiting", admin)]
    before = last_notification(database_url)
    sent = await api.post(f"/requests/{rid}/dispatch", json={"college_id": str(area.near)}, headers=bearer(admin))
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "offered"
    assert [(o["technician_id"], o["status"]) for o in offers_of(database_url, rid)] == [(plumber, "pending")]
    assert kinds_told(database_url, rid, role="technician", since_id=before) == ["offer_new"]
    plumber_token, _ = await sign_in(api, area.students["plumber"][1])
    offer_id = offers_of(database_url, rid)[0]["id"]  # (the app lists offers by the database's own clock)
    taken = await api.post(f"/offers/{offer_id}/accept", headers=bearer(plumber_token))
    assert taken.status_code == 200, taken.text


async def _plumbing_job_under_way(api: Any, area: Area, pool: AsyncConnectionPool[Any]) -> tuple[str, str]:
    """The near college's one plumber takes a plumbing job and starts diagnosing it; then the operator suspends
    them. Returns (the citizen's token, the request id)."""
    citizen, request = await submit(api, category_code="plumbing")
    rid = request["id"]
    plumber, _ = await sign_in(api, area.students["plumber"][1])
    offer_id = next(o["offer_id"] for o in (await api.get("/technician/offers", headers=bearer(plumber))).json()
                    if o["request_id"] == rid)
    assert (await api.post(f"/offers/{offer_id}/accept", headers=bearer(plumber))).status_code == 200
    moved = await api.post(f"/requests/{rid}/status", json={"to_status": "diagnosing"}, headers=bearer(plumber))
    assert moved.status_code == 200, moved.text
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        await account.suspend(conn, uuid.UUID(area.students["plumber"][0]), AppRole.TECHNICIAN, "เลิกเรียนแล้ว", *wall())
    return citizen, rid


async def test_a_job_in_the_hands_of_a_student_who_cannot_act_can_be_moved_on_by_someone(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """The near college's one plumber is diagnosing a plumbing job when the operator suspends them (or they simply
    left); nobody else at the college repairs plumbing, so no reassign fits. The teacher takes the job back (from
    `diagnosing`, as from `accepted`): it is offered again (here nobody anywhere fits, so it waits for an admin),
    its timeline stays, and the citizen, whose item the student may hold, is told; nobody holding it now, the
    citizen may cancel it."""
    api, clock = app_and_clock
    citizen, rid = await _plumbing_job_under_way(api, area, pool)
    before = last_notification(database_url)

    teacher, _ = await sign_in(api, area.students["teacher"][1])
    admin, _ = await sign_in(api, ADMIN_PHONE)
    answers = []
    for token in (teacher, admin):
        for body in ({"to_status": "offered", "note": "นักศึกษาออกแล้ว"},
                     {"to_status": "unrepairable", "reason": "no_specialist"}):
            answers.append(await api.post(f"/requests/{rid}/status", json=body, headers=bearer(token)))
            if len(answers) == 1:  # the teacher's take back: nobody else fits anywhere, so an admin sends it on
                assert answers[0].status_code == 200, answers[0].text
                assert request_status(database_url, rid) == "no_centre"
                assert "job_taken_back" in kinds_told(database_url, rid, role="citizen", since_id=before)
                detail = (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()
                assert [e["to_status"] for e in detail["timeline"]][:6] == [
                    "submitted", "offered", "accepted", "diagnosing", "offered", "no_centre"]
        answers.append(await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]},
                                      headers=bearer(token)))
    answers.append(await api.post(f"/requests/{rid}/cancel", json={}, headers=bearer(citizen)))
    clock.now += timedelta(days=3)
    await tick(pool, settings, clock.now)
    assert request_status(database_url, rid) != "diagnosing", [
        (a.status_code, a.json()["error"]["code"]) for a in answers]
    assert answers[-1].status_code == 200, answers[-1].text  # nobody holds it now: its citizen may cancel it


async def test_a_teacher_ends_a_job_under_way_as_unrepairable_when_nobody_can_carry_it_on(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """The item is at the workshop and nobody at the college (or near it) repairs plumbing: rather than offer it on,
    the teacher ends the job as unrepairable with its reason, and the citizen is told; the teacher then hands the
    item back as for any unrepairable job."""
    api, _ = app_and_clock
    _, rid = await _plumbing_job_under_way(api, area, pool)
    before = last_notification(database_url)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    ended = await api.post(f"/requests/{rid}/status", json={"to_status": "unrepairable", "reason": "no_specialist"},
                           headers=bearer(teacher))
    assert ended.status_code == 200, ended.text
    assert request_status(database_url, rid) == "unrepairable"
    assert kinds_told(database_url, rid, role="citizen", since_id=before) == ["unrepairable"]


async def test_a_request_whose_offers_lapsed_tells_its_citizen_the_truth(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """The same lapse as above: the near college (1 km away, 30 km radius) has a plumber who did not answer in 30
    minutes. The citizen's detail then says "ยังไม่มีศูนย์ซ่อมในระยะให้บริการ" / "No repair centre in range yet"
    (shared.text.NEXT_STEPS[no_centre]) and its timeline "ยังไม่มีวิทยาลัยในพื้นที่ที่มีนักศึกษาทักษะตรงกับงานนี้" (the
    `no_centre` event note), both untrue; and the move to no_centre notifies admins only (notify_status_event), so a
    citizen who does not open the app never learns that their request stopped moving. Now the note and the next
    step say that nobody near took it, and the citizen is told."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    citizen, request = await submit(api, category_code="plumbing")
    rid = request["id"]
    before = last_notification(database_url)
    clock.now += timedelta(minutes=settings.dispatch_sla_minutes + 1)
    await tick(pool, settings, clock.now)
    assert request_status(database_url, rid) == "no_centre"
    detail = (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()
    said = " ".join([detail["next_step"], detail["timeline"][-1]["note"]])
    assert "ในระยะให้บริการ" not in said and "ในพื้นที่" not in said, said
    assert "ใกล้คุณ" in detail["next_step"] and detail["timeline"][-1]["note"].startswith("ยังไม่มีนักศึกษาช่าง"), said
    assert kinds_told(database_url, rid, role="citizen", since_id=before) == ["no_taker"], "the citizen is not told"
    assert kinds_told(database_url, rid, role="admin", since_id=before), "the admins are told as before"


async def test_one_request_that_fails_every_turn_does_not_stop_the_clock_for_the_others(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any], caplog: pytest.LogCaptureFixture) -> None:
    """Two requests whose offers lapse in the same turn of the clock; moving one of them fails every time (here a
    trigger refuses its status change: bad data, a bug). The clock expired every due offer and escalated their
    requests in one transaction, so that one request rolled back the other's escalation, and the turn, each time:
    the SLA clock stopped for everyone. Now each request's step has a savepoint of its own: the other request moves
    on, the failure is logged, and the failing one moves on at the first turn after it is mended."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, first = await submit(api, category_code="plumbing")
    _, second = await submit(api, category_code="plumbing")
    # The clock takes requests in id order: the failing one goes first, so the others' work comes after its failure
    # in the same transaction (a failure that undid the whole turn was hidden whenever it happened to go last).
    poisoned, healthy = sorted((first, second), key=lambda r: uuid.UUID(r["id"]))
    with failing_status_change(database_url, poisoned["id"]):
        clock.now += timedelta(minutes=settings.dispatch_sla_minutes + 1)
        await tick(pool, settings, clock.now)
        assert request_status(database_url, healthy["id"]) == "no_centre"
        assert request_status(database_url, poisoned["id"]) == "offered"
        assert poisoned["id"] in caplog.text
    clock.now += timedelta(minutes=1)
    await tick(pool, settings, clock.now)
    assert request_status(database_url, poisoned["id"]) == "no_centre"


# --- What a take back of a job under way leaves behind (takeback17) -------------------------------------------------


async def _repairing_taken_back_from_bee(api: Any, area: Area) -> tuple[str, str, str]:
    """The teacher gives an electrical job to bee, who repairs it, uploads an after photo and writes a report;
    then the teacher takes it back from `repairing` (bee cannot go on) and the college's other students are offered
    it. Returns (the citizen's token, the teacher's token, the request id)."""
    citizen, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    await record_work(api, bee, rid, hours=2.0, notes="ถอดพัดลมออกมาตรวจ มอเตอร์ไหม้")
    taken = await step(api, teacher, rid, "offered", note="บีลาออกแล้ว")
    assert taken.status_code == 200, taken.text
    return citizen, teacher, rid


async def test_the_next_student_after_a_take_back_takes_their_own_after_photos(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """bee's after photo and report stay on the record, but they are of bee's work: ace, given the job next, may
    not send it to the check on them (the check of "after photos present" asks for ace's own, and ace's report)."""
    api, _ = app_and_clock
    _, teacher, rid = await _repairing_taken_back_from_bee(api, area)
    given = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]},
                           headers=bearer(teacher))
    assert given.status_code == 200, given.text
    ace, _ = await sign_in(api, area.students["ace"][1])
    for to in ("diagnosing", "repairing"):
        assert (await step(api, ace, rid, to)).status_code == 200
    detail = (await api.get(f"/requests/{rid}", headers=bearer(ace))).json()
    assert [p["idx"] for p in detail["photos"] if p["kind"] == "after"] == [0]  # bee's stays on the record
    assert detail["after_photos_in_round"] == []
    assert {m["code"] for m in detail["quality_check_missing"]} >= {"after_photo", "report"}

    refused = await step(api, ace, rid, "quality_check")
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "quality_check_incomplete"
    assert request_status(database_url, rid) == "repairing"

    photo = {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    uploaded = await api.put(f"/requests/{rid}/after-photos/1", files=photo, headers=bearer(ace))
    assert uploaded.status_code == 201, uploaded.text
    saved = await api.put(f"/requests/{rid}/report", json={"hours": 1.0, "notes": "เปลี่ยนมอเตอร์ใหม่ ใช้งานได้",
                                                           "parts": []}, headers=bearer(ace))
    assert saved.status_code == 200, saved.text
    moved = await step(api, ace, rid, "quality_check")
    assert moved.status_code == 200, moved.text


async def test_a_take_back_withdraws_the_parts_that_waited_for_the_citizen(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """bee proposed two parts: the citizen approved one, the other waits for their answer when the teacher takes
    the job back. The waiting one is withdrawn (nobody now holds the item to fit it: the citizen is not asked to
    pay for it) and the citizen is told so in the take back's one message; the approved one stays with the job."""
    api, _ = app_and_clock
    citizen, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    parts = []
    for name in ("มอเตอร์พัดลม", "คาปาซิเตอร์"):
        proposed = await api.post(f"/requests/{rid}/parts", json={"name": name, "qty": 1, "price_baht": 350},
                                  headers=bearer(bee))
        assert proposed.status_code == 201, proposed.text
        parts.append(proposed.json()["id"])
    approved = await api.post(f"/requests/{rid}/parts/{parts[0]}/decision", json={"approve": True},
                              headers=bearer(citizen))
    assert approved.status_code == 200, approved.text
    before = last_notification(database_url)

    assert (await step(api, teacher, rid, "offered", note="บีลาออกแล้ว")).status_code == 200
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("select id::text, status from public.job_parts where request_id = %s",
                            [rid]).fetchall()
    assert dict(rows) == {parts[0]: "approved", parts[1]: "withdrawn"}
    late = await api.post(f"/requests/{rid}/parts/{parts[1]}/decision", json={"approve": True},
                          headers=bearer(citizen))
    assert late.status_code == 409, late.text
    assert kinds_told(database_url, rid, role="citizen", since_id=before) == ["job_taken_back"]
    inbox = (await api.get("/me/notifications", headers=bearer(citizen))).json()["items"]
    told = next(n for n in inbox if n["kind"] == "job_taken_back")
    assert "ถอน" in told["body"]  # the withdrawn part is named in the message (Thai first)


async def test_a_take_back_nobody_takes_tells_the_citizen_once(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """The plumber's job is taken back and nobody else fits anywhere: it waits as `no_centre` for an admin. Its
    citizen gets one message that says both (taken back, and nobody took it), not two."""
    api, _ = app_and_clock
    citizen, rid = await _plumbing_job_under_way(api, area, pool)
    before = last_notification(database_url)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assert (await step(api, teacher, rid, "offered", note="นักศึกษาออกแล้ว")).status_code == 200
    assert request_status(database_url, rid) == "no_centre"
    assert kinds_told(database_url, rid, role="citizen", since_id=before) == ["job_taken_back"]
    inbox = (await api.get("/me/notifications", headers=bearer(citizen))).json()["items"]
    told = next(n for n in inbox if n["request_id"] == rid and n["kind"] == "job_taken_back")
    assert "ยังไม่มีนักศึกษารับ" in told["body"], told  # and nobody took it
