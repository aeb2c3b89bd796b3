"""The API's own edge in two pure-ASGI layers where it had five (issue 15): each layer is an awaited call and most
wrap `send` once more, per request.

- `EdgeMiddleware`, outermost (outside Starlette's ServerErrorMiddleware, so a 500 carries both): the request id
  for the logs and the `X-Request-ID` answer header (`backend.logs`) and the security headers
  (`backend.security_headers`), one `send` wrapper.
- `EdgeGuardMiddleware`, where CORS, the query/path guard and the body limit stood (inside the error handling, so
  their refusals carry the CORS headers): a request with no `Origin` header, a printable ASCII path, no query and a
  body within its limit (or none) goes straight on, with the one thing CORS does to it, `Vary: Origin`. Every other
  request takes those three middlewares themselves, unchanged.

Same answers header by header (tests/unit/test_edge_answers.py, and the middlewares' own tests).
"""

from starlette.middleware.cors import CORSMiddleware

from backend.body_limits import BodyLimitMiddleware, MalformedLength, declared_length, limit_for
from backend.input_guard import InputGuardMiddleware
from backend.logs import REQUEST_ID_NAME, request_id, sane_request_id
from backend.security_headers import SecurityHeadersMiddleware
from shared.asgi import HSTS_HEADER, ASGIApp, Message, Receive, Scope, Send, app_path, came_over_https, header

_VARY = b"vary"
_ORIGIN = b"Origin"


class EdgeMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.security = SecurityHeadersMiddleware(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = sane_request_id(header(scope, REQUEST_ID_NAME))
        scope.setdefault("state", {})["request_id"] = rid
        id_header = (REQUEST_ID_NAME, rid.encode("latin-1"))
        extra: list[tuple[bytes, bytes]] | None = None
        if kind == "http":  # the security headers are for HTTP answers only, as SecurityHeaders handles "http"
            extra = self.security.encoded_headers_for(scope)
            if came_over_https(scope):
                extra = [*extra, HSTS_HEADER]

        async def send_edge(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = list(message.get("headers", ()))
                if extra is not None:  # a security header the app set itself wins
                    names = {bytes(n).lower() for n, _ in present}
                    present += [(n, v) for n, v in extra if n not in names]
                # Ours replaces any request id the app set.
                message["headers"] = [*(h for h in present if h[0].lower() != REQUEST_ID_NAME), id_header]
            await send(message)

        token = request_id.set(rid)
        try:
            await self.app(scope, receive, send_edge)
        finally:
            request_id.reset(token)


def vary_origin(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """What Starlette's CORSMiddleware does to an answer to a request without `Origin`: `Vary: Origin`, joined into
    the first Vary header the app set (its MutableHeaders assignment), the others dropped."""
    vary = [bytes(v) for n, v in headers if bytes(n).lower() == _VARY]
    if not vary:
        return [*headers, (_VARY, _ORIGIN)]
    joined = b", ".join([*vary, _ORIGIN])
    out: list[tuple[bytes, bytes]] = []
    for name, value in headers:
        if bytes(name).lower() != _VARY:
            out.append((name, value))
        elif joined:
            out.append((_VARY, joined))
            joined = b""
    return out


class EdgeGuardMiddleware:
    def __init__(self, app: ASGIApp, *, cors_origins: list[str], default_limit: int, photo_limit: int) -> None:
        self.app = app
        self.default_limit = default_limit
        self.photo_limit = photo_limit
        self.checked = CORSMiddleware(
            InputGuardMiddleware(BodyLimitMiddleware(app, default_limit=default_limit, photo_limit=photo_limit)),
            allow_origins=cors_origins, allow_methods=["*"], allow_headers=["*"],
        )

    def _plain(self, scope: Scope) -> bool:
        """Nothing for CORS, the guard or the body limit to do but CORS's `Vary: Origin`."""
        if scope["type"] != "http" or header(scope, b"origin") is not None or scope.get("query_string"):
            return False
        path: str = scope.get("path", "")
        if not (path.isascii() and path.isprintable()):
            return False
        try:
            declared = declared_length(scope)
        except MalformedLength:
            return False  # the body limit refuses it (400), with the CORS headers a browser needs to read that
        if declared is None:
            return header(scope, b"transfer-encoding") is None
        return declared <= limit_for(scope["method"], app_path(scope), self.default_limit, self.photo_limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._plain(scope):
            await self.checked(scope, receive, send)
            return

        async def send_vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = vary_origin(list(message.get("headers", ())))
            await send(message)

        await self.app(scope, receive, send_vary)
