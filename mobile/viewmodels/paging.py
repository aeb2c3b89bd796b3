"""A long list as the app shows it (shared.paging): the rows read so far, how many the whole list has, and "more".

A person's requests, a student's jobs, a helper's team jobs and the admin's waiting requests come a page at a time
(GET with `offset`; the answer's X-Total-Count says how many in all), as the teacher's job list does
(college_jobs.py). "More" appends the next page to the rows shown (the view keys each row by its id, so the rows
already shown keep their controls); a reload (a live event, back from a screen) reads as many rows as were shown, so
the place in the list stays.
"""

from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from mobile.api_client import ApiError, ListPage
from mobile.viewmodels.busy import answered
from shared.paging import LIST_PAGE, LIST_PAGE_MAX
from shared.text import Bilingual, Locale, bilingual

R = TypeVar("R")
FetchPage = Callable[[int, int | None], Awaitable[ListPage[R]]]  # (offset, limit: None for the backend's page)


class PagedList(Generic[R]):
    def __init__(self, fetch: FetchPage[R], key: Callable[[R], Hashable], *, changed: Callable[[], None],
                 lost_sign_in: Callable[[ApiError], Awaitable[bool]]) -> None:
        self._fetch = fetch
        self._key = key
        self._changed = changed
        self._lost_sign_in = lost_sign_in
        self.rows: list[R] = []
        self.total = 0
        self.loading_more = False
        self._more_error: Bilingual | None = None

    @property
    def has_more(self) -> bool:
        return len(self.rows) < self.total

    @property
    def more_count(self) -> int:
        """How many rows the list has beyond those shown."""
        return max(0, self.total - len(self.rows))

    def more_text(self, locale: Locale) -> str:
        return bilingual("list_more", count=self.more_count).in_(locale)

    def more_error(self, locale: Locale) -> str | None:
        return self._more_error.in_(locale) if self._more_error is not None else None

    async def fetch(self) -> ListPage[R]:
        """What a reload shows: from the list's start, as many rows as are shown (a page at least), in calls of up
        to the backend's cap; the caller shows it (`show`) once everything else of its screen is read too."""
        wanted = max(LIST_PAGE, len(self.rows))
        page = await self._fetch(0, None if wanted == LIST_PAGE else min(wanted, LIST_PAGE_MAX))
        rows, total = list(page.rows), page.total
        while page.rows and len(rows) < min(wanted, total):
            page = await self._fetch(len(rows), min(wanted - len(rows), LIST_PAGE_MAX))
            new = self._new(rows, page.rows)
            if not new:
                break  # only rows already had (the list moved meanwhile): what there is will do
            rows += new
            total = page.total
        return ListPage(rows, max(total, len(rows)))

    def show(self, page: ListPage[R]) -> None:
        self.rows, self.total = list(page.rows), page.total
        self._more_error = None

    async def load_more(self) -> None:
        """"ดูเพิ่มเติม": the next page after the rows shown, appended (a row listed again because the list moved
        meanwhile is not listed twice). A failure says why under the list; a lost sign-in goes to the app."""
        if self.loading_more or not self.has_more:
            return
        self.loading_more = True
        self._more_error = None
        self._changed()
        try:
            page = await answered(self._fetch(len(self.rows), None), self._more_ended, self._changed)
        except ApiError as exc:  # also a failure the client did not name (`answered`): said the same way
            if await self._lost_sign_in(exc):
                return
            self._more_error = exc.text
            self._changed()
            return
        new = self._new(self.rows, page.rows)
        self.rows += new
        # No row beyond those shown (rows left the list meanwhile): the list ends here, until the next reload.
        self.total = page.total if new else len(self.rows)
        self.loading_more = False
        self._changed()

    def _more_ended(self) -> None:
        self.loading_more = False

    def _new(self, had: list[R], rows: list[R]) -> list[R]:
        known = {self._key(r) for r in had}
        return [r for r in rows if self._key(r) not in known]
