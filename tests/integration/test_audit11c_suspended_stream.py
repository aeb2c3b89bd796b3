"""Audit 11c: a live-events stream opened before the operator suspends the account keeps delivering.

GET /events checks `load_profile` once, when the stream opens; nothing looks at the account again for the
stream's whole life (no end on suspension, no end when the token expires). A suspended person therefore keeps
hearing which of their requests moved and when a notification arrived, though every other route answers
403 account_suspended. Right behaviour: once suspended, the stream carries no further event (it ends)."""

import asyncio
from typing import Any

import httpx
from starlette.requests import Request

from backend.auth.tokens import verify_token
from backend.routes.events import events
from backend.settings import Settings
from tests.integration.builders import citizen_with_a_photo
from tests.integration.test_suspended_account import set_active, with_a_notification


async def _next(chunks: Any, seconds: float) -> bytes | None:
    try:
        return bytes(await asyncio.wait_for(anext(chunks), seconds))
    except (StopAsyncIteration, TimeoutError):
        return None


async def test_an_open_stream_stops_when_the_account_is_suspended(
    api: httpx.AsyncClient, database_url: str, settings: Settings
) -> None:
    token, user_id, request_id = await citizen_with_a_photo(api)
    app = api._transport.app  # type: ignore[attr-defined]
    await asyncio.wait_for(app.state.hub.listening.wait(), 10)

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    request = Request({"type": "http", "method": "GET", "path": "/events", "headers": [], "query_string": b"",
                       "app": app}, receive)
    response = await events(request, verify_token(settings, token), app.state.pool)
    chunks = response.body_iterator
    assert await _next(chunks, 5) == b": connected\n\n"
    set_active(database_url, user_id, False)  # the operator suspends the account
    try:
        with_a_notification(database_url, user_id, request_id)  # NOTIFY fixit_events, kind notification
        heard = await _next(chunks, 5)
        assert heard is None or b"data:" not in heard, f"a suspended account still hears: {heard!r}"
    finally:
        await chunks.aclose()  # type: ignore[attr-defined]
        set_active(database_url, user_id, True)
