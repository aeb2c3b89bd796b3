"""The teacher's college job list (filters, search, paging, actions) and the reference numbers it finds."""

import re
from typing import Any

import psycopg

from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, submit, work_to_quality_check

REFERENCE = re.compile(r"^FX-[0-9]{6,}$")


async def test_every_request_has_a_unique_reference_number(app_and_clock: AppClock, area: Area,
                                                             database_url: str) -> None:
    api, _ = app_and_clock
    citizen, first = await submit(api)
    _, second = await submit(api)
    assert REFERENCE.match(first["reference"]) and REFERENCE.match(second["reference"])
    assert int(second["reference"][3:]) > int(first["reference"][3:])
    mine = (await api.get("/requests/mine", headers=bearer(citizen))).json()
    assert [r["reference"] for r in mine if r["id"] == first["id"]] == [first["reference"]]
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select count(*) filter (where ref_no is null), count(*) - count(distinct ref_no) "
                           "from public.repair_requests").fetchone()
    assert row == (0, 0)  # seeded and older rows were numbered too, and no number repeats


async def test_the_job_list_filters_searches_and_pages(app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    _, offered = await submit(api, item="พัดลมเพดาน")
    _, running = await submit(api, item="หม้อหุงข้าว")
    citizen, cancelled = await submit(api, item="กาต้มน้ำ")
    assert (await api.post(f"/requests/{cancelled['id']}/cancel", json={"note": ""},
                           headers=bearer(citizen))).status_code == 200
    assert (await api.post(f"/requests/{running['id']}/assign", json={"technician_id": area.students["bee"][0]},
                           headers=bearer(teacher))).status_code == 200
    bee, _ = await sign_in(api, area.students["bee"][1])
    await work_to_quality_check(api, bee, running["id"])

    async def jobs(**params: Any) -> dict[str, Any]:
        response = await api.get("/supervisor/jobs", params=params, headers=bearer(teacher))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    everything = await jobs()
    rows = everything["jobs"]
    assert [r["id"] for r in rows] == [cancelled["id"], running["id"], offered["id"]]  # newest first
    assert everything["total"] == 3
    assert everything["counts"] == {"offered": 1, "accepted": 0, "in_progress": 0, "quality_check": 1, "done": 0,
                                    "handed_back": 0, "unrepairable": 0, "cancelled": 1}
    by_id = {r["id"]: r for r in rows}
    assert by_id[offered["id"]]["actions"] == ["assign"]
    assert by_id[running["id"]]["actions"] == ["repairing", "done"]  # rework or approve
    assert by_id[running["id"]]["technician_name"] == "บี เก่ง"
    assert by_id[cancelled["id"]]["actions"] == []
    assert by_id[offered["id"]]["reference"] == offered["reference"]

    qc = await jobs(status="quality_check")
    assert [r["id"] for r in qc["jobs"]] == [running["id"]]
    two = await jobs(status=["offered", "cancelled"])
    assert {r["id"] for r in two["jobs"]} == {offered["id"], cancelled["id"]}
    assert (await jobs(status="in_progress"))["total"] == 0

    # Search: reference number (as people say it), item, student name.
    for q in (running["reference"], running["reference"].lower().replace("-", " "), running["reference"][3:]):
        assert [r["id"] for r in (await jobs(q=q))["jobs"]] == [running["id"]], q
    assert [r["id"] for r in (await jobs(q="หม้อหุง"))["jobs"]] == [running["id"]]
    assert [r["id"] for r in (await jobs(q="บี"))["jobs"]] == [running["id"]]
    assert (await jobs(q="100%_"))["total"] == 0  # wildcards are literal

    # Paging: a total over all pages, pages in the same order.
    page1, page2 = await jobs(limit=2), await jobs(limit=2, offset=2)
    assert page1["total"] == page2["total"] == 3
    assert [r["id"] for r in page1["jobs"] + page2["jobs"]] == [r["id"] for r in rows]


async def test_the_job_list_refuses_bad_input_and_other_roles(app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    for params in ({"status": "broken"}, {"limit": 0}, {"limit": 1000}, {"offset": -1}, {"q": "x" * 101}):
        bad = await api.get("/supervisor/jobs", params=params, headers=bearer(teacher))
        assert bad.status_code == 422, params
        assert bad.json()["error"]["code"] == "validation_failed" and bad.json()["error"]["message_th"]
    ace, _ = await sign_in(api, area.students["ace"][1])
    assert (await api.get("/supervisor/jobs", headers=bearer(ace))).status_code == 403
    assert (await api.get("/supervisor/jobs")).status_code == 401


async def test_a_teacher_sees_only_their_colleges_jobs(app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    _, request = await submit(api)  # goes to the near college
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    found = (await api.get("/supervisor/jobs", params={"q": request["reference"]}, headers=bearer(teacher))).json()
    assert found["total"] == 1
    seeded = (await api.get("/supervisor/jobs", params={"q": "FX-690001"}, headers=bearer(teacher))).json()
    assert all(r["id"] == request["id"] for r in seeded["jobs"])  # another college's reference finds nothing
