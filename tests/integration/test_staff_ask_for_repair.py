"""A student or a teacher asks for a repair of their own like anyone: the request is theirs as its owner, offered
only to the college's other fitting students, and checked by another teacher of the college (or the admin)."""

from typing import Any

import httpx
import psycopg

from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft
from tests.integration.dispatch_area import HOME, AppClock, Area, offers_of, work_to_quality_check


async def _ask(api: httpx.AsyncClient, token: str) -> dict[str, Any]:
    created = await api.post("/requests", json=draft(lat=HOME[0], lon=HOME[1]), headers=bearer(token))
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


async def test_a_student_asks_for_a_repair_and_only_the_other_students_are_offered_it(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    # Ace is the near college's best fitting student for a fan: the one dispatch would pick first.
    ace_id, ace_phone = area.students["ace"]
    ace, _ = await sign_in(api, ace_phone)
    body = await _ask(api, ace)
    rid = body["id"]
    assert body["status"] == "offered" and body["is_mine"] and body["actions"] == ["cancel"]
    # The timeline names them as the owner side, not as a technician working on it.
    assert [(e["actor"], e["to_status"]) for e in body["timeline"]] == [("citizen", "submitted"),
                                                                         ("system", "offered")]
    offered = {o["technician_id"] for o in offers_of(database_url, rid)}
    others = {area.students[name][0] for name in ("bee", "cat", "dan")}
    assert offered and offered <= others, (offered, others)
    assert ace_id not in offered
    assert rid not in {o["request_id"] for o in (await api.get("/technician/offers", headers=bearer(ace))).json()}
    assert [r["id"] for r in (await api.get("/requests/mine", headers=bearer(ace))).json()] == [rid]

    # Another student takes it; the owner cannot, and sees it as its owner.
    bee, _ = await sign_in(api, area.students["bee"][1])
    offer = next(o for o in (await api.get("/technician/offers", headers=bearer(bee))).json()
                 if o["request_id"] == rid)
    assert (await api.post(f"/offers/{offer['offer_id']}/accept", headers=bearer(bee))).status_code == 200
    own_work = await api.post(f"/requests/{rid}/status", json={"to_status": "diagnosing"}, headers=bearer(ace))
    assert own_work.status_code == 409 and own_work.json()["error"]["code"] == "own_request", own_work.text
    seen = (await api.get(f"/requests/{rid}", headers=bearer(ace))).json()
    assert seen["is_mine"] and seen["technician_id"] == area.students["bee"][0]
    assert not (await api.get(f"/requests/{rid}", headers=bearer(bee))).json()["is_mine"]


async def test_a_teacher_asks_for_a_repair_and_another_teacher_checks_it(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    owner, _ = await sign_in(api, area.students["teacher"][1])
    rid = (await _ask(api, owner))["id"]
    # A second teacher of the same college (named the way an admin names one).
    colleague, profile = await sign_in(api, fresh_phone())
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set role = 'supervisor', college_id = %s where id = %s",
                     [area.near, profile["id"]])
    assigned = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["bee"][0]},
                              headers=bearer(colleague))
    assert assigned.status_code == 200, assigned.text
    bee, _ = await sign_in(api, area.students["bee"][1])
    await work_to_quality_check(api, bee, rid)

    # The owner's job screen knows it is theirs (the app offers no check); the backend refuses it anyway.
    as_owner = (await api.get(f"/requests/{rid}", headers=bearer(owner))).json()
    assert as_owner["status"] == "quality_check" and as_owner["is_mine"]
    for to in ("done", "repairing"):
        refused = await api.post(f"/requests/{rid}/status", json={"to_status": to}, headers=bearer(owner))
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "own_request_check", refused.text
        assert refused.json()["error"]["message_th"] and refused.json()["error"]["message_en"]
    as_colleague = (await api.get(f"/requests/{rid}", headers=bearer(colleague))).json()
    assert not as_colleague["is_mine"]
    checked = await api.post(f"/requests/{rid}/status", json={"to_status": "done"}, headers=bearer(colleague))
    assert checked.status_code == 200 and checked.json()["status"] == "done", checked.text


async def test_the_admin_checks_a_teachers_own_request_when_they_are_its_colleges_only_teacher(
        app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    owner, _ = await sign_in(api, area.students["teacher"][1])
    rid = (await _ask(api, owner))["id"]
    bee, _ = await sign_in(api, area.students["bee"][1])
    offer = next(o for o in (await api.get("/technician/offers", headers=bearer(bee))).json()
                 if o["request_id"] == rid)
    assert (await api.post(f"/offers/{offer['offer_id']}/accept", headers=bearer(bee))).status_code == 200
    await work_to_quality_check(api, bee, rid)
    admin, _ = await sign_in(api, "084-444-4444")
    checked = await api.post(f"/requests/{rid}/status", json={"to_status": "done"}, headers=bearer(admin))
    assert checked.status_code == 200 and checked.json()["status"] == "done", checked.text
