"""A long list's next page never skips a row that moved up (paging18, shared.paging): with `offset` a row that left
the list between two pages (a job handed to another student, a helper's hours approved, a waiting request sent on,
a job decided, a job finished out of the teacher's filter) moved every later row up one, and the first of them was
never shown. Each test reads a page as the app does (mobile.viewmodels.paging.PagedList over the real client, or
the teacher's page by its body's cursor), makes a row of that page leave as someone else would meanwhile, pages on,
and checks every row still in the list was shown. Real PostgreSQL; the rows are written directly."""

import uuid
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row

from backend.app import create_app
from backend.services import requests as request_reads
from backend.settings import Settings
from mobile.api_client import ApiClient, ApiError, ListPage
from mobile.viewmodels.paging import PagedList
from shared.credit_wire import TOTAL_COUNT_HEADER
from shared.paging import LIST_CURSOR_MAX, LIST_PAGE_MAX, NEXT_CURSOR_HEADER
from shared.text import Locale
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import as_user
from tests.integration.dispatch_area import ADMIN_PHONE, HOME, AppClock, Area

PAGE = 2  # rows a page: two pages' worth and a bit
ROWS = 5


def _rows(database_url: str, count: int, *, citizen: str, status: str, college: uuid.UUID | None,
          student: str | None, since: str = "2001-01-01") -> list[str]:
    """`count` requests of `citizen` one day apart from `since` (older than any other test's, so they lead the
    oldest-first lists), the first the oldest."""
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        rows = conn.execute(
            """insert into public.repair_requests (citizen_id, idempotency_key, category_code, item, description,
                   lat, lon, contact_phone, pdpa_consent_at, status, college_id, technician_id, created_at,
                   updated_at)
               select %(citizen)s, gen_random_uuid(), 'appliance', 'พัดลม ' || g, 'ไม่หมุน', %(lat)s, %(lon)s,
                      '+66812345678', now(), %(status)s, %(college)s, %(student)s,
                      %(since)s::timestamptz + g * interval '1 day', %(since)s::timestamptz + g * interval '1 day'
               from generate_series(1, %(count)s) g
               order by g
               returning id::text""",
            {"citizen": citizen, "lat": HOME[0], "lon": HOME[1], "status": status, "college": college,
             "student": student, "count": count, "since": since}).fetchall()
    return [r["id"] for r in rows]


def _sql(database_url: str, statement: str, *params: Any) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(statement, list(params))


def _client(api: httpx.AsyncClient, token: str) -> ApiClient:
    app = ApiClient("http://fixit.test", transport=api._transport)
    app.token = token
    return app


async def _never_lost(_: ApiError) -> bool:
    return False


async def _read_while_one_leaves(first: Callable[[], Awaitable[ListPage[Any]]],
                                 fetch: Callable[[Any, int | None], Awaitable[ListPage[Any]]],
                                 key: Callable[[Any], Hashable], leave: Callable[[list[str]], None]) -> list[str]:
    """The app's list: its first page, then `leave` (given the ids shown) as someone else meanwhile, then "more"
    until the list says it ends. The ids shown, in order."""
    pages: PagedList[Any] = PagedList(lambda at, n: fetch(at, n or PAGE), key, changed=lambda: None,
                                      lost_sign_in=_never_lost)
    pages.show(await first())
    leave([str(key(r)) for r in pages.rows])
    for _ in range(ROWS * 10):
        if not pages.has_more:
            break
        await pages.load_more()
        assert pages.more_error(Locale.EN) is None
    return [str(key(r)) for r in pages.rows]


async def test_a_student_paging_their_jobs_while_one_is_handed_to_another_misses_none(
    app_and_clock: AppClock, area: Area, database_url: str,
) -> None:
    api, _ = app_and_clock
    _, citizen = await sign_in(api, fresh_phone())
    ace_id, ace_phone = area.students["ace"]
    ids = _rows(database_url, ROWS, citizen=citizen["id"], status="done", college=area.near, student=ace_id)[::-1]
    # newest change first
    ace = _client(api, (await sign_in(api, ace_phone))[0])

    def handed_on(shown: list[str]) -> None:
        assert shown == ids[:PAGE]
        _sql(database_url, "update public.repair_requests set technician_id = %s where id = %s",
             area.students["bee"][0], shown[0])

    shown = await _read_while_one_leaves(lambda: ace.technician_jobs(limit=PAGE), ace.technician_jobs,
                                         lambda j: j.id, handed_on)
    assert shown == ids, "a job that moved up a page was never shown"


