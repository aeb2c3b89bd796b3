"""Audit 8: printing a portfolio stored a new verification code on every download, so one student (or a script
with their token) could add rows without end with a GET. A portfolio that says the same as one printed before
keeps that one's code (the verify page shows what was printed and when); a changed one gets a code of its own. (A
term with no approved job prints nothing since audit 13: bee's approved job is the portfolio here.)"""

import psycopg

from tests.helpers import bearer
from tests.integration.dispatch_area import AppClock, Area
from tests.integration.test_portfolio_pdf_regressions import _approved_job_of_bee


def _codes(database_url: str, student: str) -> list[str]:
    with psycopg.connect(database_url) as conn:
        return [r[0] for r in conn.execute(
            "select code from public.portfolio_codes where technician_id = %s order by issued_at", [student])]


async def test_printing_the_same_portfolio_again_keeps_its_code(app_and_clock: AppClock, area: Area,
                                                                database_url: str) -> None:
    api, _ = app_and_clock
    student, token = await _approved_job_of_bee(api, area, database_url)
    printed = [await api.get(f"/portfolio/{student}/pdf", headers=bearer(token))
               for _ in range(2)]
    assert [p.status_code for p in printed] == [200, 200]
    codes = {p.headers["x-verification-code"] for p in printed}
    assert len(codes) == 1 and _codes(database_url, student) == list(codes)
    assert (await api.patch("/me", json={"display_name": "สมหญิง ใจดี"}, headers=bearer(token))).status_code == 200
    renamed = await api.get(f"/portfolio/{student}/pdf", headers=bearer(token))
    assert renamed.headers["x-verification-code"] not in codes
    assert len(_codes(database_url, student)) == 2
    assert (await api.get(f"/verify/{printed[0].headers['x-verification-code']}")).status_code == 200
