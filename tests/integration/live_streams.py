"""Opening GET /events in a test as the app does, without a socket: the route's own body iterator."""

import asyncio
from typing import Any

from starlette.requests import Request

from backend.auth.tokens import verify_token
from backend.routes.events import events
from backend.settings import Settings


async def open_stream(app: Any, settings: Settings, token: str) -> Any:
    """GET /events as the app opens it (its body iterator, the first chunk read): a client that stays connected."""

    async def receive() -> dict[str, Any]:
        await asyncio.Event().wait()  # the app stays connected
        return {"type": "http.disconnect"}

    request = Request({"type": "http", "method": "GET", "path": "/events", "headers": [], "query_string": b"",
                       "app": app}, receive)
    chunks: Any = (await events(request, verify_token(settings, token), app.state.pool)).body_iterator
    assert bytes(await asyncio.wait_for(anext(chunks), 5)) == b": connected\n\n"
    return chunks
