"""audit13: a hostile review of parts and aftercare, credit and hours, operator surfaces, the notification worker
and resource abuse. Each test here is a finding that fails today (xfail strict) until its fix lands."""

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pypdf
import pytest
from starlette.requests import Request

from backend.app import create_app
from backend.auth.tokens import verify_token
from backend.errors import ApiError
from backend.live import EventHub
from backend.routes.events import events
from backend.settings import Settings
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.dispatch_area import AppClock, Area


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Any]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fixit.test")


async def _open_stream(app: Any, settings: Settings, token: str) -> Any:
    """GET /events as the app opens it (its body iterator, the first chunk read): a client that stays connected."""

    async def receive() -> dict[str, Any]:
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    request = Request({"type": "http", "method": "GET", "path": "/events", "headers": [], "query_string": b"",
                       "app": app}, receive)
    chunks: Any = (await events(request, verify_token(settings, token), app.state.pool)).body_iterator
    assert bytes(await asyncio.wait_for(anext(chunks), 5)) == b": connected\n\n"
    return chunks


@pytest.mark.xfail(strict=True, reason="audit13: one person may hold any number of live streams open at once")
async def test_one_person_cannot_hold_unlimited_live_streams(app: Any, settings: Settings) -> None:
    """Each GET /events is a subscription with its own 256-event queue, a task and a socket, kept for the token's
    life: one citizen's token opening stream after stream is never refused, so one account can hold the server's
    memory and connections. A person needs a few (a phone and a browser tab or two), not fifty."""
    async with _client(app) as api:
        token, me = await sign_in(api, fresh_phone())
    hub: EventHub = app.state.hub
    opened: list[Any] = []
    refused: list[ApiError] = []
    try:
        for _ in range(50):
            try:
                opened.append(await _open_stream(app, settings, token))
            except ApiError as exc:
                refused.append(exc)
        held = len(hub._by_user.get(str(me["id"]), ()))
        assert refused and all(e.status == 429 for e in refused), f"{held} streams open for one person"
    finally:
        for chunks in opened:
            with contextlib.suppress(Exception):
                await chunks.aclose()


@pytest.mark.xfail(strict=True, reason="audit13: the portfolio PDF verify link follows the Host header")
async def test_the_portfolio_verify_link_is_not_the_callers_host(app_and_clock: AppClock, area: Area) -> None:
    """GET /portfolio/{id}/pdf prints `request.url_for("verify_page")`: its host is whatever the caller's `Host`
    header says. A student asking with `Host: fixit-verify.example` gets a genuine Fixit PDF whose printed link and
    QR send the employer to a site of the student's, which "verifies" whatever they like (and behind a proxy that
    does not pass the public host, every PDF prints the backend's internal address)."""
    api, _ = app_and_clock
    student, phone = area.students["far1"]
    token, _ = await sign_in(api, phone)
    pdf = await api.get(f"/portfolio/{student}/pdf", params={"term": "2569-1"},
                        headers={**bearer(token), "Host": "fixit-verify.example"})
    assert pdf.status_code == 200, pdf.text
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert pdf.headers["x-verification-code"] in text
    assert "fixit-verify.example" not in text
