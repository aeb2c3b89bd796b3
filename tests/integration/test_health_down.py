"""The service starts and says so when its database is unreachable, instead of crashing."""

import secrets

import httpx
from pydantic import SecretStr

from backend.app import create_app
from backend.settings import Settings


async def test_health_is_503_and_api_errors_are_clean_when_the_database_is_down() -> None:
    settings = Settings(
        database_url="postgresql://nobody@127.0.0.1:1/none?connect_timeout=1",
        jwt_secret=SecretStr(secrets.token_urlsafe(48)),
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://fixit.test"
    ) as client:
        health = await client.get("/health")
        assert health.status_code == 503
        assert health.json()["status"] == "degraded" and health.json()["database"]["ok"] is False
        assert health.json()["live_events"] is False
