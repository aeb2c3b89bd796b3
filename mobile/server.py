"""The web app as an ASGI app, served by uvicorn on the configured host and port.

`ft.run(..., export_asgi_app=True)` returns Flet's FastAPI app instead of starting a server or
opening a browser, so host and port come from our settings and nothing pops up on a server.

Every answer carries security headers and a Content-Security-Policy that the Flet (Flutter web) client runs
under: its bootstrap is an inline script, the engine is WebAssembly (`'wasm-unsafe-eval'`), images of photos
are data:/blob: URLs, it talks to its own server over a websocket (`'self'`), and the map loads tiles from the
configured tile host. Nothing else may load, and no other site may frame the app.
"""

import asyncio
import contextlib
import copy
import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import flet as ft
import uvicorn
from uvicorn.config import LOGGING_CONFIG

from mobile.app import FONT_FILE, main_with_uploads
from mobile.device import AWAITED_UPLOADS, AwaitedUploads, web_upload_dir
from mobile.settings import ASSETS_DIR, AppSettings, get_settings
from shared import asgi
from shared.asgi import ASGIApp, Message, OneScopeMiddleware, Receive, Scope, Send, app_path
from shared.text import error_text


def origin_of(url: str) -> str | None:
    """scheme://host[:port] of a URL (a tile template's {z}/{x}/{y} and {s} subdomain placeholder allowed)."""
    parts = urlsplit(url.replace("{s}.", "*."))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(settings: AppSettings) -> str:
    outside = " ".join(o for o in (origin_of(settings.backend_url), origin_of(settings.map_tile_url)) if o)
    tiles = origin_of(settings.map_tile_url) or ""
    directives = [
        "default-src 'self'",
        # Flet's index.html configures the client in inline scripts; Flutter's engine is WebAssembly.
        "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob: {tiles}".rstrip(),
        "font-src 'self' data:",
        f"connect-src 'self' {outside}".rstrip(),
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


def security_headers(settings: AppSettings) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(settings),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        # The tile server's usage policy asks for a Referer: send our origin, never a path, never over http.
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "geolocation=(self), camera=(self), microphone=(), payment=()",
    }


