"""The citizen's full record of a request: what they entered, the repair record, whom to call, what happens next."""

import psycopg

from tests.helpers import bearer, sign_in
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import AppClock, Area, approve_and_hand_back, submit, work_to_quality_check


async def test_the_citizen_sees_everything_about_their_repair(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.colleges set phone = '+6653611234' where id = %s", [area.near])
    citizen, request = await submit(api, service_place="home", preferred_days=["mon", "fri"],
                                    address="99 หมู่ 2 ตำบลจองคำ")
    rid = request["id"]
    before = {"file": ("before.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    assert (await api.put(f"/requests/{rid}/photos/0", files=before, headers=bearer(citizen))).status_code == 201

    fresh = (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()
    assert fresh["status"] == "offered"
    assert fresh["next_step"].startswith("เสนองานให้นักศึกษาช่าง") and fresh["expected_wait"]
    assert (fresh["college_phone"], fresh["college_name_th"]) == ("+6653611234", "วิทยาลัยทดสอบใกล้")
    assert (fresh["college_lat"], fresh["college_lon"]) == (19.3050, 97.9650)
    assert fresh["college_coordinates_approximate"] is True

    teacher, _ = await sign_in(api, area.students["teacher"][1])
    await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]}, headers=bearer(teacher))
    ace, _ = await sign_in(api, area.students["ace"][1])
    await work_to_quality_check(api, ace, rid)
    report = {"hours": 2.5, "notes": "เปลี่ยนคาปาซิเตอร์และทำความสะอาดมอเตอร์",
              "parts": [{"name": "คาปาซิเตอร์ 1.5uF", "qty": 2, "cost_baht": 35},
                        {"name": "จารบี", "qty": 1, "cost_baht": 20}]}
    await api.post(f"/requests/{rid}/status", json={"to_status": "repairing", "note": "ใส่รายการอะไหล่"},
                   headers=bearer(teacher))
    assert (await api.put(f"/requests/{rid}/report", json=report, headers=bearer(ace))).status_code == 200
    # The capacitors are proposed and the owner says yes; the grease is only on the report's own list.
    part = await api.post(f"/requests/{rid}/parts", json={"name": "คาปาซิเตอร์ 1.5uF", "qty": 2, "price_baht": 35},
                          headers=bearer(ace))
    assert part.status_code == 201, part.text
    yes = await api.post(f"/requests/{rid}/parts/{part.json()['id']}/decision", json={"approve": True},
                         headers=bearer(citizen))
    assert yes.status_code == 200, yes.text
    await api.post(f"/requests/{rid}/status", json={"to_status": "quality_check"}, headers=bearer(ace))
    await approve_and_hand_back(api, citizen, teacher, rid)

    detail = (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()
    # What they entered.
    assert detail["description"] == "เปิดแล้วไม่หมุน มีกลิ่นไหม้" and detail["address"] == "99 หมู่ 2 ตำบลจองคำ"
    assert (detail["service_place"], sorted(detail["preferred_days"])) == ("home", ["fri", "mon"])
    # The repair record: work done, the parts they approved and their total, hours, before and after photos.
    assert detail["report"]["notes"] == report["notes"] and detail["report"]["hours"] == 2.5
    assert [p["name"] for p in detail["report"]["parts"]] == ["คาปาซิเตอร์ 1.5uF"]
    assert detail["report"]["parts_total_baht"] == detail["parts_approved_total_baht"] == 70
    assert sorted(p["kind"] for p in detail["photos"]) == ["after", "before"]
    # Who and whom to call, and the number to quote.
    assert detail["technician_first_name"] == "เอ" and detail["college_phone"] == "+6653611234"
    assert detail["reference"] == request["reference"] and detail["reference"].startswith("FX-")
    # What happens next, in the reader's language.
    assert "ยังไม่หาย" in detail["next_step"] and detail["expected_wait"] is None

    assert (await api.patch("/me", json={"locale": "en"}, headers=bearer(citizen))).status_code == 200
    english = (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()
    assert english["next_step"] == "You have it back: rate the repair, or report it still broken within 7 days"


async def test_every_status_says_what_happens_next(app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    citizen, request = await submit(api)
    assert request["next_step"] and request["expected_wait"]
    cancelled = await api.post(f"/requests/{request['id']}/cancel", json={"note": ""}, headers=bearer(citizen))
    assert cancelled.json()["next_step"] == "คำขอนี้ถูกยกเลิกแล้ว" and cancelled.json()["expected_wait"] is None
    _, waiting = await submit(api, category_code="computer")
    assert waiting["status"] == "no_centre" and waiting["next_step"].startswith("ยังไม่มีศูนย์ซ่อม")
    assert waiting["college_phone"] is None and waiting["college_lat"] is None
