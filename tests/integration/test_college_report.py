"""`fixit-backend college-report` on the demo data: per-college totals of approved work and its environmental
estimate (issue 14)."""

import pytest
from typer.testing import CliRunner

from backend.cli import app as cli
from backend.seed import ARCHIVE_COLLEGES, ARCHIVE_JOBS_PER_COLLEGE


def test_the_college_report_prints_non_zero_totals_on_the_demo_data(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps to the terminal: keep one college on one line
    result = CliRunner().invoke(cli, ["college-report"])
    assert result.exit_code == 0, result.output
    print(result.output)  # the report itself, with -s
    lines = {line.split()[1]: line for line in result.output.splitlines()
             if len(line.split()) > 1 and line.split()[1] in ARCHIVE_COLLEGES}
    assert set(lines) == set(ARCHIVE_COLLEGES)
    for line in lines.values():
        figures = [cell.strip() for cell in line.split("│") if cell.strip()][-4:]
        jobs, hours, kg, co2e = (float(f) for f in figures)
        # Each demo job: a lead's 2.5 and a helper's 1.5 approved hours.
        assert jobs == ARCHIVE_JOBS_PER_COLLEGE and hours == jobs * 4.0 and kg > 0 and co2e > 0
    assert "shared/credit.py" in result.output  # where the factors and their sources are
