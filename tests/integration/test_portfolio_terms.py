"""The portfolio's terms to pick from (uxd22, ux21 finding 11): GET /portfolio/{id} lists the terms the student has
work a teacher approved in, and the current one, newest first, counted by the day in Bangkok; only to whoever may
read that portfolio."""

from datetime import datetime

import psycopg

from shared.credit import term_of
from shared.thai_time import BANGKOK
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import (
    AppClock,
    Area,
    assigned_by_teacher,
    backdate_acceptance,
    step,
    work_to_quality_check,
)


async def test_the_portfolio_lists_the_terms_with_approved_work_and_the_current_one(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, clock = app_and_clock
    s = area.students
    current = term_of(clock.now)
    _, teacher, bee, rid = await assigned_by_teacher(api, area)
    folio = (await api.get(f"/portfolio/{s['bee'][0]}", headers=bearer(bee))).json()
    assert folio["terms"] == [current] and folio["term"] == current  # nothing approved yet: the current term

    await work_to_quality_check(api, bee, rid)
    assert (await step(api, teacher, rid, "done")).status_code == 200
    backdate_acceptance(database_url, rid, 3)
    assert (await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))).status_code == 200
    # The approval moved to 00:30 on 1 November 2025 in Bangkok (17:30 UTC the day before): term 2568-2 by the
    # Thai calendar, where a UTC day would say 2568-1.
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.job_team set approved_at = %s where request_id = %s",
                     [datetime(2025, 11, 1, 0, 30, tzinfo=BANGKOK), rid])
    folio = (await api.get(f"/portfolio/{s['bee'][0]}", headers=bearer(bee))).json()
    assert folio["terms"] == sorted({current, "2568-2"}, reverse=True) and folio["job_count"] == 0
    earlier = (await api.get(f"/portfolio/{s['bee'][0]}", params={"term": "2568-2"}, headers=bearer(bee))).json()
    assert earlier["job_count"] == 1 and earlier["terms"] == folio["terms"]
    # The teacher reads them as the student does; a student of another college reads nothing of them.
    assert (await api.get(f"/portfolio/{s['bee'][0]}", headers=bearer(teacher))).json()["terms"] == folio["terms"]
    far, _ = await sign_in(api, s["far1"][1])
    refused = await api.get(f"/portfolio/{s['bee'][0]}", headers=bearer(far))
    assert refused.status_code == 404 and "terms" not in refused.text
