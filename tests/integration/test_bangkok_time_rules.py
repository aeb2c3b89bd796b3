"""Time rules as a Thai user lives them: the server runs in UTC, people live in Asia/Bangkok (UTC+7). Terms start at
Bangkok's midnight; the teacher's weekly chart and the admin's per-day delivery report show whole Bangkok weeks and
days (found by audit14b)."""

from datetime import UTC, datetime

import psycopg

from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, backdate_acceptance, handed_back_job, submit


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


async def test_the_teachers_weekly_chart_counts_every_request_of_each_week_it_shows(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """backend/services/requests.py college_dashboard took `since = now - timedelta(weeks=8)` while the chart groups
    by the Bangkok week (0033), so the oldest of the nine weeks it returned started mid-week: on Wednesday 25 Nov
    2026 at noon in Bangkok, the week of Monday 28 Sep showed one request where the college got two (Tuesday's was
    cut off). It now shows eight whole weeks, from Monday 5 Oct 00:00 in Bangkok."""
    api, clock = app_and_clock
    clock.now = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)  # Wednesday 12:00 in Bangkok
    for at in ("2026-09-29 03:00+00", "2026-10-01 03:00+00",  # Tuesday and Thursday of the week of 28 Sep
               "2026-10-04 16:30+00",  # Sunday 4 Oct 23:30 in Bangkok: still the week of 28 Sep
               "2026-10-04 17:30+00"):  # Monday 5 Oct 00:30 in Bangkok: the oldest week shown
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
    assert shown.get("2026-09-28") in (None, 3), board.json()["weekly"]
    assert shown.get("2026-10-05") == 1, board.json()["weekly"]
    assert min(shown) == "2026-10-05", board.json()["weekly"]


async def test_the_admins_delivery_report_counts_every_delivery_of_each_day_it_shows(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """GET /admin/notifications/deliveries groups by the Bangkok day but took `since = now - days`: the oldest day
    shown counted only the deliveries after this hour of it. `days=2` at noon on 6 Mar 2030 in Bangkok is 5 and 6
    Mar, whole (a year no other test writes to)."""
    api, clock = app_and_clock
    clock.now = datetime(2030, 3, 6, 5, 0, tzinfo=UTC)  # 12:00 on 6 Mar in Bangkok
    person = area.students["far1"][0]
    with psycopg.connect(database_url, autocommit=True) as conn:
        for at in ("2030-03-04 03:00+00",  # 4 Mar 10:00 in Bangkok
                   "2030-03-04 07:00+00",  # 4 Mar 14:00: after this hour two days back
                   "2030-03-04 17:30+00",  # 5 Mar 00:30 in Bangkok
                   "2030-03-05 03:00+00", "2030-03-06 01:00+00"):
            conn.execute(
                """with n as (insert into public.notifications (recipient_id, kind, params, created_at, planned_at,
                                                              read_at)
                              values (%(person)s, 'approved', '{}', %(at)s, %(at)s, %(at)s) returning id)
                   insert into private.notification_deliveries (notification_id, channel, status, created_at,
                                                                updated_at)
                   select id, 'console', 'sent', %(at)s, %(at)s from n""", {"person": person, "at": at})
    admin, _ = await sign_in(api, "084-444-4444")
    report = await api.get("/admin/notifications/deliveries", params={"days": 2}, headers=bearer(admin))
    assert report.status_code == 200, report.text
    sent = {d["day"]: d["sent"] for d in report.json()["days"] if d["channel"] == "console"}
    assert sent == {"2030-03-05": 2, "2030-03-06": 1}, report.json()["days"]