async def test_a_helper_paging_their_team_jobs_while_one_is_approved_misses_none(
    app_and_clock: AppClock, area: Area, database_url: str,
) -> None:
    api, _ = app_and_clock
    _, citizen = await sign_in(api, fresh_phone())
    ids = _rows(database_url, ROWS, citizen=citizen["id"], status="repairing", college=area.near,
                student=area.students["bee"][0])[::-1]
    cat_id, cat_phone = area.students["cat"]
    _sql(database_url, """insert into public.job_team (request_id, technician_id, role, task, college_id, added_at)
                          select r.id, %s, 'helper', 'ช่วยถอดฝา', r.college_id, r.created_at
                          from public.repair_requests r where r.id = any(%s::uuid[])""", cat_id, ids)
    cat = _client(api, (await sign_in(api, cat_phone))[0])

    def approved(shown: list[str]) -> None:  # waiting for approval first: the approved one goes to the end
        assert shown == ids[:PAGE]
        _sql(database_url, """update public.job_team set approved_at = now(), approved_hours = 1
                              where request_id = %s and technician_id = %s""", shown[0], cat_id)

    shown = await _read_while_one_leaves(lambda: cat.my_team_jobs(limit=PAGE), cat.my_team_jobs,
                                         lambda j: j.request_id, approved)
    assert shown == ids, "a job that moved up a page was never shown"


@pytest.mark.parametrize("path", ["/admin/waiting", "/admin/undecided"])
async def test_the_admin_paging_a_list_while_a_row_leaves_it_misses_none(
    app_and_clock: AppClock, area: Area, database_url: str, path: str,
) -> None:
    """The waiting requests: another admin sends one of the first page on meanwhile. The undecided jobs: the near
    college's one teacher is suspended, so its jobs in the check wait on nobody and the admins list them; an admin
    decides one of the first page meanwhile. Each page counts the whole list as it is then."""
    api, _ = app_and_clock
    _, citizen = await sign_in(api, fresh_phone())
    admin = _client(api, (await sign_in(api, ADMIN_PHONE))[0])
    read: Callable[..., Awaitable[ListPage[Any]]]
    if path == "/admin/waiting":
        ids = _rows(database_url, ROWS, citizen=citizen["id"], status="no_centre", college=None, student=None)
        read, left_as = admin.admin_waiting, "cancelled"
    else:
        ids = _rows(database_url, ROWS, citizen=citizen["id"], status="quality_check", college=area.near,
                    student=area.students["ace"][0])
        _sql(database_url, "update public.profiles set is_active = false where id = %s", area.students["teacher"][0])
        read, left_as = admin.admin_undecided, "done"
    totals: list[int] = []

    def leaves(shown: list[str]) -> None:
        assert shown == ids[:PAGE]
        _sql(database_url, "update public.repair_requests set status = %s where id = %s", left_as, shown[0])

    async def page(at: Any, n: int | None) -> ListPage[Any]:
        got = await (read(limit=n) if at is None else read(at, n))
        totals.append(got.total)
        return got

    try:
        shown = await _read_while_one_leaves(lambda: page(None, PAGE), page, lambda r: r.id, leaves)
        assert shown[:ROWS] == ids, "a row that moved up a page was never shown"
        assert len(totals) > 1 and totals[1:] == [totals[0] - 1] * (len(totals) - 1)  # the whole list, each page
        if path == "/admin/waiting":
            with psycopg.connect(database_url) as conn:
                waiting = conn.execute("select count(*) from public.repair_requests where status = 'no_centre'"
                                       ).fetchone()
            assert waiting is not None and totals[-1] == waiting[0]
    finally:  # the other tests' admin finds only their own waiting requests
        _sql(database_url, "update public.repair_requests set status = 'cancelled' where id = any(%s::uuid[])",
             ids)


