"""The long lists' "more", the leftovers of paging18 (paging19): "ยังมีอีก N รายการ" says N only where it was counted
with the rows shown, never the whole list's count less rows shown that left it since (an undercount until a reload)."""

from typing import Any

from mobile.viewmodels.home import AdminHome
from mobile.views.frame import app_view
from shared.paging import LIST_PAGE
from shared.text import Locale, t
from tests.unit.mobile_fakes import FakeBackend, button_named, texts, waiting_request
from tests.unit.mobile_screens import signed_in

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
