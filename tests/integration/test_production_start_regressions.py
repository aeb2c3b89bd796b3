"""Production mode and the operator's commands keep development data and conveniences out of a production database,
and a copy refuses to start where it would serve people badly (audit 16b, findings 1, 5, 9 and 12). A database of
this module's own, migrated like a new production project (the shared one holds the seed's demo accounts)."""

import contextlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from typer.testing import CliRunner

from backend import dev_stack
from backend.app import create_app
from backend.cli import app
from backend.local_postgres import LocalPostgres
from backend.migrate import discover, migrate
from backend.photo_store import make_photo_store
from backend.production import start_refusals
from backend.seed import demo_accounts_present, remove_demo_accounts
from backend.services.photo_intake import sweep_orphan_photos
from backend.settings import PROJECT_ROOT, AuthMode, Settings
from tests.conftest import MigratedDatabases
from tests.helpers import bearer
from tests.integration.builders import citizen_with_a_photo
from tests.integration.production_operator import SUPABASE, new_production_database, production_operator

DB = "fixit_production_start"
DB_BEHIND = "fixit_production_start_behind"
SEED_DIR = PROJECT_ROOT / "assets" / "seed"


@pytest.fixture(scope="module")
def production_db(migrated_database: MigratedDatabases) -> str:
    return new_production_database(migrated_database, DB)


