"""The operator's commands and the production start check with a missing or mistyped DATABASE_URL: production never
starts the embedded PostgreSQL (the commands refuse as `serve` does, naming DATABASE_URL), and a URL libpq cannot
read is refused without its text (libpq's message quotes it, password included, into the service's log or the
operator's terminal). review16b's findings 1 and 2."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

import backend.local_postgres
import backend.migrate
from backend.cli import app
from backend.production import driver_text, start_refusals
from backend.settings import AuthMode, Settings, get_settings

PASSWORD = "S3cret-db-Passw0rd"
MISTYPED = f"postgresql//postgres.abcdefgh:{PASSWORD}@aws-0-ap-southeast-1.pooler.supabase.com:5432/postgres"
BAD_ESCAPE = "postgresql://postgres.abcdefgh:S3cret%zzPass@aws-0-ap-southeast-1.pooler.supabase.com:5432/postgres"


def _production(database_url: str, tmp_path: Path) -> Settings:
    """README's step 7 settings (Supabase), everything start_refusals checks set right but the database URL."""
    return Settings(_env_file=None, dev_mode=False, auth_mode=AuthMode.SUPABASE,  # type: ignore[call-arg]
                    supabase_url="https://abcdefgh.supabase.co", supabase_anon_key=SecretStr("anon-key"),
                    supabase_service_role_key=SecretStr("service-role-key"),
                    public_url="https://api.fixit.example", database_url=database_url, data_dir=tmp_path)


def test_a_mistyped_database_url_is_refused_without_printing_its_password(tmp_path: Path) -> None:
    """`serve` and `uvicorn backend.asgi:app` print start_refusals' lines to the console, i.e. the service's log.
    A DATABASE_URL missing one character (`postgresql//…` for `postgresql://…`) is not a URI to libpq, which reads it
    as `key=value` pairs and answers `missing "=" after "<the whole string>" in connection info string`, and the
    refusal appended that text as it is: the database password landed in the deployment's logs."""
    problems = start_refusals(_production(MISTYPED, tmp_path), lambda: MISTYPED)
    assert problems, "a URL libpq cannot read must be refused"
    assert not [p for p in problems if PASSWORD in p], problems
    assert [p for p in problems if "DATABASE_URL cannot be read" in p and "อ่าน DATABASE_URL ไม่ได้" in p], problems


def test_a_password_with_a_bad_percent_escape_is_not_printed(tmp_path: Path) -> None:
    """libpq quotes a bad %-escape with the text around it: `invalid percent-encoded token: "S3cret%zzPass"`."""
    problems = start_refusals(_production(BAD_ESCAPE, tmp_path), lambda: BAD_ESCAPE)
    assert problems and not [p for p in problems if "S3cret" in p], problems


def test_a_connection_error_is_told_without_the_password_or_the_url() -> None:
    """A refused connection's text stays (the operator needs 'password authentication failed'), the secret goes."""
    import psycopg

    url = f"postgresql://postgres:{PASSWORD}@db.example:5432/postgres"
    said = driver_text(psycopg.OperationalError(f"connection to {url} failed: FATAL: password authentication "
                                                f"failed for user \"postgres\" ({PASSWORD})"), url)
    assert "password authentication failed" in said and PASSWORD not in said, said


@pytest.fixture
def operator_shell(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[list[Path], list[str]]]:
    """`fixit-backend` in a shell without FIXIT_DEV_MODE or DATABASE_URL (no .env): what an embedded PostgreSQL
    would have been started for and what would have been migrated, recorded instead of done."""
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
    yield started, migrated
    get_settings.cache_clear()


def test_migrate_in_production_without_database_url_refuses_instead_of_an_embedded_database(
        operator_shell: tuple[list[Path], list[str]]) -> None:
    """README step 4: `export DATABASE_URL=…` then `fixit-backend migrate` (then seed, import-colleges and, step 5,
    register-staff: the first admin). Run in a new shell where the export was lost, production mode (no
    FIXIT_DEV_MODE) started an embedded PostgreSQL under FIXIT_DATA_DIR on the server, migrated it and printed
    'applied 0001 … 0066': the operator believed the project's database was ready."""
    started, migrated = operator_shell
    assert not get_settings().dev_mode and not get_settings().database_url
    done = CliRunner().invoke(app, ["migrate"])
    assert not started and not migrated, f"an embedded PostgreSQL was started and migrated: {done.output}"
    assert done.exit_code != 0 and "DATABASE_URL" in done.output, done.output
    assert "โหมดใช้งานจริง" in done.output and "Production mode" in done.output, done.output


@pytest.mark.parametrize("command", [["seed"], ["register-staff", "0812345678", "--role", "admin"], ["remove-demo"]])
def test_every_operator_command_refuses_production_without_database_url(
        operator_shell: tuple[list[Path], list[str]], command: list[str]) -> None:
    started, _ = operator_shell
    done = CliRunner().invoke(app, command)
    assert not started, done.output
    assert done.exit_code == 1 and "DATABASE_URL is not set" in done.output, (done.output, done.exception)


def test_development_mode_still_uses_the_embedded_database(operator_shell: tuple[list[Path], list[str]],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    started, migrated = operator_shell
    monkeypatch.setenv("FIXIT_DEV_MODE", "true")
    get_settings.cache_clear()
    CliRunner().invoke(app, ["migrate"])
    assert started and migrated == ["postgresql://embedded.invalid/postgres"]


def test_a_command_refuses_a_mistyped_database_url_without_printing_it(
        operator_shell: tuple[list[Path], list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands printed libpq's ProgrammingError (the whole URL, password included) in their traceback."""
    _, migrated = operator_shell
    monkeypatch.setenv("DATABASE_URL", MISTYPED)
    get_settings.cache_clear()
    done = CliRunner().invoke(app, ["migrate"])
    assert done.exit_code == 1 and not migrated, done.output
    assert PASSWORD not in done.output and "DATABASE_URL cannot be read" in done.output, done.output


@pytest.mark.parametrize("url", [MISTYPED, BAD_ESCAPE, MISTYPED.replace("//", ":/", 1)])
def test_libpq_s_text_about_an_unreadable_url_is_redacted_in_the_log(url: str) -> None:
    """Where libpq's message is logged all the same (the pool's connection warnings, a development server), the
    logs' redaction keeps the password out of it."""
    import psycopg

    from backend.logs import redact

    try:
        psycopg.connect(url, connect_timeout=1)
    except psycopg.Error as exc:
        said = redact(f"error connecting in 'pool-1': {exc}")
    assert "S3cret" not in said and "error connecting" in said, said
