"""Migrations, seed and the colleges import on a real PostgreSQL."""

import shutil
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from backend.cli import app as cli
from backend.local_postgres import LocalPostgres
from backend.migrate import MIGRATIONS_DIR, MigrationError, migrate
from backend.seed import seed
from backend.settings import PROJECT_ROOT

SEED_DIR = PROJECT_ROOT / "assets" / "seed"
HEADER = "code,name_th,name_en,province_th,province_en,region,lat,lon,service_radius_km\n"


def _count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(f"select count(*) from {table}").fetchone()
    assert row is not None
    return int(row[0])


def test_migrations_rerun_as_a_no_op(database_url: str) -> None:
    report = migrate(database_url)
    assert report.applied == [] and not report.bootstrapped
    assert report.already_applied == [p.stem for p in sorted(MIGRATIONS_DIR.glob("0*.sql"))]


def test_bootstrap_makes_supabase_roles(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        roles: dict[str, bool] = dict(conn.execute(
            "select rolname, rolbypassrls from pg_roles "
            "where rolname in ('anon', 'authenticated', 'service_role', 'authenticator')"
        ).fetchall())
    assert roles == {"anon": False, "authenticated": False, "service_role": True, "authenticator": False}


def test_an_edited_migration_is_refused(local_pg: LocalPostgres, tmp_path: Path) -> None:
    url = local_pg.url_for("fixit_edited")
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, copy)
    migrate(url, copy)
    first = sorted(copy.glob("0*.sql"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    with pytest.raises(MigrationError, match="changed after it was applied"):
        migrate(url, copy)
    local_pg.drop_database("fixit_edited")


def test_a_failing_migration_leaves_nothing(local_pg: LocalPostgres, tmp_path: Path) -> None:
    url = local_pg.url_for("fixit_broken")
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, copy)
    (copy / "9999_broken.sql").write_text("create table public.half_done (id int);\nselect 1/0;\n", encoding="utf-8")
    with pytest.raises(MigrationError, match="9999_broken"):
        migrate(url, copy)
    with psycopg.connect(url) as conn:
        assert conn.execute("select to_regclass('public.half_done')").fetchone() == (None,)
        versions = [r[0] for r in conn.execute("select version from private.schema_migrations").fetchall()]
    assert "9999_broken" not in versions and len(versions) == len(list(MIGRATIONS_DIR.glob("0*.sql")))
    local_pg.drop_database("fixit_broken")


def test_seed_is_idempotent(database_url: str) -> None:
    before = {t: _count(database_url, t) for t in ("public.colleges", "public.profiles", "public.repair_requests",
                                                   "public.status_events", "public.offers", "auth.users")}
    report = seed(database_url, SEED_DIR, demo=True)
    after = {t: _count(database_url, t) for t in before}
    assert before == after
    assert report.colleges >= 20 and report.technicians == report.colleges * 4 and report.requests == 0


def test_import_refuses_a_file_with_bad_rows(database_url: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + "TC-NEWONE,วิทยาลัยใหม่,New College,ขอนแก่น,Khon Kaen,northeast,16.4,102.8,30\n"
        + "tc lower,วิทยาลัย,X,ขอนแก่น,Khon Kaen,northeast,16.4,102.8,30\n"
        + "TC-SG,วิทยาลัยสิงคโปร์,Singapore,สิงคโปร์,Singapore,south,1.35,103.8,30\n"
        + "TC-NEWTWO,วิทยาลัย,X,ขอนแก่น,Khon Kaen,mars,16.4,102.8,-5\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DATABASE_URL", database_url)
    before = _count(database_url, "public.colleges")
    result = CliRunner().invoke(cli, ["import-colleges", str(bad)])
    assert result.exit_code == 1
    assert "line 3" in result.output and "line 4" in result.output and "line 5" in result.output
    assert "outside Thailand" in result.output and "nothing was imported" in result.output
    assert _count(database_url, "public.colleges") == before  # not even the good first row


def test_import_upserts_by_code(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "good.csv"
    good.write_text(
        HEADER
        + "TC-TESTIMPORT,วิทยาลัยทดสอบ,Test College,ขอนแก่น,Khon Kaen,northeast,16.4,102.8,30\n"
        + 'TC-CHIANGMAI,วิทยาลัยเทคนิคเชียงใหม่,"Chiang Mai Technical College, renamed",เชียงใหม่,Chiang Mai,'
        + "north,18.795,98.988,35\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DATABASE_URL", database_url)
    before = _count(database_url, "public.colleges")
    result = CliRunner().invoke(cli, ["import-colleges", str(good)])
    assert result.exit_code == 0, result.output
    assert "imported 2 colleges" in result.output
    assert _count(database_url, "public.colleges") == before + 1
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select name_en, service_radius_km, coordinates_approximate from public.colleges "
                           "where code = 'TC-CHIANGMAI'").fetchone()
    assert row is not None and row[0].endswith("renamed") and float(row[1]) == 35 and row[2] is False