async def test_the_teacher_paging_a_filtered_job_list_while_one_is_finished_misses_none(
    app_and_clock: AppClock, area: Area, database_url: str,
) -> None:
    """The teacher's list filtered to the jobs in the check, newest first; one of the first page is approved (it
    leaves the filter) before the teacher asks for the next page."""
    api, _ = app_and_clock
    _, citizen = await sign_in(api, fresh_phone())
    ids = _rows(database_url, ROWS, citizen=citizen["id"], status="quality_check", college=area.near,
                student=area.students["ace"][0])[::-1]
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    params: dict[str, Any] = {"status": "quality_check", "limit": PAGE}
    first = await api.get("/supervisor/jobs", params=params, headers=bearer(teacher))
    assert first.status_code == 200, first.text
    shown = [j["id"] for j in first.json()["jobs"]]
    assert shown == ids[:PAGE] and first.json()["total"] == ROWS
    _sql(database_url, "update public.repair_requests set status = 'done' where id = %s", shown[0])
    after = first.json()["next_after"]
    while after is not None:
        page = await api.get("/supervisor/jobs", params={**params, "after": after}, headers=bearer(teacher))
        assert page.status_code == 200, page.text
        shown += [j["id"] for j in page.json()["jobs"]]
        assert page.json()["total"] == ROWS - 1
        after = page.json()["next_after"]
    assert shown == ids, "a job that moved up a page was never shown"


@pytest.mark.parametrize("path", ["/requests/mine", "/technician/jobs", "/me/team-jobs", "/admin/waiting",
                                  "/admin/undecided", "/supervisor/jobs"])
@pytest.mark.parametrize("params", [{"after": "not-a-cursor"}, {"after": "MHwyMDAxfG5vdC1hbi1pZA"},
                                    {"after": "x" * (LIST_CURSOR_MAX + 1)}, {"after": "", "offset": 2}])
async def test_a_cursor_the_backend_did_not_write_is_refused_with_a_code_and_both_languages(
    app_and_clock: AppClock, area: Area, path: str, params: dict[str, Any],
) -> None:
    api, _ = app_and_clock
    phone = {"/admin/waiting": ADMIN_PHONE, "/admin/undecided": ADMIN_PHONE,
             "/supervisor/jobs": area.students["teacher"][1]}.get(path, area.students["ace"][1])
    token, _ = await sign_in(api, phone)
    answer = await api.get(path, params=params, headers=bearer(token))
    assert answer.status_code in (400, 422), answer.text
    error = answer.json()["error"]
    assert error["code"] and error["message_th"] and error["message_en"]


