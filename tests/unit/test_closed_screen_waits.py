"""A screen's wait for a Retry-After (mobile/viewmodels/retry_wait.py) ends with the screen: a closed screen is never
redrawn by it later, and leaves no wake-up task behind. Before, back, a sign-out or another screen left the wake-up
sleeping, and at the end of the wait it redrew the app for a screen nobody saw (and a load still on its way when the
screen closed started a new one)."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from mobile.viewmodels.app import AppViewModel, Screen
from mobile.viewmodels.home import CitizenHome
from mobile.viewmodels.request_detail import RequestDetailViewModel
from mobile.viewmodels.retry_wait import RetryWait
from tests.unit.mobile_fakes import DEV_CODE, PHONES, DetailBackend, RequestBackend
from tests.unit.mobile_screens import app_at_login, current_screen, fill_valid, open_detail, open_form, signed_in
from tests.unit.test_retry_waits_for_retry_after import T0, limited


class Clock:
    """The clock a wait reads and the sleep it takes, both moved by the test: the time comes when it says."""

    def __init__(self, *waits: RetryWait) -> None:
        self.now = T0
        self.due = asyncio.Event()
        for wait in waits:
            wait.clock, wait.sleep = self.clock, self.sleep

    def clock(self) -> float:
        return self.now

    async def sleep(self, _seconds: float) -> None:
        await self.due.wait()

    async def pass_time(self, seconds: float, sleeping: list[asyncio.Task[Any]]) -> None:
        """The wait's time comes: the wake-ups that were sleeping run to their end (or were cancelled before)."""
        self.now += seconds
        self.due.set()
        await asyncio.gather(*sleeping, return_exceptions=True)


WakeUps = Callable[[], list[asyncio.Task[Any]]]


def _pending_wake_ups() -> set[asyncio.Task[Any]]:
    """The RetryWait wake-ups still pending on the loop (one cancelled is on its way out, not pending)."""
    return {task for task in asyncio.all_tasks() if not task.done() and not task.cancelling()
            and getattr(task.get_coro(), "__qualname__", "") == "RetryWait._wake"}


@pytest.fixture
async def wake_ups() -> WakeUps:
    """The pending wake-ups this test started: the loop is the session's, where other tests' waits may sleep on."""
    before = _pending_wake_ups()
    return lambda: [task for task in _pending_wake_ups() if task not in before]


def redraws_of(screen: Any) -> list[int]:
    told: list[int] = []
    screen.on_change.append(lambda: told.append(1))
    return told


async def waiting_detail() -> tuple[AppViewModel, RequestDetailViewModel, Clock, DetailBackend]:
    """The citizen's request detail, its reload refused 429 with Retry-After: 300: the retry waits."""
    backend = DetailBackend()
    app, detail = await open_detail(backend)
    clock = Clock(detail.retry_wait)
    backend.overrides[("GET", f"/requests/{detail.request_id}")] = limited(300)
    await detail.load()
    assert detail.retry_wait.waiting and detail.error is not None
    return app, detail, clock, backend


async def _back(app: AppViewModel, detail: RequestDetailViewModel) -> None:
    await detail.back()


async def _signed_out(app: AppViewModel, detail: RequestDetailViewModel) -> None:
    await app.sign_out()


async def _bell(app: AppViewModel, detail: RequestDetailViewModel) -> None:
    await app.open_inbox()


async def _account(app: AppViewModel, detail: RequestDetailViewModel) -> None:
    await app.open_account()


async def _another_request(app: AppViewModel, detail: RequestDetailViewModel) -> None:
    home = app.home
    assert isinstance(home, CitizenHome)
    await app.open_request(home.requests[1].id)  # a notification's link, from the open detail


@pytest.mark.parametrize("leave", [_back, _signed_out, _bell, _account, _another_request],
                         ids=["back", "sign-out", "the bell", "the account", "another request"])
async def test_a_closed_screen_is_never_redrawn_by_its_wait(
        leave: Callable[[AppViewModel, RequestDetailViewModel], Awaitable[None]], wake_ups: WakeUps) -> None:
    app, detail, clock, _backend = await waiting_detail()
    sleeping = wake_ups()
    assert len(sleeping) == 1
    redrawn = redraws_of(detail)
    await leave(app, detail)
    assert app.request_detail is not detail
    await clock.pass_time(300, sleeping)
    assert redrawn == [], "the closed screen's wait redrew the app"
    assert all(task.cancelled() for task in sleeping) and wake_ups() == []


async def test_a_load_on_its_way_when_the_screen_closes_starts_no_wait(wake_ups: WakeUps) -> None:
    """Back tapped while the reload was still on its way; its answer, a 429 with Retry-After, lands after: no wait
    starts for a screen that is gone."""
    backend = DetailBackend()
    app, detail = await open_detail(backend)
    Clock(detail.retry_wait)
    path = f"/requests/{detail.request_id}"
    backend.overrides[("GET", path)] = limited(300)
    backend.hold_next(path)
    loading = asyncio.create_task(detail.load())
    await backend.held.wait()
    await detail.back()
    assert current_screen(app) == Screen.HOME
    backend.release.set()
    await loading
    assert wake_ups() == [] and not detail.retry_wait.waiting


async def test_the_homes_wait_ends_at_the_sign_out(wake_ups: WakeUps) -> None:
    backend = RequestBackend()
    app = await signed_in("citizen", backend)
    home = app.home
    assert isinstance(home, CitizenHome)
    clock = Clock(home.retry_wait)
    backend.overrides[("GET", "/requests/mine")] = limited(300)
    await home.load()
    sleeping = wake_ups()
    assert home.retry_wait.waiting and len(sleeping) == 1
    redrawn = redraws_of(home)
    await app.sign_out()
    await clock.pass_time(300, sleeping)
    assert redrawn == [] and all(task.cancelled() for task in sleeping) and wake_ups() == []


async def test_the_forms_wait_ends_when_it_is_left(wake_ups: WakeUps) -> None:
    """The form's send refused 429 with Retry-After; the person leaves it (dropping the draft): its wait goes."""
    backend = RequestBackend()
    app, form = await open_form(backend)
    await form.load()
    fill_valid(form)
    clock = Clock(form.retry_wait)
    backend.overrides[("POST", "/requests")] = limited(300)
    await form.submit()
    sleeping = wake_ups()
    assert form.retry_wait.waiting and len(sleeping) == 1
    redrawn = redraws_of(form)
    await app.open_route("/")
    await app.confirm_leave()
    assert current_screen(app) == Screen.HOME and app.request_form is None
    await clock.pass_time(300, sleeping)
    assert redrawn == [] and all(task.cancelled() for task in sleeping) and wake_ups() == []


async def test_a_refused_new_codes_wait_ends_with_the_sign_in(wake_ups: WakeUps) -> None:
    """A new code refused 429 (Retry-After: 300) on the code step, then the first code signs in: the sign-in screen
    is gone, and its new-code button's wait with it."""
    backend = RequestBackend()
    app = await app_at_login(backend)
    login = app.login
    clock = Clock(login.resend_wait, login.retry_wait)
    login.set_phone_input(PHONES["citizen"])
    await login.request_code()
    backend.overrides[("POST", "/auth/otp/request")] = limited(300)
    await login.resend_code()
    sleeping = wake_ups()
    assert login.resend_wait.waiting and len(sleeping) == 1
    login.set_code_input(DEV_CODE)
    await login.verify()
    assert current_screen(app) == Screen.HOME
    redrawn = redraws_of(login)
    await clock.pass_time(300, sleeping)
    assert redrawn == [] and all(task.cancelled() for task in sleeping) and wake_ups() == []
