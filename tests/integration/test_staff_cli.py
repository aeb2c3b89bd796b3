"""`fixit-backend import-students COLLEGE file.csv`: a college's students from a CSV with a progress bar, all rows
or none, every bad line named in Thai and English; the imported phones sign in as students of that college."""

from collections.abc import Iterator
from pathlib import Path

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


@pytest.fixture
def college_code(database_url: str) -> str:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select code from public.colleges where is_active order by code limit 1").fetchone()
    assert row is not None
    return str(row[0])


def invited(database_url: str, phones: list[str]) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select count(*) from private.staff_invites where phone = any(%s)",
                           [["+66" + p[1:] for p in phones]]).fetchone()
    assert row is not None
    return int(row[0])


async def test_import_students_from_a_csv(cli: CliRunner, api: httpx.AsyncClient, database_url: str,
                                          college_code: str, tmp_path: Path) -> None:
    phones = [fresh_phone(), fresh_phone()]
    bad = tmp_path / "bad.csv"
    bad.write_text(f"phone,name,skills\n{phones[0]},สมชาย ใจดี,electrical_appliance:3\n{phones[1]},,\n"
                   "123,มานะ,plumbing:2\n", encoding="utf-8")
    result = cli.invoke(app, ["import-students", college_code, str(bad)])
    assert result.exit_code == 1
    assert "nothing was imported" in result.output and "ไม่ได้นำเข้าข้อมูลใดเลย" in result.output
    assert "line 3" in result.output and "แถว 3" in result.output and "line 4" in result.output
    assert "line 2" not in result.output
    assert invited(database_url, phones) == 0

    good = tmp_path / "good.csv"
    good.write_text(f"phone,name,skills\n{phones[0]},สมชาย ใจดี,electrical_appliance:3\n"
                    f"{phones[1]},สมหญิง รักงาน,plumbing:2 computer:1\n", encoding="utf-8-sig")
    result = cli.invoke(app, ["import-students", college_code, str(good)])
    assert result.exit_code == 0, result.output
    assert "importing students" in result.output and "2/2" in result.output  # the progress bar
    assert "imported 2 students" in result.output
    assert invited(database_url, phones) == 2
    _, profile = await sign_in(api, phones[1])
    assert profile["role"] == "technician" and profile["college"]["code"] == college_code
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("select actor, after from public.audit_events where action = 'staff.invite' "
                            "order by id desc limit 2").fetchall()
    assert [r[0] for r in rows] == ["operator", "operator"]

    unknown = cli.invoke(app, ["import-students", "NO-SUCH-COLLEGE", str(good)])
    assert unknown.exit_code == 1 and "NO-SUCH-COLLEGE" in unknown.output
