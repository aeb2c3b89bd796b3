"""audit14b: time rules that are wrong for a Thai user at some hour (the server runs in UTC, people live in
Asia/Bangkok, UTC+7). Each test shows one finding and is marked xfail(strict) until it is fixed."""

import psycopg
import pytest

from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, backdate_acceptance, handed_back_job


@pytest.mark.xfail(strict=True, reason="audit14b: terms start at 00:00 UTC, not 00:00 Bangkok (shared/credit.py "
                                       "term_of / term_bounds compared with timestamptz in the UTC session)")
async def test_a_job_approved_in_the_first_hours_of_1_november_bangkok_counts_in_the_new_term(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """Term 2 starts on 1 November. A teacher who approves a student's hours at 00:30 on 1 Nov 2026 in Bangkok
    (31 Oct 17:30 UTC) puts them in term 2569-2 by every Thai calendar; the portfolio's term bounds are dates
    compared with a timestamptz in the UTC session, so the job is printed in 2569-1 instead, and 2569-2's portfolio
    (and the college's hours against the 2569-2 target) lacks it. Seven hours at each of the two term starts."""
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
