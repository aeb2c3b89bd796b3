"""The teacher's job list says "แสดง X จาก Y งาน" only where X and Y were counted together (count19): after a "more"
some jobs shown may have left the list since they were read (sent on to another college, moved to another stage by
another teacher), and the list says its count as the last page read it, "ทั้งหมด Y งาน", until a reload counts again;
it never says more jobs shown than counted ("แสดง 12 จาก 10 งาน"). A student's or a teacher's own repairs title,
"คำขอซ่อมของฉัน (N)", says the last page's count too, not the rows shown."""

from typing import Any

import httpx

from mobile.viewmodels.college_jobs import PAGE_SIZE, CollegeJobsViewModel
from mobile.viewmodels.home import TechnicianHome
from mobile.views.frame import app_view
from shared.paging import LIST_PAGE
from shared.text import Locale, bilingual, t
from tests.unit.mobile_fakes import FakeBackend, request_summary, texts
from tests.unit.mobile_screens import signed_in
from tests.unit.test_mobile_roles import college_job, teacher_on_job_list


def _shown_lines(app: Any) -> list[str]:
    """The line above the cards, as the screen shows it: "แสดง ..." or "ทั้งหมด ... งาน"."""
    return [s for s in texts(app_view(app)) if s.startswith(("แสดง ", "ทั้งหมด "))]


async def test_after_more_with_jobs_gone_the_line_says_the_lists_fresh_count_not_shown_of_shown() -> None:
    """25 jobs, a page of 20 shows "แสดง 20 จาก 25 งาน". Three of them go on to another college; "more" brings the
    5 after the last job shown and the backend now counts 22. The screen shows 25 cards, three of them gone from the
    list: "แสดง 25 จาก 25 งาน" would be false twice. A reload counts the jobs shown again."""
    backend, app = await teacher_on_job_list()
    jobs = app.college_jobs
    assert isinstance(jobs, CollegeJobsViewModel) and len(jobs.jobs) == PAGE_SIZE
    assert _shown_lines(app) == [t("jobs_shown", Locale.TH, shown=PAGE_SIZE, total=25)]

    gone = {j["id"] for j in backend.college_jobs[1:4]}
    backend.college_jobs = [j for j in backend.college_jobs if j["id"] not in gone]
    await jobs.load_more()

    assert len(jobs.jobs) == 25 and not jobs.has_more  # the cards shown stay until a reload
    assert jobs.total == 22, "the last page's count, not raised to the jobs shown"
    assert _shown_lines(app) == [t("jobs_in_list", Locale.TH, total=22)] == ["ทั้งหมด 22 งาน"]
    app.session.set_locale(Locale.EN)
    assert jobs.shown_text == "22 jobs in all"

    await jobs.load()  # a live event or back from a job: as many as were shown, from the list's start, counted
    assert len(jobs.jobs) == 22 and not gone & {str(j.id) for j in jobs.jobs}
    assert jobs.shown_text == "Showing 22 of 22 jobs"


def _counted_short(jobs: list[dict[str, Any]], total: int, next_after: str | None) -> Any:
    """GET /supervisor/jobs whose count was read a moment before its rows: jobs that came in between are not in it."""
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"total": total, "limit": int(request.url.params["limit"]),
                                         "next_after": next_after, "counts": {"done": total}, "jobs": jobs})
    return answer


async def test_a_count_read_just_before_its_rows_never_says_more_jobs_shown_than_counted() -> None:
    """The backend counts the filtered list (10), then reads its rows: two jobs moved into it in between. With no page
    after them the 12 rows are the whole list; with one after them the rest is not known: never "แสดง 12 จาก 10"."""
    backend, app = await teacher_on_job_list()
    jobs = app.college_jobs
    assert isinstance(jobs, CollegeJobsViewModel)
    twelve = [college_job(f"งาน {n}", "done", ["handed_back"], f"FX-69{n:04d}") for n in range(12)]
    backend.overrides[("GET", "/supervisor/jobs")] = _counted_short(twelve, 10, None)
    await jobs.load()
    assert len(jobs.jobs) == 12 and not jobs.has_more
    assert _shown_lines(app) == [t("jobs_shown", Locale.TH, shown=12, total=12)]

    twenty = [college_job(f"งาน {n}", "done", ["handed_back"], f"FX-69{n:04d}") for n in range(PAGE_SIZE)]
    backend.overrides[("GET", "/supervisor/jobs")] = _counted_short(twenty, 18, twenty[-1]["id"])
    await jobs.search("งาน")  # a new search: its first page
    assert len(jobs.jobs) == PAGE_SIZE and jobs.has_more
    assert _shown_lines(app) == [t("jobs_in_list", Locale.TH, total=18)]


async def test_own_repairs_title_says_the_last_pages_count_not_the_rows_shown() -> None:
    """A student's own requests: 53, a page of 50 shows "(53)". Five shown leave the list; "more" brings the 3 after
    the last one shown, counted 48 in all: the title says 48, not the 53 rows shown."""
    backend = FakeBackend()
    backend.staff_own_requests["technician"] = [request_summary(f"ตู้เย็น {n}", "done", days_ago=n)
                                                for n in range(LIST_PAGE + 3)]
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome)
    assert home.own_requests_title == bilingual("my_repairs_entry_count", count=LIST_PAGE + 3).in_(Locale.TH)

    gone = {r["id"] for r in backend.staff_own_requests["technician"][:5]}
    backend.staff_own_requests["technician"] = [r for r in backend.staff_own_requests["technician"]
                                                if r["id"] not in gone]
    await home.load_more_own_requests()

    assert len(home.own_requests) == LIST_PAGE + 3
    assert home.own_requests_title == bilingual("my_repairs_entry_count", count=LIST_PAGE - 2).in_(Locale.TH)
    assert home.own_requests_title in texts(app_view(app))

