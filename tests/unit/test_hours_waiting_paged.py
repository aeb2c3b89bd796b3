"""The teacher's rounds waiting for hours approval page as every long list does (PagedList, paging19): a "more" asked
of the list and answered after the list was read again (the teacher approved a round meanwhile, a live event) is
dropped, not appended under the new list with rounds approved since and a count that is no longer the list's."""

import asyncio

import httpx

from mobile.viewmodels.app import COLLEGE_CREDIT_ROUTE
from mobile.viewmodels.credit import CollegeCreditViewModel
from mobile.views.credit import college_credit_view
from shared.credit import HOURS_WAITING_PAGE
from shared.text import Locale, t
from tests.unit.mobile_fakes import texts
from tests.unit.mobile_screens import click, signed_in
from tests.unit.test_mobile_credit import CreditBackend, _waiting_round

FIRST = 690000


def _rounds(count: int) -> list[dict[str, object]]:
    return [{**_waiting_round(1, moved_on=False), "ref_no": FIRST + n} for n in range(count)]


class _FlakyCredit(CreditBackend):
    """GET /supervisor/hours-waiting fails without an answer while `down` (the phone lost its network)."""

    down = False

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down and request.url.path == "/supervisor/hours-waiting":
            raise httpx.ConnectError("connection refused", request=request)
        return super().handle(request)


async def _college_view(backend: CreditBackend) -> CollegeCreditViewModel:
    app = await signed_in("supervisor", backend)
    await app.open_route(COLLEGE_CREDIT_ROUTE)
    screen = app.college_credit
    assert screen is not None and len(screen.hours_waiting) == HOURS_WAITING_PAGE
    return screen


async def test_a_more_answered_after_an_approval_reloaded_the_list_is_dropped() -> None:
    backend = CreditBackend("done")
    backend.hours_waiting = _rounds(HOURS_WAITING_PAGE + 3)
    screen = await _college_view(backend)
    assert screen.hours_waiting_more == 3

    backend.hold_next("/supervisor/hours-waiting")  # a slow link: the next page is answered, and on its way
    more = asyncio.ensure_future(click(college_credit_view(screen, Locale.TH), t("hours_waiting_show_more",
                                                                                  Locale.TH)))
    await backend.held.wait()
    late_round = FIRST + HOURS_WAITING_PAGE + 1
    # Meanwhile another teacher approves one of the rounds that page holds, and this teacher the first one listed:
    # the list is read again (two rounds left, one after the first page).
    backend.hours_waiting = [w for w in backend.hours_waiting if w["ref_no"] != late_round]
    first = screen.hours_waiting[0]
    await screen.approve_waiting(first.request_id, first.round)
    reloaded = [FIRST + n for n in range(1, HOURS_WAITING_PAGE + 1)]
    assert [w.ref_no for w in screen.hours_waiting] == reloaded
    assert screen.hours_waiting_more == 1

    backend.release.set()  # the page asked before the approval comes now
    await more
    assert [w.ref_no for w in screen.hours_waiting] == reloaded, "the late page was appended to the new list"
    assert screen.hours_waiting_more == 1 and not screen.hours_pages.loading_more
    tree = college_credit_view(screen, Locale.TH)
    assert t("hours_waiting_more", Locale.TH, count=1) in texts(tree)

    await click(tree, t("hours_waiting_show_more", Locale.TH))  # the new list's own next page
    assert [w.ref_no for w in screen.hours_waiting] == [*reloaded, FIRST + HOURS_WAITING_PAGE + 2]
    assert screen.hours_waiting_more == 0
    assert t("hours_waiting_show_more", Locale.TH) not in texts(college_credit_view(screen, Locale.TH))


async def test_a_reload_keeps_the_rounds_shown_and_a_failed_page_says_why_under_the_list() -> None:
    """After "more", a reload (an approval) reads as many rounds as were shown, so the place in the list stays (it
    went back to the first page); a page that fails says why under the list and keeps the button."""
    backend = _FlakyCredit("done")
    backend.hours_waiting = _rounds(2 * HOURS_WAITING_PAGE + 5)
    screen = await _college_view(backend)
    await click(college_credit_view(screen, Locale.TH), t("hours_waiting_show_more", Locale.TH))
    assert len(screen.hours_waiting) == 2 * HOURS_WAITING_PAGE and screen.hours_waiting_more == 5

    first = screen.hours_waiting[0]
    await screen.approve_waiting(first.request_id, first.round)
    assert [w.ref_no for w in screen.hours_waiting] == [FIRST + n for n in range(1, 2 * HOURS_WAITING_PAGE + 1)]
    assert screen.hours_waiting_more == 4

    backend.down = True
    await click(college_credit_view(screen, Locale.TH), t("hours_waiting_show_more", Locale.TH))
    words = texts(college_credit_view(screen, Locale.TH))
    error = screen.hours_pages.more_error(Locale.TH)
    assert error is not None and error in words
    assert t("hours_waiting_show_more", Locale.TH) in words and len(screen.hours_waiting) == 2 * HOURS_WAITING_PAGE
