"""What the student on a job meets once the job is closed to them (cancelled by its owner, or handed back and past
the reopen window), findings of review15b on migration 0060: their record of it keeps no finer place than an
anonymised request's, and their writes from a screen still open on it are refused as closed (409), never as unknown
(404). Real PostgreSQL, the app's routes through httpx."""

from datetime import timedelta

import httpx

from tests.helpers import bearer, sign_in
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import (
    AppClock,
    Area,
    accepted_job,
    assigned_to_bee,
    confirm_handover,
    submit,
    work_to_quality_check,
)


async def test_a_finished_jobs_student_reads_no_finer_place_than_an_anonymised_request(
    app_and_clock: AppClock, area: Area,
) -> None:
    api, clock = app_and_clock
    citizen, request = await submit(api, province="แม่ฮ่องสอน", district="เมืองแม่ฮ่องสอน", sub_district="จองคำ")
    rid = request["id"]
    assert request["sub_district"] == "จองคำ"
    teacher, bee = await assigned_to_bee(api, area, rid)
    await work_to_quality_check(api, bee, rid)
    assert (await api.post(f"/requests/{rid}/status", json={"to_status": "done"},
                           headers=bearer(teacher))).status_code == 200
    await confirm_handover(api, citizen, rid)
    assert (await api.post(f"/requests/{rid}/status", json={"to_status": "handed_back"},
                           headers=bearer(teacher))).status_code == 200
    clock.now += timedelta(days=30)  # past the reopen window: nothing left to arrange with the owner
    body = (await api.get(f"/requests/{rid}", headers=bearer(bee))).json()
    assert body["status"] == "handed_back" and not body["contact_phone"] and not body["address"]
    assert (body["lat"], body["lon"]) == (round(body["lat"], 1), round(body["lon"], 1))
    # private.forget_person's anonymised place (0044/0060) is the 0.1 degree point with no sub-district: the student's
    # record of a finished job keeps the place "as an anonymised request's" (0060, 0063: request_as_read).
    assert body["sub_district"] == ""
    # What their record of the work needs stays: the job's area and what was asked.
    assert (body["province"], body["district"]) == ("แม่ฮ่องสอน", "เมืองแม่ฮ่องสอน")
    assert body["description"] == request["description"]
    # The owner and the college's teacher still read the whole place.
    for reader in (citizen, teacher):
        assert (await api.get(f"/requests/{rid}", headers=bearer(reader))).json()["sub_district"] == "จองคำ"


def _after_photo() -> dict[str, tuple[str, bytes, str]]:
    return {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}


async def _after_photos(api: httpx.AsyncClient, token: str, rid: str) -> list[int]:
    detail = (await api.get(f"/requests/{rid}", headers=bearer(token))).json()
    return sorted(p["idx"] for p in detail["photos"] if p["kind"] == "after")


async def test_an_after_photo_on_a_cancelled_job_is_refused_as_closed_not_as_unknown(
    api: httpx.AsyncClient, area: Area,
) -> None:
    citizen, ace, rid = await accepted_job(api, area, "ace")
    cancelled = await api.post(f"/requests/{rid}/cancel", json={"note": "ซ่อมเองได้แล้ว"}, headers=bearer(citizen))
    assert cancelled.status_code == 200, cancelled.text
    # The student's screen still shows the job (nothing told them yet): the report's save says why it is refused.
    report = await api.put(f"/requests/{rid}/report", json={"hours": 1, "notes": "ตรวจสอบแล้ว", "parts": []},
                           headers=bearer(ace))
    assert report.status_code == 409, report.text
    assert report.json()["error"]["code"] == "work_closed"
    # The after photo, from the same screen, is refused the same way (as it was before 0060).
    uploaded = await api.put(f"/requests/{rid}/after-photos/0", files=_after_photo(), headers=bearer(ace))
    assert uploaded.status_code == 409, uploaded.text
    assert uploaded.json()["error"]["code"] == "work_closed"
    assert await _after_photos(api, citizen, rid) == []


