"""A student whose job the teacher gave to another no longer holds it (review13).

A teacher reassigns a leaving student's jobs first, as the refusals say ("their college's teacher reassigns them
first"), then the student is moved or their account deleted. Since the former student stays on the round's team as
a helper with the hours they reported (credit.keep_former_student), `private.jobs_in_hand` counted that job as one
in their hands: the move and the deletion were refused until another student had finished it, and the teacher had
nothing left to reassign. Their hours stay on the team for the teacher to approve."""

import httpx

from tests.helpers import bearer, sign_in
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import AppClock, Area, submit

SEED_ADMIN = "084-444-4444"


async def _bee_reported_then_reassigned(api: httpx.AsyncClient, area: Area) -> tuple[str, str]:
    """bee works a job and reports 1.5 h; the teacher gives it to ace, who carries on: (teacher token, request)."""
    _, created = await submit(api)
    rid = created["id"]
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    bee_id, bee_phone = area.students["bee"]
    assigned = await api.post(f"/requests/{rid}/assign", json={"technician_id": bee_id}, headers=bearer(teacher))
    assert assigned.status_code == 200, assigned.text
    bee, _ = await sign_in(api, bee_phone)
    for to in ("diagnosing", "repairing"):
        moved = await api.post(f"/requests/{rid}/status", json={"to_status": to}, headers=bearer(bee))
        assert moved.status_code == 200, moved.text
    photo = {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    assert (await api.put(f"/requests/{rid}/after-photos/0", files=photo, headers=bearer(bee))).status_code == 201
    saved = await api.put(f"/requests/{rid}/report", headers=bearer(bee), json={
        "hours": 1.5, "notes": "เปลี่ยนฟิวส์ ทดสอบเปิดเครื่องแล้วใช้งานได้", "parts": []})
    assert saved.status_code == 200, saved.text
    reassigned = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]},
                                headers=bearer(teacher))
    assert reassigned.status_code == 200, reassigned.text
    return teacher, rid


async def test_a_student_whose_job_was_reassigned_may_be_moved_to_another_college(app_and_clock: AppClock,
                                                                                   area: Area) -> None:
    api, _ = app_and_clock
    teacher, rid = await _bee_reported_then_reassigned(api, area)
    bee_id, bee_phone = area.students["bee"]
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(teacher))).json()
    assert {m["technician_id"]: (m["role"], m["hours"]) for m in record["team"]}[bee_id] == ("helper", 1.5)
    admin, _ = await sign_in(api, SEED_ADMIN)
    moved = await api.post(f"/colleges/{area.far}/students", json={"phone": bee_phone}, headers=bearer(admin))
    assert moved.status_code == 201, moved.text
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(teacher))).json()
    assert {m["technician_id"]: (m["role"], m["hours"]) for m in record["team"]}[bee_id] == ("helper", 1.5)


async def test_a_student_whose_job_was_reassigned_may_delete_their_account(app_and_clock: AppClock,
                                                                           area: Area) -> None:
    api, _ = app_and_clock
    await _bee_reported_then_reassigned(api, area)
    bee, _ = await sign_in(api, area.students["bee"][1])
    deleted = await api.delete("/me", params={"confirm": "true"}, headers=bearer(bee))
    assert deleted.status_code == 204, deleted.text
