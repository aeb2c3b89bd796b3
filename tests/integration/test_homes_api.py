"""Each role's home data, from the demo seed, through the real API."""

import httpx

from backend.seed import DEMO_ACCOUNTS, DEMO_COLLEGE
from mobile import models
from shared.phone import national_format
from shared.wire import RequestSummary
from tests.helpers import bearer, sign_in

PHONES = {a.role: national_format(a.phone) for a in DEMO_ACCOUNTS}


async def test_citizen_home(api: httpx.AsyncClient) -> None:
    token, profile = await sign_in(api, PHONES["citizen"])
    assert profile["role"] == "citizen" and profile["display_name"] == "สมชาย ใจดี"
    rows = (await api.get("/requests/mine", headers=bearer(token))).json()
    assert {r["item"] for r in rows} >= {"พัดลมตั้งพื้น", "หม้อหุงข้าว"}
    assert {r["college_name_th"] for r in rows} == {"วิทยาลัยเทคนิคดอนเมือง"}


async def test_my_requests_are_the_bytes_the_response_model_writes(api: httpx.AsyncClient) -> None:
    # The route writes its JSON itself (backend/routes/homes.py): it must stay what FastAPI wrote from the response
    # model, which pydantic writes compactly, one model after another, and what the app parses.
    token, _ = await sign_in(api, PHONES["citizen"])
    response = await api.get("/requests/mine", headers=bearer(token))
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    rows = response.json()
    assert len(rows) >= 2
    expected = b"[" + b",".join(RequestSummary.model_validate(r).model_dump_json().encode() for r in rows) + b"]"
    assert response.content == expected
    assert [models.RequestSummary.model_validate(r).item for r in rows] == [r["item"] for r in rows]


async def test_technician_home(api: httpx.AsyncClient) -> None:
    token, profile = await sign_in(api, PHONES["technician"])
    assert profile["role"] == "technician" and profile["college"]["code"] == DEMO_COLLEGE
    offers = (await api.get("/technician/offers", headers=bearer(token))).json()
    # Other tests' Bangkok requests may be offered to the demo student too: look for the demo's own sample.
    pending = [o for o in offers if o["offer_status"] == "pending" and o["item"] == "พัดลมตั้งพื้น"]
    assert len(pending) == 1
    assert "contact_phone" not in pending[0] and pending[0]["district"] == "ดอนเมือง"
    jobs = (await api.get("/technician/jobs", headers=bearer(token))).json()
    assert [(j["item"], j["status"]) for j in jobs] == [("หม้อหุงข้าว", "repairing")]


async def test_supervisor_home(api: httpx.AsyncClient) -> None:
    token, _ = await sign_in(api, PHONES["supervisor"])
    queue = (await api.get("/supervisor/queue", headers=bearer(token))).json()
    assert queue["college"]["code"] == DEMO_COLLEGE
    assert queue["counts"]["repairing"] >= 1 and queue["counts"]["offered"] >= 1
    assert all(r["college_name_th"] == "วิทยาลัยเทคนิคดอนเมือง" for r in queue["requests"])


async def test_roles_are_enforced(api: httpx.AsyncClient) -> None:
    token, _ = await sign_in(api, PHONES["citizen"])
    for path in ("/supervisor/queue", "/technician/offers", "/technician/jobs"):
        response = await api.get(path, headers=bearer(token))
        assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden_role"


async def test_public_catalog(api: httpx.AsyncClient) -> None:
    categories = (await api.get("/categories")).json()
    codes = [c["code"] for c in categories]
    assert {"appliance", "motorcycle", "farm_engine", "plumbing", "computer"} <= set(codes)
    appliance = next(c for c in categories if c["code"] == "appliance")
    assert appliance["name_th"] == "เครื่องใช้ไฟฟ้า" and appliance["skills"]
    colleges = (await api.get("/colleges")).json()
    assert len(colleges) >= 20 and len({c["region"] for c in colleges}) == 6
    assert all(c["coordinates_approximate"] for c in colleges)


async def test_health_and_openapi(api: httpx.AsyncClient) -> None:
    health = await api.get("/health")
    assert health.status_code == 200
    assert health.json()["database"]["ok"] is True and health.json()["database"]["migrations"] >= 2
    spec = (await api.get("/openapi.json")).json()
    assert {"/auth/otp/request", "/auth/otp/verify", "/me", "/requests/mine"} <= set(spec["paths"])
