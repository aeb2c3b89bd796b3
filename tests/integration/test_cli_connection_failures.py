"""The operator's commands with a readable DATABASE_URL whose database does not answer (known17be): each says in
Thai and English what failed (host unreachable, password refused, database missing), never the password, does
nothing and exits 1; it printed the driver's traceback. Real PostgreSQL (the test server), the CLI through typer's
runner."""

import socket
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict
from typer.testing import CliRunner

from backend.cli import app
from backend.local_postgres import LocalPostgres
from backend.settings import get_settings
from tests.conftest import ExternalPostgres

PASSWORD = "Wr0ng-S3cret-Pw"
PROBE_ROLE = "fixit_password_probe"
COMMANDS = [["migrate"], ["seed", "--no-demo"], ["register-staff", "0812345678", "--role", "admin"],
            ["export-person", "0812345678"]]


def _url(database_url: str, **parts: object) -> str:
    """The test database's URL with some parts changed, as a postgresql:// URL (what an operator exports)."""
    info = {**conninfo_to_dict(database_url), **parts}
    host = str(info.get("host") or "localhost")
    user, password = str(info.get("user") or "postgres"), str(info.get("password") or "")
    auth = f"{user}:{password}@" if password else f"{user}@"
    netloc = f"[{host}]" if ":" in host else host
    if host.startswith("/"):  # a Unix socket: libpq's ?host= form
        return f"postgresql://{auth}/{info['dbname']}?host={host}&port={info.get('port') or 5432}"
    return f"postgresql://{auth}{netloc}:{info.get('port') or 5432}/{info['dbname']}"


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    for name in ("FIXIT_DEV_MODE", "DATABASE_URL", "FIXIT_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FIXIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)  # no .env here
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def _run(shell: pytest.MonkeyPatch, url: str, command: list[str]) -> str:
    shell.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    done = CliRunner().invoke(app, command)
    said = " ".join(done.output.split())  # the console wraps long lines
    assert done.exit_code == 1, (done.output, done.exception)
    assert "Traceback" not in said and PASSWORD not in said, said
    assert "ไม่มีการเปลี่ยนแปลงใด" in said and "Nothing changed" in said, said
    return said


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when this returns: nothing listens there


@pytest.mark.parametrize("command", COMMANDS)
def test_a_closed_port_is_told_as_an_unreachable_host(shell: pytest.MonkeyPatch, command: list[str]) -> None:
    port = _closed_port()
    said = _run(shell, f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port}/postgres", command)
    assert "cannot be reached" in said and f"ติดต่อฐานข้อมูลที่ 127.0.0.1 พอร์ต {port} ไม่ได้" in said, said


def test_a_missing_database_is_named(shell: pytest.MonkeyPatch, database_url: str) -> None:
    said = _run(shell, _url(database_url, dbname="fixit_no_such_db", password=PASSWORD), ["migrate"])
    assert "no database named fixit_no_such_db" in said and "ไม่มีฐานข้อมูลชื่อ fixit_no_such_db" in said, said


@pytest.fixture
def password_role(local_pg: LocalPostgres, database_url: str) -> Iterator[str]:
    """A role the test server asks a password of (the server trusts every other role, as the tests need): its
    pg_hba.conf gets a first line for this role alone, taken out again afterwards."""
    if isinstance(local_pg, ExternalPostgres):
        pytest.skip("the external test server's pg_hba.conf is not ours to change")
    with psycopg.connect(local_pg.admin_url, autocommit=True) as conn:
        hba = Path(str(conn.execute("show hba_file").fetchone()[0]))  # type: ignore[index]
        kept = hba.read_text()
        hba.write_text(f"local all {PROBE_ROLE} scram-sha-256\nhost all {PROBE_ROLE} all scram-sha-256\n{kept}")
        conn.execute(f"drop role if exists {PROBE_ROLE}")
        conn.execute(f"create role {PROBE_ROLE} login password 'the-right-one'")
        conn.execute("select pg_reload_conf()")
    try:
        yield _url(database_url, user=PROBE_ROLE, password=PASSWORD)
    finally:
        hba.write_text(kept)
        with psycopg.connect(local_pg.admin_url, autocommit=True) as conn:
            conn.execute("select pg_reload_conf()")
            conn.execute(f"drop role if exists {PROBE_ROLE}")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_wrong_password_is_told_without_it(shell: pytest.MonkeyPatch, password_role: str,
                                             command: list[str]) -> None:
    said = _run(shell, password_role, command)
    assert f"refused the password of user {PROBE_ROLE}" in said and "ไม่รับรหัสผ่าน" in said, said


def test_connection_failures_are_told_by_kind() -> None:
    """libpq's words for SSL required (Supabase's pooler, a managed PostgreSQL): no such server here to ask."""
    from backend.production import connection_failure

    url = f"postgresql://postgres:{PASSWORD}@db.example.th:5432/fixit"
    said = connection_failure(psycopg.OperationalError(
        'connection failed: connection to server at "10.0.0.1", port 5432 failed: FATAL:  no pg_hba.conf entry for '
        'host "10.0.0.2", user "postgres", database "fixit", no encryption'), url)
    assert "sslmode=require" in said.en and "SSL" in said.th and PASSWORD not in said.en
    other = connection_failure(psycopg.OperationalError(f"something else about {url}"), url)
    assert PASSWORD not in other.en and PASSWORD not in other.th and "db.example.th" in other.en




@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("written", ["hunter2@Prod-Tail", "hunter2/Prod-Tail", "12/Prod-Tail"])
def test_a_password_with_an_unencoded_at_sign_is_not_printed_as_the_host(shell: pytest.MonkeyPatch, command: list[str],
                                                                          written: str) -> None:
    """The commonest DATABASE_URL mistake (the refusal itself says "@ : / … in the password percent-encoded"): the
    password written as it is. libpq reads the URL (`hunter2@Prod-Tail@127.0.0.1` is password `hunter2` and host
    `Prod-Tail@127.0.0.1`; `hunter2/Prod-Tail@…` is host `postgres`, port `hunter2`, database `Prod-Tail@…`), and the
    refusal that named the host, port or database printed the password's rest, in Thai and English (review17a,
    finding 2). Such a URL is refused as unreadable, its value not shown."""
    shell.setenv("DATABASE_URL", f"postgresql://postgres:{written}@127.0.0.1:{_closed_port()}/postgres")
    get_settings.cache_clear()
    done = CliRunner().invoke(app, command)
    said = " ".join(done.output.split())
    assert done.exit_code == 1, (done.output, done.exception)
    assert "Prod-Tail" not in said and "hunter2" not in said, said
    assert "DATABASE_URL cannot be read" in said and "อ่าน DATABASE_URL ไม่ได้" in said, said


def test_the_start_check_does_not_print_a_password_read_as_the_host(tmp_path: Path) -> None:
    """`serve` and backend.asgi refuse the same URL the same way: the start check names no part of it."""
    from backend.production import start_refusals
    from backend.settings import Settings

    url = f"postgresql://postgres:hunter2@Prod-Tail@127.0.0.1:{_closed_port()}/postgres"
    settings = Settings(_env_file=None, dev_mode=False, database_url=url, data_dir=tmp_path)  # type: ignore[call-arg]
    problems = start_refusals(settings, lambda: url)
    assert any("DATABASE_URL cannot be read" in p for p in problems), problems
    assert not any("Prod-Tail" in p or "hunter2" in p for p in problems), problems


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("host", ["db..example.th", "a" * 64 + ".example.th"])
def test_a_host_name_typo_is_told_not_traced(shell: pytest.MonkeyPatch, command: list[str], host: str) -> None:
    """psycopg resolves the host itself (IDNA), and a typed double dot or a label over 63 characters raised
    UnicodeError before any connection, which `_connects` did not catch: the operator got a traceback, nothing said
    in Thai or English (review17a, finding 4). Now it is a host that cannot be reached."""
    said = _run(shell, f"postgresql://fixit:{PASSWORD}@{host}:5432/fixit", command)
    assert "cannot be reached" in said and f"ติดต่อฐานข้อมูลที่ {host} พอร์ต 5432 ไม่ได้" in said, said


def test_the_start_check_tells_a_host_name_typo(tmp_path: Path) -> None:
    """`serve` and backend.asgi: the same typo is a refusal naming the unreachable host, not a traceback."""
    from backend.production import start_refusals
    from backend.settings import Settings

    url = f"postgresql://fixit:{PASSWORD}@db..example.th:5432/fixit"
    settings = Settings(_env_file=None, dev_mode=False, database_url=url, data_dir=tmp_path)  # type: ignore[call-arg]
    problems = start_refusals(settings, lambda: url)
    assert any("db..example.th" in p and "cannot be reached" in p for p in problems), problems
    assert not any(PASSWORD in p for p in problems), problems
