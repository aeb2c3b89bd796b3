"""A Content-Length that is not a number of ASCII digits ("²" passes str.isdigit and then breaks int()) is refused
with a clear 400 by the real ASGI app, before any route reads the body (backend/body_limits.py)."""

import httpx
import pytest
from pydantic import SecretStr

from backend.app import create_app
from backend.settings import Settings
from shared.text import ERRORS

SETTINGS = Settings(jwt_secret=SecretStr("x" * 48), database_url="postgresql://nowhere/none",
                    cors_origins=["http://localhost:8550"])


# As the bytes arrive (an ASGI server hands header bytes on; latin-1 b"\xb2" is "²", which str.isdigit accepts).
@pytest.mark.parametrize("length", ["²".encode("latin-1"), "³".encode("latin-1"), b"-1", b"1e3", b""])
async def test_a_declared_size_that_is_no_number_is_a_clear_400(length: bytes) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(SETTINGS)), base_url="http://t") as c:
        response = await c.post("/requests", content=b"{}",
                                headers={b"Content-Type": b"application/json", b"Content-Length": length})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "content_length_invalid"
    assert (error["message_th"], error["message_en"]) == (ERRORS["content_length_invalid"].th,
                                                          ERRORS["content_length_invalid"].en)


async def test_a_plain_declared_size_still_reaches_the_route() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(SETTINGS)), base_url="http://t") as c:
        response = await c.post("/requests", content=b"{}", headers={"Content-Type": "application/json"})
    assert response.status_code == 401  # the route's own answer (no sign-in), not the edge's
