"""A production database and `fixit-backend` run on it as README's deploy steps run it, for the tests of the
operator's commands and of production's start checks (each test module keeps a database of its own)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backend.settings import get_settings
from tests.conftest import MigratedDatabases

SUPABASE = "https://abcdefgh.supabase.co"


def new_production_database(migrated_database: MigratedDatabases, name: str) -> str:
    """A new production database: migrated, nothing seeded yet."""
    return migrated_database(name)


def production_operator(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    """`fixit-backend` in production mode (no FIXIT_DEV_MODE), Supabase Auth, DATABASE_URL the project's: a
    fixture's body (`yield from`), which puts the settings back after the test."""
    for name in ("FIXIT_DEV_MODE", "FIXIT_DATABASE_URL", "FIXIT_AUTH_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("FIXIT_AUTH_MODE", "supabase")
    monkeypatch.setenv("SUPABASE_URL", SUPABASE)
    monkeypatch.setenv("SUPABASE_ANON_KEY", "anon-key")
    monkeypatch.setenv("FIXIT_PUBLIC_URL", "https://api.fixit.example")
    monkeypatch.setenv("FIXIT_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    assert not get_settings().dev_mode
    yield CliRunner()
    get_settings.cache_clear()
