"""Audit 16b: Fixit in production (N backend copies, restarts and upgrades, production mode, the operator's CLI).

Each test states a finding and fails today; it is marked `xfail(strict=True)` until the fix lands (then the mark
goes). A database of this module's own, migrated like a new production project (the shared one holds the seed's
demo accounts, which these tests must not find there already)."""

import contextlib
import io
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row
from typer.testing import CliRunner

from backend.cli import app
from backend.local_postgres import LocalPostgres
from backend.logs import RedactingFilter, make_formatter
from backend.migrate import MigrationError, discover, migrate
from backend.services import staff
from backend.settings import PROJECT_ROOT, Settings, get_settings

DB = "fixit_audit16b"
DB_BEHIND = "fixit_audit16b_behind"
SEED_DIR = PROJECT_ROOT / "assets" / "seed"
SUPABASE = "https://abcdefgh.supabase.co"
ADDRESS = "12/3 ซอย 31"  # short: PostgreSQL cuts a long value in its DETAIL


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


def _until(condition: Callable[[], bool], seconds: float = 30.0) -> bool:
    """Whether `condition` came true before the deadline (a guard against waiting for ever, not a timed assert)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.xfail(strict=True, reason="audit16b: a migration waiting for a table lock queues every copy's reads of "
                                       "that table behind it (migrate sets no lock_timeout)")
def test_a_migration_waiting_for_a_lock_does_not_stall_the_copies_still_serving(
    production_db: str, tmp_path: Path
) -> None:
    """A rolling upgrade: the old copies serve while `fixit-backend migrate` applies the new files. Any open
    transaction that read a table (the delivery worker keeps one open while it sends a batch, up to
    FIXIT_NOTIFY_SEND_TIMEOUT_SECONDS; a slow export; a live stream's first read) holds a lock an `alter table` must
    wait for, and PostgreSQL queues every later read of that table behind the waiting `alter`: each copy's requests on
    `repair_requests` hang, the pools fill, /health answers 503 and the load balancer drops the copies, for as long
    as that one transaction lasts. `migrate` sets no `lock_timeout`: it should give up the lock soon (and try again,
    or say so), not hold the service up behind it. Here a copy's open transaction holds the table while a new
    migration alters it: another read of the table must still be answered while that transaction stays open."""
    directory = tmp_path / "migrations"
    directory.mkdir()
    for known in discover():
        (directory / known.path.name).symlink_to(known.path)
    (directory / "9990_audit16b_probe.sql").write_text(
        "alter table public.repair_requests add column audit16b_probe integer;\n", encoding="utf-8")
    probe = "alter table public.repair_requests add column audit16b_probe%"

    def migration_waits() -> bool:
        with psycopg.connect(production_db, autocommit=True) as watcher:
            row = watcher.execute("select count(*) from pg_stat_activity where wait_event_type = 'Lock' "
                                  "and query like %s", [probe]).fetchone()
        return bool(row and row[0])

    def read() -> int:
        with psycopg.connect(production_db, autocommit=True) as conn:
            row = conn.execute("select count(*) from public.repair_requests").fetchone()
        return int(row[0]) if row else -1

    with psycopg.connect(production_db) as serving, ThreadPoolExecutor(2) as threads:
        serving.execute("select count(*) from public.repair_requests")  # its transaction stays open
        migrating = threads.submit(migrate, production_db, directory)
        try:
            assert _until(lambda: migrating.done() or migration_waits()), "the migration neither waited nor ended"
            reading = threads.submit(read)
            answered = _until(reading.done)
        finally:
            serving.rollback()  # the old copy's transaction ends: whatever waited goes on
        with contextlib.suppress(MigrationError):
            migrating.result(timeout=60)
        assert reading.result(timeout=60) >= 0
    with psycopg.connect(production_db, autocommit=True) as conn:  # the module's database as it was
        conn.execute("alter table public.repair_requests drop column if exists audit16b_probe")
        conn.execute("delete from private.schema_migrations where version = '9990_audit16b_probe'")
    assert answered, "a read of repair_requests waited behind the migration for as long as the old transaction lasted"


@pytest.mark.xfail(strict=True, reason="audit16b: import-colleges crashes with a traceback on a CSV that is not UTF-8")
def test_import_colleges_says_so_when_the_file_is_not_utf8(operator: CliRunner, production_db: str,
                                                          tmp_path: Path) -> None:
    """Thai Excel's "CSV (Comma delimited)" saves Windows-874 (cp874), not UTF-8: `fixit-backend import-colleges`
    reads it with `read_text(encoding="utf-8")` and dies with a UnicodeDecodeError traceback, nothing saying what to
    do. Nothing is stored, but the operator is not told the file's problem nor how to save it ("CSV UTF-8"), as
    `import-students` tells them (`csv_not_utf8`) for the same file."""
    header = "code,name_th,name_en,province_th,province_en,region,lat,lon,service_radius_km\n"
    row = "AUDIT16B-CP874,วิทยาลัยเทคนิคทดสอบ,Test Technical College,เชียงใหม่,Chiang Mai,north,18.79,98.98,30\n"
    csv_file = tmp_path / "colleges-excel.csv"
    csv_file.write_bytes((header + row).encode("cp874"))
    done = operator.invoke(app, ["import-colleges", str(csv_file)])
    with psycopg.connect(production_db) as conn:
        stored = conn.execute("select count(*) from public.colleges where code = 'AUDIT16B-CP874'").fetchone()
    assert stored == (0,)
    assert done.exit_code != 0
    assert done.exception is None or isinstance(done.exception, SystemExit), repr(done.exception)
    assert "UTF-8" in done.output, done.output


@pytest.mark.xfail(strict=True, reason="audit16b: running `seed --no-demo` again reverts the admins' corrections of "
                                       "the seeded colleges")
async def test_seeding_again_keeps_what_the_admins_corrected(operator: CliRunner, production_db: str) -> None:
    """README step 4 seeds production with `seed --no-demo` ("categories ↔ skills and the demo college list"), and
    seeding is the only way categories and skills reach the database, so an upgrade that adds one is a second
    `seed --no-demo`. It upserts the 38 seeded colleges from the CSV again, every column: the exact place, the name,
    the service radius an admin set through `PATCH /admin/colleges/{id}` (audited as `college.update`) go back to the
    CSV's town-level guesses, marked approximate again, with no audit row and no word to the operator. Dispatch then
    measures distances from the wrong places. A second seed must leave the colleges admins changed as they are (or
    only add the ones missing)."""
    first = operator.invoke(app, ["seed", "--no-demo"])
    assert first.exit_code == 0, first.output
    corrected = {"name_en": "Chiang Mai Technical College (main campus)", "lat": 18.7893, "lon": 98.9802,
                 "service_radius_km": Decimal("25"), "coordinates_approximate": False}
    async with await psycopg.AsyncConnection.connect(production_db, row_factory=dict_row) as conn, \
            conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        row = await (await conn.execute("select id from public.colleges where code = 'TC-CHIANGMAI'")).fetchone()
        assert row is not None
        await staff.update_college(conn, row["id"], corrected)
    again = operator.invoke(app, ["seed", "--no-demo"])
    assert again.exit_code == 0, again.output
    with psycopg.connect(production_db, row_factory=dict_row) as reader:
        now = reader.execute("select name_en, lat, lon, service_radius_km, coordinates_approximate "
                           "from public.colleges where code = 'TC-CHIANGMAI'").fetchone()
    assert now is not None
    assert {k: now[k] for k in corrected} == corrected, f"seeding again turned the admin's correction into {now}"


def test_audit16b_log_probe_is_clean(database_url: str) -> None:
    """The probe below raises a real PostgreSQL error that carries a whole row (sanity: the row is in its text)."""
    assert ADDRESS in str(_failing_row_error(database_url))


def _failing_row_error(database_url: str) -> psycopg.Error:
    """A real check violation: PostgreSQL's DETAIL repeats the refused row, as any constraint on a citizen's request
    would (address, description, phone)."""
    with psycopg.connect(database_url) as conn:
        conn.execute("create temporary table audit16b_probe (address text, note text check (length(note) < 5))")
        try:
            conn.execute("insert into audit16b_probe values (%s, %s)", [ADDRESS, "ตู้เย็นไม่เย็นเลย"])
        except psycopg.Error as exc:
            return exc
    raise AssertionError("the check did not refuse the row")


@pytest.mark.xfail(strict=True, reason="audit16b: production's JSON log writes a traceback's 'Failing row contains "
                                       "(…)' unredacted")
def test_a_500_s_traceback_in_the_production_log_keeps_no_failing_row(database_url: str) -> None:
    """backend/logs.py redacts PostgreSQL's "Failing row contains (…)" (a whole row: addresses, phones, notes) with a
    pattern that needs the row to end a line. The text format's tracebacks have real line ends; production's JSON
    format (the default) redacts the finished JSON line, where the traceback's line ends are the two characters `\\n`
    and the row never ends a line: the unhandled-error handler's `log.exception` (backend/errors.py) writes the
    citizen's address and words whole into the production log. Here the production handler (configure_logging with
    the production settings' format) logs a real PostgreSQL error as that handler does."""
    settings = Settings(_env_file=None, dev_mode=False)  # type: ignore[call-arg]
    assert settings.log_format == "json"
    error = _failing_row_error(database_url)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(make_formatter(settings.log_format))
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("fixit.audit16b")
    logger.addHandler(handler)
    try:
        logger.exception("unhandled error", exc_info=error)
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "unhandled error" in written and "CheckViolation" in written
    assert ADDRESS not in written, written
