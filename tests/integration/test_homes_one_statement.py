"""GET /requests/mine and GET /technician/offers read their role check and their body in one statement, BEGIN to
COMMIT in one wait for PostgreSQL (issue 15: `citizen_home_json`, `technician_home_json` through `read_one`), with
the answers they gave as a profile read followed by the body: the same bytes and headers, and the same refusals in
the same order (account_suspended, profile_missing, forbidden_role)."""

from collections.abc import AsyncIterator

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.app import create_app
from backend.db import Conn
from backend.settings import Settings
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.dispatch_area import Area, offers_of, submit
from tests.integration.test_suspended_account import suspended, with_a_notification
from tests.integration.test_transactions import _traced, _waits


@pytest.fixture
async def one_connection(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, AsyncConnectionPool[Conn]]]:
    """The app on a pool of one connection, so libpq's trace of that connection is all a request exchanges."""
    app = create_app(settings.model_copy(update={"database_pool_min": 1, "database_pool_max": 1}))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://fixit.test", timeout=20
    ) as api:
        yield api, app.state.pool


def _refused(response: httpx.Response, code: str) -> None:
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == code


async def test_each_home_waits_for_the_database_once(
    one_connection: tuple[httpx.AsyncClient, AsyncConnectionPool[Conn]], area: Area, database_url: str
) -> None:
    api, pool = one_connection
    citizen, request = await submit(api)
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        owner = conn.execute("select citizen_id::text as id from public.repair_requests where id = %s",
                             [request["id"]]).fetchone()
    assert owner is not None
    with_a_notification(database_url, owner["id"], request["id"])
    with_a_notification(database_url, owner["id"], request["id"])
    offered = {o["technician_id"] for o in offers_of(database_url, request["id"])}
    student = next(phone for uid, phone in area.students.values() if uid in offered)
    technician, _ = await sign_in(api, student)

    answers: dict[str, httpx.Response] = {}

    async def read(path: str, token: str) -> None:
        answers[path] = await api.get(path, headers=bearer(token))

    assert _waits(await _traced(pool, lambda: read("/requests/mine", citizen))) == 1
    mine = answers["/requests/mine"]
    assert mine.status_code == 200, mine.text
    assert [r["id"] for r in mine.json()] == [request["id"]] and mine.headers["x-unread-count"] == "2"

    assert _waits(await _traced(pool, lambda: read("/technician/offers", technician))) == 1
    offers = answers["/technician/offers"]
    assert offers.status_code == 200, offers.text
    assert request["id"] in {o["request_id"] for o in offers.json()} and offers.headers["x-takes-jobs"] == "true"


async def test_the_homes_refuse_as_before(
    one_connection: tuple[httpx.AsyncClient, AsyncConnectionPool[Conn]], area: Area, database_url: str
) -> None:
    api, _ = one_connection
    citizen, citizen_profile = await sign_in(api, fresh_phone())
    ace_id, ace_phone = area.students["ace"]
    ace, _ = await sign_in(api, ace_phone)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    gone_id, gone_phone = area.students["dan"]
    gone, _ = await sign_in(api, gone_phone)

    # Another role on the offers: a citizen, a teacher; any active role has a list of its own.
    for token in (citizen, teacher):
        _refused(await api.get("/technician/offers", headers=bearer(token)), "forbidden_role")
    for token in (citizen, teacher, ace):
        listed = await api.get("/requests/mine", headers=bearer(token))
        assert listed.status_code == 200 and listed.json() == [] and listed.headers["x-unread-count"] == "0"

    # Suspended (RLS shows them no profile): the student on both, the citizen on the offers too (suspension first).
    with suspended(database_url, ace_id):
        for path in ("/technician/offers", "/requests/mine"):
            _refused(await api.get(path, headers=bearer(ace)), "account_suspended")
    with suspended(database_url, citizen_profile["id"]):
        for path in ("/technician/offers", "/requests/mine"):
            _refused(await api.get(path, headers=bearer(citizen)), "account_suspended")
    assert (await api.get("/technician/offers", headers=bearer(ace))).status_code == 200

    # Deleted while their token still lives.
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("delete from auth.users where id = %s", [gone_id])
    for path in ("/technician/offers", "/requests/mine"):
        _refused(await api.get(path, headers=bearer(gone)), "profile_missing")

    # No token, or not one of ours.
    for path in ("/technician/offers", "/requests/mine"):
        for headers in ({}, bearer("not-a-token")):
            answer = await api.get(path, headers=headers)
            assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"