async def test_a_cursor_beside_an_offset_is_refused(app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    token, profile = await sign_in(api, fresh_phone())
    _rows(database_url, 3, citizen=profile["id"], status="done", college=area.near, student=None)
    first = await api.get("/requests/mine", params={"limit": 1}, headers=bearer(token))
    answer = await api.get("/requests/mine", params={"limit": 1, "offset": 1,
                                                     "after": first.headers[NEXT_CURSOR_HEADER]},
                           headers=bearer(token))
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "list_after_with_offset", answer.text


async def test_an_older_app_paging_with_offset_is_still_answered(
    app_and_clock: AppClock, area: Area, database_url: str,
) -> None:
    """The phones that page with `offset` (session 17's app) keep working on every list until they update."""
    api, _ = app_and_clock
    token, profile = await sign_in(api, fresh_phone())
    ids = _rows(database_url, ROWS, citizen=profile["id"], status="done", college=area.near, student=None)[::-1]
    listed: list[str] = []
    while len(listed) < ROWS:
        page = await api.get("/requests/mine", params={"limit": PAGE, "offset": len(listed)}, headers=bearer(token))
        assert page.status_code == 200 and page.headers[TOTAL_COUNT_HEADER] == str(ROWS), page.text
        assert page.json(), "an older app's page came back empty before the list's end"
        listed += [r["id"] for r in page.json()]
    assert listed == ids
    past = await api.get("/requests/mine", params={"offset": ROWS}, headers=bearer(token))
    assert past.json() == [] and past.headers[TOTAL_COUNT_HEADER] == str(ROWS)
    assert NEXT_CURSOR_HEADER not in past.headers


@pytest.mark.parametrize("path", ["/admin/waiting", "/admin/undecided"])
async def test_the_admin_lists_count_the_whole_list_on_every_page_and_past_the_end(
    app_and_clock: AppClock, area: Area, database_url: str, path: str,
) -> None:
    """Both admin lists count one way: the whole list's count with the page, also on a page past the end (an older
    app's offset) and on the last page after a cursor."""
    api, _ = app_and_clock
    _, citizen = await sign_in(api, fresh_phone())
    status = "no_centre" if path == "/admin/waiting" else "quality_check"
    ids = _rows(database_url, ROWS, citizen=citizen["id"], status=status, college=area.near, student=None)
    if path == "/admin/undecided":
        _sql(database_url, "update public.profiles set is_active = false where id = %s",
             area.students["teacher"][0])
    admin, _ = await sign_in(api, ADMIN_PHONE)
    try:
        first = await api.get(path, params={"limit": 1}, headers=bearer(admin))
        total = int(first.headers[TOTAL_COUNT_HEADER])
        assert total >= ROWS and first.json()[0]["id"] == ids[0]
        after: str | None = first.headers[NEXT_CURSOR_HEADER]
        reached = len(first.json())
        while after is not None:
            page = await api.get(path, params={"limit": LIST_PAGE_MAX, "after": after}, headers=bearer(admin))
            assert page.status_code == 200 and int(page.headers[TOTAL_COUNT_HEADER]) == total, page.text
            reached += len(page.json())
            after = page.headers.get(NEXT_CURSOR_HEADER)
        assert reached == total
        past = await api.get(path, params={"offset": total + 5}, headers=bearer(admin))
        assert past.status_code == 200 and past.json() == [], past.text
        assert int(past.headers[TOTAL_COUNT_HEADER]) == total
    finally:
        _sql(database_url, "update public.repair_requests set status = 'cancelled' where id = any(%s::uuid[])",
             ids)


DEEP = 600  # a citizen's long history: the deepest page must not read the rows before it
# A page's rows, the one more that says a page follows, the cursor's own row (read, left out by the filter) and the
# next one a sort by (time, id) looks at: an offset's page in the middle read DEEP // 2 more.
AROUND_A_PAGE = PAGE + 4


async def test_a_deep_page_after_a_cursor_reads_about_as_many_rows_as_it_returns(
    app_and_clock: AppClock, area: Area, database_url: str,
) -> None:
    """EXPLAIN (rows, not time) of the requester's list and the admin's waiting list: the page after a cursor near
    the end of a long list reads its own rows and the one that says another page follows, not the rows before it
    (as an offset does)."""
    api, _ = app_and_clock
    _, citizen = await sign_in(api, fresh_phone())
    ids = _rows(database_url, DEEP, citizen=citizen["id"], status="no_centre", college=None, student=None)
    try:
        with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
            conn.execute("analyze public.repair_requests")
            deep = conn.execute("select created_at, id from public.repair_requests where id = %s",
                                [ids[DEEP // 2]]).fetchone()  # oldest first: the middle; newest first: too
            assert deep is not None
            params = {"user": citizen["id"], "limit": PAGE, "offset": 0, "after_at": deep["created_at"],
                      "after_id": deep["id"], "after_group": 0, "peek": PAGE + 1}
            mine = _plan_rows(conn, request_reads._MINE, params)
            page = [r["id"] for r in conn.execute(request_reads._MINE, params).fetchall()]
            assert [str(i) for i in page] == ids[::-1][DEEP - DEEP // 2:][:PAGE + 1]  # the rows after the cursor
            waiting = _plan_rows(
                conn, """select r.id from public.repair_requests r where r.status = 'no_centre' and """
                + _waiting_after() + " order by r.created_at, r.id limit %(peek)s", params)
        assert mine <= AROUND_A_PAGE, f"the requester's page after a cursor read {mine} rows of {DEEP}"
        assert waiting <= AROUND_A_PAGE, f"the waiting list's page after a cursor read {waiting} rows of {DEEP}"
    finally:
        _sql(database_url, "update public.repair_requests set status = 'cancelled' where id = any(%s::uuid[])",
             ids)


def _waiting_after() -> str:
    from backend.paging import after_sql
    return after_sql("r.created_at", "r.id", newest_first=False)


def _plan_rows(conn: psycopg.Connection[dict[str, Any]], statement: str, params: dict[str, Any]) -> int:
    """The rows the plan's scans of repair_requests read (EXPLAIN ANALYZE's actual rows and those its filters
    removed), summed over every scan of the table in the plan."""
    row = conn.execute("explain (analyze, buffers, format json) " + statement, params).fetchone()
    assert row is not None
    read = 0

    def walk(node: dict[str, Any]) -> None:
        nonlocal read
        if node.get("Relation Name") == "repair_requests":
            read += int(node["Actual Rows"]) * int(node.get("Actual Loops", 1))
            read += int(node.get("Rows Removed by Filter", 0)) + int(node.get("Rows Removed by Index Recheck", 0))
        for child in node.get("Plans", []):
            walk(child)

    walk(next(iter(row.values()))[0]["Plan"])
    return read


PAGED = ["/requests/mine", "/technician/jobs", "/me/team-jobs", "/admin/waiting", "/admin/undecided"]


def test_the_openapi_document_says_how_each_list_pages(settings: Settings) -> None:
    """`after` and X-Next-Cursor documented on every paged list (the teacher's page: its body's next_after), an
    older app's `offset` marked deprecated, and the 400 a bad cursor gets."""
    document = create_app(settings).openapi()
    for path in [*PAGED, "/supervisor/jobs"]:
        get = document["paths"][path]["get"]
        params = {p["name"]: p for p in get["parameters"]}
        assert "after" in params and params["offset"].get("deprecated") is True, path
        assert "400" in get["responses"], path
        if path in PAGED:
            headers = get["responses"]["200"]["headers"]
            assert {TOTAL_COUNT_HEADER, NEXT_CURSOR_HEADER} <= set(headers), path
    assert "next_after" in document["components"]["schemas"]["CollegeJobPage"]["properties"]


YEARS_OF_JOBS = 3_000  # a busy student's whole history: an offset to its middle reads many pages of rows


async def test_a_students_deep_page_after_a_cursor_reads_no_more_than_their_first(
    app_and_clock: AppClock, area: Area, database_url: str,
) -> None:
    """my_jobs_after (migration 0077) walks each branch's index from the cursor: the buffers a page deep in a
    student's years of jobs touches (EXPLAIN's, not a time) are about its first page's, where the same page by
    offset (my_jobs, 0069) reads every job before it."""
    api, _ = app_and_clock
    _, citizen = await sign_in(api, fresh_phone())
    ace_id = area.students["ace"][0]
    ids = _rows(database_url, YEARS_OF_JOBS, citizen=citizen["id"], status="done", college=area.near, student=ace_id)
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        conn.execute("analyze public.repair_requests")
        deep = conn.execute("select updated_at, id from public.repair_requests where id = %s",
                            [ids[YEARS_OF_JOBS // 10]]).fetchone()
    assert deep is not None
    with as_user(database_url, ace_id) as conn:
        first = _buffers(conn, "select * from public.my_jobs_after(%s)", PAGE + 1)
        after = _buffers(conn, "select * from public.my_jobs_after(%s, %s, %s)", PAGE + 1, deep["updated_at"],
                         deep["id"])
        offset = _buffers(conn, "select * from public.my_jobs(%s, %s)", PAGE + 1, YEARS_OF_JOBS - YEARS_OF_JOBS // 10)
        page = conn.execute("select id::text from public.my_jobs_after(%s, %s, %s)",
                            [PAGE + 1, deep["updated_at"], deep["id"]]).fetchall()
    assert [r["id"] for r in page] == ids[::-1][YEARS_OF_JOBS - YEARS_OF_JOBS // 10:][:PAGE + 1]
    # About the first page's (its index pages and the heap pages its rows lie on: a page deep in a table other tests
    # also fill may lie on a few more), never the offset's reading of every row before it.
    assert after <= 2 * first, (first, after, offset)
    assert offset > 2 * after, (first, after, offset)  # what the cursor saves: the offset's rows before the page


def _buffers(conn: psycopg.Connection[dict[str, Any]], statement: str, *params: Any) -> int:
    """The shared buffers a statement touched (hit or read), its functions' statements included: its second run
    (the first also reads the catalog)."""
    conn.execute(statement, list(params))
    row = conn.execute("explain (analyze, buffers, format json) " + statement, list(params)).fetchone()
    assert row is not None
    plan = next(iter(row.values()))[0]["Plan"]
    return int(plan.get("Shared Hit Blocks", 0)) + int(plan.get("Shared Read Blocks", 0))
