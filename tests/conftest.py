"""Shared fixtures: one throwaway embedded PostgreSQL per test session, migrated and seeded once."""

import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from backend.app import create_app
from backend.local_postgres import LocalPostgres
from backend.migrate import migrate
from backend.seed import seed
from backend.settings import PROJECT_ROOT, Settings

TEST_DB = "fixit_test"


@pytest.fixture(scope="session")
def local_pg() -> Iterator[LocalPostgres]:
    # A short path: the server's Unix socket path must stay under ~100 characters.
    data_dir = Path(tempfile.mkdtemp(prefix="fixit-pg-"))
    yield LocalPostgres(data_dir / "pg", database="postgres", delete_on_exit=True)


@pytest.fixture(scope="session")
def database_url(local_pg: LocalPostgres) -> str:
    local_pg.drop_database(TEST_DB)
    url = local_pg.url_for(TEST_DB)
    migrate(url)
    seed(url, PROJECT_ROOT / "assets" / "seed", demo=True)
    return url


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        jwt_secret=SecretStr(secrets.token_urlsafe(48)),
        data_dir=tmp_path_factory.mktemp("data"),
        otp_dev_hint=True,
        dev_mode=True,
        # Every in-process client comes from one address; the limits themselves are tested with tight copies.
        otp_requests_per_address=100_000,
        otp_requests_overall=100_000,
        submits_per_person_per_hour=100_000,
        # The background clock would act on other tests' rows at random moments: tests turn it by hand (tick()).
        dispatch_tick_seconds=3600.0,
    )


@pytest.fixture(scope="session")
async def api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The real FastAPI app on the real database, called in-process."""
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://fixit.test"
    ) as client:
        yield client
