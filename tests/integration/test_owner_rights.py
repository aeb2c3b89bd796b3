"""A request's owner keeps the owner's rights whatever their role (a citizen made a student, a teacher who asked for
a repair), is never offered, given or working on their own request, and never checks it; parts are answered only
while the students work on the job."""

from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row

from tests.helpers import answer_invitation, bearer, fresh_phone, sign_in
from tests.integration.builders import draft, jpeg_with_gps
from tests.integration.dispatch_area import (
    HOME,
    AppClock,
    Area,
    assigned_to_bee,
    confirm_handover,
    offers_of,
    step,
    work_to_quality_check,
)


async def _citizen_request(api: httpx.AsyncClient, phone: str) -> tuple[str, str]:
    """A request of the citizen with this phone, in the test area (offered to the near college's students)."""
    token, _ = await sign_in(api, phone)
    created = await api.post("/requests", json=draft(lat=HOME[0], lon=HOME[1]), headers=bearer(token))
    assert created.status_code == 201, created.text
    return token, created.json()["id"]


def _code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


async def _made_student(api: httpx.AsyncClient, area: Area, owner: str, phone: str, **body: Any) -> tuple[str, str]:
    """The near college's teacher invites the citizen with this phone (and token), who accepts: an existing account
    becomes a student only by its own acceptance. Returns (the teacher's token, the new student's id)."""
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    made = await api.post(f"/colleges/{area.near}/students", headers=bearer(teacher), json={"phone": phone, **body})
    assert made.status_code == 201 and made.json()["existing_account"], made.text
    accepted = await answer_invitation(api, owner, "accept")
    assert accepted.status_code == 200 and accepted.json()["role"] == "technician", accepted.text
    return teacher, accepted.json()["id"]


def _sql(database_url: str, query: str, params: list[Any]) -> list[dict[str, Any]]:
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        cur = conn.execute(query, params)
        return cur.fetchall() if cur.description else []


