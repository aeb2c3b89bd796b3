"""A screen the app let go of (`mobile/viewmodels/app.py::Shown` closes it) while its load or an action was on its
way: the late answer redraws nothing and moves the app nowhere (review17a findings 5 and 6)."""

import asyncio
from uuid import UUID, uuid4

import httpx

from mobile.viewmodels.app import Screen
from shared.statuses import RequestStatus
from shared.text import Locale, bilingual
from tests.unit.mobile_fakes import JOB, DetailBackend, WorkBackend, error_response
from tests.unit.mobile_screens import current_screen, open_detail, signed_in

SENT_ON = bilingual("job_sent_on").in_(Locale.TH)


class SlowTakeBack(WorkBackend):
    """A teacher's job whose take-back is answered 404 (no other student of the college could take it: it went on to
    the next college), once the test releases it."""

    def __init__(self) -> None:
        super().__init__()
        self.job["status"] = "accepted"
        self.held, self.release = asyncio.Event(), asyncio.Event()

    async def _answer(self, request: httpx.Request) -> httpx.Response:
        match = JOB.match(request.url.path)
        if request.method == "POST" and match is not None and match.group(2) == "status":
            self.held.set()
            await self.release.wait()
            return error_response(404, "not_found")
        return await super()._answer(request)


async def test_a_load_landing_after_its_screen_closed_does_not_redraw_the_app() -> None:
    """known17app's `Shown` closes a screen's view-model so that "nothing of a closed screen runs on to redraw the app
    later"; only its Retry-After wait was ended. Back tapped while the detail's reload is on its way: when the answer
    lands, the closed detail still called its listeners (the app's redraw) for a screen nobody sees."""
    backend = DetailBackend()
    app, detail = await open_detail(backend)
    backend.hold_next(f"/requests/{detail.request_id}")
    loading = asyncio.create_task(detail.load())
    await backend.held.wait()
    await detail.back()
    assert current_screen(app) == Screen.HOME and app.request_detail is None
    redrawn: list[int] = []
    app.on_change.append(lambda: redrawn.append(1))
    backend.release.set()
    await loading
    assert redrawn == [], "the closed screen's answer redrew the app"


async def test_a_closed_jobs_late_answer_does_not_move_the_app() -> None:
    """The teacher takes a job back (to "offered") on a slow network and, while it is on its way, goes back and
    opens another job. The first answer lands: 404, the job went on to the next college. The closed screen's
    `on_gone` (`AppViewModel._job_gone`) went back from the job now open, which the teacher did not leave. Now the
    job open stays, and the home the teacher goes back to says where the first one went."""
    backend = SlowTakeBack()
    app = await signed_in("supervisor", backend)
    await app.open_job(UUID(backend.job["id"]))
    first = app.job
    assert first is not None and current_screen(app) == Screen.JOB
    first.start_step(RequestStatus.OFFERED)
    assert first.open_step is not None, [s.to_status for s in first.steps]
    taking_back = asyncio.create_task(first.confirm_step())
    await backend.held.wait()
    await app.go_back()
    assert current_screen(app) == Screen.HOME
    await app.open_job(uuid4())  # another job, from the home
    second = app.job
    assert second is not None and second is not first and current_screen(app) == Screen.JOB
    backend.release.set()
    await taking_back
    assert current_screen(app) == Screen.JOB and app.job is second, current_screen(app)
    home = app.home
    assert home is not None
    assert home.notice == SENT_ON, home.notice


async def test_a_job_sent_on_from_its_open_screen_goes_back_home_saying_so() -> None:
    """The same take-back answered while its screen is still open (opened from the home, not the job list): the
    teacher is taken back to the home, which says where the job went (before, only the list said it)."""
    backend = SlowTakeBack()
    backend.release.set()
    app = await signed_in("supervisor", backend)
    await app.open_job(UUID(backend.job["id"]))
    job = app.job
    assert job is not None
    job.start_step(RequestStatus.OFFERED)
    await job.confirm_step()
    assert current_screen(app) == Screen.HOME and app.job is None
    home = app.home
    assert home is not None
    assert home.notice == SENT_ON, home.notice
