"""The app drops an idle connection before any server it talks to closes it: a request sent on a connection the
server is closing fails, and the app does not send a POST twice (issue 9: an admin's save failed with "no
connection" after the form took a while to fill)."""

import inspect

import uvicorn

from backend.settings import Settings
from mobile.api_client import KEEPALIVE_SECONDS, ApiClient


def test_the_apps_pool_lets_go_before_the_server_does() -> None:
    uvicorn_default = inspect.signature(uvicorn.Config).parameters["timeout_keep_alive"].default
    assert uvicorn_default > KEEPALIVE_SECONDS
    assert Settings(database_url="postgresql://x/y").keep_alive_seconds > KEEPALIVE_SECONDS


async def test_the_client_uses_it() -> None:
    api = ApiClient("http://127.0.0.1:9")
    try:
        pool = api._http._transport._pool  # type: ignore[attr-defined]
        assert pool._keepalive_expiry == KEEPALIVE_SECONDS
    finally:
        await api.aclose()
