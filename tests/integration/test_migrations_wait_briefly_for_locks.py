"""A rolling upgrade: `fixit-backend migrate` runs while the old copies still serve. A migration that needs a table
lock held by an old copy's open transaction must not queue every read of that table behind it for as long as that
transaction lasts (backend/migrate.py: a short lock_timeout, tries again, and says so when it gives up); each
migration still applies whole or not at all."""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from backend.migrate import LockWaits, MigrationError, discover, migrate
from tests.conftest import MigratedDatabases
from tests.integration.production_operator import new_production_database

DB = "fixit_migrate_lock_waits"


@pytest.fixture(scope="module")
def production_db(migrated_database: MigratedDatabases) -> str:
    return new_production_database(migrated_database, DB)


def _until(condition: Callable[[], bool], seconds: float = 30.0) -> bool:
    """Whether `condition` came true before the deadline (a guard against waiting for ever, not a timed assert)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def _with_new_files(tmp_path: Path, files: dict[str, str]) -> Path:
    """The release's migrations plus `files` (name: SQL), as a directory `migrate` reads."""
    directory = tmp_path / "migrations"
    directory.mkdir()
    for known in discover():
        (directory / known.path.name).symlink_to(known.path)
    for name, sql in files.items():
        (directory / name).write_text(sql, encoding="utf-8")
    return directory


def _put_back(url: str, versions: list[str], sql: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)
        conn.execute("delete from private.schema_migrations where version = any(%s)", [versions])


def test_a_migration_waiting_for_a_lock_does_not_stall_the_copies_still_serving(
    production_db: str, tmp_path: Path
) -> None:
    """Any open transaction that read a table (the delivery worker keeps one open while it sends a batch; a slow
    export; a live stream's first read) holds a lock an `alter table` must wait for, and PostgreSQL queues every
    later read of that table behind the waiting `alter`: each copy's requests on `repair_requests` would hang, the
    pools fill, /health answers 503. Here a copy's open transaction holds the table while a new migration alters
    it: another read of the table must still be answered while that transaction stays open, and the migration is
    applied once the transaction ends."""
    directory = _with_new_files(tmp_path, {"9990_lock_probe.sql": (
        "alter table public.repair_requests add column lock_probe integer;\n")})
    probe = "alter table public.repair_requests add column lock_probe%"

    def migration_waits() -> bool:
        with psycopg.connect(production_db, autocommit=True) as watcher:
            row = watcher.execute("select count(*) from pg_stat_activity where wait_event_type = 'Lock' "
                                  "and query like %s", [probe]).fetchone()
        return bool(row and row[0])

    def read() -> int:
        with psycopg.connect(production_db, autocommit=True) as conn:
            row = conn.execute("select count(*) from public.repair_requests").fetchone()
        return int(row[0]) if row else -1

    try:
        with psycopg.connect(production_db) as serving, ThreadPoolExecutor(2) as threads:
            serving.execute("select count(*) from public.repair_requests")  # its transaction stays open
            migrating = threads.submit(migrate, production_db, directory)
            try:
                assert _until(lambda: migrating.done() or migration_waits()), "the migration neither waited nor ended"
                reading = threads.submit(read)
                answered = _until(reading.done)
            finally:
                serving.rollback()  # the old copy's transaction ends: the migration's next try goes through
            report = migrating.result(timeout=120)
            assert reading.result(timeout=60) >= 0
        assert answered, "a read of repair_requests waited behind the migration as long as the old transaction lasted"
        assert report.applied == ["9990_lock_probe"]
        with psycopg.connect(production_db) as conn:
            assert conn.execute("select count(*) from information_schema.columns where table_name = 'repair_requests' "
                                "and column_name = 'lock_probe'").fetchone() == (1,)
    finally:  # the module's database as it was
        _put_back(production_db, ["9990_lock_probe"],
                  "alter table public.repair_requests drop column if exists lock_probe")


def test_a_migration_that_never_gets_its_lock_gives_up_whole_and_says_why(
    production_db: str, tmp_path: Path
) -> None:
    """A transaction that stays open through every try: `migrate` stops with a MigrationError naming the migration,
    the lock, the open transactions and what to do (Thai and English), tells of each try, applies nothing of that
    migration, keeps the one before it that needed no lock, and the open transaction's own work is untouched."""
    directory = _with_new_files(tmp_path, {
        "9990_lock_probe_table.sql": "create table public.lock_probe_first (id integer primary key);\n",
        "9991_lock_probe_alter.sql": ("create table public.lock_probe_second (id integer);\n"
                                      "alter table public.repair_requests add column lock_probe integer;\n"),
    })
    retries: list[tuple[str, int, int]] = []
    try:
        with psycopg.connect(production_db) as serving:
            serving.execute("select count(*) from public.repair_requests")  # open for the whole run
            with pytest.raises(MigrationError) as refused:
                migrate(production_db, directory,
                        LockWaits(timeout_seconds=0.2, attempts=2, on_retry=lambda *a: retries.append(a)))
            assert serving.execute("select count(*) from public.repair_requests").fetchone() is not None
            holder = serving.info.backend_pid
            serving.rollback()
        message = str(refused.value)
        assert "9991_lock_probe_alter" in message and "fixit-backend migrate" in message
        assert "ไม่ได้ใช้ไฟล์ปรับฐานข้อมูล" in message and "2 times (0.2 s each)" in message
        assert f"Open transactions: pid {holder} (" in message
        assert retries == [("9991_lock_probe_alter", 1, 2)]
        with psycopg.connect(production_db) as conn:
            versions = {r[0] for r in conn.execute("select version from private.schema_migrations "
                                                   "where version like '999%'").fetchall()}
            assert versions == {"9990_lock_probe_table"}
            assert conn.execute("select to_regclass('public.lock_probe_first') is not null, "
                                "to_regclass('public.lock_probe_second') is null").fetchone() == (True, True)
    finally:
        _put_back(production_db, ["9990_lock_probe_table", "9991_lock_probe_alter"],
                  "drop table if exists public.lock_probe_first; drop table if exists public.lock_probe_second; "
                  "alter table public.repair_requests drop column if exists lock_probe")


def test_migrate_refuses_a_lock_wait_it_could_not_keep() -> None:
    for waits in (LockWaits(timeout_seconds=0), LockWaits(attempts=0)):
        with pytest.raises(ValueError):
            migrate("postgresql:///nowhere", lock_waits=waits)
