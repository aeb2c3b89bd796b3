"""Submitting, reading and cancelling repair requests through the real API and database."""

import asyncio

import httpx

from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft, rows_with_key


async def test_submit_then_read_with_timeline(api: httpx.AsyncClient) -> None:
    token, profile = await sign_in(api, fresh_phone())
    created = await api.post("/requests", json=draft(), headers=bearer(token))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["item"] == "พัดลม ตั้งโต๊ะ" and body["status"] == "offered" and body["college_name_th"]
    assert body["contact_phone"] == "+66812345678" and body["preferred_days"] == ["sat", "sun"]
    assert [(e["actor"], e["from_status"], e["to_status"]) for e in body["timeline"]] == [
        ("citizen", None, "submitted"), ("system", "submitted", "offered")
    ]
    assert body["actions"] == ["cancel"]
    assert body["timeline"][0]["actor_name"] == (profile["display_name"].split(" ")[0] or None)
    listed = (await api.get("/requests/mine", headers=bearer(token))).json()
    assert [r["id"] for r in listed] == [body["id"]]


async def test_retries_of_one_key_store_one_row(api: httpx.AsyncClient, database_url: str) -> None:
    token, _ = await sign_in(api, fresh_phone())
    body = draft()
    responses = await asyncio.gather(*[api.post("/requests", json=body, headers=bearer(token)) for _ in range(8)])
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert rows_with_key(database_url, body["idempotency_key"]) == 1


async def test_bad_drafts_are_refused_per_field_and_store_nothing(api: httpx.AsyncClient, database_url: str) -> None:
    token, _ = await sign_in(api, fresh_phone())
    cases = {
        "category_code": draft(category_code="spaceship"),
        "item": draft(item="   "),
        "description": draft(description="พัง"),
        "location": draft(lat=1.35, lon=103.82),
        "contact_phone": draft(contact_phone="12"),
        "pdpa_consent": draft(pdpa_consent=False),
        "preferred_days": draft(preferred_days=["someday"]),
    }
    for field, body in cases.items():
        response = await api.post("/requests", json=body, headers=bearer(token))
        assert response.status_code == 400, (field, response.text)
        error = response.json()["error"]
        assert field in error["fields"], (field, error)
        assert error["fields"][field]["message_th"] and error["fields"][field]["message_en"]
        assert rows_with_key(database_url, body["idempotency_key"]) == 0
    missing_location = await api.post("/requests", json=draft(lat=None, lon=None), headers=bearer(token))
    assert missing_location.json()["error"]["code"] == "request_location_required"
    bad_type = await api.post("/requests", json=draft(lat="north"), headers=bearer(token))
    assert bad_type.status_code == 422


async def test_the_admin_does_not_submit_and_others_cannot_read(api: httpx.AsyncClient) -> None:
    owner, _ = await sign_in(api, fresh_phone())
    stranger, _ = await sign_in(api, fresh_phone())
    request_id = (await api.post("/requests", json=draft(), headers=bearer(owner))).json()["id"]
    hidden = await api.get(f"/requests/{request_id}", headers=bearer(stranger))
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found"
    cancel = await api.post(f"/requests/{request_id}/cancel", json={}, headers=bearer(stranger))
    assert cancel.status_code == 404
    # Students and teachers ask for repairs of their own like anyone (tests/integration/test_owner_rights.py); the
    # admin runs the service and asks for none.
    admin, _ = await sign_in(api, "084-444-4444")
    refused = await api.post("/requests", json=draft(), headers=bearer(admin))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden_role"
    assert refused.json()["error"]["message_th"] and refused.json()["error"]["message_en"]


async def test_cancel_before_work_only(api: httpx.AsyncClient, database_url: str) -> None:
    token, _ = await sign_in(api, fresh_phone())
    request_id = (await api.post("/requests", json=draft(), headers=bearer(token))).json()["id"]
    cancelled = await api.post(f"/requests/{request_id}/cancel", json={"note": "ซ่อมเองได้แล้ว"},
                               headers=bearer(token))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    last = cancelled.json()["timeline"][-1]
    assert (last["actor"], last["from_status"], last["to_status"], last["note"]) == (
        "citizen", "offered", "cancelled", "ซ่อมเองได้แล้ว")
    assert cancelled.json()["actions"] == []
    again = await api.post(f"/requests/{request_id}/cancel", json={}, headers=bearer(token))
    assert again.status_code == 409 and again.json()["error"]["code"] == "illegal_transition"
    assert '"Cancelled"' in again.json()["error"]["message_en"]


async def test_demo_timeline_comes_from_the_status_trigger(api: httpx.AsyncClient) -> None:
    token, _ = await sign_in(api, "081-111-1111")
    mine = (await api.get("/requests/mine", headers=bearer(token))).json()
    rice_cooker = next(r for r in mine if r["item"] == "หม้อหุงข้าว")
    detail = (await api.get(f"/requests/{rice_cooker['id']}", headers=bearer(token))).json()
    assert [e["to_status"] for e in detail["timeline"]] == [
        "submitted", "offered", "accepted", "diagnosing", "repairing"]
    assert detail["technician_first_name"] == "ณัฐวุฒิ"
    assert {e["actor_name"] for e in detail["timeline"] if e["actor"] == "technician"} == {"ณัฐวุฒิ"}
