"""Honest QC in a reopened job's later round: the re-repair is reported and evidenced again before the teacher's
check (a report saved and an after photo uploaded since the round began); the first round is unchanged."""

from typing import Any

import httpx
import psycopg

from tests.helpers import bearer, sign_in
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import AppClock, Area, handed_back_job, record_work, step, submit


async def _detail(api: httpx.AsyncClient, token: str, rid: str) -> dict[str, Any]:
    got = await api.get(f"/requests/{rid}", headers=bearer(token))
    assert got.status_code == 200, got.text
    body: dict[str, Any] = got.json()
    return body


async def _after_photo(api: httpx.AsyncClient, token: str, rid: str, idx: int) -> None:
    photo = {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    uploaded = await api.put(f"/requests/{rid}/after-photos/{idx}", files=photo, headers=bearer(token))
    assert uploaded.status_code == 201, uploaded.text


async def _report(api: httpx.AsyncClient, token: str, rid: str, hours: float, notes: str) -> None:
    saved = await api.put(f"/requests/{rid}/report", json={"hours": hours, "notes": notes, "parts": []},
                          headers=bearer(token))
    assert saved.status_code == 200, saved.text


async def _second_round(api: httpx.AsyncClient, area: Area) -> tuple[str, str, str]:
    """A job repaired, handed back and reopened, given to bee again and being repaired: (teacher, bee, id)."""
    citizen, rid = await handed_back_job(api, area)  # round 1: after photo 0 and a 1.5 h report
    reopened = await api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่หาย"}, headers=bearer(citizen))
    assert reopened.status_code == 200, reopened.text
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assigned = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["bee"][0]},
                              headers=bearer(teacher))
    assert assigned.status_code == 200, assigned.text
    bee, _ = await sign_in(api, area.students["bee"][1])
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    return teacher, bee, rid


def _done_events(database_url: str, rid: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select count(*) from public.status_events where request_id = %s and to_status = 'done'",
                           [rid]).fetchone()
    assert row is not None
    return int(row[0])


async def test_the_first_round_counts_every_photo_and_report(app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    _, request = await submit(api)
    rid = request["id"]
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assert (await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["bee"][0]},
                           headers=bearer(teacher))).status_code == 200
    bee, _ = await sign_in(api, area.students["bee"][1])
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    fresh = await _detail(api, bee, rid)
    assert (fresh["work_round"], fresh["report_in_round"], fresh["after_photos_in_round"]) == (1, False, [])
    assert fresh["quality_check_missing"][0]["message_en"] == "Add at least one after photo"  # first-round words
    await record_work(api, bee, rid)
    recorded = await _detail(api, bee, rid)
    assert (recorded["work_round"], recorded["report_in_round"], recorded["after_photos_in_round"]) == (1, True, [0])
    assert recorded["quality_check_missing"] == []
    assert (await step(api, bee, rid, "quality_check")).status_code == 200


async def test_a_later_round_needs_its_own_report(app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    teacher, bee, rid = await _second_round(api, area)

    # The first round's report is still there (the app prefills the form from it) but is not this round's.
    detail = await _detail(api, bee, rid)
    assert (detail["work_round"], detail["report_in_round"], detail["after_photos_in_round"]) == (2, False, [])
    assert detail["report"]["hours"] == 1.5
    assert [m["code"] for m in detail["quality_check_missing"]] == ["after_photo", "hours", "report"]
    assert detail["quality_check_missing"][2]["message_th"].startswith("บันทึกรายงานของรอบนี้")

    refused = await step(api, bee, rid, "quality_check")
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "quality_check_incomplete"
    assert set(error["fields"]) == {"after_photo", "hours", "report"}
    assert "รายงานของรอบนี้" in error["message_th"] and "this round's report" in error["message_en"]
    assert error["fields"]["after_photo"]["code"] == "qc_missing_after_photo_in_round"

    # A new after photo is not enough without a report. It goes beside the first round's at index 0, which is the
    # first round's evidence and is never replaced (known18be: 409 photo_earlier_work).
    photo = {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    over = await api.put(f"/requests/{rid}/after-photos/0", files=photo, headers=bearer(bee))
    assert over.status_code == 409 and over.json()["error"]["code"] == "photo_earlier_work", over.text
    await _after_photo(api, bee, rid, 1)
    assert (await _detail(api, bee, rid))["after_photos_in_round"] == [1]
    still = await step(api, bee, rid, "quality_check")
    assert still.status_code == 409 and set(still.json()["error"]["fields"]) == {"hours", "report"}
    assert (await _detail(api, bee, rid))["status"] == "repairing"  # the move was undone

    # Nor may the teacher approve such a record (a job that got to the check some other way): nothing is stored.
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.repair_requests set status = 'quality_check' where id = %s", [rid])
    not_approved = await step(api, teacher, rid, "done")
    assert not_approved.status_code == 409
    assert not_approved.json()["error"]["code"] == "approval_incomplete"
    assert set(not_approved.json()["error"]["fields"]) == {"hours", "report"}
    assert (await _detail(api, teacher, rid))["status"] == "quality_check"
    assert _done_events(database_url, rid) == 1  # only the first round's approval


async def test_a_later_round_needs_its_own_after_photo_then_credits_the_lead(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    teacher, bee, rid = await _second_round(api, area)

    await _report(api, bee, rid, 0.75, "เปลี่ยนคาปาซิเตอร์ตัวใหม่ ทดสอบแล้วหมุนปกติ")
    detail = await _detail(api, bee, rid)
    assert (detail["report_in_round"], detail["after_photos_in_round"]) == (True, [])
    assert [m["code"] for m in detail["quality_check_missing"]] == ["after_photo"]
    refused = await step(api, bee, rid, "quality_check")
    assert refused.status_code == 409 and set(refused.json()["error"]["fields"]) == {"after_photo"}
    assert refused.json()["error"]["fields"]["after_photo"]["message_en"].startswith(
        "Add at least one new after photo for this round")

    await _after_photo(api, bee, rid, 1)  # a new slot: the first round's photo 0 stays, and does not count
    assert (await _detail(api, bee, rid))["after_photos_in_round"] == [1]
    sent = await step(api, bee, rid, "quality_check")
    assert sent.status_code == 200, sent.text
    assert sent.json()["quality_check_missing"] == []

    # The teacher sees the lead's round-2 hours from the report and approves them without typing anything.
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(teacher))).json()
    assert record["round"] == 2
    assert [(m["role"], m["hours"]) for m in record["team"]] == [("lead", 0.75)]
    assert (await step(api, teacher, rid, "done")).status_code == 200
    with psycopg.connect(database_url, autocommit=True) as conn:  # an hour in hand (a test cannot wait one)
        conn.execute("update public.status_events set created_at = created_at - interval '1 hour' "
                     "where request_id = %s and to_status = 'accepted'", [rid])
    approved = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    assert approved.status_code == 200, approved.text
    assert [(m["role"], m["approved_hours"], m["round"]) for m in approved.json()] == [("lead", 0.75, 2)]
