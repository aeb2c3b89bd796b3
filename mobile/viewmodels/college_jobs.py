"""The teacher's job list: every job of the college, newest first, filtered by stage and searched, page by page.

The filters are shared.statuses.STATUS_GROUPS; the backend counts each group (the chips' numbers) and says, per
job, what the teacher may do with it now. Every job opens its full screen (/jobs/{id}), where those actions are.
"""

from collections.abc import Awaitable, Callable
from typing import Unpack
from uuid import UUID

from mobile.api_client import ApiClient, ListPage
from mobile.models import CollegeJob
from mobile.viewmodels.loadable import ScreenWiring, SubScreen
from mobile.viewmodels.paging import PagedList
from mobile.viewmodels.session import Session
from shared.statuses import RequestStatus, StatusGroup
from shared.text import Bilingual, bilingual
from shared.work import JOB_PAGE_MAX, JOB_SEARCH_MAX

PAGE_SIZE = 20
OpenJob = Callable[[UUID], Awaitable[None]]

# The chip of each group (its label; the number comes from the backend's counts).
GROUP_LABEL_KEYS: dict[StatusGroup, str] = {group: f"group_{group.value}" for group in StatusGroup}
# What the teacher may do, as the row says it ("assign", "reassign", or a status the job may move to).
ACTION_LABEL_KEYS: dict[str, str] = {
    "assign": "job_action_assign",
    "reassign": "job_action_reassign",
    "offered": "job_action_take_back",
    "done": "job_action_approve",
    "repairing": "job_action_rework",
    "handed_back": "job_action_hand_back",
}


class CollegeJobsViewModel(SubScreen):
    def __init__(
        self, api: ApiClient, session: Session, *, on_open_job: OpenJob, **wiring: Unpack[ScreenWiring]
    ) -> None:
        super().__init__(api, session, **wiring)
        self._on_open_job = on_open_job
        self.groups: set[StatusGroup] = set()
        self.query = ""
        self.counts: dict[str, int] = {}
        # The rows, total and "more" as every long list has them (PagedList): pages of PAGE_SIZE, each after the
        # last job shown, for the filters and search the rows shown were fetched for.
        self.pages: PagedList[CollegeJob] = PagedList(
            self._page, lambda job: job.id, changed=self._changed, lost_sign_in=self._lost_sign_in,
            page=PAGE_SIZE, page_max=JOB_PAGE_MAX)
        # The filters and search the rows shown were fetched for: a reload for the same ones (back from a job, a live
        # event) fetches as many rows as were shown, so the place in the list stays; new ones start at page one.
        self._shown_for: tuple[tuple[str, ...], str] | None = None
        self._asked_for: tuple[tuple[str, ...], str] = ((), "")

    # --- what the view reads -------------------------------------------------------------------------

    @property
    def jobs(self) -> list[CollegeJob]:
        return self.pages.rows

    @property
    def jobs_shown(self) -> list[CollegeJob]:
        """The list as the screen shows it: the jobs waiting for this teacher's check (the backend says "done",
        approve, is theirs to do) first, then the rest; each part in the backend's order, newest first. Over every
        row loaded so far, so the order holds across pages (a check read with a later page joins the top); the
        pages themselves stay the backend's (`jobs`), whose last row the next page is read after. Newest first
        put the check a teacher came for at the bottom of the list (ux21 finding 10)."""
        waiting = [job for job in self.jobs if _waits_for_check(job)]
        return waiting + [job for job in self.jobs if not _waits_for_check(job)]

    @property
    def total(self) -> int:
        return self.pages.total

    @property
    def has_more(self) -> bool:
        return self.pages.has_more

    @property
    def loading_more(self) -> bool:
        return self.pages.loading_more

    @property
    def more_error(self) -> str | None:
        return self.pages.more_error(self.locale)

    def group_label(self, group: StatusGroup) -> str:
        return bilingual(GROUP_LABEL_KEYS[group], n=self.counts.get(group.value, 0)).in_(self.locale)

    def action_labels(self, job: CollegeJob) -> list[str]:
        """What the teacher may do with this job now, in words (the job screen has the buttons)."""
        return [bilingual(ACTION_LABEL_KEYS[a]).in_(self.locale) for a in job.actions if a in ACTION_LABEL_KEYS]

    @property
    def shown_text(self) -> str:
        """"แสดง 20 จาก 25 งาน" where the jobs shown were counted with the list (its first page, a reload: a live
        event, back from a job). After a "more" some jobs shown may have left it since they were read (moved on to
        another stage, taken back by another teacher), which the app cannot tell, so it says only the list's count
        as the last page read it, "ทั้งหมด 22 งาน", until a reload counts again; never more shown than counted."""
        shown, total = len(self.jobs), self.total
        if self.pages.counted and shown <= total:
            return bilingual("jobs_shown", shown=shown, total=total).in_(self.locale)
        return bilingual("jobs_in_list", total=total).in_(self.locale)

    # --- filters, search, pages ----------------------------------------------------------------------

    async def toggle_group(self, group: StatusGroup) -> None:
        if group in self.groups:
            self.groups.discard(group)
        else:
            self.groups.add(group)
        await self.load()

    async def clear_groups(self) -> None:
        if self.groups:
            self.groups.clear()
            await self.load()

    def set_query(self, value: str) -> None:
        """Stored as typed; the search runs on submit (a search per keystroke would flood a slow link)."""
        self.query = value[:JOB_SEARCH_MAX]

    async def search(self, value: str | None = None) -> None:
        if value is not None:
            self.set_query(value)
        await self.load()

    async def clear_search(self) -> None:
        self.query = ""
        await self.load()

    def _selected(self) -> list[str]:
        return [g.value for g in StatusGroup if g in self.groups]  # a steady order: the same query, the same page

    async def _page(self, after: str | None, limit: int | None) -> ListPage[CollegeJob]:
        """A page of the jobs for the filters and search being read (`_asked_for`); the chips' counts come with it."""
        groups, query = self._asked_for
        page = await self._api.supervisor_jobs(list(groups), query, limit=limit or PAGE_SIZE, after=after)
        self.counts = dict(page.counts)
        return ListPage(list(page.jobs), page.total, page.next_after)

    async def _fetch(self) -> None:
        wanted = (tuple(self._selected()), self.query)
        self._asked_for = wanted
        self.pages.show(await self.pages.fetch(fresh=wanted != self._shown_for))
        self._shown_for = wanted

    async def load_more(self) -> None:
        """"More" for the filters and search the rows shown were fetched for (not a search typed since)."""
        if self._shown_for is not None:
            self._asked_for = self._shown_for
        await self.pages.load_more()

    def show_notice(self, text: Bilingual) -> None:
        self._notice = text
        self._changed()

    async def open_job(self, request_id: UUID) -> None:
        await self._on_open_job(request_id)


def _waits_for_check(job: CollegeJob) -> bool:
    return job.status == RequestStatus.QUALITY_CHECK and "done" in job.actions
