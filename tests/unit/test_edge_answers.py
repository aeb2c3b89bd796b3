"""The answers of the API's edge, header by header and in order, pinned before its layers were merged (issue 15):
CORS (plain, allowed, refused, preflight), the security headers, the request id, and the refusals of the query
guard and the body limit, which must carry the CORS headers a browser needs to read them. No database: every
request here is answered before a route reads one."""

import httpx
import pytest
from pydantic import SecretStr

from backend.app import create_app
from backend.security_headers import API_CACHE_CONTROL, API_CSP
from backend.settings import Settings

SETTINGS = Settings(jwt_secret=SecretStr("x" * 48), database_url="postgresql://nowhere/none",
                    cors_origins=["http://localhost:8550"])
ALLOWED, EVIL = "http://localhost:8550", "http://evil.example"
SECURITY = [("x-content-type-options", "nosniff"), ("referrer-policy", "no-referrer"), ("x-frame-options", "DENY"),
            ("cross-origin-opener-policy", "same-origin"),
            ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()"),
            ("content-security-policy", API_CSP), ("cache-control", API_CACHE_CONTROL)]  # attack26 #4
UNAUTHENTICATED = [("www-authenticate", "Bearer"), ("content-length", "132"), ("content-type", "application/json")]
PREFLIGHT_VARY = ("vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, "
                          "Access-Control-Request-Private-Network")
METHODS = ("access-control-allow-methods", "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, QUERY")


async def answer(method: str, path: str, **headers: str) -> tuple[int, str, list[tuple[str, str]]]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(SETTINGS)), base_url="http://t") as c:
        response = await c.request(method, path, headers={k.replace("_", "-"): v for k, v in headers.items()})
    items = response.headers.multi_items()
    assert items[-1][0] == "x-request-id" and len(items[-1][1]) == 32
    return response.status_code, response.text, items[:-1]


@pytest.mark.parametrize(("origin", "cors"), [
    (None, [("vary", "Origin")]),
    (ALLOWED, [("access-control-allow-origin", ALLOWED), ("vary", "Origin")]),
    (EVIL, [("vary", "Origin")]),
])
async def test_a_simple_answer(origin: str | None, cors: list[tuple[str, str]]) -> None:
    status, _, headers = await answer("GET", "/requests/mine", **({"Origin": origin} if origin else {}))
    assert status == 401 and headers == UNAUTHENTICATED + cors + SECURITY


async def test_a_preflight_from_an_allowed_origin() -> None:
    status, text, headers = await answer("OPTIONS", "/requests", Origin=ALLOWED, Access_Control_Request_Method="POST",
                                         Access_Control_Request_Headers="authorization, content-type")
    assert (status, text) == (200, "OK")
    assert headers == [PREFLIGHT_VARY, METHODS, ("access-control-max-age", "600"),
                       ("access-control-allow-origin", ALLOWED),
                       ("access-control-allow-headers", "authorization, content-type"), ("content-length", "2"),
                       ("content-type", "text/plain; charset=utf-8"), *SECURITY]


async def test_a_preflight_from_another_origin() -> None:
    status, text, headers = await answer("OPTIONS", "/requests", Origin=EVIL, Access_Control_Request_Method="POST")
    assert (status, text) == (400, "Disallowed CORS origin")
    assert headers == [PREFLIGHT_VARY, METHODS, ("access-control-max-age", "600"), ("content-length", "22"),
                       ("content-type", "text/plain; charset=utf-8"), *SECURITY]


@pytest.mark.parametrize("origin", [None, ALLOWED])
async def test_the_query_guards_refusal(origin: str | None) -> None:
    status, text, headers = await answer("GET", "/requests/duplicates?category_code=a%00b&lat=1&lon=1",
                                         **({"Origin": origin} if origin else {}))
    assert status == 400 and '"code":"invalid_characters"' in text
    cors = [("access-control-allow-origin", ALLOWED)] if origin else []
    assert headers == [("content-length", "540"), ("content-type", "application/json"), *cors, ("vary", "Origin"),
                       *SECURITY]


@pytest.mark.parametrize("origin", [None, ALLOWED])
async def test_the_body_limits_refusal(origin: str | None) -> None:
    status, text, headers = await answer("POST", "/requests", Content_Length="999999999",
                                         Content_Type="application/json", **({"Origin": origin} if origin else {}))
    assert status == 413 and '"code":"body_too_large"' in text
    cors = [("access-control-allow-origin", ALLOWED)] if origin else []
    assert headers == [("connection", "close"), ("content-length", "223"), ("content-type", "application/json"),
                       *cors, ("vary", "Origin"), *SECURITY]


async def test_an_incoming_request_id_is_echoed_once() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(SETTINGS)), base_url="http://t") as c:
        response = await c.get("/requests/mine", headers={"X-Request-ID": "abc-123"})
    assert response.headers.get_list("x-request-id") == ["abc-123"]
