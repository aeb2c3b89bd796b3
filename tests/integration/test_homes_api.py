"""Each role's home data, from the demo seed, through the real API."""

import asyncio

import httpx
import psycopg
from pydantic import TypeAdapter

from backend.app import create_app
from backend.seed import DEMO_ACCOUNTS, DEMO_COLLEGE
from backend.settings import Settings
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


async def test_my_requests_are_what_the_response_model_reads(api: httpx.AsyncClient) -> None:
    # PostgreSQL writes this body (backend/services/json_sql.py): it must validate against the response model and
    # parse in the app; tests/integration/test_json_reads.py compares its values with the pydantic path it replaced.
    token, _ = await sign_in(api, PHONES["citizen"])
    response = await api.get("/requests/mine", headers=bearer(token))
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    rows = response.json()
    assert len(rows) >= 2
    sent = TypeAdapter(list[RequestSummary]).validate_json(response.content)
    assert [s.item for s in sent] == [r["item"] for r in rows]
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


async def test_offer_feed_on_a_one_connection_pool_with_each_requests_own_words(settings: Settings) -> None:
    # The feed is one connection at a time: it once held the student's while waiting for an owner's one to read the
    # descriptions, and a pool with no connection left to give stalled (30 s, 503). They are on the offers now.
    app = create_app(settings.model_copy(update={"database_pool_min": 1, "database_pool_max": 1}))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://fixit.test", timeout=20
    ) as api:
        token, _ = await sign_in(api, PHONES["technician"])
        answers = await asyncio.gather(*[api.get("/technician/offers", headers=bearer(token)) for _ in range(3)])
    assert [a.status_code for a in answers] == [200, 200, 200]
    cards = answers[0].json()
    assert cards and all(a.json() == cards for a in answers)
    async with await psycopg.AsyncConnection.connect(settings.database_url) as conn:
        cur = await conn.execute("select id::text, description from public.repair_requests where id = any(%s)",
                                 [[c["request_id"] for c in cards]])
        words: dict[str, str] = dict(await cur.fetchall())
    assert [c["description"] for c in cards] == [words[c["request_id"]] for c in cards]
