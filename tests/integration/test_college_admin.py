"""The student's report and after photos, and the supervisor's dashboard, students, exports and ledger."""

import csv
import io
from typing import Any

import psycopg

from tests.helpers import bearer, sign_in
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import AppClock, Area, accepted_job, record_work


async def test_report_and_after_photos(app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    citizen, ace, rid = await accepted_job(api, area)
    report = {"hours": 2.5, "notes": " เปลี่ยนคาปาซิเตอร์ ",
              "parts": [{"name": "คาปาซิเตอร์ 1.5uF", "qty": 2, "cost_baht": 35}]}
    saved = await api.put(f"/requests/{rid}/report", json=report, headers=bearer(ace))
    assert saved.status_code == 200, saved.text
    assert saved.json()["parts_total_baht"] == 70 and saved.json()["notes"] == "เปลี่ยนคาปาซิเตอร์"
    bad = await api.put(f"/requests/{rid}/report", json={**report, "parts": [{"name": "", "qty": 0, "cost_baht": -1}]},
                        headers=bearer(ace))
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "report_part_invalid"
    bee, _ = await sign_in(api, area.students["bee"][1])
    other = await api.put(f"/requests/{rid}/report", json=report, headers=bearer(bee))
    assert other.status_code == 403 and other.json()["error"]["code"] == "not_assigned"

    photo = {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    after = await api.put(f"/requests/{rid}/after-photos/0", files=photo, headers=bearer(ace))
    assert after.status_code == 201 and after.json()["kind"] == "after"
    detail = (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()
    assert [p["kind"] for p in detail["photos"]] == ["after"]  # the citizen sees the after photo
    assert detail["report"]["hours"] == 2.5
    served = await api.get(f"/requests/{rid}/photos/after/0", headers=bearer(citizen))
    assert served.status_code == 200


def _in_hand_for(database_url: str, rid: str, hours: float) -> None:
    """The job was in hand for `hours` (approved hours must fit its timeline; a test cannot wait that long)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.status_events set created_at = created_at - make_interval(secs => %s) "
                     "where request_id = %s and to_status = 'accepted'", [hours * 3600, rid])


async def test_dashboard_students_ledger_and_exports(app_and_clock: AppClock, area: Area, database_url: str
                                                     ) -> None:
    api, _ = app_and_clock
    _, ace, rid = await accepted_job(api, area)
    await record_work(api, ace, rid, hours=3)
    for to in ("diagnosing", "repairing", "quality_check"):
        moved = await api.post(f"/requests/{rid}/status", json={"to_status": to}, headers=bearer(ace))
        assert moved.status_code == 200, moved.text
    teacher, _ = await sign_in(api, area.students["teacher"][1])

    board = (await api.get("/supervisor/dashboard", headers=bearer(teacher))).json()
    assert board["counts"]["quality_check"] == 1 and [r["id"] for r in board["quality_check"]] == [rid]
    assert sum(w["n"] for w in board["weekly"] if w["category_code"] == "appliance") == 1

    assert (await api.post(f"/requests/{rid}/status", json={"to_status": "done"},
                           headers=bearer(teacher))).status_code == 200
    # Marked done is not hours approved: the ledger credits only what the teacher approved (issue 14).
    ledger = (await api.get("/supervisor/ledger", headers=bearer(teacher))).json()
    row = next(r for r in ledger if r["technician_id"] == area.students["ace"][0])
    assert (row["approved_jobs"], row["hours"]) == (0, 0.0)
    _in_hand_for(database_url, rid, 4)
    approved = await api.post(f"/requests/{rid}/credit/approve", json={"hours": {area.students["ace"][0]: 2.5}},
                              headers=bearer(teacher))
    assert approved.status_code == 200, approved.text
    ledger = (await api.get("/supervisor/ledger", headers=bearer(teacher))).json()
    row = next(r for r in ledger if r["technician_id"] == area.students["ace"][0])
    # The teacher's corrected 2.5 hours, not the 3 the student reported.
    assert (row["approved_jobs"], row["hours"], row["categories"]) == (1, 2.5, ["appliance"])

    exported = await api.get("/supervisor/ledger.csv", headers=bearer(teacher))
    assert exported.headers["content-type"].startswith("text/csv")
    text = exported.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))  # Thai headers (tests/integration/test_exports.py)
    assert any(r["นักศึกษา"] == "เอ เก่งมาก" and r["งานที่ผ่านการตรวจ"] == "1" for r in rows)
    jobs = list(csv.DictReader(io.StringIO((await api.get("/supervisor/jobs.csv", headers=bearer(teacher)))
                                           .content.decode("utf-8").lstrip("\ufeff"))))
    assert [(j["ผู้อนุมัติ"], j["ชั่วโมงทำงาน"]) for j in jobs] == [("ครู", "3")]

    people = (await api.get("/supervisor/technicians", headers=bearer(teacher))).json()
    dan = next(p for p in people if p["id"] == area.students["dan"][0])
    assert dan["skills"] == {"electrical_appliance": 1} and dan["is_active"]
    changed = await api.put(f"/supervisor/technicians/{dan['id']}", json={"is_active": False,
                            "skills": {"electronics": 3}}, headers=bearer(teacher))
    assert changed.status_code == 200 and changed.json()["skills"] == {"electronics": 3}
    assert changed.json()["is_active"] is False
    bad = await api.put(f"/supervisor/technicians/{dan['id']}", json={"skills": {"electronics": 9}},
                        headers=bearer(teacher))
    assert bad.status_code == 400
    outsider = await api.put(f"/supervisor/technicians/{area.students['far1'][0]}", json={"is_active": False},
                             headers=bearer(teacher))
    assert outsider.status_code == 404


async def test_students_cannot_use_supervisor_screens(app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    ace, _ = await sign_in(api, area.students["ace"][1])
    for path in ("/supervisor/dashboard", "/supervisor/technicians", "/supervisor/ledger", "/supervisor/jobs.csv"):
        response: Any = await api.get(path, headers=bearer(ace))
        assert response.status_code == 403, path
