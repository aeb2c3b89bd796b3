"""The long lists' "more", app side (fix17b1, audit 17b findings 1-4; mobile/viewmodels/paging.py): a citizen's
requests, a student's jobs, the admin's waiting requests and a helper's team jobs show their first page, say how
many more there are, and "ดูเพิ่มเติม" appends the next page (asked from where the rows end), leaving the rows shown
as they were: the same row objects and the same keyed controls. A reload keeps as many rows as were shown."""

from typing import Any
from uuid import uuid4

import flet as ft
import httpx

from mobile.viewmodels.app import PORTFOLIO_ROUTE, AppViewModel
from mobile.viewmodels.home import AdminHome, CitizenHome, TechnicianHome
from mobile.views.frame import app_view
from shared.paging import LIST_PAGE
from shared.text import Locale, bilingual, error_text, t
from tests.unit.mobile_fakes import (
    FakeBackend,
    button_named,
    error_response,
    find,
    request_summary,
    texts,
    waiting_request,
)
from tests.unit.mobile_screens import signed_in
from tests.unit.test_mobile_credit import CreditBackend

YEARS = LIST_PAGE + 3  # three rows past the first page
SHOW_MORE = t("list_show_more", Locale.TH)
THREE_MORE = t("list_more", Locale.TH, count=3)


def _keys(tree: ft.Control, prefix: str) -> list[str]:
    return [c.key for c in find(tree, ft.Control, lambda c: isinstance(c.key, str) and c.key.startswith(prefix))]


def _afters(backend: FakeBackend, path: str) -> list[tuple[str | None, str | None]]:
    """Where each call's page starts (`after`: the fake's cursor, a row's id) and how many it asked for."""
    return [(r.url.params.get("after"), r.url.params.get("limit")) for r in backend.calls("GET", path)]


async def _more(app: AppViewModel) -> None:
    await button_named(app_view(app), SHOW_MORE).on_click()  # type: ignore[attr-defined]


async def test_a_citizen_with_years_of_requests_reaches_the_oldest_with_more() -> None:
    backend = FakeBackend()
    backend.my_requests = [request_summary(f"พัดลม {n}", "done", days_ago=n) for n in range(YEARS)]
    app = await signed_in("citizen", backend)
    home = app.home
    assert isinstance(home, CitizenHome)
    assert [r.item for r in home.requests] == [f"พัดลม {n}" for n in range(LIST_PAGE)]  # newest first
    tree = app_view(app)
    assert THREE_MORE in texts(tree) and SHOW_MORE in texts(tree)
    first_rows, first_keys = list(home.requests), _keys(tree, "request-")

    await _more(app)

    assert [r.item for r in home.requests] == [f"พัดลม {n}" for n in range(YEARS)]  # the oldest is reached
    assert all(a is b for a, b in zip(first_rows, home.requests, strict=False))  # appended, not read again
    tree = app_view(app)
    assert _keys(tree, "request-")[:LIST_PAGE] == first_keys  # the rows shown keep their controls' keys
    assert SHOW_MORE not in texts(tree) and THREE_MORE not in texts(tree)
    assert _afters(backend, "/requests/mine") == [(None, None), (str(first_rows[-1].id), None)]

    await home.load()  # a reload (a live event, back from a request) keeps the place in the list
    assert len(home.requests) == YEARS
    assert _afters(backend, "/requests/mine")[-1] == (None, str(YEARS))


async def test_a_students_job_list_and_their_own_requests_have_more() -> None:
    backend = FakeBackend()
    backend.jobs = [request_summary(f"ทีวี {n}", "done", days_ago=n) for n in range(YEARS)]
    backend.staff_own_requests["technician"] = [request_summary(f"ตู้เย็น {n}", "done", days_ago=n)
                                                for n in range(YEARS)]
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome)
    assert len(home.jobs) == LIST_PAGE and home.job_pages.more_count == 3
    tree = app_view(app)
    assert texts(tree).count(SHOW_MORE) == 2  # under their own requests, and under their jobs
    # The title counts all of their own requests, not the page.
    assert bilingual("my_repairs_entry_count", count=YEARS).in_(Locale.TH) in texts(tree)

    await home.load_more_jobs()

    assert [j.item for j in home.jobs][-1] == f"ทีวี {YEARS - 1}"
    assert texts(app_view(app)).count(SHOW_MORE) == 1  # their own requests still have more
    await home.load_more_own_requests()
    assert [r.item for r in home.own_requests][-1] == f"ตู้เย็น {YEARS - 1}"
    assert SHOW_MORE not in texts(app_view(app))


async def test_the_admins_waiting_list_comes_oldest_first_a_page_at_a_time() -> None:
    backend = FakeBackend()
    backend.waiting = [waiting_request(f"ปั๊มน้ำ {n}", None, None, days_ago=n) for n in range(YEARS)]
    app = await signed_in("admin", backend)
    home = app.home
    assert isinstance(home, AdminHome)
    assert [w.item for w in home.waiting] == [f"ปั๊มน้ำ {n}" for n in range(YEARS - 1, 2, -1)]  # longest waiting
    assert len(_keys(app_view(app), "waiting-")) >= LIST_PAGE

    await _more(app)

    assert [w.item for w in home.waiting][-3:] == ["ปั๊มน้ำ 2", "ปั๊มน้ำ 1", "ปั๊มน้ำ 0"]
    assert SHOW_MORE not in texts(app_view(app))


