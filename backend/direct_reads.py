"""The hottest reads answered past FastAPI's per-request machinery (issue 15): `/health`, `/requests/mine`,
`/requests/{id}`, `/technician/offers` and `/supervisor/dashboard`, the screens every app user opens and reopens.

They are the routes' own endpoint functions, called with what their dependencies would give them: the identity from
`backend.deps.identity_from` (the same bearer parsing, token check and refusals), the app's pool, the clock with the
tests' override. What is skipped is FastAPI's work around them: routing through 86 routes, dependency solving,
its five middleware layers, the request handler's bookkeeping. The API's CPU a request (bench.api, through FastAPI ->
here, two alternating runs each): health 0.29-0.31 -> 0.20-0.22 ms, mine 0.69-0.78 -> 0.61-0.63, detail 1.49-1.63 ->
1.16-1.29, offers 0.92 -> 0.66-0.78, dashboard 0.95-0.97 -> 0.59-0.67. The routes stay declared in FastAPI, which still
answers anything else: another method, a query, an `Origin` or a body (what backend/edge.py's guard would check), a
path that is not one of these exactly (a non-canonical id gets FastAPI's 422). Errors go through the app's own
exception handlers; an unexpected one gets the app's 500 answer and rises to the server, as from any route.
`Settings.direct_reads` switches this off; tests/integration/test_direct_reads.py answers every case both ways and
compares status, headers and bytes.
"""

import inspect
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from psycopg_pool import AsyncConnectionPool
from starlette.responses import Response

from backend.auth.tokens import Identity
from backend.db import Conn
from backend.deps import bearer_scheme, identity_from, now_of, reader_locale_of
from backend.edge import vary_origin
from backend.routes import college, health, homes
from backend.routes import requests as request_routes
from shared.asgi import ASGIApp, Message, Receive, Scope, Send, app_path

Endpoint = Callable[[Request], Awaitable[Response]]

_DETAIL_PREFIX = "/requests/"
_CANONICAL_UUID_LENGTH = 36


def _pool(request: Request) -> AsyncConnectionPool[Conn]:
    pool: AsyncConnectionPool[Conn] = request.app.state.pool
    return pool


async def _identity(request: Request) -> Identity:
    return await identity_from(request, await bearer_scheme(request))


async def _health(request: Request) -> Response:
    return await health.health(request)


async def _mine(request: Request) -> Response:
    return await homes.my_requests(await _identity(request), _pool(request))


async def _offers(request: Request) -> Response:
    return await homes.my_offers(await _identity(request), _pool(request))


async def _dashboard(request: Request) -> Response:
    identity = await _identity(request)
    return await college.dashboard(identity, _pool(request), await now_of(request.app))


def _detail(request_id: uuid.UUID) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        identity = await _identity(request)
        return await request_routes.get_request(request_id, identity, _pool(request), await now_of(request.app),
                                                reader_locale_of(request))

    return endpoint


_EXACT: dict[str, Endpoint] = {
    "/health": _health,
    "/requests/mine": _mine,
    "/technician/offers": _offers,
    "/supervisor/dashboard": _dashboard,
}


def endpoint_for(scope: Scope) -> Endpoint | None:
    """The endpoint for a GET of exactly one of these paths; None sends the request on to FastAPI."""
    if scope["method"] != "GET":
        return None
    path = app_path(scope)
    found = _EXACT.get(path)
    if found is not None or not path.startswith(_DETAIL_PREFIX):
        return found
    tail = path[len(_DETAIL_PREFIX):]
    if len(tail) != _CANONICAL_UUID_LENGTH:
        return None
    try:
        request_id = uuid.UUID(tail)
    except ValueError:
        return None
    return _detail(request_id) if str(request_id) == tail else None


def _handler_for(app: FastAPI, exc: Exception) -> Callable[..., Any] | None:
    """The handler Starlette's ExceptionMiddleware would pick (by the exception's class), or None for what only the
    server-error handler takes (`Exception`: it sits outside, so the exception is raised on to it)."""
    for cls in type(exc).__mro__:
        if cls is Exception:
            return None
        handler = app.exception_handlers.get(cls)
        if handler is not None:
            return handler
    return None


def _plain(scope: Scope) -> bool:
    """What backend/edge.py's guard lets straight through, for a GET: no `Origin` (nothing for CORS to do but
    `Vary: Origin`), no query, no body. Anything else goes through the guard and FastAPI."""
    if scope.get("query_string"):
        return False
    for name, value in scope.get("headers", ()):
        name = name.lower()
        if name == b"origin" or name == b"transfer-encoding" or (name == b"content-length" and value != b"0"):
            return False
    return True


class DirectReadsMiddleware:
    """Between the edge (request id, security headers) and FastAPI's own stack, so a direct answer carries what
    every answer carries, and nothing of FastAPI's runs for it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = endpoint_for(scope) if scope["type"] == "http" else None
        if endpoint is None or not _plain(scope):
            await self.app(scope, receive, send)
            return
        await _answer(endpoint, scope, receive, send)


async def _answer(endpoint: Endpoint, scope: Scope, receive: Receive, send: Send) -> None:
    app: FastAPI = scope["app"]
    request = Request(scope, receive)
    started = False

    async def send_vary(message: Message) -> None:  # what CORS adds to an answer to a request without `Origin`
        nonlocal started
        if message["type"] == "http.response.start":
            started = True
            message["headers"] = vary_origin(list(message.get("headers", ())))
        await send(message)

    try:
        try:
            response = await endpoint(request)
        except Exception as exc:
            handler = _handler_for(app, exc)
            if handler is None:
                raise
            response = await _call(handler, request, exc)
        await response(scope, receive, send_vary)
    except Exception as exc:
        # As Starlette's ServerErrorMiddleware, which a direct answer does not pass through: the app's 500 answer
        # (it logs the error; outside CORS, so no `Vary`), then the exception on to the server.
        server_error = app.exception_handlers.get(Exception) or app.exception_handlers.get(500)
        if server_error is not None and not started:
            await (await _call(server_error, request, exc))(scope, receive, send)
        raise


async def _call(handler: Callable[..., Any], request: Request, exc: Exception) -> Response:
    handled = handler(request, exc)
    return await handled if inspect.isawaitable(handled) else handled  # type: ignore[no-any-return]