async def test_a_citizen_made_a_student_keeps_acting_as_the_owner(app_and_clock: AppClock, area: Area,
                                                                  database_url: str) -> None:
    api, _ = app_and_clock
    phone = fresh_phone()
    owner, to_cancel = await _citizen_request(api, phone)
    _, open_one = await _citizen_request(api, phone)
    teacher, owner_id = await _made_student(api, area, owner, phone, display_name="เอก เจ้าของ",
                                            skills={"electrical_appliance": 5})

    # Their own requests are still theirs to see and act on.
    mine = await api.get("/requests/mine", headers=bearer(owner))
    assert mine.status_code == 200, mine.text
    assert {r["id"] for r in mine.json()} == {to_cancel, open_one}
    photo = {"file": ("a.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    added = await api.put(f"/requests/{open_one}/photos/0", files=photo, headers=bearer(owner))
    assert added.status_code == 201, added.text
    cancelled = await api.post(f"/requests/{to_cancel}/cancel", json={"note": "ซ่อมเองได้แล้ว"},
                               headers=bearer(owner))
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["timeline"][-1]["actor"] == "citizen"
    # ...and not a student's rights over anyone else's: another citizen's request is still hidden from them.
    _, stranger_request = await _citizen_request(api, fresh_phone())
    assert (await api.post(f"/requests/{stranger_request}/cancel", json={},
                           headers=bearer(owner))).status_code == 404

    # Never offered their own request: when the students offered it decline, the next is somebody else, though the
    # owner is now the college's best fitting student with no job in hand.
    first = {o["technician_id"] for o in offers_of(database_url, open_one)}
    for name, (student_id, student_phone) in area.students.items():
        if student_id in first:
            token, _ = await sign_in(api, student_phone)
            offer = next(o for o in (await api.get("/technician/offers", headers=bearer(token))).json()
                         if o["request_id"] == open_one)
            declined = await api.post(f"/offers/{offer['offer_id']}/decline", headers=bearer(token))
            assert declined.status_code == 204, (name, declined.text)
    offered = {o["technician_id"] for o in offers_of(database_url, open_one)}
    assert len(offered) > len(first) and owner_id not in offered
    assert open_one not in {o["request_id"] for o in (await api.get("/technician/offers",
                                                                    headers=bearer(owner))).json()}
    # An offer that reached them anyway (made before this rule) cannot be accepted: 409 with a reason.
    [stale] = _sql(database_url,
                   "insert into public.offers (request_id, technician_id, college_id, rank, distance_km, created_at, "
                   "expires_at) values (%s, %s, %s, 9, 1, now(), now() + interval '1 hour') returning id::text",
                   [open_one, owner_id, area.near])
    refused = await api.post(f"/offers/{stale['id']}/accept", headers=bearer(owner))
    assert refused.status_code == 409 and _code(refused) == "own_request", refused.text
    assert refused.json()["error"]["message_en"].startswith("This is your own repair request")
    # Nor can the teacher give it to them, from the offers or (once someone has it) from another student's hands.
    given = await api.post(f"/requests/{open_one}/assign", json={"technician_id": owner_id}, headers=bearer(teacher))
    assert given.status_code == 409 and _code(given) == "own_request_assign", given.text
    to_bee = await api.post(f"/requests/{open_one}/assign", json={"technician_id": area.students["bee"][0]},
                            headers=bearer(teacher))
    assert to_bee.status_code == 200, to_bee.text
    moved = await api.post(f"/requests/{open_one}/assign", json={"technician_id": owner_id}, headers=bearer(teacher))
    assert moved.status_code == 409 and _code(moved) == "own_request_assign"
    detail = (await api.get(f"/requests/{open_one}", headers=bearer(owner))).json()
    assert detail["technician_id"] == area.students["bee"][0] and detail["actions"] == ["cancel"]


async def test_a_teacher_who_asked_for_a_repair_is_its_owner_not_its_checker(app_and_clock: AppClock, area: Area,
                                                                            database_url: str) -> None:
    api, _ = app_and_clock
    phone = fresh_phone()
    owner, rid = await _citizen_request(api, phone)
    # The teacher's role given the way an admin names one (the route is tested with staff onboarding).
    me = (await api.get("/me", headers=bearer(owner))).json()
    _sql(database_url, "update public.profiles set role = 'supervisor', college_id = %s where id = %s",
         [area.near, me["id"]])
    teacher, bee = await assigned_to_bee(api, area, rid)
    await work_to_quality_check(api, bee, rid)

    assert [r["id"] for r in (await api.get("/requests/mine", headers=bearer(owner))).json()] == [rid]
    for to in ("done", "repairing"):
        own_check = await step(api, owner, rid, to)
        assert own_check.status_code == 403 and _code(own_check) == "own_request_check", own_check.text
    assert (await step(api, teacher, rid, "done")).status_code == 200
    own_hours = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(owner))
    assert own_hours.status_code == 403 and _code(own_hours) == "own_request_check"
    # As its owner they know the students by first name, as a citizen does (a colleague's screens say more).
    team = (await api.get(f"/requests/{rid}/record", headers=bearer(owner))).json()["team"]
    assert [m["display_name"] for m in team] == ["บี"]

    # The owner's side of the hand back and after: confirm, rate, reopen, all as the teacher they now are.
    await confirm_handover(api, owner, rid)
    assert (await step(api, teacher, rid, "handed_back")).status_code == 200
    rated = await api.post(f"/requests/{rid}/rate", json={"rating": 5, "comment": "ดีมาก"}, headers=bearer(owner))
    assert rated.status_code == 200 and rated.json()["rating"] == 5, rated.text
    reopened = await api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่หาย"}, headers=bearer(owner))
    assert reopened.status_code == 200 and reopened.json()["status"] == "offered", reopened.text


async def _working_job(api: httpx.AsyncClient, area: Area) -> tuple[str, str, str, str]:
    """A job of the near college assigned to bee and being diagnosed: (owner, teacher, bee tokens, request id)."""
    owner, rid = await _citizen_request(api, fresh_phone())
    teacher, bee = await assigned_to_bee(api, area, rid)
    assert (await step(api, bee, rid, "diagnosing")).status_code == 200
    return owner, teacher, bee, rid


async def _propose(api: httpx.AsyncClient, bee: str, rid: str, name: str = "คาปาซิเตอร์") -> str:
    made = await api.post(f"/requests/{rid}/parts", json={"name": name, "qty": 1, "price_baht": 35},
                          headers=bearer(bee))
    assert made.status_code == 201, made.text
    part_id: str = made.json()["id"]
    return part_id


async def test_parts_are_answered_before_the_teachers_check_and_not_after(app_and_clock: AppClock, area: Area,
                                                                         database_url: str) -> None:
    api, _ = app_and_clock
    owner, teacher, bee, rid = await _working_job(api, area)
    part = await _propose(api, bee, rid)
    assert (await step(api, bee, rid, "repairing")).status_code == 200

    # Not to the check while a part waits for the owner's answer: the student gets it first.
    await work_to_check_refused(api, bee, rid)
    yes = await api.post(f"/requests/{rid}/parts/{part}/decision", json={"approve": True}, headers=bearer(owner))
    assert yes.status_code == 200
    assert (await step(api, bee, rid, "quality_check")).status_code == 200

    # A part left waiting in the check (from before this rule): nobody answers it now, and no approval over it.
    [late] = _sql(database_url, "insert into public.job_parts (request_id, name, qty, price_baht) "
                                "values (%s, 'มอเตอร์', 1, 450) returning id::text", [rid])
    for path, body, token in [(f"parts/{late['id']}/decision", {"approve": True}, owner),
                              (f"parts/{late['id']}/phone-approval", {"note": "คุณเอกอนุมัติทางโทรศัพท์ 10:30"}, bee)]:
        closed = await api.post(f"/requests/{rid}/{path}", json=body, headers=bearer(token))
        assert closed.status_code == 409 and _code(closed) == "parts_decision_closed", closed.text
        assert closed.json()["error"]["message_th"] and closed.json()["error"]["message_en"]
    held = await step(api, teacher, rid, "done")
    assert held.status_code == 409 and _code(held) == "parts_undecided", held.text
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(owner))).json()
    assert [p["status"] for p in record["parts"]] == ["approved", "proposed"]
    assert record["parts_approved_total_baht"] == 35


