"""Audit 16b, the findings no database is needed for: production mode starting on settings it should refuse.

Each test fails today and is marked `xfail(strict=True)` until its fix lands (then the mark goes)."""

from typing import Any

from pydantic import SecretStr

from backend.settings import AuthMode, Settings


def _production(**changes: Any) -> Settings:
    """Settings `serve` accepts today: Supabase Auth on https, the public address and the database set, not
    development mode (each test changes one thing)."""
    values: dict[str, Any] = {
        "dev_mode": False, "auth_mode": AuthMode.SUPABASE, "supabase_url": "https://abcdefgh.supabase.co",
        "supabase_anon_key": SecretStr("anon-key"), "supabase_service_role_key": SecretStr("service-role-key"),
        "public_url": "https://api.fixit.example",
        "database_url": "postgresql://postgres.abcdefgh@aws-0-ap-southeast-1.pooler.supabase.com:5432/postgres",
    }
    return Settings(_env_file=None, **{**values, **changes})  # type: ignore[call-arg]


def test_the_base_production_settings_are_accepted() -> None:
    """The tests below change one thing each from settings production accepts."""
    assert _production().production_problems() == []
