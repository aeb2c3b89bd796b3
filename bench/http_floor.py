"""The HTTP floor for bench.api: a bare ASGI app on the same server stack as `serve` that does each endpoint's
database work (the same functions bench.api times directly) and answers its bytes, with nothing else: no FastAPI,
no middleware, no token check, no validation.

What `serve` costs on top of this is what the API's own code costs; what this costs on top of the direct SQL is the
Python HTTP server's floor, which no route code can remove. bench.api starts it as `uvicorn bench.http_floor:app`
when asked (`--http-floor`) and hands it the bench's people in `FIXIT_BENCH_PEOPLE` (JSON): a bench's own wiring
between two of its processes, not the product's configuration.
"""

import json
import os
from collections.abc import Awaitable, Callable
from typing import Any

from backend.db import make_pool
from backend.settings import Settings
from bench.api import PEOPLE_VARIABLE, Endpoint, endpoints, people_from_json

Message = dict[str, Any]
Send = Callable[[Message], Awaitable[None]]
Receive = Callable[[], Awaitable[Message]]
def body_of(result: Any) -> bytes:
    """The endpoint's answer as the bytes sent: the feeds are JSON built by PostgreSQL already."""
    if isinstance(result, bytes):
        return result
    return json.dumps(result, default=str, ensure_ascii=False).encode()


_settings = Settings()
_routes: dict[str, Endpoint] = {e.path: e for e in endpoints(_settings, people_from_json(os.environ[PEOPLE_VARIABLE]))}
_pool = make_pool(_settings)
_HEADERS = [(b"content-type", b"application/json")]


async def app(scope: Message, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await _pool.open()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await _pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    endpoint = _routes.get(scope["path"])
    if endpoint is None:
        await send({"type": "http.response.start", "status": 404, "headers": _HEADERS})
        await send({"type": "http.response.body", "body": b"{}"})
        return
    body = body_of(await endpoint.direct(_pool))
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": body})
