"""What the student on a job meets once the job is closed to them (cancelled by its owner, or handed back and past
the reopen window), findings of review15b on migration 0060: their record of it keeps no finer place than an
anonymised request's, and their writes from a screen still open on it are refused as closed (409), never as unknown
(404). Real PostgreSQL, the app's routes through httpx."""

from datetime import timedelta

from tests.helpers import bearer
from tests.integration.dispatch_area import (
    AppClock,
    Area,
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
