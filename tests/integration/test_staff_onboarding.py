"""Staff onboarding without SQL: `fixit-backend register-staff` registers a phone; the first sign-in lands in the
role (the first admin too), an existing account changes at once, and it is audited."""

from collections.abc import Iterator

import httpx
import psycopg
import pytest
from typer.testing import CliRunner

from backend.cli import app
from tests.helpers import fresh_phone, sign_in


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    from backend.settings import get_settings
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


async def test_a_registered_phone_signs_in_to_its_role(cli: CliRunner, api: httpx.AsyncClient,
                                                      database_url: str) -> None:
    admin, teacher = fresh_phone(), fresh_phone()
    assert cli.invoke(app, ["register-staff", admin, "--role", "admin"]).exit_code == 0
    with psycopg.connect(database_url) as conn:
        code = conn.execute("select code from public.colleges where is_active limit 1").fetchone()
    assert code is not None
    result = cli.invoke(app, ["register-staff", teacher, "--role", "supervisor", "--college", code[0],
                              "--name", "ครู สมศรี"])
    assert result.exit_code == 0 and "first sign-in" in result.output
    _, profile = await sign_in(api, admin)
    assert profile["role"] == "admin"
    _, profile = await sign_in(api, teacher)
    assert profile["role"] == "supervisor" and profile["college"]["code"] == code[0]
    assert profile["display_name"] == "ครู สมศรี"
    # An existing account changes at once, and the change is audited.
    citizen = fresh_phone()
    _, before = await sign_in(api, citizen)
    assert cli.invoke(app, ["register-staff", citizen, "--role", "technician", "--college", code[0]]).exit_code == 0
    _, after = await sign_in(api, citizen)
    assert after["id"] == before["id"] and after["role"] == "technician"
    with psycopg.connect(database_url) as conn:
        audited = conn.execute("select actor from public.audit_events where action = 'profile.role' "
                               "and target_id = %s", [before["id"]]).fetchone()
    assert audited == ("operator",)


def test_bad_registrations_are_refused(cli: CliRunner) -> None:
    assert cli.invoke(app, ["register-staff", "12", "--role", "admin"]).exit_code == 1
    assert cli.invoke(app, ["register-staff", fresh_phone(), "--role", "supervisor"]).exit_code == 1
    assert cli.invoke(app, ["register-staff", fresh_phone(), "--role", "king"]).exit_code == 1
    assert cli.invoke(app, ["register-staff", fresh_phone(), "--role", "citizen"]).exit_code == 1
