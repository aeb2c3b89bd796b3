"""audit14b: time rules that are wrong for a Thai user at some hour (the server runs in UTC, people live in
Asia/Bangkok, UTC+7). Each test shows one finding and is marked xfail(strict) until it is fixed."""

from datetime import UTC, datetime

import psycopg
import pytest

from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, backdate_acceptance, handed_back_job, submit


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


@pytest.mark.xfail(strict=True, reason="audit14b: the weekly chart's first week starts at now - 8 weeks, mid-week: "
                                       "its bar counts only the days after that moment")
async def test_the_teachers_weekly_chart_counts_every_request_of_each_week_it_shows(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """backend/services/requests.py college_dashboard: `since = now - timedelta(weeks=8)` and the chart groups by the
    Bangkok week (0033), so the oldest of the nine weeks it returns starts mid-week: on Wednesday 25 Nov 2026 at noon
    in Bangkok, the week of Monday 28 Sep shows one request where the college got two (Tuesday's is cut off)."""
    api, clock = app_and_clock
    clock.now = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)  # Wednesday 12:00 in Bangkok
    for at in ("2026-09-29 03:00+00", "2026-10-01 03:00+00"):  # Tuesday and Thursday of the week of 28 Sep
        _, request = await submit(api)
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.repair_requests set created_at = %s::timestamptz where id = %s",
                         [at, request["id"]])
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    board = await api.get("/supervisor/dashboard", headers=bearer(teacher))
    assert board.status_code == 200, board.text
    shown: dict[str, int] = {}
    for week in board.json()["weekly"]:
        shown[week["week_start"]] = shown.get(week["week_start"], 0) + week["n"]
    assert shown.get("2026-09-28") in (None, 2), board.json()["weekly"]
