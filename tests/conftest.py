"""Shared fixtures: one PostgreSQL per test session, migrated and seeded once.

Which PostgreSQL:
- default: a throwaway embedded one (`local_pg`);
- `FIXIT_TEST_SUPABASE_SHAPE=1`: a throwaway embedded one built the way Supabase builds a project (superuser
  `supabase_admin`, the app connecting and migrating as a `postgres` without superuser; tests/supabase_shape);
- `FIXIT_TEST_DATABASE_URL=postgresql://…`: any PostgreSQL you give, with an empty database (the suite migrates
  and seeds it and leaves its rows: run again on a fresh one). Tests that need databases of their own
  (`local_pg.url_for`) make them on the same server, or are skipped when that role may not create databases.
"""

import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from pydantic import SecretStr

from backend.app import create_app
from backend.local_postgres import LocalPostgres
from backend.migrate import migrate
from backend.seed import seed
from backend.settings import PROJECT_ROOT, Settings

TEST_DB = "fixit_test"


def external_url() -> str:
    return os.environ.get("FIXIT_TEST_DATABASE_URL", "").strip()


def supabase_shape() -> bool:
    """Read when the database starts, after collection (tests/supabase_shape/conftest.py may ask for it)."""
    return os.environ.get("FIXIT_TEST_SUPABASE_SHAPE", "").strip().lower() in ("1", "true", "yes")


class ExternalPostgres(LocalPostgres):
    """The server of FIXIT_TEST_DATABASE_URL, for tests that want databases of their own on it."""

    def __init__(self, url: str) -> None:  # the server is not ours to start
        self.database = str(conninfo_to_dict(url).get("dbname", ""))
        self.admin_url = self.url = url

    def _on_server(self, statement: sql.Composed) -> None:
        try:
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(statement)
        except psycopg.errors.InsufficientPrivilege as exc:
            pytest.skip(f"needs a database of its own, which FIXIT_TEST_DATABASE_URL's role may not make: {exc}")

    def url_for(self, database: str) -> str:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            exists = conn.execute("select 1 from pg_database where datname = %s", [database]).fetchone()
        if not exists:
            self._on_server(sql.SQL("create database {}").format(sql.Identifier(database)))
        return make_conninfo(self.admin_url, dbname=database)

    def drop_database(self, name: str) -> None:
        if name == self.database:
            raise ValueError("the suite never drops the database it was given")
        self._on_server(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def local_pg() -> Iterator[LocalPostgres]:
    if external_url():
        yield ExternalPostgres(external_url())
        return
    # A short path: the server's Unix socket path must stay under ~100 characters.
    data_dir = Path(tempfile.mkdtemp(prefix="fixit-pg-"))
    if supabase_shape():
        from tests.supabase_shape import SupabaseShapedPostgres

        yield SupabaseShapedPostgres(data_dir)
        return
    yield LocalPostgres(data_dir / "pg", database="postgres", delete_on_exit=True)


@pytest.fixture(scope="session")
def database_url(local_pg: LocalPostgres) -> str:
    if isinstance(local_pg, ExternalPostgres):
        url = local_pg.url  # given, not ours to drop: migrations and the seed are idempotent
    else:
        local_pg.drop_database(TEST_DB)
        url = local_pg.url_for(TEST_DB)
    migrate(url)
    seed(url, PROJECT_ROOT / "assets" / "seed", demo=True)
    return url


# The migrations applied once a session, to a database nobody uses but as the template of `migrated_database`'s copies.
MIGRATED_TEMPLATE = "fixit_migrated_template"


class MigratedDatabases:
    """Databases of their own, freshly migrated and with nothing seeded: what `drop_database`, `url_for` and
    `migrate` made, but copied (`create database … template`) from one database the session migrated once. Applying
    the 107 migrations took seconds each time on a loaded machine, and a dozen modules (some per test) did it; the
    copy is the same database (its owner, its schemas, its rows, its grants) in a fraction of that. Tests of the
    migrations themselves (what a run applies, on a partly migrated database) still call `migrate`."""

    def __init__(self, local_pg: LocalPostgres) -> None:
        self._pg = local_pg
        self._template_ready = False

    def _template(self) -> str:
        if not self._template_ready:
            self._pg.drop_database(MIGRATED_TEMPLATE)
            migrate(self._pg.url_for(MIGRATED_TEMPLATE))  # made as url_for makes any: Supabase-shaped when the run is
            self._template_ready = True
        return MIGRATED_TEMPLATE

    def __call__(self, name: str) -> str:
        """A new migrated database `name` (one left by an earlier test or run is dropped first), its URL as
        `url_for` gives it."""
        template = self._template()
        self._pg.drop_database(name)
        with psycopg.connect(self._pg.admin_url, autocommit=True) as conn:
            row = conn.execute("select pg_get_userbyid(datdba) from pg_database where datname = %s",
                               [template]).fetchone()
            assert row is not None, f"the template database {template} is gone"
            statement = sql.SQL("create database {} owner {} template {}").format(
                sql.Identifier(name), sql.Identifier(str(row[0])), sql.Identifier(template))
            if isinstance(self._pg, ExternalPostgres):
                self._pg._on_server(statement)  # skips, saying why, where the given role may not make databases
            else:
                conn.execute(statement)
        return self._pg.url_for(name)  # there already: nothing made, only its URL (as the owner url_for connects as)


@pytest.fixture(scope="session")
def migrated_database(local_pg: LocalPostgres) -> MigratedDatabases:
    """`migrated_database(name)`: a database of a test's own, migrated, nothing seeded (see MigratedDatabases)."""
    return MigratedDatabases(local_pg)


@pytest.fixture(scope="session")
def superuser_url(local_pg: LocalPostgres, database_url: str) -> str:
    """The test database as its server's superuser (the embedded server's, or the Supabase-shaped one's
    supabase_admin), for the tests that count function calls: only a superuser may turn on `track_functions`. A
    database given by FIXIT_TEST_DATABASE_URL whose role is not one cannot count calls: those tests skip, saying so."""
    url = make_conninfo(local_pg.admin_url, dbname=str(conninfo_to_dict(database_url)["dbname"]))
    with psycopg.connect(url) as conn:
        row = conn.execute("select rolsuper from pg_roles where rolname = current_user").fetchone()
    if row is None or not row[0]:
        pytest.skip("counting function calls needs a superuser session (track_functions)")
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
        # Nor does the delivery worker run: it claims notifications `for update` between awaits, and a test's own
        # blocking psycopg write to such a row (on the loop the worker shares) waited for it for ever. Tests deliver
        # by hand (deliver_once).
        notify_worker_seconds=0.0,
    )


@pytest.fixture(scope="session")
async def api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The real FastAPI app on the real database, called in-process."""
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://fixit.test"
    ) as client:
        yield client
