"""The long lists come a page at a time and reach every row (fix17b1, audit 17b findings 1-4; shared/paging.py): a
student's jobs (GET /technician/jobs), a requester's requests (GET /requests/mine), the jobs a helper is on
(GET /me/team-jobs) and the admin's waiting requests (GET /admin/waiting) were cut at 200, 200, 50 rows or not at all,
so years of history lost their oldest rows or came in one answer. Real PostgreSQL; the history is written directly
(the API would take minutes for this many jobs)."""

from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from mobile.api_client import ApiClient, ListPage
from shared.credit_wire import TeamJob
from shared.paging import LIST_OFFSET_MAX, LIST_PAGE, LIST_PAGE_MAX
from tests.helpers import bearer, every_page, fresh_phone, sign_in
from tests.integration.dispatch_area import HOME, AppClock, Area

YEARS_OF_JOBS = 201  # one more than the lists' cut: about three years of a busy student's or citizen's history


def history(database_url: str, area: Area, count: int, *, citizen: str, student: str | None) -> list[str]:
    """`count` closed requests of `citizen` at the near college (led by `student`, if any), one every 5 days back
    from now: newest first in the returned ids, the last one the oldest (about `count` * 5 days ago)."""
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        rows = conn.execute(
            """insert into public.repair_requests (citizen_id, idempotency_key, category_code, item, description,
                   lat, lon, contact_phone, pdpa_consent_at, status, college_id, technician_id, created_at,
                   updated_at)
               select %(citizen)s, gen_random_uuid(), 'appliance', 'พัดลม ' || g, 'ไม่หมุน', %(lat)s, %(lon)s,
                      '+66812345678', now() - g * interval '5 days', 'done', %(college)s, %(student)s,
                      now() - g * interval '5 days', now() - g * interval '5 days'
               from generate_series(1, %(count)s) g
               order by g
               returning id::text""",
            {"citizen": citizen, "lat": HOME[0], "lon": HOME[1], "college": area.near, "student": student,
             "count": count}).fetchall()
    return [r["id"] for r in rows]


async def test_a_student_with_years_of_jobs_can_reach_the_oldest_from_their_job_list(
    app_and_clock: AppClock, area: Area, database_url: str,
) -> None:
    api, _ = app_and_clock
    _, citizen_profile = await sign_in(api, fresh_phone())
    ace_id, ace_phone = area.students["ace"]
    ids = history(database_url, area, YEARS_OF_JOBS, citizen=citizen_profile["id"], student=ace_id)
    ace, _ = await sign_in(api, ace_phone)

    listed = await every_page(api, "/technician/jobs", ace)

    reached = {j["id"] for j in listed}
    assert len(reached) == len(listed)  # no job listed twice across the pages
    assert ids[0] in reached  # the newest is there today
    assert set(ids) <= reached, f"{len(set(ids) - reached)} of the student's {len(ids)} jobs cannot be reached"


async def test_a_citizen_with_years_of_requests_can_reach_the_oldest_from_their_list(
    app_and_clock: AppClock, area: Area, database_url: str,
) -> None:
    api, _ = app_and_clock
    citizen, citizen_profile = await sign_in(api, fresh_phone())
    ids = history(database_url, area, YEARS_OF_JOBS, citizen=citizen_profile["id"], student=area.students["ace"][0])

    listed = await every_page(api, "/requests/mine", citizen)

    reached = {r["id"] for r in listed}
    assert len(reached) == len(listed)
    assert ids[0] in reached
    assert set(ids) <= reached, f"{len(set(ids) - reached)} of the citizen's {len(ids)} requests cannot be reached"


HELPED_JOBS = 51  # one more than GET /me/team-jobs lists


async def test_a_helper_on_many_jobs_waiting_for_approval_can_reach_each_to_report_hours(
    app_and_clock: AppClock, area: Area, database_url: str,
) -> None:
    api, _ = app_and_clock
    _, citizen_profile = await sign_in(api, fresh_phone())
    ids = history(database_url, area, HELPED_JOBS, citizen=citizen_profile["id"], student=area.students["bee"][0])
    ace_id, ace_phone = area.students["ace"]
    with psycopg.connect(database_url, autocommit=True) as conn:
        # ace helped on each (none approved yet: the portfolio's list is where they report their hours), the oldest
        # job's help the earliest.
        conn.execute(
            """insert into public.job_team (request_id, technician_id, role, task, college_id, added_at)
               select r.id, %s, 'helper', 'ช่วยถอดฝา', r.college_id, r.created_at
               from public.repair_requests r where r.id = any(%s::uuid[])""", [ace_id, ids])
    ace, _ = await sign_in(api, ace_phone)

    listed = await every_page(api, "/me/team-jobs", ace)

    reached = {j["request_id"] for j in listed}
    assert len(reached) == len(listed)
    assert ids[0] in reached
    assert set(ids) <= reached, f"{len(set(ids) - reached)} of the {len(ids)} jobs ace helps on cannot be reached"


WAITING_NATIONWIDE = 1_000  # years of requests from places no college reaches, none cancelled by their owner
LONGEST_LIST = 200  # the longest list the app is sent at once elsewhere (a requester's, a student's jobs)


