"""The operator's college list on a production database: `import-colleges` with a file Excel saved, and
`seed --no-demo` run again (how a release's new categories reach production) next to what the admins corrected."""

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row
from typer.testing import CliRunner

from backend.cli import app
from backend.services import staff
from tests.conftest import MigratedDatabases
from tests.integration.production_operator import new_production_database, production_operator

DB = "fixit_college_list_operator"
HEADER = "code,name_th,name_en,province_th,province_en,region,lat,lon,service_radius_km\n"


@pytest.fixture(scope="module")
def production_db(migrated_database: MigratedDatabases) -> str:
    return new_production_database(migrated_database, DB)


@pytest.fixture
def operator(production_db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    yield from production_operator(production_db, monkeypatch, tmp_path)


def _stored(url: str, code: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("select count(*) from public.colleges where code = %s", [code]).fetchone()
    return int(row[0]) if row else -1


def test_import_colleges_says_so_when_the_file_is_not_utf8(operator: CliRunner, production_db: str,
                                                          tmp_path: Path) -> None:
    """Thai Excel's "CSV (Comma delimited)" saves Windows-874 (cp874), not UTF-8: `import-colleges` died with a
    UnicodeDecodeError traceback. It must store nothing and say, in Thai and English, that the file must be UTF-8
    and how to save it ("CSV UTF-8"), as `import-students` says (`csv_not_utf8`)."""
    row = "AUDIT16B-CP874,วิทยาลัยเทคนิคทดสอบ,Test Technical College,เชียงใหม่,Chiang Mai,north,18.79,98.98,30\n"
    csv_file = tmp_path / "colleges-excel.csv"
    csv_file.write_bytes((HEADER + row).encode("cp874"))
    done = operator.invoke(app, ["import-colleges", str(csv_file)])
    assert _stored(production_db, "AUDIT16B-CP874") == 0
    assert done.exit_code != 0
    assert done.exception is None or isinstance(done.exception, SystemExit), repr(done.exception)
    assert "UTF-8" in done.output, done.output
    assert "ไฟล์ต้องเป็น CSV แบบ UTF-8" in done.output and "CSV UTF-8" in done.output
    assert "line 2" in done.output  # the line of the first byte that is not UTF-8


def test_import_colleges_takes_excel_s_csv_utf8_with_its_bom(operator: CliRunner, production_db: str,
                                                            tmp_path: Path) -> None:
    """Excel's "CSV UTF-8" starts the file with a byte-order mark: that file imports."""
    row = "AUDIT16B-BOM,วิทยาลัยเทคนิคทดสอบบอม,Test BOM College,เชียงใหม่,Chiang Mai,north,18.79,98.98,30\n"
    csv_file = tmp_path / "colleges-utf8.csv"
    csv_file.write_bytes((HEADER + row).encode("utf-8-sig"))
    done = operator.invoke(app, ["import-colleges", str(csv_file)])
    assert done.exit_code == 0, done.output
    assert _stored(production_db, "AUDIT16B-BOM") == 1


async def _update_college(url: str, code: str, changes: dict[str, object]) -> None:
    """As `PATCH /admin/colleges/{id}` changes a college (audited as college.update)."""
    async with await psycopg.AsyncConnection.connect(url, row_factory=dict_row) as conn, conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        row = await (await conn.execute("select id from public.colleges where code = %s", [code])).fetchone()
        assert row is not None
        await staff.update_college(conn, row["id"], changes)


async def test_seeding_again_keeps_what_the_admins_corrected(operator: CliRunner, production_db: str) -> None:
    """README step 4 seeds production with `seed --no-demo`, and seeding is the only way categories and skills reach
    the database, so an upgrade that adds one is a second `seed --no-demo`. It upserted the seeded colleges from the
    CSV again, every column: the exact place, the name, the service radius an admin set went back to the CSV's
    town-level guesses, marked approximate again. A second seed leaves the colleges there as they are."""
    first = operator.invoke(app, ["seed", "--no-demo"])
    assert first.exit_code == 0, first.output
    corrected = {"name_en": "Chiang Mai Technical College (main campus)", "lat": 18.7893, "lon": 98.9802,
                 "service_radius_km": Decimal("25"), "coordinates_approximate": False}
    await _update_college(production_db, "TC-CHIANGMAI", corrected)
    again = operator.invoke(app, ["seed", "--no-demo"])
    assert again.exit_code == 0, again.output
    assert "colleges_added=0" in again.output, again.output  # the operator reads that none was changed or added
    with psycopg.connect(production_db, row_factory=dict_row) as reader:
        now = reader.execute("select name_en, lat, lon, service_radius_km, coordinates_approximate "
                             "from public.colleges where code = 'TC-CHIANGMAI'").fetchone()
    assert now is not None
    assert {k: now[k] for k in corrected} == corrected, f"seeding again turned the admin's correction into {now}"


async def test_seeding_again_adds_no_second_copy_of_a_college_an_admin_gave_its_official_code(
    operator: CliRunner, production_db: str
) -> None:
    """An admin gives a seeded college its official code: the seed's old code is not "missing", and a second seed
    must not add the demo list's copy of the same college beside it (another place dispatch would measure from)."""
    first = operator.invoke(app, ["seed", "--no-demo"])
    assert first.exit_code == 0, first.output
    with psycopg.connect(production_db) as conn:
        before = conn.execute("select count(*) from public.colleges").fetchone()
    await _update_college(production_db, "TC-LAMPANG", {"code": "OVEC-1352016101"})
    again = operator.invoke(app, ["seed", "--no-demo"])
    assert again.exit_code == 0, again.output
    assert _stored(production_db, "TC-LAMPANG") == 0
    assert _stored(production_db, "OVEC-1352016101") == 1
    with psycopg.connect(production_db) as conn:
        assert conn.execute("select count(*) from public.colleges").fetchone() == before
