"""Time rules as a Thai user lives them: the server runs in UTC, people live in Asia/Bangkok (UTC+7). Terms start at
Bangkok's midnight (found by audit14b)."""

from datetime import UTC, datetime

import psycopg

from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, backdate_acceptance, handed_back_job


async def test_a_job_approved_in_the_first_hours_of_1_november_bangkok_counts_in_the_new_term(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """Term 2 starts on 1 November. A teacher who approves a student's hours at 00:30 on 1 Nov 2026 in Bangkok
    (31 Oct 17:30 UTC) puts them in term 2569-2 by every Thai calendar; the portfolio's term bounds were dates
    compared with a timestamptz in the UTC session, so the job was printed in 2569-1 instead, and 2569-2's portfolio
    (and the college's hours against the 2569-2 target) lacked it."""
    api, _ = app_and_clock
    _, rid = await handed_back_job(api, area)
    backdate_acceptance(database_url, rid, 2)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    approved = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    assert approved.status_code == 200, approved.text
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.job_team set approved_at = timestamptz '2026-11-01 00:30+07' "
                     "where request_id = %s", [rid])
    bee, bee_phone = area.students["bee"]
    bee_token, _ = await sign_in(api, bee_phone)
    old_term = (await api.get(f"/portfolio/{bee}", params={"term": "2569-1"}, headers=bearer(bee_token))).json()
    new_term = (await api.get(f"/portfolio/{bee}", params={"term": "2569-2"}, headers=bearer(bee_token))).json()
    assert [j["request_id"] for j in old_term["jobs"]] == []
    assert [j["request_id"] for j in new_term["jobs"]] == [rid]
    # The college's hours against the term's target cut at the same midnight.
    hours = {}
    for term in ("2569-1", "2569-2"):
        view = await api.get("/supervisor/credit", params={"term": term}, headers=bearer(teacher))
        assert view.status_code == 200, view.text
        hours[term] = next(s["hours"] for s in view.json()["students"] if s["id"] == bee)
    assert hours["2569-1"] == 0 and hours["2569-2"] > 0, hours


async def test_the_default_term_is_the_one_of_the_day_in_bangkok(app_and_clock: AppClock, area: Area) -> None:
    """Asked with no term at 00:30 on 1 November in Bangkok (31 Oct 17:30 UTC), the portfolio and the college's
    view show the term that has just begun."""
    api, clock = app_and_clock
    clock.now = datetime(2026, 10, 31, 17, 30, tzinfo=UTC)
    bee, bee_phone = area.students["bee"]
    bee_token, _ = await sign_in(api, bee_phone)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    folio = await api.get(f"/portfolio/{bee}", headers=bearer(bee_token))
    assert folio.status_code == 200 and folio.json()["term"] == "2569-2", folio.text
    view = await api.get("/supervisor/credit", headers=bearer(teacher))
    assert view.status_code == 200 and view.json()["term"] == "2569-2", view.text
