"""GET /categories answers an ETag derived from the catalogue's content and 304 Not Modified to a matching
If-None-Match, so the app fetches the catalogue once and revalidates it on each refresh without a body; an
administrator's edit of a category changes the tag and shows at the app's next refresh."""

from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack

import httpx
import psycopg
import pytest
from pydantic import TypeAdapter

from backend.app import create_app
from backend.settings import Settings
from mobile.api_client import ApiClient
from shared.wire import Category

EDITED_TH = "เครื่องใช้ไฟฟ้าภายในบ้าน"


class Counting(httpx.AsyncBaseTransport):
    """The app's transport to the backend in-process, noting each answer's status and body size."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.answers: list[tuple[int, int]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        self.answers.append((response.status_code, len(body)))
        return httpx.Response(response.status_code, headers=response.headers, content=body, request=request)


@pytest.fixture
async def two_copies(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Two backend processes behind one load balancer: each its own app, the same database."""
    async with AsyncExitStack() as stack:
        clients = []
        for _ in range(2):
            app = create_app(settings)
            await stack.enter_async_context(app.router.lifespan_context(app))
            clients.append(await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fixit.test")))
        yield clients[0], clients[1]


@pytest.fixture
def edit_appliance(database_url: str) -> Iterator[None]:
    """What the test does to the catalogue is undone after it: the other tests read the seeded names."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select name_th from public.categories where code = 'appliance'").fetchone()
    assert row is not None
    yield
    with psycopg.connect(database_url) as conn:
        conn.execute("update public.categories set name_th = %s where code = 'appliance'", [row[0]])


def rename_appliance(database_url: str) -> None:
    """An administrator's edit of a category (in the database, as they make it)."""
    with psycopg.connect(database_url) as conn:
        conn.execute("update public.categories set name_th = %s where code = 'appliance'", [EDITED_TH])


async def test_an_unchanged_catalogue_answers_304_without_a_body(
        two_copies: tuple[httpx.AsyncClient, httpx.AsyncClient]) -> None:
    one, other = two_copies
    first = await one.get("/categories")
    assert first.status_code == 200 and first.headers["content-type"] == "application/json"
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and first.headers["cache-control"] == "no-cache"
    categories = TypeAdapter(list[Category]).validate_json(first.content)
    assert "appliance" in {c.code for c in categories}
    # Derived from the content, no state per process: another backend copy names the same version.
    assert (await other.get("/categories")).headers["etag"] == etag

    for if_none_match in (etag, f"W/{etag}", f'"something-else", {etag}', "*"):
        again = await other.get("/categories", headers={"If-None-Match": if_none_match})
        assert again.status_code == 304, if_none_match
        assert again.content == b"" and again.headers["etag"] == etag and "content-length" not in again.headers
    for if_none_match in ('"something-else"', "", etag.strip('"')):
        fresh = await one.get("/categories", headers={"If-None-Match": if_none_match})
        assert fresh.status_code == 200 and fresh.content == first.content, if_none_match


async def test_an_edited_category_changes_the_etag_and_comes_whole(
        two_copies: tuple[httpx.AsyncClient, httpx.AsyncClient], database_url: str, edit_appliance: None) -> None:
    one, other = two_copies
    etag = (await one.get("/categories")).headers["etag"]
    rename_appliance(database_url)
    changed = await other.get("/categories", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert next(c for c in changed.json() if c["code"] == "appliance")["name_th"] == EDITED_TH
    assert (await one.get("/categories", headers={"If-None-Match": changed.headers["etag"]})).status_code == 304


async def test_the_app_fetches_the_catalogue_once_and_sees_an_edit_at_its_next_refresh(
        settings: Settings, database_url: str, edit_appliance: None) -> None:
    app = create_app(settings)
    counting = Counting(httpx.ASGITransport(app=app))
    async with app.router.lifespan_context(app):
        api = ApiClient("http://fixit.test", transport=counting)
        try:
            first = await api.categories()
            again = await api.categories()
            assert counting.answers[0][0] == 200 and counting.answers[0][1] > 1000  # the whole catalogue
            assert counting.answers[1] == (304, 0)  # then a refresh costs no body
            assert again == first

            rename_appliance(database_url)
            edited = await api.categories()
            assert counting.answers[2][0] == 200
            assert next(c for c in edited if c.code == "appliance").name_th == EDITED_TH
            await api.categories()
            assert counting.answers[3] == (304, 0)
        finally:
            await api.aclose()
