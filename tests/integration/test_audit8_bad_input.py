"""Audit 8: odd input that reached PostgreSQL unchecked and came back as a 500 instead of a clear 4xx."""

import uuid
from typing import Any

import httpx
import psycopg
import pytest

from shared.credit import PART_PRICE_MAX, PART_QTY_MAX, TASK_MAX
from shared.geo import SERVICE_RADIUS_MIN_KM
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.dispatch_area import AppClock, Area, accepted_job, work_to_quality_check

BEYOND_BIGINT = str(2**63)


async def test_a_page_cursor_beyond_bigint_is_a_422_not_a_500(api: httpx.AsyncClient, database_url: str) -> None:
    token, profile = await sign_in(api, fresh_phone())
    answer = await api.get(f"/me/notifications?before_id={BEYOND_BIGINT}", headers=bearer(token))
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["fields"]["before_id"]["message_th"]
    assert (await api.get(f"/me/notifications?before_id={2**63 - 1}", headers=bearer(token))).status_code == 200
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set role = 'admin' where id = %s", [profile["id"]])
    try:
        audit = await api.get(f"/admin/audit?before_id={BEYOND_BIGINT}", headers=bearer(token))
        assert audit.status_code == 422, audit.text
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.profiles set role = 'citizen' where id = %s", [profile["id"]])


@pytest.mark.parametrize("notification_id", [BEYOND_BIGINT, "-1"])
async def test_marking_an_impossible_notification_read_is_a_404(api: httpx.AsyncClient, notification_id: str) -> None:
    token, _ = await sign_in(api, fresh_phone())
    answer = await api.post(f"/me/notifications/{notification_id}/read", headers=bearer(token))
    assert answer.status_code == 404, answer.text


@pytest.mark.parametrize("part", [
    {"name": "ฟิวส์", "qty": 10, "cost_baht": 1e308},  # a total past float: stored, and read back as a null total
    {"name": "ฟิวส์", "qty": 10**30, "cost_baht": 1},  # ten nonillion fuses
    {"name": "ฟิวส์", "qty": 10**400, "cost_baht": 1},  # an int no float holds: a 500
    {"name": "ฟิวส์", "qty": 1, "cost_baht": 100_000.01},  # dearer than any part a Fixit Center buys
])
async def test_a_work_report_part_past_the_part_limits_is_a_400(
    app_and_clock: AppClock, area: Area, part: dict[str, Any]
) -> None:
    api, _ = app_and_clock
    _, ace, rid = await accepted_job(api, area)
    refused = await api.put(f"/requests/{rid}/report", json={"hours": 1, "notes": "", "parts": [part]},
                            headers=bearer(ace))
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert error["code"] == "report_part_invalid" and "100" in error["message_th"] and "100" in error["message_en"]
    fine = await api.put(f"/requests/{rid}/report", headers=bearer(ace), json={
        "hours": 1, "notes": "", "parts": [{"name": "ฟิวส์", "qty": PART_QTY_MAX, "cost_baht": PART_PRICE_MAX}]})
    assert fine.status_code == 200 and fine.json()["parts_total_baht"] == PART_QTY_MAX * PART_PRICE_MAX


async def test_a_service_radius_that_rounds_to_zero_is_a_422_not_a_500(api: httpx.AsyncClient) -> None:
    """The column keeps one decimal (numeric(5,1)): 0.01 km was stored as 0.0 and broke the column's own check."""
    token, _ = await sign_in(api, "084-444-4444")  # the seeded admin
    body = {"code": f"A8-{uuid.uuid4().hex[:8].upper()}", "name_th": "วิทยาลัยทดสอบรัศมี", "name_en": "Radius Test College",
            "province_th": "ยะลา", "province_en": "Yala", "region": "south", "lat": 6.55, "lon": 101.25,
            "is_active": False, "service_radius_km": 0.01}
    refused = await api.post("/admin/colleges", json=body, headers=bearer(token))
    assert refused.status_code == 422, refused.text
    assert set(refused.json()["error"]["fields"]) == {"service_radius_km"}
    made = await api.post("/admin/colleges", json={**body, "service_radius_km": SERVICE_RADIUS_MIN_KM},
                          headers=bearer(token))
    assert made.status_code == 201, made.text
    assert made.json()["service_radius_km"] == SERVICE_RADIUS_MIN_KM
    changed = await api.patch(f"/admin/colleges/{made.json()['id']}", json={"service_radius_km": 0.04},
                              headers=bearer(token))
    assert changed.status_code == 422 and set(changed.json()["error"]["fields"]) == {"service_radius_km"}


