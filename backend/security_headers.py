"""Security headers on every API response (errors and refusals from the edge included).

The API answers JSON, CSV and photos: nothing of it may run script, be framed or sniffed into something else
(`default-src 'none'`). The interactive docs (/docs, /redoc) are HTML pages that load Swagger UI and ReDoc from
jsDelivr and start them with an inline script: they get a CSP that allows exactly that, and are still not
framable. HSTS only over https: on the socket (uvicorn's proxy_headers rewrites the scheme for a trusted proxy) or
as told by the proxy's X-Forwarded-Proto (browsers ignore HSTS on plain http, so a forged header gains nothing).
"""

from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_CSP = (
    "default-src 'none'; "
    "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com data:; "
    "img-src 'self' data: blob: https://fastapi.tiangolo.com https://cdn.redoc.ly https://cdn.jsdelivr.net; "
    "connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
HSTS = "max-age=31536000; includeSubDomains"


def came_over_https(scope: Scope) -> bool:
    if scope.get("scheme") in ("https", "wss"):
        return True
    forwarded = Headers(scope=scope).get("x-forwarded-proto", "")
    return forwarded.split(",")[0].strip().lower() == "https"


def base_headers() -> dict[str, str]:
    return {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    }


def add_missing(headers: MutableHeaders, values: Iterable[tuple[str, str]]) -> None:
    for name, value in values:
        if name not in headers:
            headers[name] = value


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root):]
        values = base_headers()
        values["Content-Security-Policy"] = DOCS_CSP if path in DOCS_PATHS else API_CSP
        if came_over_https(scope):
            values["Strict-Transport-Security"] = HSTS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_missing(MutableHeaders(scope=message), values.items())
            await send(message)

        await self.app(scope, receive, send_with_headers)
