"""A failure answered with Retry-After (a 429, a 503): the screen's retry button waits until then, disabled and
saying when, and comes back by itself when the time has passed, with only the button redrawn (the request form, a
screen whose load failed, the sign-in). Before, each offered "ลองใหม่" at once beside "try again in 25 min", and a
tap sent the same call to the same refusal."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import flet as ft
import httpx

from mobile.models import SignedIn
from mobile.viewmodels.home import CitizenHome
from mobile.viewmodels.login import LoginViewModel
from mobile.viewmodels.request_form import FormState, RequestFormViewModel
from mobile.viewmodels.retry_wait import RetryWait
from mobile.viewmodels.session import Session
from mobile.views.frame import app_view
from mobile.views.login import login_view
from shared.text import Locale, t
from tests.unit.mobile_fakes import FakeBackend, RequestBackend, error_response, find, texts, walk
from tests.unit.mobile_screens import fill_valid, open_form, signed_in

T0 = datetime(2026, 11, 30, 3, 0, tzinfo=UTC).timestamp()  # 10:00 in Bangkok
RETRY = t("retry", Locale.TH)


class Later:
    """The clock a wait reads (moved by the test), and a sleep that ends when the test says the time has come."""

    def __init__(self) -> None:
        self.now = T0
        self.asked: list[float] = []
        self._due = asyncio.Event()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.asked.append(seconds)
        await self._due.wait()

    def on(self, wait: RetryWait) -> None:
        wait.clock, wait.sleep = self.clock, self.sleep

    async def pass_time(self, seconds: float, redrawn: asyncio.Event) -> None:
        """The time passes: the sleeping wake-up ends; returns once the screen was told to redraw (a guard, not a
        measure: a wake-up that never comes fails the test instead of hanging it)."""
        redrawn.clear()
        self.now += seconds
        self._due.set()
        await asyncio.wait_for(redrawn.wait(), 30)


def limited(seconds: int, status: int = 429, code: str = "too_many_requests") -> Callable[[httpx.Request],
                                                                                         httpx.Response]:
    def answer(_: httpx.Request) -> httpx.Response:
        refused = error_response(status, code, seconds=seconds)
        refused.headers["Retry-After"] = str(seconds)
        return refused
    return answer


def retry_buttons(tree: ft.BaseControl) -> list[Any]:
    return [b for b in find(tree, ft.FilledButton) + find(tree, ft.OutlinedButton)
            if b.icon == ft.Icons.REFRESH and isinstance(b.content, str) and b.content.startswith("ลองใหม่")]


def drawn(tree: ft.BaseControl) -> list[tuple[object, ...]]:
    """What each control shows, in order: its kind, key, words and whether it is disabled."""
    rows: list[tuple[object, ...]] = []
    for c in walk(tree):
        words = c.value if isinstance(c, ft.Text) else getattr(c, "content", None)
        rows.append((type(c).__name__, c.key, words if isinstance(words, str) else None,
                     getattr(c, "disabled", None)))
    return rows


def only_the_button_changed(before: ft.BaseControl, after: ft.BaseControl) -> None:
    """Redrawn, the screen differs in one control: the retry button, now enabled and saying "ลองใหม่"."""
    old, new = drawn(before), drawn(after)
    assert len(old) == len(new)
    changed = [(o, n) for o, n in zip(old, new, strict=True) if o != n]
    assert len(changed) == 1, changed
    ((kind, key, words, disabled), (kind_now, key_now, words_now, disabled_now)), = changed
    assert (kind_now, key_now, disabled, words_now, disabled_now) == (kind, key, True, RETRY, False)
    assert isinstance(words, str) and words.startswith("ลองใหม่ได้เวลา")


async def test_the_form_waits_for_the_retry_after_then_offers_retry_again() -> None:
    backend = RequestBackend()
    backend.overrides[("POST", "/requests")] = limited(1500)
    app, form = await open_form(backend)
    later = Later()
    later.on(form.retry_wait)
    redrawn = asyncio.Event()
    form.on_change.append(redrawn.set)
    fill_valid(form)
    await form.submit()

    # Refused until 10:25: the message says in how long, the button when; it is disabled until then.
    assert form.form_error == "ทำรายการบ่อยเกินไป กรุณาลองใหม่ในอีก 25 นาที" and form.state == FormState.FAILED
    assert form.can_retry and form.retry_at == "10:25"
    waiting = app_view(app)
    (button,) = retry_buttons(waiting)
    assert button.disabled and button.content == t("retry_at", Locale.TH, time="10:25") == "ลองใหม่ได้เวลา 10:25 น."
    assert RETRY not in texts(waiting)
    posts = len(backend.calls("POST", "/requests"))
    await form.retry()  # a tap that reached it anyway: nothing is sent before the time
    assert len(backend.calls("POST", "/requests")) == posts

    # The time passes with the form open: one redraw, and only the button in it changed.
    del backend.overrides[("POST", "/requests")]
    await later.pass_time(1500, redrawn)
    assert len(later.asked) == 1  # one wake-up, at the time: no ticking countdown
    assert form.retry_at is None and form.can_retry
    back = app_view(app)
    only_the_button_changed(waiting, back)
    (button,) = retry_buttons(back)
    assert not button.disabled and button.content == RETRY and button.key == "retry"
    await button.on_click()
    assert state_of(form) == FormState.SENT and len(backend.created) == 1


def state_of(form: RequestFormViewModel) -> FormState:
    return form.state


async def test_a_retry_after_already_passed_offers_retry_at_once() -> None:
    backend = RequestBackend()
    backend.overrides[("POST", "/requests")] = limited(0, 503, "server_unavailable")
    app, form = await open_form(backend)
    fill_valid(form)
    await form.submit()
    (button,) = retry_buttons(app_view(app))
    assert form.retry_at is None and not button.disabled and button.content == RETRY


async def test_a_screen_whose_load_is_refused_waits_for_the_retry_after() -> None:
    """Every screen's load error (mobile/views/common.py::error_with_retry): here the citizen's home, refused by a
    proxy with 503 and Retry-After: 90 (10:01:30: said as 10:02, never before the button comes back)."""
    backend = RequestBackend()
    app = await signed_in("citizen", backend)
    home = app.home
    assert isinstance(home, CitizenHome)
    later = Later()
    later.on(home.retry_wait)
    redrawn = asyncio.Event()
    home.on_change.append(redrawn.set)
    backend.overrides[("GET", "/requests/mine")] = lambda r: httpx.Response(
        503, text="<html>busy</html>", headers={"content-type": "text/html", "Retry-After": "90"})
    await home.load()
    assert home.retry_at == "10:02"
    waiting = app_view(app)
    (button,) = retry_buttons(waiting)
    assert button.disabled and button.content == "ลองใหม่ได้เวลา 10:02 น."
    gets = len(backend.calls("GET", "/requests/mine"))
    await home.retry()
    assert len(backend.calls("GET", "/requests/mine")) == gets

    del backend.overrides[("GET", "/requests/mine")]
    await later.pass_time(90, redrawn)
    back = app_view(app)
    only_the_button_changed(waiting, back)
    (button,) = retry_buttons(back)
    assert not button.disabled
    await button.on_click()
    assert home.error is None and len(backend.calls("GET", "/requests/mine")) == gets + 1


async def test_the_sign_in_waits_for_a_429s_retry_after_then_offers_retry() -> None:
    """The sign-in offered no retry after a 429 at all (pressing at once is refused again); one that says when now
    shows the retry disabled until then, and it comes back by itself."""
    backend = FakeBackend()
    backend.overrides[("POST", "/auth/otp/request")] = limited(42, code="otp_rate_limited")
    signed: list[SignedIn] = []

    async def on_signed_in(result: SignedIn) -> None:
        signed.append(result)

    vm = LoginViewModel(backend.client(), Session(Locale.EN), on_signed_in=on_signed_in)
    later = Later()
    later.on(vm.retry_wait)
    redrawn = asyncio.Event()
    vm.on_change.append(redrawn.set)
    vm.set_phone_input("0811111111")
    await vm.request_code()
    assert vm.error == "Too many code requests: try again in 42 seconds"
    assert vm.can_retry and vm.retry_at == "10:01"
    (button,) = [b for b in find(login_view(vm, Locale.EN), ft.OutlinedButton) if b.icon == ft.Icons.REFRESH]
    assert button.disabled and button.content == "Try again at 10:01"

    del backend.overrides[("POST", "/auth/otp/request")]
    await later.pass_time(42, redrawn)
    (button,) = [b for b in find(login_view(vm, Locale.EN), ft.OutlinedButton) if b.icon == ft.Icons.REFRESH]
    assert not button.disabled and button.content == "Try again"
    await button.on_click()
    assert vm.error is None and vm.phone is not None
