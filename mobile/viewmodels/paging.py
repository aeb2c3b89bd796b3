"""A long list as the app shows it (shared.paging): the rows read so far, how many the whole list has, and "more".

A person's requests, a student's jobs, a helper's team jobs, the admin's lists, the teacher's job list
(college_jobs.py) and the teacher's rounds waiting for hours (credit.py) come a page at a time (GET with `after`, the
last page's cursor: the rows after the last one shown, so a row that left the list meanwhile makes none skipped; the
answer's X-Total-Count says how many in all, or for the rounds waiting how many from the page's start on).
"More" appends the next page to the rows shown (the view keys each row by its id, so the rows already shown keep
their controls); a reload (a live event, back from a screen) reads as many rows as were shown, so the place in the
list stays. Each list shown (`show`: a reload, a new search or filter) is a new generation: a "more" asked of an
older one and answered after it is dropped, not appended under rows it does not follow.

"ยังมีอีก N รายการ" says N only where it was counted with the rows shown: after a list's first page (the rows from its
start and its count, in one answer), or on a list whose every page counts the rows after it (the teacher's hours
waiting). After a "more" of a list counted whole, rows shown may have left it since they were read, and the count
less those shown would be short by them: the list then says "more" without a number until a reload. For the same
reason `total` is then the last page's count of the whole list as it was read (fresh, and under the rows shown when
some left it since), and `counted` is False: "shown X of Y" cannot be said until a reload counts again.
"""

from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from mobile.api_client import ApiError, ListPage
from mobile.viewmodels.busy import answered
from shared.paging import LIST_PAGE, LIST_PAGE_MAX
from shared.text import Bilingual, Locale, bilingual

R = TypeVar("R")
# (after: the place the page starts after, None for the list's first page; limit: None for the list's own page)
FetchPage = Callable[[str | None, int | None], Awaitable[ListPage[R]]]


