"""Applies the ordered SQL migrations, once each, recorded in `private.schema_migrations`.

The SQL files are the single schema source. On a plain PostgreSQL the Supabase-compatibility bootstrap runs
first (only when there is no `auth` schema); on a Supabase project it never does.

Migrations run while the old copies still serve (a rolling upgrade). A statement that needs a table lock (an
`alter table`) waits for every open transaction that read the table, and PostgreSQL queues every later read of the
table behind the waiting statement: the copies' requests would hang for as long as that transaction lasts. So each
migration waits at most `lock_timeout_seconds` for a lock, then gives it up (its transaction rolls back whole: the
reads queued behind it go on), pauses and tries again, `lock_attempts` times in all before it stops with a
`MigrationError` that says so (nothing of that migration applied; those before it stay applied).
"""

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import errors

from shared.text import B, error_text

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BOOTSTRAP_FILE = MIGRATIONS_DIR / "bootstrap" / "supabase_compat.sql"
# Several backend copies may start at once: one applies, the others wait and then find nothing to do.
_LOCK_KEY = 7_305_417_001
# How long a migration's statement may wait for a table lock (the copies' reads of that table wait as long), and how
# many times a migration tries; the pause between tries grows from half a second to five.
LOCK_TIMEOUT_SECONDS = 2.0
LOCK_ATTEMPTS = 20
_PAUSE_FIRST, _PAUSE_MAX = 0.5, 5.0


@dataclass(frozen=True)
class Migration:
    version: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


class MigrationError(RuntimeError):
    pass


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    files = sorted(directory.glob("[0-9][0-9][0-9][0-9]_*.sql"))
    return [Migration(version=f.stem, path=f) for f in files]


@dataclass(frozen=True)
class MigrationReport:
    bootstrapped: bool
    applied: list[str]
    already_applied: list[str]


@dataclass(frozen=True)
class LockWaits:
    """How a migration waits for the table locks it needs (see the module's docstring)."""
    timeout_seconds: float = LOCK_TIMEOUT_SECONDS
    attempts: int = LOCK_ATTEMPTS
    # Told before each pause: the migration's version, the try that gave up (1-based), the tries in all.
    on_retry: Callable[[str, int, int], None] | None = None


def migrate(
    database_url: str, directory: Path = MIGRATIONS_DIR, lock_waits: LockWaits | None = None
) -> MigrationReport:
    waits = lock_waits or LockWaits()
    if waits.timeout_seconds <= 0 or waits.attempts < 1:
        raise ValueError("a lock wait needs a timeout above 0 s and at least one attempt")
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("select pg_advisory_lock(%s)", [_LOCK_KEY])
        try:
            return _migrate_locked(conn, directory, waits)
        finally:
            conn.execute("select pg_advisory_unlock(%s)", [_LOCK_KEY])


Conn = psycopg.Connection[tuple[object, ...]]


def _apply(conn: Conn, migration: Migration, waits: LockWaits) -> None:
    """One migration whole (in one transaction) or not at all; a lock wait longer than the timeout (or a deadlock
    with a serving transaction, which PostgreSQL ends by rolling one back) rolls it back and it is tried again after
    a pause."""
    timeout = f"{max(1, round(waits.timeout_seconds * 1000))}ms"
    for attempt in range(1, waits.attempts + 1):
        try:
            with conn.transaction():
                conn.execute("select set_config('lock_timeout', %s, true)", [timeout])
                conn.execute(migration.sql)
                conn.execute(
                    "insert into private.schema_migrations (version, checksum) values (%s, %s)",
                    [migration.version, migration.checksum],
                )
            return
        except (errors.LockNotAvailable, errors.DeadlockDetected) as exc:  # lost a lock: nothing of it applied
            if attempt == waits.attempts:
                text = error_text("migration_lock_timeout", version=migration.version, tries=waits.attempts,
                                  seconds=f"{waits.timeout_seconds:g}", holders=_open_transactions(conn))
                raise MigrationError(f"{text.th}\n{text.en}") from exc
            if waits.on_retry is not None:
                waits.on_retry(migration.version, attempt, waits.attempts)
            time.sleep(min(_PAUSE_MAX, _PAUSE_FIRST * 2 ** (attempt - 1)))
        except psycopg.Error as exc:
            raise MigrationError(f"migration {migration.version} failed: {exc}") from exc


def _open_transactions(conn: Conn) -> B:
    """The oldest transactions open on this database now (one of them holds the lock): what the operator looks for.
    Without the right to see other sessions (pg_read_all_stats) only their process ids show."""
    try:
        rows = conn.execute(
            """select pid, coalesce(nullif(application_name, ''), '-'), coalesce(state, '-'),
                      extract(epoch from now() - xact_start)::bigint
               from pg_stat_activity
               where pid <> pg_backend_pid() and xact_start is not null and datname = current_database()
               order by xact_start limit 5""").fetchall()
    except psycopg.Error:  # the refusal is said without the list
        return B("", "")
    if not rows:
        return B("", "")
    listed = "; ".join(f"pid {pid} ({name}, {state}, {age} s)" for pid, name, state, age in rows)
    return B(f"\nธุรกรรมที่เปิดค้างอยู่: {listed}", f"\nOpen transactions: {listed}")


def _migrate_locked(conn: Conn, directory: Path, waits: LockWaits) -> MigrationReport:
    bootstrapped = False
    has_auth = conn.execute("select exists (select 1 from pg_namespace where nspname = 'auth')").fetchone()
    if not (has_auth and has_auth[0]):
        with conn.transaction():
            conn.execute(BOOTSTRAP_FILE.read_text(encoding="utf-8"))
        bootstrapped = True

    exists = conn.execute("select to_regclass('private.schema_migrations') is not null").fetchone()
    if not (exists and exists[0]):  # once: an `alter table` here would wait on every copy reading the versions
        with conn.transaction():
            conn.execute("create schema if not exists private")
            conn.execute(
                """create table if not exists private.schema_migrations (
                       version text primary key,
                       checksum text not null,
                       applied_at timestamptz not null default now())"""
            )
            conn.execute("alter table private.schema_migrations enable row level security")
    done = {
        str(row[0]): str(row[1])
        for row in conn.execute("select version, checksum from private.schema_migrations").fetchall()
    }

    applied: list[str] = []
    already: list[str] = []
    for migration in discover(directory):
        if migration.version in done:
            if done[migration.version] != migration.checksum:
                raise MigrationError(
                    f"migration {migration.version} was changed after it was applied: "
                    "add a new migration file instead of editing an applied one"
                )
            already.append(migration.version)
            continue
        _apply(conn, migration, waits)
        applied.append(migration.version)
    return MigrationReport(bootstrapped=bootstrapped, applied=applied, already_applied=already)
