"""A "more" asked of one list and answered after another list was shown (a new search, a reload) is dropped, and
the busy flag of the list shown is its own (review18b finding 4: PagedList.load_more, under every long list)."""

import asyncio

from mobile.api_client import ApiError, ListPage
from mobile.viewmodels.home import SupervisorHome
from mobile.viewmodels.paging import PagedList
from shared.text import Locale
from tests.unit.mobile_screens import signed_in
from tests.unit.test_mobile_roles import RolesBackend


async def test_a_more_answered_after_a_new_search_is_not_appended_to_it() -> None:
    """The teacher taps "more" on a slow link, then submits a search before that page comes: the list must show the
    search's jobs only, not the unfiltered list's jobs 21-25 under them ("Showing 6 of 25" for one match)."""
    backend = RolesBackend()
    app = await signed_in("supervisor", backend)
    assert isinstance(app.home, SupervisorHome)
    await app.home.open_college_jobs()
    jobs = app.college_jobs
    assert jobs is not None and jobs.has_more
    backend.hold_next("/supervisor/jobs")
    more = asyncio.ensure_future(jobs.load_more())
    await backend.held.wait()
    await jobs.search("FX-690003")
    assert [j.reference for j in jobs.jobs] == ["FX-690003"]  # the search's answer is shown
    backend.release.set()
    await more
    assert [j.reference for j in jobs.jobs] == ["FX-690003"]
    assert jobs.total == 1 and not jobs.has_more
    assert not jobs.loading_more


class _SlowPages:
    """A list of numbers whose pages come when the test says (`answer`), or fail (`refuse`)."""

    def __init__(self) -> None:
        self.asked: list[tuple[str | None, asyncio.Future[ListPage[int]]]] = []
        self.changes = 0
        self.new_ask = asyncio.Event()

    async def fetch(self, after: str | None, limit: int | None) -> ListPage[int]:
        answer: asyncio.Future[ListPage[int]] = asyncio.get_running_loop().create_future()
        self.asked.append((after, answer))
        self.new_ask.set()
        return await answer

    def changed(self) -> None:
        self.changes += 1


async def _never_signed_out(_: ApiError) -> bool:
    return False


async def _asked(pages: _SlowPages, count: int) -> None:
    while len(pages.asked) < count:
        pages.new_ask.clear()
        await pages.new_ask.wait()


async def test_a_late_more_neither_appends_nor_lowers_the_new_lists_more() -> None:
    pages = _SlowPages()
    paged = PagedList(pages.fetch, lambda n: n, changed=pages.changed, lost_sign_in=_never_signed_out, page=2)
    paged.show(ListPage([1, 2], 6, "2"))
    old_more = asyncio.ensure_future(paged.load_more())
    await _asked(pages, 1)
    assert paged.loading_more
    paged.show(ListPage([10, 11], 4, "11"))  # a reload or a search answered meanwhile
    assert not paged.loading_more  # the list shown may ask for its own next page
    new_more = asyncio.ensure_future(paged.load_more())
    await _asked(pages, 2)
    assert pages.asked[1][0] == "11"
    pages.asked[0][1].set_result(ListPage([3, 4], 6, "4"))  # the old list's page comes late
    await old_more
    assert paged.rows == [10, 11] and paged.total == 4 and paged.loading_more  # dropped; the new "more" still busy
    pages.asked[1][1].set_result(ListPage([12, 13], 4, None))
    await new_more
    assert paged.rows == [10, 11, 12, 13] and not paged.has_more and not paged.loading_more


async def test_a_late_more_that_failed_says_nothing_under_the_new_list() -> None:
    pages = _SlowPages()
    paged = PagedList(pages.fetch, lambda n: n, changed=pages.changed, lost_sign_in=_never_signed_out, page=2)
    paged.show(ListPage([1, 2], 6, "2"))
    old_more = asyncio.ensure_future(paged.load_more())
    await _asked(pages, 1)
    paged.show(ListPage([10, 11], 4, "11"))
    pages.asked[0][1].set_exception(ApiError.from_catalog(503, "unavailable"))
    await old_more
    assert paged.more_error(Locale.TH) is None and paged.rows == [10, 11] and not paged.loading_more