async def test_every_write_from_a_finished_jobs_screen_is_refused_as_closed(
    app_and_clock: AppClock, area: Area,
) -> None:
    """Handed back and past the reopen window: the job is closed to its student (0060), who may still have it open
    on a screen. Each of its writes (work steps, report, after photos, outcome, parts, team) says the job has moved
    on."""
    api, clock = app_and_clock
    citizen, request = await submit(api)
    rid = request["id"]
    teacher, bee = await assigned_to_bee(api, area, rid)
    part = await api.post(f"/requests/{rid}/parts", json={"name": "สายไฟ", "qty": 1, "price_baht": 20},
                          headers=bearer(bee))
    assert part.status_code == 201, part.text
    assert (await api.post(f"/requests/{rid}/parts/{part.json()['id']}/decision", json={"approve": False},
                           headers=bearer(citizen))).status_code == 200
    await work_to_quality_check(api, bee, rid)
    assert (await api.post(f"/requests/{rid}/status", json={"to_status": "done"},
                           headers=bearer(teacher))).status_code == 200
    await confirm_handover(api, citizen, rid)
    assert (await api.post(f"/requests/{rid}/status", json={"to_status": "handed_back"},
                           headers=bearer(teacher))).status_code == 200
    clock.now += timedelta(days=30)
    writes = {
        "illegal_transition": api.post(f"/requests/{rid}/status", json={"to_status": "repairing"},
                                       headers=bearer(bee)),
        "work_closed": api.put(f"/requests/{rid}/report", json={"hours": 2, "notes": "ตรวจซ้ำแล้ว", "parts": []},
                               headers=bearer(bee)),
        "outcome_not_now": api.put(f"/requests/{rid}/outcome", json={"outcome": "fixed", "fault_found": "ฟิวส์ขาด"},
                                   headers=bearer(bee)),
        "parts_not_now": api.post(f"/requests/{rid}/parts", json={"name": "ฟิวส์", "qty": 1, "price_baht": 20},
                                  headers=bearer(bee)),
        "parts_decision_closed": api.post(f"/requests/{rid}/parts/{part.json()['id']}/phone-approval",
                                          json={"approve": True, "note": "เจ้าของอนุมัติทางโทรศัพท์ 10:00"},
                                          headers=bearer(bee)),
        "team_job_ended": api.post(f"/requests/{rid}/team", headers=bearer(bee),
                                   json={"technician_id": area.students["cat"][0], "task": "ถอดประกอบ"}),
    }
    for code, write in writes.items():
        answer = await write
        assert (answer.status_code, answer.json()["error"]["code"]) == (409, code), answer.text
    uploaded = await api.put(f"/requests/{rid}/after-photos/1", files=_after_photo(), headers=bearer(bee))
    assert (uploaded.status_code, uploaded.json()["error"]["code"]) == (409, "work_closed"), uploaded.text
    assert await _after_photos(api, citizen, rid) == [0]  # the photo of the work, and no other


async def test_after_photos_stay_the_lead_students_once_the_job_is_closed(api: httpx.AsyncClient, area: Area) -> None:
    """Who may add an after photo is unchanged by reading the row as the detail does: a helper on the job is told it
    is not theirs to add (403, as while it is open), a student with nothing to do with it learns nothing (404)."""
    citizen, ace, rid = await accepted_job(api, area, "ace")
    added = await api.post(f"/requests/{rid}/team", headers=bearer(ace),
                           json={"technician_id": area.students["bee"][0], "task": "ถอดประกอบ"})
    assert added.status_code == 204, added.text
    bee, _ = await sign_in(api, area.students["bee"][1])
    cat, _ = await sign_in(api, area.students["cat"][1])
    while_open = await api.put(f"/requests/{rid}/after-photos/0", files=_after_photo(), headers=bearer(bee))
    assert (while_open.status_code, while_open.json()["error"]["code"]) == (403, "not_assigned")
    assert (await api.post(f"/requests/{rid}/cancel", json={"note": "ซ่อมเองได้แล้ว"},
                           headers=bearer(citizen))).status_code == 200
    helper = await api.put(f"/requests/{rid}/after-photos/0", files=_after_photo(), headers=bearer(bee))
    assert (helper.status_code, helper.json()["error"]["code"]) == (403, "not_assigned"), helper.text
    stranger = await api.put(f"/requests/{rid}/after-photos/0", files=_after_photo(), headers=bearer(cat))
    assert (stranger.status_code, stranger.json()["error"]["code"]) == (404, "not_found"), stranger.text
    assert await _after_photos(api, citizen, rid) == []
