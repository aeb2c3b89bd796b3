"""Audit 16b: Fixit in production (N backend copies, restarts and upgrades, production mode, the operator's CLI).

Each test states a finding and fails today; it is marked `xfail(strict=True)` until the fix lands (then the mark
goes). A database of this module's own, migrated like a new production project (the shared one holds the seed's
demo accounts, which these tests must not find there already)."""

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from backend.cli import app
from backend.local_postgres import LocalPostgres
from backend.migrate import migrate
from backend.seed import demo_accounts_present, remove_demo_accounts
from backend.settings import PROJECT_ROOT, get_settings

DB = "fixit_audit16b"
SEED_DIR = PROJECT_ROOT / "assets" / "seed"
SUPABASE = "https://abcdefgh.supabase.co"


@pytest.fixture(scope="module")
def production_db(local_pg: LocalPostgres) -> str:
    """A new production database: migrated, nothing seeded yet."""
    local_pg.drop_database(DB)
    url = local_pg.url_for(DB)
    migrate(url)
    return url


@pytest.fixture
def operator(production_db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    """`fixit-backend` as the README's deploy steps run it: production mode (no FIXIT_DEV_MODE), Supabase Auth,
    DATABASE_URL the project's."""
    for name in ("FIXIT_DEV_MODE", "FIXIT_DATABASE_URL", "FIXIT_AUTH_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", production_db)
    monkeypatch.setenv("FIXIT_AUTH_MODE", "supabase")
    monkeypatch.setenv("SUPABASE_URL", SUPABASE)
    monkeypatch.setenv("SUPABASE_ANON_KEY", "anon-key")
    monkeypatch.setenv("FIXIT_PUBLIC_URL", "https://api.fixit.example")
    monkeypatch.setenv("FIXIT_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    assert not get_settings().dev_mode
    yield CliRunner()
    get_settings.cache_clear()


@pytest.mark.xfail(strict=True, reason="audit16b: `fixit-backend seed` makes the demo accounts in production mode")
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
    with psycopg.connect(production_db) as conn:
        assert conn.execute("select count(*) from auth.users").fetchone() == (0,)
