"""What a screen's refresh asks of the backend, counted: a phone on mobile data pays for each request (latency,
battery) and for each body. The catalogue comes once and is then revalidated with its ETag (a 304 without a body)."""


import httpx
import pytest

from mobile.viewmodels.home import SupervisorHome, TechnicianHome
from mobile.viewmodels.loadable import LoadState
from tests.unit.mobile_fakes import FakeBackend
from tests.unit.mobile_screens import signed_in

# --- the catalogue: once a session, then a conditional GET ---------------------------------------------------------


async def test_the_catalogue_comes_once_then_each_refresh_gets_a_304_without_a_body() -> None:
    backend = FakeBackend()
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome)
    (first,) = backend.calls("GET", "/categories")
    assert "if-none-match" not in first.headers and backend.catalogue_statuses == [200]

    await home.load()
    await home.load()
    again = backend.calls("GET", "/categories")[1:]
    assert [c.headers.get("if-none-match") for c in again] == [backend.catalogue_etag()] * 2
    assert backend.catalogue_statuses == [200, 304, 304]
    assert home.state == LoadState.READY and home.category_name("appliance") == "เครื่องใช้ไฟฟ้า"  # the kept copy


@pytest.mark.parametrize("role", ["technician", "supervisor"])
async def test_an_administrator_s_edit_of_a_category_shows_at_the_next_refresh(role: str) -> None:
    backend = FakeBackend()
    app = await signed_in(role, backend)
    home = app.home
    assert isinstance(home, TechnicianHome | SupervisorHome)
    assert home.category_name("appliance") == "เครื่องใช้ไฟฟ้า"

    backend.categories = [{**backend.categories[0], "name_th": "เครื่องใช้ไฟฟ้าในบ้าน"}]
    await home.load()
    assert backend.catalogue_statuses == [200, 200]
    assert home.category_name("appliance") == "เครื่องใช้ไฟฟ้าในบ้าน"
    await home.load()  # the new copy is kept in its turn
    assert backend.catalogue_statuses == [200, 200, 304]
    assert home.category_name("appliance") == "เครื่องใช้ไฟฟ้าในบ้าน"


async def test_a_backend_without_an_etag_still_gives_the_catalogue_each_time() -> None:
    """An older backend (no ETag): nothing kept, no If-None-Match sent, every answer read."""
    backend = FakeBackend()
    backend.overrides[("GET", "/categories")] = lambda _: httpx.Response(200, json=backend.categories)
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome)
    await home.load()
    assert [c.headers.get("if-none-match") for c in backend.calls("GET", "/categories")] == [None, None]
    assert home.category_name("appliance") == "เครื่องใช้ไฟฟ้า"
