"""Security headers on every API response (errors and refusals from the edge included).

The API answers JSON, CSV and photos: nothing of it may run script, be framed or sniffed into something else
(`default-src 'none'`). The interactive docs (/docs, /redoc) are HTML pages that load Swagger UI and ReDoc from
jsDelivr and start them with an inline script: they get a CSP that allows exactly that, and are still not
framable. HSTS only over https: on the socket (uvicorn's proxy_headers rewrites the scheme for a trusted proxy) or
as told by the proxy's X-Forwarded-Proto (browsers ignore HSTS on plain http, so a forged header gains nothing).
"""

from shared.asgi import Scope, SecurityHeaders, app_path, encode_headers

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


def base_headers() -> dict[str, str]:
    return {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    }


# An API answer is someone's own (a profile, a whole data export, the inbox, a sign-in's tokens) unless its route
# says otherwise (the catalogue's ETag revalidation, a photo's private caching, the event stream's no-cache set their
# own, which wins): no cache, the browser's on disk or a proxy's, keeps it (attack26 #4). Without a Cache-Control a
# browser may keep any answer on disk after sign-out (heuristic freshness), and RFC 6749 asks no-store of tokens.
API_CACHE_CONTROL = "no-store"


class SecurityHeadersMiddleware(SecurityHeaders):
    # Encoded once: building and encoding them per response was measurable on GET /health (issue 15).
    _API = encode_headers({**base_headers(), "Content-Security-Policy": API_CSP, "Cache-Control": API_CACHE_CONTROL})
    _DOCS = encode_headers({**base_headers(), "Content-Security-Policy": DOCS_CSP})

    def encoded_headers_for(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        return self._DOCS if app_path(scope) in DOCS_PATHS else self._API