async def test_hours_too_small_to_store_are_refused_not_a_500(app_and_clock: AppClock, area: Area,
                                                              database_url: str) -> None:
    """Hours are kept to 0.01 (a term's target to 0.1): a value that rounds to zero broke the columns' own
    'more than 0' checks, a 500, for a teacher approving 0.004 hours or setting a target of 0.01."""
    api, _ = app_and_clock
    _, ace, rid = await accepted_job(api, area)
    await work_to_quality_check(api, ace, rid)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assert (await api.post(f"/requests/{rid}/status", json={"to_status": "done"},
                           headers=bearer(teacher))).status_code == 200
    with psycopg.connect(database_url, autocommit=True) as conn:  # two hours in hand: any small figure fits
        conn.execute("update public.status_events set created_at = created_at - interval '2 hours' "
                     "where request_id = %s and to_status = 'accepted'", [rid])
    tiny = await api.post(f"/requests/{rid}/credit/approve", json={"hours": {area.students["ace"][0]: 0.004}},
                          headers=bearer(teacher))
    assert tiny.status_code == 409 and tiny.json()["error"]["code"] == "hours_missing", tiny.text
    approved = await api.post(f"/requests/{rid}/credit/approve", json={"hours": {area.students["ace"][0]: 0.006}},
                              headers=bearer(teacher))
    assert approved.status_code == 200 and approved.json()[0]["approved_hours"] == 0.01, approved.text

    target = await api.put("/supervisor/credit-settings", json={"hours_target": 0.01}, headers=bearer(teacher))
    assert target.status_code == 422 and set(target.json()["error"]["fields"]) == {"hours_target"}, target.text
    kept = await api.put("/supervisor/credit-settings", json={"hours_target": 0.1}, headers=bearer(teacher))
    assert kept.status_code == 200 and kept.json()["hours_target"] == 0.1


async def test_a_team_task_longer_than_the_limit_is_a_400_not_a_500(app_and_clock: AppClock, area: Area) -> None:
    """The body takes up to twice TASK_MAX (so that the rule, not the schema, answers), but nothing applied the
    rule: a task of 201–400 characters reached the column's own limit, a 500."""
    api, _ = app_and_clock
    _, ace, rid = await accepted_job(api, area)
    helper = area.students["bee"]
    long_task = "ถอดประกอบ" * (TASK_MAX // 9 + 1)  # just past TASK_MAX
    added = await api.post(f"/requests/{rid}/team", json={"technician_id": helper[0], "task": long_task},
                           headers=bearer(ace))
    assert added.status_code == 400 and added.json()["error"]["code"] == "team_task_too_long", added.text
    assert str(TASK_MAX) in added.json()["error"]["message_en"]
    assert (await api.post(f"/requests/{rid}/team", json={"technician_id": helper[0], "task": "ถอดประกอบ"},
                           headers=bearer(ace))).status_code == 204
    bee, _ = await sign_in(api, helper[1])
    reported = await api.put(f"/requests/{rid}/team/me", json={"hours": 1, "task": long_task}, headers=bearer(bee))
    assert reported.status_code == 400 and reported.json()["error"]["code"] == "team_task_too_long", reported.text
    assert (await api.put(f"/requests/{rid}/team/me", json={"hours": 1, "task": "ขัดหน้าสัมผัส"},
                          headers=bearer(bee))).status_code == 204