async def work_to_check_refused(api: httpx.AsyncClient, bee: str, rid: str) -> None:
    """The student's record is complete but a part waits: the move to the check is refused, the job stays put."""
    photo = {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    assert (await api.put(f"/requests/{rid}/after-photos/0", files=photo, headers=bearer(bee))).status_code == 201
    saved = await api.put(f"/requests/{rid}/report", headers=bearer(bee),
                          json={"hours": 1.5, "notes": "เปลี่ยนคาปาซิเตอร์ ทดสอบแล้วใช้งานได้", "parts": []})
    assert saved.status_code == 200, saved.text
    refused = await step(api, bee, rid, "quality_check")
    assert refused.status_code == 409 and _code(refused) == "parts_undecided", refused.text
    assert "อะไหล่" in refused.json()["error"]["message_th"]


async def test_a_waiting_part_is_withdrawn_when_the_job_cannot_be_repaired(app_and_clock: AppClock, area: Area
                                                                           ) -> None:
    api, _ = app_and_clock
    owner, _, bee, rid = await _working_job(api, area)
    part = await _propose(api, bee, rid)
    assert (await step(api, bee, rid, "unrepairable", reason="no_parts")).status_code == 200
    closed = await api.post(f"/requests/{rid}/parts/{part}/decision", json={"approve": True}, headers=bearer(owner))
    assert closed.status_code == 409 and _code(closed) == "parts_decision_closed"
    detail = (await api.get(f"/requests/{rid}", headers=bearer(owner))).json()
    assert detail["parts_waiting"] == 0
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(owner))).json()
    assert [(p["status"], p["approval"]) for p in record["parts"]] == [("withdrawn", None)]


async def test_a_college_whose_only_fitting_student_is_the_owner_is_not_chosen(app_and_clock: AppClock, area: Area,
                                                                               database_url: str) -> None:
    """The dispatch plan's college choice itself skips the owner: nobody in the area repairs computers but the
    citizen who asked, made a student of the near college since; the request waits for an admin rather than
    being offered to its own owner."""
    api, _ = app_and_clock
    phone = fresh_phone()
    owner, _ = await sign_in(api, phone)
    created = await api.post("/requests", json=draft(lat=HOME[0], lon=HOME[1], category_code="computer"),
                             headers=bearer(owner))
    assert created.status_code == 201 and created.json()["status"] == "no_centre", created.text
    rid = created.json()["id"]
    await _made_student(api, area, owner, phone, skills={"computer": 5, "electronics": 5})
    admin, _ = await sign_in(api, "084-444-4444")
    for body in ({}, {"college_id": str(area.near)}):  # the search, and the near college named
        sent = await api.post(f"/requests/{rid}/dispatch", json=body, headers=bearer(admin))
        assert sent.status_code == 409 and _code(sent) == "no_fitting_student", sent.text
    assert offers_of(database_url, rid) == []


