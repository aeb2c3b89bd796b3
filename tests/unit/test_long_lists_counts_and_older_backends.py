"""The long lists' "more", the leftovers of paging18 (paging19): "ยังมีอีก N รายการ" says N only where it was counted
with the rows shown, never the whole list's count less rows shown that left it since (an undercount until a reload);
and a new app against an older backend, which pages by `offset` only (no X-Next-Cursor, no `next_after`), still
reaches the rows past the first page."""

from typing import Any

import httpx

from mobile.api_client import ApiClient
from mobile.viewmodels.home import AdminHome, CitizenHome
from mobile.views.frame import app_view
from shared.credit_wire import TOTAL_COUNT_HEADER
from shared.paging import LIST_PAGE, NEXT_CURSOR_HEADER
from shared.text import Locale, t
from tests.unit.mobile_fakes import FakeBackend, button_named, request_summary, texts, waiting_request
from tests.unit.mobile_screens import signed_in
from tests.unit.test_mobile_roles import RolesBackend, college_job

SHOW_MORE = t("list_show_more", Locale.TH)
UNCOUNTED = t("list_more_uncounted", Locale.TH)


def _more_lines(app: Any) -> list[str]:
    return [s for s in texts(app_view(app)) if s.startswith("ยังมี")]


async def test_more_says_no_number_once_rows_shown_may_have_left_the_list_and_a_reload_counts_again() -> None:
    """The admin's waiting list: 110 wait, a page of 50 shows with "ยังมีอีก 60 รายการ". Five of the rows shown are
    sent on by another admin; "more" brings the next 50 after the last row shown, and 10 still wait after them, but
    the backend counts 105 in all and the app shows 100: "ยังมีอีก 5 รายการ" would have said half of them."""
    backend = FakeBackend()
    backend.waiting = [waiting_request(f"ปั๊มน้ำ {n}", None, None, days_ago=200 - n) for n in range(2 * LIST_PAGE + 10)]
    app = await signed_in("admin", backend)
    home = app.home
    assert isinstance(home, AdminHome) and len(home.waiting) == LIST_PAGE
    assert _more_lines(app) == [t("list_more", Locale.TH, count=LIST_PAGE + 10)]  # counted with the first page

    sent_on = {w.id for w in home.waiting[:5]}
    backend.waiting = [w for w in backend.waiting if w["id"] not in {str(i) for i in sent_on}]
    await button_named(app_view(app), SHOW_MORE).on_click()  # type: ignore[attr-defined]

    assert len(home.waiting) == 2 * LIST_PAGE and home.waiting_pages.has_more
    assert home.waiting_pages.more_count is None
    assert _more_lines(app) == [UNCOUNTED], "the count less the rows shown undercounts by the rows that left"
    assert t("list_more_uncounted", Locale.EN) == "More to show"

    await home.load()  # a reload reads as many rows as were shown, from the list's start, and counts them again
    assert len(home.waiting) == 2 * LIST_PAGE and not sent_on & {w.id for w in home.waiting}
    assert _more_lines(app) == [t("list_more", Locale.TH, count=5)]
    await button_named(app_view(app), SHOW_MORE).on_click()  # type: ignore[attr-defined]
    assert [w.item for w in home.waiting][-1] == f"ปั๊มน้ำ {2 * LIST_PAGE + 9}" and _more_lines(app) == []


def _offset_only(rows: list[dict[str, Any]]) -> Any:
    """An older backend's list (before paging18): `limit` rows (LIST_PAGE when not asked) from `offset`, how many
    in X-Total-Count, no X-Next-Cursor; an `after` it does not know is not read."""
    def answer(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params.get("offset", "0"))
        limit = int(request.url.params.get("limit", str(LIST_PAGE)))
        return httpx.Response(200, json=rows[offset:offset + limit], headers={TOTAL_COUNT_HEADER: str(len(rows))})
    return answer


