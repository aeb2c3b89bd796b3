"""Dispatch on a real PostgreSQL: nearest fitting college, ranked offers, one winner, decline, SLA escalation,
manual assignment, the work steps and the supervisor's check — with a controllable clock."""

import asyncio
import contextlib
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.db import service_tx
from backend.live import EventHub, Viewer
from backend.services.dispatch import DispatchPolicy, dispatch, dispatch_submitted, expire_overdue
from backend.settings import Settings
from shared.statuses import RequestStatus
from tests.helpers import bearer, every_page, sign_in
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import (
    AppClock,
    Area,
    confirm_handover,
    handed_back_job,
    offers_of,
    submit,
    work_to_quality_check,
)


async def test_nearest_fitting_college_and_top_three(app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    _, request = await submit(api)
    assert request["status"] == "offered" and request["college_name_en"] == "Test ใกล้"
    offers = offers_of(database_url, request["id"])
    names = {v[0]: k for k, v in area.students.items()}
    assert [names[o["technician_id"]] for o in offers] == ["ace", "bee", "cat"]  # best skill first; top 3 only
    assert all(o["status"] == "pending" for o in offers)


async def test_no_fitting_student_in_range_waits_for_an_admin(app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    _, request = await submit(api, category_code="computer")
    assert request["status"] == "no_centre" and request["college_name_th"] is None
    assert request["timeline"][-1]["to_status"] == "no_centre"


async def test_hundred_concurrent_accepts_have_one_winner(app_and_clock: AppClock, area: Area,
                                                          database_url: str) -> None:
    api, _ = app_and_clock
    _, request = await submit(api)
    offers = offers_of(database_url, request["id"])
    tokens = {}
    for name in ("ace", "bee", "cat"):
        tokens[area.students[name][0]], _ = await sign_in(api, area.students[name][1])
    calls = [
        api.post(f"/offers/{offers[i % 3]['id']}/accept", headers=bearer(tokens[offers[i % 3]["technician_id"]]))
        for i in range(100)
    ]
    responses = await asyncio.gather(*calls)
    statuses = sorted(o["status"] for o in offers_of(database_url, request["id"]))
    assert statuses == ["accepted", "withdrawn", "withdrawn"]
    won = next(i for i, o in enumerate(offers_of(database_url, request["id"])) if o["status"] == "accepted")
    # One winner: every accept of the winning offer (the winner's own taps, all at once) gets the job, every accept
    # of the two others "no longer open"; the job was accepted once.
    for i, response in enumerate(responses):
        if i % 3 == won:
            assert response.status_code == 200, response.text
            assert response.json()["status"] == "accepted" and response.json()["contact_phone"] == "+66812345678"
        else:
            assert response.status_code == 409 and response.json()["error"]["code"] == "offer_not_open"
    with psycopg.connect(database_url) as conn:
        accepted = conn.execute("select count(*) from public.status_events where request_id = %s "
                                "and to_status = 'accepted'", [request["id"]]).fetchone()
    assert accepted is not None and accepted[0] == 1


async def test_accepting_again_answers_the_job_until_the_student_moves_it_on(app_and_clock: AppClock,
                                                                              area: Area) -> None:
    """A second tap, or a retry after the answer was lost on a bad network: the job is already the student's."""
    api, _ = app_and_clock
    _, request = await submit(api)
    ace, _ = await sign_in(api, area.students["ace"][1])
    offers = (await api.get("/technician/offers", headers=bearer(ace))).json()
    offer_id = next(o["offer_id"] for o in offers if o["request_id"] == request["id"])
    first = await api.post(f"/offers/{offer_id}/accept", headers=bearer(ace))
    again = await api.post(f"/offers/{offer_id}/accept", headers=bearer(ace))
    assert first.status_code == again.status_code == 200, again.text
    assert first.json()["timeline"] == again.json()["timeline"]  # nothing written the second time
    moved = await api.post(f"/requests/{request['id']}/status", json={"to_status": "diagnosing"}, headers=bearer(ace))
    assert moved.status_code == 200, moved.text
    late = await api.post(f"/offers/{offer_id}/accept", headers=bearer(ace))
    assert late.status_code == 409 and late.json()["error"]["code"] == "offer_not_open"


async def test_decline_moves_to_the_next_student(app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    _, request = await submit(api)
    offers = offers_of(database_url, request["id"])
    for offer in offers:
        name = next(k for k, v in area.students.items() if v[0] == offer["technician_id"])
        token, _ = await sign_in(api, area.students[name][1])
        response = await api.post(f"/offers/{offer['id']}/decline", headers=bearer(token))
        assert response.status_code == 204
    after = offers_of(database_url, request["id"])
    assert [o["status"] for o in after] == ["declined", "declined", "declined", "pending"]
    assert after[-1]["technician_id"] == area.students["dan"][0]  # the fourth-best now gets it


async def test_sla_escalates_to_the_next_college(app_and_clock: AppClock, area: Area, database_url: str,
                                                 settings: Settings) -> None:
    api, clock = app_and_clock
    # 10:00 in Bangkok: its students hear of the offers at once, so they run the plain SLA (one made in the quiet
    # hours runs it from 07:00, test_offers_at_night.py), whatever the hour the suite runs at.
    clock.to_plain_hours()
    token, request = await submit(api)
    sla = timedelta(minutes=settings.dispatch_sla_minutes)
    policy = DispatchPolicy(offer_count=settings.dispatch_offer_count, sla=sla)
    # Drive the service as the background tick does, with the clock just before and just after the SLA.
    async with AsyncConnectionPool(database_url, kwargs={"row_factory": dict_row, "autocommit": True}) as pool:
        async with service_tx(pool) as owner:  # type: ignore[arg-type]
            # Not a count of 0: the tick is global, and earlier tests' pending offers made more than a minute ago
            # are due by then on a slow run (this failed in whole-suite runs on a loaded machine).
            await expire_overdue(owner, clock.now + sla - timedelta(minutes=1), policy)
        assert [o["status"] for o in offers_of(database_url, request["id"])] == ["pending"] * 3
        async with service_tx(pool) as owner:  # type: ignore[arg-type]
            assert await expire_overdue(owner, clock.now + sla + timedelta(minutes=1), policy) >= 3
    offers = offers_of(database_url, request["id"])
    assert [o["status"] for o in offers[:3]] == ["expired"] * 3
    assert {o["college_id"] for o in offers[3:]} == {area.far}
    detail = (await api.get(f"/requests/{request['id']}", headers=bearer(token))).json()
    assert detail["status"] == "offered" and detail["college_name_en"] == "Test ไกล"
    last = detail["timeline"][-1]
    assert last["note_code"] == "escalated" and last["note"].startswith("ส่งต่อให้วิทยาลัยถัดไป")  # in Thai


async def test_work_steps_approval_and_rating(app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    citizen, request = await submit(api)
    ace, _ = await sign_in(api, area.students["ace"][1])
    offer_id = next(o["offer_id"] for o in (await api.get("/technician/offers", headers=bearer(ace))).json()
                    if o["request_id"] == request["id"])
    assert (await api.post(f"/offers/{offer_id}/accept", headers=bearer(ace))).status_code == 200
    rid = request["id"]

    async def step(token: str, to: str, **extra: Any) -> httpx.Response:
        return await api.post(f"/requests/{rid}/status", json={"to_status": to, **extra}, headers=bearer(token))

    assert (await step(ace, "done")).status_code == 409  # a student cannot approve their own work
    await work_to_quality_check(api, ace, rid)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    queue = (await api.get("/supervisor/queue", headers=bearer(teacher))).json()
    assert queue["counts"].get("quality_check") == 1
    rework = await step(teacher, "repairing", note="ขันน็อตไม่แน่น")
    assert rework.status_code == 200 and rework.json()["timeline"][-1]["note"] == "ขันน็อตไม่แน่น"
    assert (await step(ace, "quality_check")).status_code == 200
    done = await step(teacher, "done")
    assert done.status_code == 200
    approval = done.json()["timeline"][-1]
    assert (approval["actor"], approval["actor_name"]) == ("supervisor", "ครู")
    refused = await step(teacher, "handed_back")  # issue 14: not without the owner's confirmation
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "handover_unconfirmed"
    await confirm_handover(api, citizen, rid)
    assert (await step(teacher, "handed_back")).status_code == 200

    mine = (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()
    assert mine["status"] == "handed_back" and mine["technician_first_name"] == "เอ"
    assert mine["actions"] == ["rate", "reopen"]
    rated = await api.post(f"/requests/{rid}/rate", json={"rating": 5, "comment": "ดีมาก"}, headers=bearer(citizen))
    assert rated.status_code == 200 and rated.json()["rating"] == 5
    bad = await api.post(f"/requests/{rid}/rate", json={"rating": 9}, headers=bearer(citizen))
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "rating_invalid"


async def test_unrepairable_needs_a_reason(app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    _, request = await submit(api)
    ace, _ = await sign_in(api, area.students["ace"][1])
    offer_id = next(o["offer_id"] for o in (await api.get("/technician/offers", headers=bearer(ace))).json()
                    if o["request_id"] == request["id"])
    await api.post(f"/offers/{offer_id}/accept", headers=bearer(ace))
    rid = request["id"]
    await api.post(f"/requests/{rid}/status", json={"to_status": "diagnosing"}, headers=bearer(ace))
    no_reason = await api.post(f"/requests/{rid}/status", json={"to_status": "unrepairable"}, headers=bearer(ace))
    assert no_reason.status_code == 400 and no_reason.json()["error"]["code"] == "reason_required"
    ok = await api.post(f"/requests/{rid}/status", json={"to_status": "unrepairable", "reason": "no_parts"},
                        headers=bearer(ace))
    assert ok.status_code == 200 and ok.json()["timeline"][-1]["note"] == "ซ่อมไม่ได้: ไม่มีอะไหล่"


async def test_reopen_within_seven_days_goes_back_to_the_same_student(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, clock = app_and_clock
    citizen, rid = await handed_back_job(api, area)

    clock.now += timedelta(days=8)
    late = await api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่หาย"}, headers=bearer(citizen))
    assert late.status_code == 409 and late.json()["error"]["code"] == "reopen_too_late"
    clock.now -= timedelta(days=3)
    again = await api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่หาย"}, headers=bearer(citizen))
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "offered" and again.json()["college_name_en"] == "Test ใกล้"
    pending = [o for o in offers_of(database_url, rid) if o["status"] == "pending"]
    assert [o["technician_id"] for o in pending] == [area.students["bee"][0]]


async def test_assign_only_within_the_college_and_only_by_staff(app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    citizen, request = await submit(api)
    rid = request["id"]
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    outsider = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["far1"][0]},
                              headers=bearer(teacher))
    assert outsider.status_code == 400 and outsider.json()["error"]["code"] == "technician_not_in_college"
    by_citizen = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]},
                                headers=bearer(citizen))
    assert by_citizen.status_code == 403
    first = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["cat"][0]},
                           headers=bearer(teacher))
    assert first.status_code == 200 and first.json()["technician_first_name"] == "ซี"
    moved = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]},
                           headers=bearer(teacher))
    assert moved.status_code == 200 and moved.json()["technician_first_name"] == "เอ"
    assert moved.json()["timeline"][-1]["note_code"] == "reassigned"


