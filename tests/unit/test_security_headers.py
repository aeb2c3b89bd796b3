"""Security headers of the API and of the web app server, without a database or a browser."""

import shutil
import socket
from typing import Any

import flet as ft
import httpx
import pytest
from starlette.types import Receive, Scope, Send

from backend.security_headers import API_CSP, DOCS_CSP, SecurityHeadersMiddleware
from mobile.main import run, serves_web_page
from mobile.server import (
    THAI_FONT_FILE,
    AnnouncedServer,
    RemovedAtShutdown,
    SecurityHeaders,
    SingleThreadedRenderer,
    ThaiFallbackFont,
    content_security_policy,
    create_app,
    origin_of,
    security_headers,
)
from mobile.settings import AppSettings


async def page(scope: Scope, receive: Receive, send: Send) -> None:
    headers = [(b"content-type", b"text/html")]
    if scope["path"] == "/own-csp":
        headers.append((b"content-security-policy", b"default-src 'self'"))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"<p>hi</p>"})


def client(app: SecurityHeadersMiddleware | SecurityHeaders, base: str = "http://t") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base)


async def test_api_headers_strict_csp_and_docs_exception() -> None:
    async with client(SecurityHeadersMiddleware(page)) as api:
        plain = await api.get("/health")
        assert plain.headers["content-security-policy"] == API_CSP
        assert plain.headers["x-content-type-options"] == "nosniff" and plain.headers["x-frame-options"] == "DENY"
        assert plain.headers["referrer-policy"] == "no-referrer"
        assert "strict-transport-security" not in plain.headers
        assert (await api.get("/docs")).headers["content-security-policy"] == DOCS_CSP
        assert (await api.get("/redoc")).headers["content-security-policy"] == DOCS_CSP
        assert (await api.get("/docs/other")).headers["content-security-policy"] == API_CSP
        # A route that sets its own policy keeps it.
        assert (await api.get("/own-csp")).headers["content-security-policy"] == "default-src 'self'"
        proxied = await api.get("/health", headers={"X-Forwarded-Proto": "https, http"})
        assert proxied.headers["strict-transport-security"].startswith("max-age=31536000")
    async with client(SecurityHeadersMiddleware(page), "https://t") as api:
        assert "strict-transport-security" in (await api.get("/health")).headers
    assert "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net" in DOCS_CSP
    assert "frame-ancestors 'none'" in DOCS_CSP and "frame-ancestors 'none'" in API_CSP


def test_the_web_app_policy_names_its_backend_and_tile_host() -> None:
    settings = AppSettings(backend_url="https://api.fixit.example/v1", map_tile_url="https://{s}.tiles.example/{z}/{x}/{y}.png")
    csp = content_security_policy(settings)
    directives = dict(d.split(" ", 1) for d in csp.split("; "))
    assert directives["connect-src"] == "'self' https://api.fixit.example https://*.tiles.example"
    assert directives["img-src"] == "'self' data: blob: https://*.tiles.example"
    assert "'wasm-unsafe-eval'" in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert origin_of("file:///tmp/x") is None and origin_of("http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    # The geolocation button and the photo picker need these; nothing else does.
    assert "geolocation=(self)" in security_headers(settings)["Permissions-Policy"]


async def test_the_web_app_wrapper_adds_the_headers() -> None:
    settings = AppSettings(backend_url="http://127.0.0.1:8000")
    async with client(SecurityHeaders(page, security_headers(settings))) as app:
        answer = await app.get("/")
        assert answer.headers["content-security-policy"] == content_security_policy(settings)
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "strict-transport-security" not in answer.headers
        behind_tls = await app.get("/", headers={"X-Forwarded-Proto": "https"})
        assert "strict-transport-security" in behind_tls.headers


async def test_the_engines_thai_fallback_font_is_the_apps_own_not_a_404() -> None:
    # The path Flutter's web engine asked for on every page load (a 404 before); any version or hash gets the font.
    served = SecurityHeaders(ThaiFallbackFont(page), security_headers(AppSettings()))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=served), base_url="http://t") as web:
        for path in ("/assets/fonts/notosansthai/v25/iJWnBXeUZi_OHPqn4wq6hQ2_hbJ1xyN9wd43SofNWcd1MKVQt_So_9CdU5RtpzR"
                     "-QRvzzXg.woff2", "/assets/fonts/notosansthai/v26/other.woff2"):
            font = await web.get(path)
            assert font.status_code == 200 and font.headers["content-type"] == "font/ttf"
            assert font.content == THAI_FONT_FILE.read_bytes() and font.content[:4] == b"\x00\x01\x00\x00"
            assert font.headers["x-content-type-options"] == "nosniff"  # still inside the security headers
        head = await web.head("/assets/fonts/notosansthai/v25/x.woff2")
        assert head.status_code == 200 and head.content == b""
        # Everything else is the wrapped app's.
        assert (await web.get("/assets/fonts/roboto.woff2")).text == "<p>hi</p>"
        assert (await web.post("/assets/fonts/notosansthai/v25/x.woff2")).text == "<p>hi</p>"