@pytest.fixture
def operator(production_db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    yield from production_operator(production_db, monkeypatch, tmp_path)


def _people(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select count(*) from auth.users").fetchone()
    return int(row[0]) if row else -1


def test_seed_in_production_mode_makes_no_demo_accounts(operator: CliRunner, production_db: str) -> None:
    """README step 4 runs `seed --no-demo`; the command's own default is `--demo`, and it never asks whether it runs
    in production. One forgotten flag on the production database and the demo accounts are there, the demo admin
    among them: the copies already serving serve them (the start check ran when they started: "with Supabase Auth
    an SMS to a demo number goes to whoever really holds it, who then signs in as that demo person"), and the next
    copy to start refuses to, so the next deploy or restart is an outage. In production mode `seed` must refuse the
    demo data (or make none), as `serve` refuses to start with it."""
    done = operator.invoke(app, ["seed"])
    present = demo_accounts_present(production_db, SEED_DIR)
    if present:  # leave the module's database as a production one for the tests after this one
        remove_demo_accounts(production_db, SEED_DIR)
    assert not present, f"demo accounts made in production mode; exit {done.exit_code}: {done.output}"
    assert done.exit_code == 0, done.output
    assert _people(production_db) == 0
    with psycopg.connect(production_db) as conn:  # what production needs was seeded
        assert conn.execute("select count(*) from public.colleges").fetchone() != (0,)


def test_seed_demo_is_refused_in_production_mode(operator: CliRunner, production_db: str) -> None:
    """Asked for by name, the demo data is refused with a reason and what to run instead; nothing is stored."""
    done = operator.invoke(app, ["seed", "--demo"])
    present = demo_accounts_present(production_db, SEED_DIR)
    if present:
        remove_demo_accounts(production_db, SEED_DIR)
    assert not present
    assert done.exit_code == 1 and "--no-demo" in done.output and "FIXIT_DEV_MODE" in done.output, done.output
    assert _people(production_db) == 0


@pytest.fixture(scope="module")
def database_behind(local_pg: LocalPostgres, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A production database the last migration file has not been applied to yet (new code, `migrate` not run)."""
    directory = tmp_path_factory.mktemp("migrations_behind")
    for known in discover()[:-1]:
        (directory / known.path.name).symlink_to(known.path)
    local_pg.drop_database(DB_BEHIND)
    url = local_pg.url_for(DB_BEHIND)
    migrate(url, directory)
    return url


def _production_settings(database_url: str) -> Settings:
    return Settings(_env_file=None, dev_mode=False, auth_mode=AuthMode.SUPABASE,  # type: ignore[call-arg]
                    supabase_url=SUPABASE, supabase_anon_key=SecretStr("anon-key"),
                    supabase_service_role_key=SecretStr("service-role-key"),
                    public_url="https://api.fixit.example", database_url=database_url)


def test_production_refuses_to_start_on_a_database_behind_its_code(database_behind: str) -> None:
    """`serve` and `uvicorn backend.asgi:app` check the settings and the demo accounts, never the schema: a copy of a
    new release started before `fixit-backend migrate` ran (a deploy that rolls the code first, an autoscaler, a
    `migrate` that failed half-way) starts, answers /health 200 with `migrations: N-1`, takes its share of the
    traffic from the load balancer and fails every request that touches what the missing file adds, with 500s. It
    should refuse to start naming the migrations not applied, as it refuses the demo accounts (a database ahead of
    the code, an old copy during a rolling upgrade, may still start)."""
    settings = _production_settings(database_behind)
    with psycopg.connect(database_behind) as conn:
        applied = {str(row[0]) for row in conn.execute("select version from private.schema_migrations")}
    missing = [m.version for m in discover() if m.version not in applied]
    assert missing == [discover()[-1].version]
    from_the_database = set(start_refusals(settings, lambda: database_behind)) - set(settings.production_problems())
    assert from_the_database, f"would start without {missing}"
    assert missing[0] in "\n".join(from_the_database) and "fixit-backend migrate" in "\n".join(from_the_database)


def test_a_database_ahead_of_the_code_or_never_migrated(production_db: str, local_pg: LocalPostgres) -> None:
    """An old copy during a rolling upgrade starts on a database migrated further (a version this code does not
    know); a database never migrated is refused naming `migrate`, not a missing auth.users."""
    with psycopg.connect(production_db, autocommit=True) as conn:
        conn.execute("insert into private.schema_migrations (version, checksum) values ('9999_next_release', 'x')")
    try:
        assert start_refusals(_production_settings(production_db), lambda: production_db) == []
    finally:
        with psycopg.connect(production_db, autocommit=True) as conn:
            conn.execute("delete from private.schema_migrations where version = '9999_next_release'")
    local_pg.drop_database("fixit_production_start_empty")
    empty = local_pg.url_for("fixit_production_start_empty")
    problems = start_refusals(_production_settings(empty), lambda: empty)
    assert len(problems) == 1 and "fixit-backend migrate" in problems[0], problems
    local_pg.drop_database("fixit_production_start_empty")


def test_production_without_database_url_starts_no_database(tmp_path: Path) -> None:
    """The start check names the missing DATABASE_URL and never asks for a database (`serve` would start the
    embedded one under the data folder to look at it)."""
    settings = _production_settings("").model_copy(update={"data_dir": tmp_path})

    def never() -> str:
        raise AssertionError("the start check asked for a database without DATABASE_URL")

    problems = start_refusals(settings, never)
    assert any(p.split("\n")[-1].strip().startswith("DATABASE_URL must be set") for p in problems), problems
    assert not (tmp_path / "pg").exists()


@contextlib.asynccontextmanager
async def _copy(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """One backend copy (its own process state, its own machine's disk) on the shared database."""
    copy = create_app(settings)
    async with copy.router.lifespan_context(copy), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=copy), base_url="http://fixit.test") as client:
        yield copy, client


async def test_production_refuses_photos_on_one_copy_s_disk(settings: Settings, tmp_path: Path) -> None:
    """With Supabase Auth configured but SUPABASE_SERVICE_ROLE_KEY missing (a secret not mounted on one machine),
    `make_photo_store` quietly picks the local disk (.data/photos) and production starts. Behind a load balancer on
    N machines each copy then holds the photos uploaded through it: a photo is missing whenever another copy answers,
    and an account deleted through another copy (DELETE /me, `delete-person`, both sweeps: whoever claims the
    record first deletes its own disk's file) leaves the citizen's photos on the first machine for ever (PDPA).
    Two copies here, each with its own disk, show both; production must refuse to start without a store every copy
    shares (the key), naming it."""
    machine_a = settings.model_copy(update={"data_dir": tmp_path / "a"})
    machine_b = settings.model_copy(update={"data_dir": tmp_path / "b"})
    async with _copy(machine_a) as (_, a), _copy(machine_b) as (copy_b, b):
        token, _, request_id = await citizen_with_a_photo(a)  # uploaded through copy A
        paths = [p for p in (machine_a.photos_dir.rglob("*")) if p.is_file()]
        assert paths
        photo = f"/requests/{request_id}/photos/before/0"
        assert (await a.get(photo, headers=bearer(token))).status_code == 200
        seen_by_b = await b.get(photo, headers=bearer(token))
        assert seen_by_b.status_code == 404, seen_by_b.text  # copy B has no such file
        deleted = await b.request("DELETE", "/me", params={"confirm": "true"}, headers=bearer(token))
        assert deleted.status_code in (200, 204), deleted.text
        await sweep_orphan_photos(copy_b.state.pool, copy_b.state.photo_store, datetime.now(UTC) + timedelta(days=1))
        assert all(p.exists() for p in paths)  # the deleted citizen's photos, still on machine A
    production = _production_settings(settings.database_url).model_copy(
        update={"supabase_service_role_key": SecretStr("")})
    assert type(make_photo_store(production)).__name__ == "DiskPhotoStore"
    assert production.production_problems(), "production starts with photos on each copy's own disk"
    named = "\n".join(production.production_problems())
    assert "SUPABASE_SERVICE_ROLE_KEY" in named and "FIXIT_PHOTOS_ON_DISK" in named, named
    # One machine (or one disk every copy mounts): legitimate once named.
    one_disk = production.model_copy(update={"photos_on_disk": True})
    assert one_disk.production_problems() == [] and type(make_photo_store(one_disk)).__name__ == "DiskPhotoStore"


class _Started(Exception):
    """`dev` got as far as starting its processes (the test stops it there: no servers are started)."""


def test_the_development_stack_never_seeds_a_production_database(
    operator: CliRunner, production_db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`./fixit run` is `fixit-backend dev`: migrate, seed the demo data, start a development-mode backend. It takes
    the database from DATABASE_URL (or `.env`) when set, as every command does, and checks nothing: on a machine or
    shell set up for production (README step 4 exports DATABASE_URL; a production `.env` in the project folder) it
    puts the demo accounts, the demo admin among them, into the production database and serves it with the
    development conveniences on (the one-time code in the answer). The development stack should only ever run on
    its embedded database, or refuse a database it did not make. Here it is stopped where it would start its
    processes."""

    def started(*_: object, **__: object) -> None:
        raise _Started

    monkeypatch.setattr(dev_stack, "start_processes", started)
    done = operator.invoke(app, ["dev", "--no-open-browser"])
    present = demo_accounts_present(production_db, SEED_DIR)
    if present:
        remove_demo_accounts(production_db, SEED_DIR)
    assert not present, f"demo accounts seeded into DATABASE_URL's database; {done.exception!r}"
    assert done.exit_code == 1 and "DATABASE_URL" in done.output, (done.output, done.exception)
    assert not (tmp_path / "data" / "pg").exists()  # nor did it start the embedded one