async def test_supervisor_takes_a_job_back_and_it_is_offered_again(app_and_clock: AppClock, area: Area,
                                                                   database_url: str) -> None:
    api, _ = app_and_clock
    _, request = await submit(api)
    rid = request["id"]
    ace, _ = await sign_in(api, area.students["ace"][1])
    offer_id = next(o["offer_id"] for o in (await api.get("/technician/offers", headers=bearer(ace))).json()
                    if o["request_id"] == rid)
    await api.post(f"/offers/{offer_id}/accept", headers=bearer(ace))
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    back = await api.post(f"/requests/{rid}/status", json={"to_status": "offered", "note": "ติดสอบ"},
                          headers=bearer(teacher))
    assert back.status_code == 200, back.text
    assert back.json()["status"] == "offered" and back.json()["technician_id"] is None
    pending = [o for o in offers_of(database_url, rid) if o["status"] == "pending"]
    assert [o["technician_id"] for o in pending] == [area.students["dan"][0]]  # the one not offered before
    gone = await api.get(f"/requests/{rid}", headers=bearer(ace))  # no longer hers: her offer is withdrawn (0058)
    assert (gone.status_code, gone.json()["error"]["code"]) == (410, "offer_ended"), gone.text


async def test_a_job_taken_back_with_nobody_left_at_the_college_goes_to_the_next_one(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """Not to "no centre": the next college in range is tried, as for an offer nobody answered."""
    api, _ = app_and_clock
    _, request = await submit(api)
    rid = request["id"]
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    for name in ("ace", "dan"):  # the second take-back leaves no student of the college who was not offered it
        student, _ = await sign_in(api, area.students[name][1])
        offer_id = next(o["offer_id"] for o in (await api.get("/technician/offers", headers=bearer(student))).json()
                        if o["request_id"] == rid)
        assert (await api.post(f"/offers/{offer_id}/accept", headers=bearer(student))).status_code == 200
        back = await api.post(f"/requests/{rid}/status", json={"to_status": "offered", "note": "ติดสอบ"},
                              headers=bearer(teacher))
        assert back.status_code in (200, 404), back.text
    pending = [o for o in offers_of(database_url, rid) if o["status"] == "pending"]
    assert [(o["technician_id"], o["college_id"]) for o in pending] == [(area.students["far1"][0], area.far)]
    # It left the teacher's college: the teacher no longer sees it (the app then says where it went).
    assert back.status_code == 404
    assert (await api.get(f"/requests/{rid}", headers=bearer(teacher))).status_code == 404


async def test_the_admins_waiting_list_says_what_is_wrong_and_how_many_photos(
        app_and_clock: AppClock, area: Area) -> None:
    """The admin's waiting card shows what the citizen wrote and their first before photo (session 21's walk-through:
    it named only the item): GET /admin/waiting carries the description and the before photos' count, and the
    admin may fetch that photo's thumbnail."""
    api, _ = app_and_clock
    citizen, request = await submit(api, category_code="computer", description="เปิดไม่ติด ไฟไม่เข้าเลย")
    rid = request["id"]
    for idx in (0, 1):
        files = {"file": (f"{idx}.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
        uploaded = await api.put(f"/requests/{rid}/photos/{idx}", files=files, headers=bearer(citizen))
        assert uploaded.status_code == 201, uploaded.text
    _, bare = await submit(api, category_code="computer", description="จอมืด มีเสียงบี๊บสามครั้ง")
    admin, _ = await sign_in(api, "084-444-4444")
    waiting = {w["id"]: w for w in await every_page(api, "/admin/waiting", admin)}
    assert (waiting[rid]["description"], waiting[rid]["photo_count"]) == ("เปิดไม่ติด ไฟไม่เข้าเลย", 2)
    assert (waiting[bare["id"]]["description"], waiting[bare["id"]]["photo_count"]) == ("จอมืด มีเสียงบี๊บสามครั้ง", 0)
    thumb = await api.get(f"/requests/{rid}/photos/before/0", params={"thumb": "true"}, headers=bearer(admin))
    assert thumb.status_code == 200 and thumb.content


async def test_the_admin_reads_which_colleges_can_take_a_waiting_request(app_and_clock: AppClock, area: Area) -> None:
    """The send-on picker says, before the confirmation, which colleges have a student who fits the job (and a
    teacher where it needs one): GET /admin/waiting/{id}/colleges agrees with what a send-on then does."""
    api, _ = app_and_clock
    citizen, request = await submit(api, category_code="computer")  # nobody in the area repairs computers
    rid = request["id"]
    admin, _ = await sign_in(api, "084-444-4444")
    read = await api.get(f"/admin/waiting/{rid}/colleges", headers=bearer(admin))
    assert read.status_code == 200, read.text
    fits = {f["college_id"]: f for f in read.json()}
    assert fits[str(area.near)]["students"] == 0
    donmuang = next(c["id"] for c in (await api.get("/colleges")).json() if c["code"] == "TC-DONMUANG")
    assert fits[donmuang]["students"] >= 1 and not fits[donmuang]["needs_teacher"]
    assert (await api.get(f"/admin/waiting/{rid}/colleges", headers=bearer(citizen))).status_code == 403
    nobody = await api.post(f"/requests/{rid}/dispatch", json={"college_id": str(area.near)}, headers=bearer(admin))
    assert nobody.status_code == 409 and nobody.json()["error"]["code"] == "no_fitting_student"
    sent = await api.post(f"/requests/{rid}/dispatch", json={"college_id": donmuang}, headers=bearer(admin))
    assert sent.status_code == 200, sent.text
    gone = await api.get(f"/admin/waiting/{rid}/colleges", headers=bearer(admin))  # not waiting any more
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"


async def test_an_admin_sends_a_waiting_request_on(app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    citizen, request = await submit(api, category_code="computer")  # nobody in the area repairs computers
    rid = request["id"]
    admin, _ = await sign_in(api, "084-444-4444")
    assert rid in [w["id"] for w in await every_page(api, "/admin/waiting", admin)]  # oldest first, paged
    nobody = await api.post(f"/requests/{rid}/dispatch", json={"college_id": str(area.near)}, headers=bearer(admin))
    assert nobody.status_code == 409 and nobody.json()["error"]["code"] == "no_fitting_student"
    by_citizen = await api.post(f"/requests/{rid}/dispatch", json={}, headers=bearer(citizen))
    assert by_citizen.status_code == 403
    assert (await api.get("/admin/waiting", headers=bearer(citizen))).status_code == 403
    bangkok = await api.get("/colleges")
    donmuang = next(c["id"] for c in bangkok.json() if c["code"] == "TC-DONMUANG")
    sent = await api.post(f"/requests/{rid}/dispatch", json={"college_id": donmuang}, headers=bearer(admin))
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "offered" and sent.json()["college_name_th"] == "วิทยาลัยเทคนิคดอนเมือง"
    assert sent.json()["timeline"][-1]["actor"] == "admin"
    again = await api.post(f"/requests/{rid}/dispatch", json={}, headers=bearer(admin))
    assert again.status_code == 409


def _waits(trace: str) -> int:
    """How many times the client waited for the server: turns from messages sent (F) to messages read (B)."""
    turns, last = 0, ""
    for line in trace.splitlines():
        way = next((f for f in line.split("\t")[:2] if f in ("F", "B")), "")
        turns += way == "B" and last == "F"
        last = way or last
    return turns


async def test_a_dispatch_waits_for_the_database_twice(app_and_clock: AppClock, area: Area, database_url: str,
                                                        tmp_path: Path) -> None:
    """Issue 15: the plan is read in one round trip, the offers, the status and the commit go in the second."""
    api, clock = app_and_clock
    _, request = await submit(api)
    trace = tmp_path / "libpq.trace"
    async with AsyncConnectionPool(database_url, min_size=1, max_size=1,
                                   kwargs={"row_factory": dict_row, "autocommit": True}) as pool:
        with trace.open("w") as out:
            async with pool.connection() as conn:
                conn.pgconn.trace(out.fileno())
            async with service_tx(pool) as owner:  # type: ignore[arg-type]
                # Offered at the near college already: a second dispatch escalates to the far one.
                result = await dispatch(owner, uuid.UUID(request["id"]), clock.now, DispatchPolicy())
            async with pool.connection() as conn:
                conn.pgconn.untrace()
    assert result.status == RequestStatus.OFFERED and result.college_id == area.far and result.offered_to
    text = trace.read_text()
    assert "COMMIT" in text and "insert into public.offers" in text
    assert _waits(text) == 2
    offers = offers_of(database_url, request["id"])
    far = [uuid.UUID(str(o["technician_id"])) for o in offers if o["college_id"] == area.far]
    assert sorted(far) == sorted(result.offered_to)  # the writes of the second round trip were committed


async def test_only_a_first_dispatch_commits_without_the_flush_wait(app_and_clock: AppClock, area: Area,
                                                                    database_url: str) -> None:
    """`dispatch_submitted` (submit, the tick's stranded requests) turns synchronous commit off for its own
    transaction only: the pooled connection's next transaction waits for the flush again."""
    api, clock = app_and_clock
    _, request = await submit(api)
    show = "select current_setting('synchronous_commit') as v"
    async with AsyncConnectionPool(database_url, min_size=1, max_size=1,
                                   kwargs={"row_factory": dict_row, "autocommit": True}) as pool:
        async with service_tx(pool) as owner:  # type: ignore[arg-type]
            result = await dispatch_submitted(owner, uuid.UUID(request["id"]), clock.now, DispatchPolicy())
            inside = await (await owner.execute(show)).fetchone()
        async with service_tx(pool) as owner:  # type: ignore[arg-type]
            after = await (await owner.execute(show)).fetchone()
    assert result.status == RequestStatus.OFFERED and not result.offered_to  # already offered: nothing done again
    assert inside is not None and inside["v"] == "off"
    assert after is not None and after["v"] == "on"


async def test_the_college_a_skill_is_offered_for_follows_the_students_profile(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """Migration 0023: dispatch finds a college's students by `technician_skills.dispatch_college_id`, which
    triggers keep equal to the student's college while they are an active technician (else null), whatever
    changes the profile or the skills, without writing skill changes nobody made into the audit trail."""
    api, _ = app_and_clock
    ace, bee = area.students["ace"][0], area.students["bee"][0]

    def colleges_of(conn: psycopg.Connection[dict[str, Any]], person: str) -> set[uuid.UUID | None]:
        rows = conn.execute("select dispatch_college_id from public.technician_skills where technician_id = %s",
                            [person]).fetchall()
        return {r["dispatch_college_id"] for r in rows}

    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        assert colleges_of(conn, ace) == {area.near}
        audited = conn.execute("select count(*) as n from public.audit_events where target_id = %s "
                               "and action like 'skill.%%'", [ace]).fetchone()
        steps: list[tuple[str, list[Any], set[uuid.UUID | None]]] = [
            ("update public.profiles set college_id = %s where id = %s", [area.far, ace], {area.far}),
            ("update public.profiles set is_active = false where id = %s", [ace], {None}),
            ("update public.profiles set is_active = true where id = %s", [ace], {area.far}),
            ("update public.profiles set role = 'supervisor' where id = %s", [ace], {None}),
            ("update public.profiles set role = 'technician', college_id = %s where id = %s", [area.near, ace],
             {area.near}),
            ("insert into public.technician_skills values (%s, 'plumbing', 2)", [ace], {area.near}),
        ]
        for statement, args, expected in steps:
            conn.execute(statement, args)
            assert colleges_of(conn, ace) == expected, statement
        after = conn.execute("select count(*) as n from public.audit_events where target_id = %s "
                             "and action like 'skill.%%'", [ace]).fetchone()
        assert audited is not None and after is not None and after["n"] == audited["n"] + 1  # only the new skill
        conn.execute("update public.profiles set is_active = false where id = %s", [bee])
    _, request = await submit(api)
    names = {v[0]: k for k, v in area.students.items()}
    assert [names[o["technician_id"]] for o in offers_of(database_url, request["id"])] == ["ace", "cat", "dan"]


async def test_each_new_offer_is_announced_live_and_notified_to_its_student(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """Migration 0024: a dispatch's offers are announced and notified by one trigger per insert statement. The
    college's supervisor hears of each offer live, and each offered student gets their `offer_new` notification
    (and hears of it)."""
    api, _ = app_and_clock
    ace, teacher = area.students["ace"][0], area.students["teacher"][0]
    hub = EventHub(database_url)
    task = asyncio.create_task(hub.run())
    try:
        await asyncio.wait_for(hub.listening.wait(), timeout=10)
        with hub.subscribe(Viewer(teacher, "supervisor", str(area.near))) as staff, \
                hub.subscribe(Viewer(ace, "technician", str(area.near))) as student:
            _, request = await submit(api)
            announced: list[dict[str, Any]] = []
            while len(announced) < 3:
                event = (await asyncio.wait_for(staff.queue.get(), timeout=5)).event
                announced += [event] if event["kind"] == "offer" else []
            heard: list[dict[str, Any]] = []
            while not any(e["kind"] == "notification" for e in heard):
                heard.append((await asyncio.wait_for(student.queue.get(), timeout=5)).event)
            # A status change is announced by the per-row trigger (0004), a new offer by the per-statement one
            # (0024): the app reads both as one event shape, so they must carry the same keys.
            with psycopg.connect(database_url, autocommit=True) as conn:
                conn.execute("update public.offers set status = 'withdrawn' where id = %s",
                             [announced[0]["offer_id"]])
            changed = (await asyncio.wait_for(staff.queue.get(), timeout=5)).event
            while changed["kind"] != "offer":
                changed = (await asyncio.wait_for(staff.queue.get(), timeout=5)).event
            assert changed["status"] == "withdrawn" and sorted(changed) == sorted(announced[0]), (changed, announced)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    offers = offers_of(database_url, request["id"])
    assert sorted(str(e["offer_id"]) for e in announced) == sorted(str(o["id"]) for o in offers)
    assert {(e["request_id"], e["status"]) for e in announced} == {(request["id"], "pending")}
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        notes = conn.execute("select id, recipient_id::text as who, offer_id, params from public.notifications "
                             "where request_id = %s and kind = 'offer_new'", [request["id"]]).fetchall()
    assert sorted((n["who"], n["offer_id"]) for n in notes) == sorted((o["technician_id"], o["id"]) for o in offers)
    assert all(n["params"]["item"] == request["item"] for n in notes)
    mine = next(n for n in notes if n["who"] == ace)
    assert [(e["kind"], str(e.get("offer_id") or e.get("notification_id"))) for e in heard] == [
        ("offer", str(mine["offer_id"])), ("notification", str(mine["id"]))]  # their offer, then its notification