async def test_the_app_page_is_not_cross_origin_isolated_so_the_engine_renders_single_threaded(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Flet's own server sends COOP and COEP, which made the page cross-origin isolated and Flutter's loader pick its
    # multi-threaded skwasm renderer (heap corruption under text churn: frozen pages in the browser tests).
    with_coep = [(b"content-type", b"text/html"), (b"Cross-Origin-Embedder-Policy", b"require-corp"),
                 (b"cross-origin-opener-policy", b"same-origin")]

    async def flet_like(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": with_coep})
        await send({"type": "http.response.body", "body": b"<p>hi</p>"})

    async with client(SecurityHeaders(SingleThreadedRenderer(flet_like), security_headers(AppSettings()))) as app:
        answer = await app.get("/")
        assert "cross-origin-embedder-policy" not in answer.headers
        assert answer.headers["cross-origin-opener-policy"] == "same-origin" and answer.text == "<p>hi</p>"
    # And the real thing: the app as `python -m mobile` serves it, for the page and for the engine's files.
    # (Serving sets Flet's upload variables when unset: set here, they are this test's only.)
    monkeypatch.setenv("FLET_SECRET_KEY", "unit-" + "k" * 32)
    monkeypatch.setenv("FLET_MAX_UPLOAD_SIZE", "1000")
    await _served_single_threaded(create_app(AppSettings()))


async def test_main_py_served_as_a_web_page_goes_through_the_same_app_without_coep(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """`flet run --web` (and FLET_FORCE_WEB_SERVER, as the packaging test runs the phone's entry) runs main.py with
    Flet's variables: it is served by mobile/server.py's app on the port Flet chose, not by plain ft.run's server,
    which sends Cross-Origin-Embedder-Policy."""
    monkeypatch.setenv("FLET_FORCE_WEB_SERVER", "true")
    monkeypatch.setenv("FLET_SERVER_IP", "127.0.0.1")
    with socket.socket() as probe:  # a free port, as flet-cli picks one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("FLET_SERVER_PORT", str(port))
    monkeypatch.setenv("FLET_DISPLAY_URL_PREFIX", "PAGE_URL_1")
    monkeypatch.setenv("FLET_SECRET_KEY", "unit-" + "k" * 32)
    monkeypatch.setenv("FLET_MAX_UPLOAD_SIZE", "1000")

    flet_run = ft.run

    def plain_flet_server(*args: Any, **kwargs: Any) -> Any:
        # Flet's app to wrap (create_app) is fine; Flet's own server is what sends COEP.
        assert kwargs.get("export_asgi_app"), "served by ft.run's own server, which sends COEP"
        return flet_run(*args, **kwargs)

    started: list[AnnouncedServer] = []

    def start(server: AnnouncedServer, *args: object) -> None:
        started.append(server)

    monkeypatch.setattr(ft, "run", plain_flet_server)
    monkeypatch.setattr(AnnouncedServer, "run", start)
    assert serves_web_page()
    run()
    [server] = started
    assert (server.config.host, server.config.port) == ("127.0.0.1", port)
    served = server.config.app
    assert isinstance(served, RemovedAtShutdown)  # the app create_app() makes, headers and all
    await _served_single_threaded(served)
    # flet-cli opens the browser on the line Flet's own server would print once it listens: the server started and
    # told to stop at once (it binds, says so, and ends).
    server.should_exit = True
    await AnnouncedServer.serve(server)
    assert capsys.readouterr().out.splitlines()[-1] == f"PAGE_URL_1 http://127.0.0.1:{port}/ web_browser"


async def _served_single_threaded(served: Any) -> None:
    """The served app's page and engine file come without COEP (not cross-origin isolated: single-threaded skwasm),
    with COOP and the content security policy; its upload folder is removed after."""
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=served), base_url="http://t") as web:
            for path in ("/", "/canvaskit/skwasm.js"):
                answer = await web.get(path)
                assert answer.status_code == 200 and "cross-origin-embedder-policy" not in answer.headers, path
                assert answer.headers["cross-origin-opener-policy"] == "same-origin"
                assert "content-security-policy" in answer.headers
    finally:
        shutil.rmtree(served.folder, ignore_errors=True)
