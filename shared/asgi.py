"""What the two servers (the API and the app's web host) share of their ASGI middleware: handling one kind of
scope, and adding security headers to every HTTP answer with HSTS when the request came over https.

Plain ASGI, no server package: the types are the ASGI spec's (starlette's are the same aliases), so this module
packs with the phone app harmlessly, although nothing on a phone imports it.
"""

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

HSTS = "max-age=31536000; includeSubDomains"


class OneScopeMiddleware:
    """Handles scopes of one type (`handles`) in `handle`; every other scope goes straight to the wrapped app."""

    handles = "http"

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != self.handles:
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


def came_over_https(scope: Scope) -> bool:
    """On the socket (uvicorn's proxy_headers rewrites the scheme for a trusted proxy) or as the proxy's
    X-Forwarded-Proto says (browsers ignore HSTS on plain http, so a forged header gains nothing)."""
    if scope.get("scheme") in ("https", "wss"):
        return True
    forwarded = header(scope, b"x-forwarded-proto") or ""
    return forwarded.split(",")[0].strip().lower() == "https"


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header (`name` in lower case) straight from the ASGI scope: without parsing
    every header into Starlette's `Headers`, which was measurable per request (issue 15)."""
    value = next((value for key, value in scope.get("headers", ()) if key.lower() == name), None)
    return None if value is None else bytes(value).decode("latin-1")


def app_path(scope: Scope) -> str:
    """The request's path inside the app (without the root path it is mounted under)."""
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


class SecurityHeaders(OneScopeMiddleware):
    """Adds `headers_for(scope)` (plus HSTS over https) to every HTTP answer; a header the app set itself wins."""

    def headers_for(self, scope: Scope) -> dict[str, str]:
        raise NotImplementedError

    def encoded_headers_for(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        """`headers_for` as ASGI header pairs; a subclass whose headers are fixed returns lists it built once."""
        return encode_headers(self.headers_for(scope))

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        extra = self.encoded_headers_for(scope)
        if came_over_https(scope):
            extra = [*extra, HSTS_HEADER]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = list(message.get("headers", ()))
                names = {bytes(n).lower() for n, _ in present}
                message["headers"] = present + [(n, v) for n, v in extra if n not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)


HSTS_HEADER = (b"strict-transport-security", HSTS.encode("latin-1"))


def encode_headers(values: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in values.items()]
