"""`fixit-backend college-report` on the demo data: per-college totals of approved work and its environmental
estimate (issue 14)."""

import pytest
from typer.testing import CliRunner

from backend.cli import app as cli
from backend.seed import ARCHIVE_COLLEGES, ARCHIVE_JOBS_PER_COLLEGE
from shared.credit import ENV_FACTORS


def test_the_college_report_prints_non_zero_totals_on_the_demo_data(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "260")  # rich wraps to the terminal: keep one college on one line
    result = CliRunner().invoke(cli, ["college-report"])
    assert result.exit_code == 0, result.output
    print(result.output)  # the report itself, with -s
    lines = {line.split()[1]: line for line in result.output.splitlines()
             if len(line.split()) > 1 and line.split()[1] in ARCHIVE_COLLEGES}
    assert set(lines) == set(ARCHIVE_COLLEGES)
    for line in lines.values():
        figures = [cell.strip() for cell in line.split("│") if cell.strip()][-6:]
        jobs, hours, kg, co2e, kg_guessed, co2e_guessed = (float(f) for f in figures)
        # Each demo job: a lead's 2.5 and a helper's 1.5 approved hours.
        assert jobs == ARCHIVE_JOBS_PER_COLLEGE and hours == jobs * 4.0 and kg > 0 and co2e > 0
        assert 0 <= kg_guessed <= kg and 0 <= co2e_guessed <= co2e
    # The factor table: every factor names its source, or is marked as Fixit's own estimate (no invented citation).
    factor_rows = {line.split("│")[1].strip(): line for line in result.output.splitlines()
                   if line.count("│") >= 4 and line.split("│")[1].strip() in ENV_FACTORS}
    assert set(factor_rows) == set(ENV_FACTORS)
    for code, row in factor_rows.items():
        if ENV_FACTORS[code].source:
            assert "ORDS_LCA" in row and "ESTIMATE" not in row, row
        else:
            assert "* ESTIMATE" in row and "no source" in row, row
    assert "shared/credit.py" in result.output  # where the factors and their sources are