class SecurityHeaders(asgi.SecurityHeaders):
    """Adds the headers to every HTTP answer of the wrapped app (the websocket passes through)."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        super().__init__(app)
        self.headers = headers

    def headers_for(self, scope: Scope) -> dict[str, str]:
        return dict(self.headers)


# Where Flutter's web engine looks for its Noto Sans Thai fallback when a text is laid out before the app's own Thai
# font (`page.fonts`) is in: `fontFallbackBaseUrl`, which flet-web points at its own assets/fonts/ folder (no CDN),
# and a path with the engine's font version and hash (notosansthai/v25/….woff2) that flet-web does not ship.
FALLBACK_THAI_PREFIX = "/assets/fonts/notosansthai/"
THAI_FONT_FILE = ASSETS_DIR / FONT_FILE


class ThaiFallbackFont(OneScopeMiddleware):
    """Answers the engine's Noto Sans Thai fallback request with the app's own Noto Sans Thai. It was a 404 on every
    page load, and a failed fallback is the engine's least-trodden path: twice a browser test's page froze right
    after that 404 (once with "memory access out of bounds" from the WebAssembly engine). Any version or hash under
    the folder gets the same font, so a newer flet-web keeps working; the engine reads TrueType as well as WOFF2."""

    def __init__(self, app: ASGIApp, font: Path = THAI_FONT_FILE) -> None:
        super().__init__(app)
        self.font = font.read_bytes()

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in ("GET", "HEAD") or not scope["path"].startswith(FALLBACK_THAI_PREFIX):
            await self.app(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"font/ttf"), (b"content-length", str(len(self.font)).encode()),
            (b"cache-control", b"public, max-age=86400")]})
        await send({"type": "http.response.body", "body": self.font if scope["method"] == "GET" else b""})


# Flet's server sends Cross-Origin-Embedder-Policy: require-corp (with Cross-Origin-Opener-Policy: same-origin) on
# every answer. Both together make the page cross-origin isolated, and Flutter's loader then picks the
# multi-threaded skwasm renderer (a raster worker sharing the WebAssembly heap with the main thread).
COEP_HEADER = b"cross-origin-embedder-policy"


class SingleThreadedRenderer(OneScopeMiddleware):
    """Takes Cross-Origin-Embedder-Policy off the wrapped app's answers, so the page is not cross-origin isolated
    and Flutter's loader picks its single-threaded skwasm renderer (the one it uses on any page served without the
    isolation headers). The multi-threaded one races: built with emscripten's wasm workers but not pthreads, its
    mutexes are no-ops, and text layout on the main thread and rasterising on the worker share Skia's glyph cache
    and corrupt the heap (flutter/flutter#190039; the engine's fix, #190048, came in mid-2026). It showed here as
    `memory access out of bounds` 3 s after the app loaded, or as a page that silently never drew again, in 2 of 9
    browser-suite runs; bench/browser_soak.py counts both per renderer. Nothing in the app needs isolation (no
    SharedArrayBuffer, no Pyodide); Cross-Origin-Opener-Policy stays."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_without_coep(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [(n, v) for n, v in message.get("headers", ()) if bytes(n).lower() != COEP_HEADER]
            await send(message)

        await self.app(scope, receive, send_without_coep)


class RemovedAtShutdown(OneScopeMiddleware):
    """Removes a folder when the server shuts down. Not atexit: uvicorn ends a SIGTERM'ed process by raising the
    signal again after its graceful shutdown, and atexit handlers never run then."""

    handles = "lifespan"

    def __init__(self, app: ASGIApp, folder: Path) -> None:
        super().__init__(app)
        self.folder = folder

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def receive_and_clean() -> Message:
            message = await receive()
            if message["type"] == "lifespan.shutdown":
                shutil.rmtree(self.folder, ignore_errors=True)
            return message

        await self.app(scope, receive_and_clean, send)


# Flet's upload endpoint (`PUT /upload`, FLET_UPLOAD_HANDLER_ENDPOINT unset), the only route that writes to disk.
UPLOAD_PATH = "/upload"


class AwaitedUploadsOnly(OneScopeMiddleware):
    """Flet's upload endpoint takes a body only for a name the app awaits (`AwaitedUploads`), once, and nothing it
    wrote outlives a failure. Flet's own handler writes the file as the body arrives and keeps it when the body passes
    FLET_MAX_UPLOAD_SIZE (413) or the browser goes mid-upload, and takes any signed URL again for its 15 minutes after
    the app read and deleted the file: each left a file of up to 40 MB until the server stopped."""

    def __init__(self, app: ASGIApp, folder: Path, awaited: AwaitedUploads = AWAITED_UPLOADS) -> None:
        super().__init__(app)
        self.folder = folder
        self.awaited = awaited

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "PUT" or app_path(scope) != UPLOAD_PATH:
            await self.app(scope, receive, send)
            return
        names = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1")).get("f", [])
        name = names[0] if len(names) == 1 else ""
        if not self.awaited.claim(name):
            await _refuse(send, 410, "upload_not_awaited")
            return
        status = 0

        async def receive_while_awaited() -> Message:
            # The app gave up on this upload (stalled, the session closed): the rest of the body is not taken. Also
            # while waiting for the next chunk: a body that stopped arriving kept Flet's handler, and the file it
            # holds open (unlinked by the app, its bytes still on disk), for as long as the connection stayed open
            # (review27a #1).
            if not self.awaited.awaited(name):
                return {"type": "http.disconnect"}
            arriving = asyncio.ensure_future(receive())
            giving_up = asyncio.ensure_future(self.awaited.given_up(name))
            try:
                await asyncio.wait({arriving, giving_up}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                giving_up.cancel()
                if not arriving.done():
                    arriving.cancel()
            if not arriving.done() or arriving.cancelled():
                return {"type": "http.disconnect"}
            return arriving.result()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive_while_awaited, send_status)
        finally:
            # Only a whole body for a name still awaited stays for the app to read (it deletes it after).
            if status != 200 or not self.awaited.awaited(name):
                with contextlib.suppress(OSError):
                    (self.folder / name).unlink()


async def _refuse(send: Send, status: int, code: str) -> None:
    text = error_text(code)
    body = json.dumps({"error": {"code": code, "message_th": text.th, "message_en": text.en}}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def create_app(settings: AppSettings | None = None) -> Any:
    settings = settings or get_settings()
    # no_cdn: the Flutter engine (canvaskit/skwasm) is loaded from flet-web, not from a CDN,
    # so the app also starts on a machine or phone network without internet.
    # upload_dir: picked photos come over HTTP (Flet's /upload), never whole over the websocket.
    upload_dir = web_upload_dir()
    flet_app = ft.run(main_with_uploads(upload_dir), export_asgi_app=True, assets_dir=str(ASSETS_DIR), no_cdn=True,
                      upload_dir=str(upload_dir))
    served = AwaitedUploadsOnly(ThaiFallbackFont(SingleThreadedRenderer(flet_app)), upload_dir)
    return RemovedAtShutdown(SecurityHeaders(served, security_headers(settings)), upload_dir)


# uvicorn's websocket protocol writes each handshake to `uvicorn.error`, the visitor's address first.
_WEBSOCKET_LINE = '%s - "WebSocket '
VISITOR_LOGGERS = ("uvicorn.access", "uvicorn.error")


class VisitorLines(logging.Filter):
    """uvicorn's lines that name a visitor's address: its access log (every page load and asset) and its line for
    every websocket handshake (each app session). The API writes no access log unless FIXIT_ACCESS_LOG=true ("it would
    name every caller's address", backend/settings.py): here too they are dropped unless that is set, and written
    without the address when it is (the API's access lines leave it out as well, backend/logs.py)."""

    def __init__(self, access_log: bool) -> None:
        super().__init__()
        self.access_log = access_log

    def filter(self, record: logging.LogRecord) -> bool:
        websocket = isinstance(record.msg, str) and record.msg.startswith(_WEBSOCKET_LINE)
        if record.name != "uvicorn.access" and not websocket:
            return True
        if not self.access_log:
            return False
        if isinstance(record.args, tuple) and record.args:
            record.args = ("-", *record.args[1:])  # the address; the access formatters read the rest by position
        return True


def log_setup() -> tuple[bool, dict[str, Any]]:
    """Whether the web app writes an access log, and uvicorn's logging set-up: the API's own (its one settings object,
    FIXIT_ACCESS_LOG and FIXIT_LOG_FORMAT, and backend/logs.py's formatting and redaction) wherever the backend is
    installed with the app; the packaged app carries no backend: no access log, uvicorn's own format."""
    try:
        from backend.logs import uvicorn_log_config
        from backend.settings import Settings as ApiSettings
    except ImportError:
        return False, copy.deepcopy(LOGGING_CONFIG)
    api = ApiSettings()  # the environment and .env, as the API reads them
    return api.access_log, uvicorn_log_config(api)


class AnnouncedServer(uvicorn.Server):
    """uvicorn's server, which says its page's address once it listens when `flet run --web` started it: flet-cli
    waits for a line `<FLET_DISPLAY_URL_PREFIX> <url>` on the app's output to open the browser (what Flet's own
    server prints). While it serves, uvicorn's lines that name a visitor go through `VisitorLines` (taken off again
    at its shutdown: the loggers are the process's, and a test's process serves other things after it)."""

    def __init__(self, config: uvicorn.Config, url_prefix: str | None = None, *, access_log: bool = False) -> None:
        super().__init__(config)
        self.url_prefix = url_prefix
        self.visitor_lines = VisitorLines(access_log)

    async def startup(self, sockets: Any = None) -> None:
        for name in VISITOR_LOGGERS:  # first: before the redaction may rewrite a line whole
            logging.getLogger(name).filters.insert(0, self.visitor_lines)
        await super().startup(sockets)
        if self.url_prefix and self.started:
            host = "127.0.0.1" if self.config.host in ("0.0.0.0", "::") else self.config.host
            print(self.url_prefix, f"http://{host}:{self.config.port}/", "web_browser", flush=True)

    async def shutdown(self, sockets: Any = None) -> None:
        try:
            await super().shutdown(sockets)
        finally:
            for name in VISITOR_LOGGERS:
                logging.getLogger(name).removeFilter(self.visitor_lines)


def web_server(settings: AppSettings | None = None) -> AnnouncedServer:
    """The one server of the web app, whoever starts it: `python -m mobile` (./fixit run, the tests), and main.py
    when Flet would serve it as a web page (`flet run --web`, FLET_FORCE_WEB_SERVER, a Linux machine without a
    display; mobile/main.py). Host and port are the settings' unless Flet's own variables name them
    (FLET_SERVER_IP / FLET_SERVER_PORT, which `flet run` sets)."""
    settings = settings or get_settings()
    host = os.environ.get("FLET_SERVER_IP", "").strip() or settings.host
    port = int(os.environ.get("FLET_SERVER_PORT", "").strip() or settings.port)
    # The websocket implementation Flet itself picks when it runs its own server.
    access_log, log_config = log_setup()
    config = uvicorn.Config(create_app(settings), host="0.0.0.0" if host == "*" else host, port=port,
                            ws="websockets-sansio", proxy_headers=True, access_log=access_log, log_config=log_config)
    return AnnouncedServer(config, os.environ.get("FLET_DISPLAY_URL_PREFIX") or None, access_log=access_log)


def serve(settings: AppSettings | None = None) -> None:
    web_server(settings).run()
