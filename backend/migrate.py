"""Applies the ordered SQL migrations, once each, recorded in `private.schema_migrations`.

The SQL files are the single schema source. On a plain PostgreSQL the Supabase-compatibility bootstrap runs
first (only when there is no `auth` schema); on a Supabase project it never does.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import psycopg

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BOOTSTRAP_FILE = MIGRATIONS_DIR / "bootstrap" / "supabase_compat.sql"
# Several backend copies may start at once: one applies, the others wait and then find nothing to do.
_LOCK_KEY = 7_305_417_001


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


def migrate(database_url: str, directory: Path = MIGRATIONS_DIR) -> MigrationReport:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("select pg_advisory_lock(%s)", [_LOCK_KEY])
        try:
            return _migrate_locked(conn, directory)
        finally:
            conn.execute("select pg_advisory_unlock(%s)", [_LOCK_KEY])


def _migrate_locked(conn: psycopg.Connection[tuple[object, ...]], directory: Path) -> MigrationReport:
    bootstrapped = False
    has_auth = conn.execute("select exists (select 1 from pg_namespace where nspname = 'auth')").fetchone()
    if not (has_auth and has_auth[0]):
        with conn.transaction():
            conn.execute(BOOTSTRAP_FILE.read_text(encoding="utf-8"))
        bootstrapped = True

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
        try:
            with conn.transaction():
                conn.execute(migration.sql)
                conn.execute(
                    "insert into private.schema_migrations (version, checksum) values (%s, %s)",
                    [migration.version, migration.checksum],
                )
        except psycopg.Error as exc:
            raise MigrationError(f"migration {migration.version} failed: {exc}") from exc
        applied.append(migration.version)
    return MigrationReport(bootstrapped=bootstrapped, applied=applied, already_applied=already)