async def test_the_admins_waiting_list_comes_a_page_at_a_time_and_reaches_every_request(
    app_and_clock: AppClock, area: Area, database_url: str,
) -> None:
    api, _ = app_and_clock
    _, citizen_profile = await sign_in(api, fresh_phone())
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        rows = conn.execute(
            """insert into public.repair_requests (citizen_id, idempotency_key, category_code, item, description,
                   lat, lon, contact_phone, pdpa_consent_at, status, created_at, updated_at)
               select %(citizen)s, gen_random_uuid(), 'computer', 'โน้ตบุ๊ก ' || g, 'เปิดไม่ติด', %(lat)s, %(lon)s,
                      '+66812345678', now(), 'no_centre', now() - g * interval '1 day', now() - g * interval '1 day'
               from generate_series(1, %(count)s) g
               returning id::text""",
            {"citizen": citizen_profile["id"], "lat": HOME[0], "lon": HOME[1], "count": WAITING_NATIONWIDE},
        ).fetchall()
    ids = {r["id"] for r in rows}
    admin, _ = await sign_in(api, "084-444-4444")
    try:
        first = await api.get("/admin/waiting", headers=bearer(admin))
        assert first.status_code == 200, first.text
        assert len(first.json()) <= LONGEST_LIST, f"{len(first.json())} waiting requests in one answer"
        listed = await every_page(api, "/admin/waiting", admin)
        assert ids <= {w["id"] for w in listed}
        assert len({w["id"] for w in listed}) == len(listed)
        assert [w["created_at"] for w in listed] == sorted(w["created_at"] for w in listed)  # the longest-waiting first
    finally:  # the other tests' admin finds only their own waiting requests
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.repair_requests set status = 'cancelled' where id = any(%s::uuid[])",
                         [list(ids)])


async def test_the_app_reads_each_lists_pages_and_totals_as_the_backend_sends_them(
    app_and_clock: AppClock, area: Area, database_url: str,
) -> None:
    """The contract: mobile.api_client's pages of the lists are the backend's real X-Total-Count and X-Next-Cursor
    (a page of LIST_PAGE first, the rest after the app's last row, the oldest reached)."""
    api, _ = app_and_clock
    citizen_token, citizen_profile = await sign_in(api, fresh_phone())
    ace_id, ace_phone = area.students["ace"]
    ids = history(database_url, area, LIST_PAGE + 3, citizen=citizen_profile["id"], student=ace_id)
    cat_id, cat_phone = area.students["cat"]
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            """insert into public.job_team (request_id, technician_id, role, task, college_id, added_at)
               select r.id, %s, 'helper', 'ช่วยถอดฝา', r.college_id, r.created_at
               from public.repair_requests r where r.id = any(%s::uuid[])""", [cat_id, ids])
    apps = []
    for token in (citizen_token, (await sign_in(api, ace_phone))[0], (await sign_in(api, cat_phone))[0]):
        app = ApiClient("http://fixit.test", transport=api._transport)
        app.token = token
        apps.append(app)
    citizen, ace, cat = apps

    pages: list[tuple[ListPage[Any], ListPage[Any]]] = []
    for read in (citizen.my_requests, ace.technician_jobs, cat.my_team_jobs):
        first = await read()
        pages.append((first, await read(first.after)))
    for first, rest in pages:
        assert (len(first.rows), first.total, len(rest.rows), rest.total) == (LIST_PAGE, len(ids), 3, len(ids))
        assert first.after is not None and rest.after is None  # the last page says so
        listed = [str(r.request_id if isinstance(r, TeamJob) else r.id) for r in [*first.rows, *rest.rows]]
        assert listed == ids  # newest first, every one once, the oldest last
    two = await citizen.my_requests(limit=2)
    assert ([str(r.id) for r in two.rows], two.total) == (ids[:2], len(ids))

    admin = ApiClient("http://fixit.test", transport=api._transport)
    admin.token = (await sign_in(api, "084-444-4444"))[0]
    with psycopg.connect(database_url, autocommit=True) as conn:
        waiting = conn.execute("select count(*) from public.repair_requests where status = 'no_centre'").fetchone()
    assert waiting is not None
    page = await admin.admin_waiting(limit=1)
    assert (len(page.rows), page.total) == (min(1, waiting[0]), waiting[0])


@pytest.mark.parametrize("path", ["/requests/mine", "/technician/jobs", "/me/team-jobs", "/admin/waiting"])
@pytest.mark.parametrize("params", [{"limit": LIST_PAGE_MAX + 1}, {"limit": 0}, {"offset": -1},
                                    {"offset": LIST_OFFSET_MAX + 1}, {"offset": "ten"}])
async def test_a_page_out_of_bounds_is_refused_with_a_code_and_both_languages(
    app_and_clock: AppClock, area: Area, path: str, params: dict[str, Any],
) -> None:
    api, _ = app_and_clock
    phone = {"/admin/waiting": "084-444-4444"}.get(path, area.students["ace"][1])
    token, _ = await sign_in(api, phone)
    answer = await api.get(path, params=params, headers=bearer(token))
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] and error["message_th"] and error["message_en"]
