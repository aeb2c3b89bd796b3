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