async def test_a_failed_page_says_why_and_keeps_the_rows_and_the_button() -> None:
    backend = FakeBackend()
    backend.my_requests = [request_summary(f"พัดลม {n}", "done", days_ago=n) for n in range(YEARS)]
    app = await signed_in("citizen", backend)
    home = app.home
    assert isinstance(home, CitizenHome)
    backend.overrides[("GET", "/requests/mine")] = lambda _: error_response(422, "validation_error")

    await _more(app)

    assert len(home.requests) == LIST_PAGE
    words = texts(app_view(app))
    assert error_text("validation_error").th in words
    assert SHOW_MORE in words  # tap again
    del backend.overrides[("GET", "/requests/mine")]
    await _more(app)
    assert len(home.requests) == YEARS


def _team_job(n: int) -> dict[str, Any]:
    return {"ref_no": 690000 + n, "item": f"หม้อหุงข้าว {n}", "category_code": "appliance",
            "category_th": "เครื่องใช้ไฟฟ้า", "category_en": "Appliances", "lead_name": "มานพ", "task": "ถอดฝา",
            "approved_hours": None, "approved_at": None, "round": 1, "request_id": str(uuid4()), "hours": None,
            "handed_on": False, "status": "repairing"}


async def test_a_helper_reaches_every_job_waiting_for_their_hours() -> None:
    backend = CreditBackend("repairing")
    backend.team_jobs = [_team_job(n) for n in range(YEARS)]
    app = await signed_in("technician", backend)
    await app.open_route(PORTFOLIO_ROUTE)
    folio = app.portfolio
    assert folio is not None and len(folio.team_jobs) == LIST_PAGE
    assert THREE_MORE in texts(app_view(app))

    await _more(app)

    assert [j.item for j in folio.team_jobs][-1] == f"หม้อหุงข้าว {YEARS - 1}"
    tree = app_view(app)
    assert texts(tree).count(t("my_hours_save", Locale.TH)) == YEARS  # each one's hours can be reported
    assert SHOW_MORE not in texts(tree)


def test_an_older_backend_without_the_count_is_its_whole_list() -> None:
    """An older backend sends its list with no X-Total-Count: the page is all there is (no "more")."""
    import asyncio

    from mobile.api_client import ApiClient

    async def run() -> None:
        rows = [request_summary("พัดลม", "done")]
        api = ApiClient("http://fixit.test", transport=httpx.MockTransport(lambda _: httpx.Response(200, json=rows)))
        api.token = "t"
        page = await api.my_requests()
        assert (len(page.rows), page.total) == (1, 1)

    asyncio.run(run())


async def test_more_that_fails_without_an_answer_comes_back_and_says_so() -> None:
    """"ดูเพิ่มเติม" whose call fails in a way the client does not turn into a refusal (a connection reset raised as
    it is, an answer it could not read): the button comes back and the list says why, as every other action's busy
    flag does (mobile/viewmodels/busy.py); it stayed disabled until the app restarted."""
    from mobile.api_client import ListPage
    from mobile.viewmodels.paging import PagedList

    calls: list[str | None] = []

    async def fetch(after: str | None, limit: int | None) -> ListPage[int]:
        calls.append(after)
        if after:
            raise ConnectionResetError(104, "Connection reset by peer")
        return ListPage(list(range(LIST_PAGE)), YEARS, after=str(LIST_PAGE - 1))

    async def lost(_: Any) -> bool:
        return False

    drawn: list[bool] = []
    pages: PagedList[int] = PagedList(fetch, lambda r: r, changed=lambda: drawn.append(pages.loading_more),
                                      lost_sign_in=lost)
    pages.show(await pages.fetch())
    await pages.load_more()
    assert calls == [None, str(LIST_PAGE - 1)]
    assert not pages.loading_more and drawn[-1] is False, "the button stayed disabled"
    assert pages.more_error(Locale.TH) == error_text("internal_error").th
    assert pages.has_more and len(pages.rows) == LIST_PAGE


async def test_rows_that_left_the_list_while_it_was_read_do_not_hide_the_rest() -> None:
    """Five rows of the first page leave the list (decided by someone else) before "more": the second page's count
    (the whole list now) is under the rows shown, yet the backend's cursor says a page follows, and "more" stays
    until the last row; counting alone (rows shown < total) ended the list with two rows never shown."""
    from mobile.api_client import ListPage
    from mobile.viewmodels.paging import PagedList

    rows = list(range(2 * LIST_PAGE + 2))
    gone = set(range(5))

    async def fetch(after: str | None, limit: int | None) -> ListPage[int]:
        start = 0 if after is None else rows.index(int(after)) + 1
        listed = [r for r in rows[start:] if after is None or r not in gone][:limit or LIST_PAGE]
        more = listed[-1] != rows[-1]
        total = len(rows) - (len(gone) if after is not None else 0)
        return ListPage(listed, total, str(listed[-1]) if more else None)

    async def lost(_: Any) -> bool:
        return False

    pages: PagedList[int] = PagedList(fetch, lambda r: r, changed=lambda: None, lost_sign_in=lost)
    pages.show(await pages.fetch())
    await pages.load_more()
    assert len(pages.rows) == 2 * LIST_PAGE  # the list counts 97 now: five of those shown left it
    # "more" without a number: the count (the whole list now) cannot tell the shown rows that left it
    assert pages.has_more and pages.more_count is None
    await pages.load_more()
    assert pages.rows == rows and not pages.has_more and pages.more_count == 0
