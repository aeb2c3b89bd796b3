"""review16b: a hostile review of session 16's backend code. Each test here proves one finding and is marked
`xfail(strict=True)` until it is fixed (then the mark goes and the test guards the fix)."""

from pathlib import Path

import pytest
from pydantic import SecretStr

from backend.production import start_refusals
from backend.settings import AuthMode, Settings

PASSWORD = "S3cret-db-Passw0rd"


def _production(database_url: str, tmp_path: Path) -> Settings:
    """README's step 7 settings (Supabase), everything start_refusals checks set right but the database URL."""
    return Settings(_env_file=None, dev_mode=False, auth_mode=AuthMode.SUPABASE,  # type: ignore[call-arg]
                    supabase_url="https://abcdefgh.supabase.co", supabase_anon_key=SecretStr("anon-key"),
                    supabase_service_role_key=SecretStr("service-role-key"),
                    public_url="https://api.fixit.example", database_url=database_url, data_dir=tmp_path)


@pytest.mark.xfail(strict=True, reason="review16b: a mistyped DATABASE_URL is printed whole, password included, in "
                                       "the production start refusal (libpq's 'missing \"=\" after …' repeats it)")
def test_a_mistyped_database_url_is_refused_without_printing_its_password(tmp_path: Path) -> None:
    """`serve` and `uvicorn backend.asgi:app` print start_refusals' lines to the console, i.e. the service's log.
    A DATABASE_URL missing one character (`postgresql//…` for `postgresql://…`) is not a URI to libpq, which reads it
    as `key=value` pairs and answers `missing "=" after "<the whole string>" in connection info string`, and the
    refusal appends that text as it is: the database password lands in the deployment's logs."""
    url = f"postgresql//postgres.abcdefgh:{PASSWORD}@aws-0-ap-southeast-1.pooler.supabase.com:5432/postgres"
    problems = start_refusals(_production(url, tmp_path), lambda: url)
    assert problems, "a URL libpq cannot read must be refused"
    assert not [p for p in problems if PASSWORD in p], problems


@pytest.mark.xfail(strict=True, reason="review16b: in production mode without DATABASE_URL, `fixit-backend migrate` "
                                       "starts the embedded PostgreSQL, migrates it and reports success")
def test_migrate_in_production_without_database_url_refuses_instead_of_an_embedded_database(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """README step 4: `export DATABASE_URL=…` then `fixit-backend migrate` (then seed, import-colleges and, step 5,
    register-staff: the first admin). Run in a new shell where the export was lost, production mode (no
    FIXIT_DEV_MODE) starts an embedded PostgreSQL under FIXIT_DATA_DIR on the server, migrates it and prints
    'applied 0001 … 0066': the operator believes the project's database is ready (and the next steps put the
    colleges and the first admin there). `serve` refuses production without DATABASE_URL ("production never starts
    the embedded PostgreSQL", settings.production_problems); the operator's commands should refuse it too."""
    from typer.testing import CliRunner

    import backend.local_postgres
    import backend.migrate
    from backend.cli import app
    from backend.settings import get_settings

    started: list[Path] = []

    class EmbeddedStarted:  # stands in for LocalPostgres: records that one was started
        def __init__(self, directory: Path) -> None:
            started.append(directory)
            self.url = "postgresql://embedded.invalid/postgres"

    migrated: list[str] = []
    monkeypatch.setattr(backend.local_postgres, "LocalPostgres", EmbeddedStarted)
    monkeypatch.setattr(backend.migrate, "migrate", lambda url, *a, **k: migrated.append(url))
    for name in ("FIXIT_DEV_MODE", "DATABASE_URL", "FIXIT_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FIXIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)  # no .env here
    get_settings.cache_clear()
    try:
        assert not get_settings().dev_mode and not get_settings().database_url
        done = CliRunner().invoke(app, ["migrate"])
    finally:
        get_settings.cache_clear()
    assert not started and not migrated, f"an embedded PostgreSQL was started and migrated: {done.output}"
    assert done.exit_code != 0 and "DATABASE_URL" in done.output, done.output