class PagedList(Generic[R]):
    """One long list's rows, total and "more". `page` is the rows a page has when the app names no limit (the
    backend's page: `fetch` is then called with None) and `page_max` the most one call may ask for; a list with
    filters (the teacher's job list) starts again at its first page with `fetch(fresh=True)` when they change."""

    def __init__(self, fetch: FetchPage[R], key: Callable[[R], Hashable], *, changed: Callable[[], None],
                 lost_sign_in: Callable[[ApiError], Awaitable[bool]], page: int = LIST_PAGE,
                 page_max: int = LIST_PAGE_MAX, more_key: str = "list_more") -> None:
        self._fetch = fetch
        self._key = key
        self._changed = changed
        self._lost_sign_in = lost_sign_in
        self._page = page
        self._page_max = page_max
        self._more_key = more_key  # "ยังมีอีก {count} ..." (shared.text)
        self.rows: list[R] = []
        self.total = 0  # the whole list's count, as `_total` says it (`counted`: whether it counted the rows shown)
        self._rest: int | None = 0  # the rows after those shown, counted with the last page; None: not known
        self.loading_more = False
        self._more_error: Bilingual | None = None
        self._after: str | None = None  # where the next page starts (the last page's cursor); None: no next page
        self._generation = 0  # how many lists `show` has shown: a "more" belongs to the one it was asked of

    @property
    def has_more(self) -> bool:
        """The backend said a page follows the rows shown (a cursor), whatever the total says meanwhile: rows that
        left the list while it was read are still shown until the next reload."""
        return self._after is not None

    @property
    def counted(self) -> bool:
        """The rows shown were counted with the list (its first page, a reload, or a list whose every page counts the
        rows after it): `total` is of them and the rows after them. False after a "more" of a list counted whole:
        rows shown may have left the list since, and `total` is the last page's count of it as it is now."""
        return self._rest is not None

    @property
    def more_count(self) -> int | None:
        """How many rows the list has beyond those shown (at least one while the backend says a page follows; 0 when
        none does); None when it is not known (see the module's doc)."""
        if not self.has_more:
            return 0
        return None if self._rest is None else max(1, self._rest)

    def more_text(self, locale: Locale) -> str:
        count = self.more_count
        return (bilingual("list_more_uncounted") if count is None else bilingual(self._more_key, count=count)).in_(
            locale)

    def more_error(self, locale: Locale) -> str | None:
        return self._more_error.in_(locale) if self._more_error is not None else None

    async def fetch(self, *, fresh: bool = False) -> ListPage[R]:
        """What a reload shows: from the list's start, as many rows as are shown (a page at least; a page only when
        `fresh`: new filters), in calls of up to `page_max`, each after the last; the caller shows it (`show`) once
        everything else of its screen is read too."""
        wanted = self._page if fresh else max(self._page, len(self.rows))
        page = await self._fetch(None, None if wanted == self._page else min(wanted, self._page_max))
        # The first page's count is of the rows from the list's start, read with it: what follows them is counted too.
        rows, total, after = list(page.rows), page.total, page.after
        rest: int | None = page.rest if page.rest is not None else total - len(rows)
        if rest is not None and rest < 0:
            # Counted a moment before its rows were read (two statements: the teacher's job list), rows that came
            # into the list in between are not in the count. With no page after them the rows are the whole list;
            # else the rows after them are not known ("shown 20 of 18" is never said).
            total, rest = (len(rows), 0) if after is None else (total, None)
        while after is not None and len(rows) < wanted:
            page = await self._fetch(after, min(wanted - len(rows), self._page_max))
            rows += self._new(rows, page.rows)
            total, after, rest = page.total, page.after if page.rows else None, page.rest
        return ListPage(rows, self._total(total, len(rows), rest), after, rest)

    def show(self, page: ListPage[R]) -> None:
        """The list as `fetch` read it, and as it counted the rows after it (`rest`: None, not known)."""
        self.rows, self.total, self._after, self._rest = list(page.rows), page.total, page.after, page.rest
        self._more_error = None
        self._generation += 1
        self.loading_more = False  # a "more" of the list replaced is dropped when it answers: this one may ask

    async def load_more(self) -> None:
        """"ดูเพิ่มเติม": the next page after the last row shown, appended (a row listed again, as an older backend
        could, is not listed twice). A failure says why under the list; a lost sign-in goes to the app. An answer
        that comes after another list was shown (a search, a reload) is dropped: that list has its own rows, total
        and cursor, and its own "more"."""
        if self.loading_more or not self.has_more:
            return
        generation = self._generation
        self.loading_more = True
        self._more_error = None
        self._changed()
        try:
            page = await answered(self._fetch(self._after, None), lambda: self._more_ended(generation),
                                  self._changed)
        except ApiError as exc:  # also a failure the client did not name (`answered`): said the same way
            if await self._lost_sign_in(exc) or generation != self._generation:
                return
            self._more_error = exc.text
            self._changed()
            return
        if generation != self._generation:
            return  # another list is shown meanwhile (`show` lowered the flag for it)
        self.rows += self._new(self.rows, page.rows)
        self._rest = page.rest  # a count of the whole list cannot tell the rows shown that left it since
        self.total = self._total(page.total, len(self.rows), page.rest)
        self._after = page.after if page.rows else None
        self.loading_more = False
        self._changed()

    @staticmethod
    def _total(total: int, shown: int, rest: int | None) -> int:
        """The whole list's count: the rows shown and those counted after them, or the last page's count of it as it
        was read (not raised to the rows shown: those that left the list since are not in it)."""
        return shown + rest if rest is not None else total

    def _more_ended(self, generation: int) -> None:
        if generation == self._generation:
            self.loading_more = False

    def _new(self, had: list[R], rows: list[R]) -> list[R]:
        known = {self._key(r) for r in had}
        return [r for r in rows if self._key(r) not in known]