async def test_a_student_is_never_on_the_team_of_their_own_request(app_and_clock: AppClock, area: Area,
                                                                   database_url: str) -> None:
    """Neither the lead nor the teacher adds the request's owner (a citizen made a student of the college since) as
    a helper: they would report hours and be credited for their own repair, and then rate their own work."""
    api, _ = app_and_clock
    phone = fresh_phone()
    owner, rid = await _citizen_request(api, phone)
    teacher, owner_id = await _made_student(api, area, owner, phone, skills={"electrical_appliance": 5})
    _, bee = await assigned_to_bee(api, area, rid)
    assert (await step(api, bee, rid, "diagnosing")).status_code == 200

    for token in (bee, teacher):
        added = await api.post(f"/requests/{rid}/team", json={"technician_id": owner_id, "task": "ช่วยถอดฝา"},
                               headers=bearer(token))
        assert added.status_code == 409 and _code(added) == "own_request_team", added.text
        assert added.json()["error"]["message_th"] and added.json()["error"]["message_en"]
    assert _sql(database_url, "select 1 from public.job_team where request_id = %s and technician_id = %s",
                [rid, owner_id]) == []
    # Another student of the college still joins as before.
    joined = await api.post(f"/requests/{rid}/team", json={"technician_id": area.students["cat"][0], "task": "ช่วย"},
                            headers=bearer(bee))
    assert joined.status_code == 204, joined.text


async def test_a_teacher_who_asked_for_a_repair_makes_none_of_the_colleges_decisions_about_it(
    app_and_clock: AppClock, area: Area, database_url: str,
) -> None:
    """Who works on it, who helps, taking it back and recording the hand back are the college deciding about
    someone's repair: for their own request a teacher is its owner, and another teacher of the college decides."""
    api, _ = app_and_clock
    owner, rid = await _citizen_request(api, fresh_phone())
    me = (await api.get("/me", headers=bearer(owner))).json()
    _sql(database_url, "update public.profiles set role = 'supervisor', college_id = %s where id = %s",
         [area.near, me["id"]])
    teacher, bee = await assigned_to_bee(api, area, rid)
    cat_id = area.students["cat"][0]

    def refused(response: httpx.Response) -> None:
        assert response.status_code == 403 and _code(response) == "own_request_staff", response.text
        assert response.json()["error"]["message_th"] and response.json()["error"]["message_en"]

    refused(await api.post(f"/requests/{rid}/assign", json={"technician_id": cat_id}, headers=bearer(owner)))
    refused(await api.post(f"/requests/{rid}/team", json={"technician_id": cat_id, "task": "ช่วยถอดฝา"},
                           headers=bearer(owner)))
    refused(await step(api, owner, rid, "offered", note="ให้คนอื่นทำ"))
    assert _sql(database_url, "select technician_id::text as t, status from public.repair_requests where id = %s",
                [rid]) == [{"t": area.students["bee"][0], "status": "accepted"}]
    assert _sql(database_url, "select 1 from public.job_team where request_id = %s and technician_id = %s",
                [rid, cat_id]) == []

    # The college's other teacher still does each of them.
    added = await api.post(f"/requests/{rid}/team", json={"technician_id": cat_id, "task": "ช่วยถอดฝา"},
                           headers=bearer(teacher))
    assert added.status_code == 204, added.text
    await work_to_quality_check(api, bee, rid)
    assert (await step(api, teacher, rid, "done")).status_code == 200
    # The hand back on the teacher's recorded reason ("the owner cannot confirm") is not the owner's to record.
    refused(await step(api, owner, rid, "handed_back", note="เจ้าของรับของไปแล้วที่ศูนย์"))
    assert _sql(database_url, "select 1 from public.job_handovers where request_id = %s", [rid]) == []
    handed = await step(api, teacher, rid, "handed_back", note="เจ้าของรับของไปแล้วที่ศูนย์")
    assert handed.status_code == 200 and handed.json()["status"] == "handed_back", handed.text
