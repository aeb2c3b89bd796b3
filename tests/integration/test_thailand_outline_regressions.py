"""Pins inside Thailand's bounding box but outside Thailand (audit18a): refused through the API for a request and
for a college, as a point outside the box always was; and a college's coordinates that are no finite number are a
4xx, nothing stored."""

import json
import uuid
from typing import Any

import httpx
import psycopg
import pytest

from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft, rows_with_key

SEED_ADMIN = "084-444-4444"


@pytest.mark.parametrize(("place", "lat", "lon"), [("Vientiane", 17.9757, 102.6331),
                                                   ("Phnom Penh", 11.5564, 104.9282),
                                                   ("Mawlamyine", 16.4905, 97.6283),
                                                   ("Gulf of Thailand", 10.0, 101.5)])
async def test_a_pin_outside_thailand_inside_its_box_is_refused(api: httpx.AsyncClient, database_url: str,
                                                                 place: str, lat: float, lon: float) -> None:
    token, _ = await sign_in(api, fresh_phone())
    body = draft(lat=lat, lon=lon)
    refused = await api.post("/requests", json=body, headers=bearer(token))
    assert refused.status_code == 400, (place, refused.text)
    assert refused.json()["error"]["fields"]["location"]["code"] == "request_location_outside_thailand"
    assert rows_with_key(database_url, body["idempotency_key"]) == 0


async def test_a_pin_outside_the_box_is_refused_as_outside_thailand(api: httpx.AsyncClient) -> None:
    """The companion: outside the box (Hanoi, and 0,0) the refusal is the one the test above expects."""
    token, _ = await sign_in(api, fresh_phone())
    for lat, lon in [(21.0278, 105.8342), (0.0, 0.0)]:
        refused = await api.post("/requests", json=draft(lat=lat, lon=lon), headers=bearer(token))
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["fields"]["location"]["code"] == "request_location_outside_thailand"


async def test_a_pin_on_si_chiang_mais_riverbank_across_from_vientiane_is_taken(api: httpx.AsyncClient) -> None:
    token, _ = await sign_in(api, fresh_phone())
    taken = await api.post("/requests", json=draft(lat=17.957, lon=102.587), headers=bearer(token))
    assert taken.status_code == 201, taken.text


def _college(**overrides: Any) -> dict[str, Any]:
    return {"code": f"GEO-{uuid.uuid4().hex[:8].upper()}", "name_th": "วิทยาลัยทดสอบพิกัด", "name_en": "Outline Test",
            "province_th": "หนองคาย", "province_en": "Nong Khai", "region": "northeast", "lat": 17.878,
            "lon": 102.742, "service_radius_km": 30, "is_active": False, **overrides}


def _colleges_with_code(database_url: str, code: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select count(*) from public.colleges where code = %s", [code]).fetchone()
    return int(row[0]) if row else 0


async def test_a_college_placed_in_vientiane_is_refused(api: httpx.AsyncClient, database_url: str) -> None:
    token, _ = await sign_in(api, SEED_ADMIN)
    body = _college(lat=17.9757, lon=102.6331)
    refused = await api.post("/admin/colleges", json=body, headers=bearer(token))
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["code"] == "college_outside_thailand"
    assert _colleges_with_code(database_url, body["code"]) == 0


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
async def test_a_college_latitude_that_is_no_finite_number_is_a_4xx(api: httpx.AsyncClient, database_url: str,
                                                                    literal: str) -> None:
    """What the admin's form no longer sends (audit18a #14), sent by another client: refused, nothing stored."""
    token, _ = await sign_in(api, SEED_ADMIN)
    body = _college()
    raw = json.dumps(body).replace('"lat": 17.878', f'"lat": {literal}')
    assert literal in raw
    refused = await api.post("/admin/colleges", content=raw,
                             headers={**bearer(token), "Content-Type": "application/json"})
    assert refused.status_code in (400, 422), refused.text
    assert set(refused.json()["error"]["fields"]) == {"lat"}
    assert _colleges_with_code(database_url, body["code"]) == 0
