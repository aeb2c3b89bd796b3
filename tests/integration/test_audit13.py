"""audit13: a hostile review of parts and aftercare, credit and hours, operator surfaces, the notification worker
and resource abuse. Each test here is a finding that fails today (xfail strict) until its fix lands."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.requests import Request

from backend.app import create_app
from backend.auth.tokens import verify_token
from backend.errors import ApiError
from backend.live import EventHub
from backend.routes.events import events
from backend.settings import Settings
from tests.helpers import fresh_phone, sign_in


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