async def test_a_new_app_pages_an_older_backends_list_by_offset() -> None:
    backend = FakeBackend()
    rows = [request_summary(f"พัดลม {n}", "done", days_ago=n) for n in range(LIST_PAGE + 3)]
    backend.overrides[("GET", "/requests/mine")] = _offset_only(rows)
    app = await signed_in("citizen", backend)
    home = app.home
    assert isinstance(home, CitizenHome) and len(home.requests) == LIST_PAGE
    assert _more_lines(app) == [t("list_more", Locale.TH, count=3)]

    await button_named(app_view(app), SHOW_MORE).on_click()  # type: ignore[attr-defined]

    assert [r.item for r in home.requests] == [f"พัดลม {n}" for n in range(LIST_PAGE + 3)], "only the first page"
    asked = [dict(r.url.params) for r in backend.calls("GET", "/requests/mine")]
    assert asked[-1] == {"offset": str(LIST_PAGE)}
    assert SHOW_MORE not in texts(app_view(app))
    await home.load()  # a reload: as many as shown, from the start
    assert len(home.requests) == LIST_PAGE + 3 and dict(backend.calls("GET", "/requests/mine")[-1].url.params) == {
        "limit": str(LIST_PAGE + 3)}


async def test_the_teachers_job_list_pages_an_older_backend_by_offset() -> None:
    """The older backend's GET /supervisor/jobs: a page from `offset`, its body without `next_after`."""
    backend = RolesBackend()
    jobs = [college_job(f"งาน {n}", "done", ["handed_back"], f"FX-69{n:04d}") for n in range(25)]

    def answer(request: httpx.Request) -> httpx.Response:
        offset, limit = int(request.url.params.get("offset", "0")), int(request.url.params["limit"])
        return httpx.Response(200, json={"total": len(jobs), "limit": limit, "offset": offset,
                                         "counts": {"done": len(jobs)}, "jobs": jobs[offset:offset + limit]})

    backend.overrides[("GET", "/supervisor/jobs")] = answer
    app = await signed_in("supervisor", backend)
    home = app.home
    await home.open_college_jobs()  # type: ignore[union-attr]
    screen = app.college_jobs
    assert screen is not None and len(screen.jobs) < len(jobs) and screen.has_more
    await screen.load_more()
    assert [j.reference for j in screen.jobs] == [j["reference"] for j in jobs] and not screen.has_more
    assert backend.calls("GET", "/supervisor/jobs")[-1].url.params["offset"] == str(len(jobs) - 5)


async def test_a_backend_that_pages_by_cursor_is_never_paged_by_offset() -> None:
    """Its last page has no cursor, full or not, whatever its count says (rows added on top since the first page)."""
    rows = [request_summary(f"พัดลม {n}", "done", days_ago=n) for n in range(2 * LIST_PAGE)]
    cursor = "Y3Vyc29y"
    added_on_top = 1

    def answer(request: httpx.Request) -> httpx.Response:
        assert "offset" not in request.url.params
        after = request.url.params.get("after")
        page = rows[LIST_PAGE:] if after == cursor else rows[:LIST_PAGE]
        headers = {TOTAL_COUNT_HEADER: str(len(rows) + (added_on_top if after else 0))}
        return httpx.Response(200, json=page, headers=headers | ({} if after else {NEXT_CURSOR_HEADER: cursor}))

    api = ApiClient("http://fixit.test", transport=httpx.MockTransport(answer))
    api.token = "t"
    first = await api.my_requests()
    assert first.after == cursor
    last = await api.my_requests(first.after)
    assert (len(last.rows), last.total, last.after) == (LIST_PAGE, 2 * LIST_PAGE + 1, None)

    whole = [request_summary("พัดลม", "done") for _ in range(LIST_PAGE)]  # a full first page that is the list
    api = ApiClient("http://fixit.test", transport=httpx.MockTransport(
        lambda _: httpx.Response(200, json=whole, headers={TOTAL_COUNT_HEADER: str(LIST_PAGE)})))
    api.token = "t"
    assert (await api.my_requests()).after is None
