"""A failure the server asked to wait out (a 429's or a 503's Retry-After): the screen's retry waits until then, says
when, and comes back by itself."""

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from mobile.api_client import ApiError
from mobile.formatting import format_date, format_time
from shared.text import Locale, t
from shared.thai_time import bangkok_day

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class RetryWait:
    """When a failed call may be tried again: at once, or from the moment its answer's Retry-After names on.

    Until then a retry would only be refused again (the outbox waits as long for its drafts: `not_before`), so the
    screen's retry button is disabled and says when (`until`, Thai time). At that moment one wake-up calls
    `on_ready`: the screen's redraw, in which only the button changed (no ticking countdown redraws anything
    meanwhile). A new failure, or none any more (`after(None)`), replaces the wait. Its screen closed (`close`), it
    ends for good: a closed screen is never redrawn, and leaves no wake-up behind."""

    def __init__(self, on_ready: Callable[[], None], *, clock: Clock = time.time,
                 sleep: Sleep = asyncio.sleep) -> None:
        self._on_ready = on_ready
        self.clock = clock
        self.sleep = sleep
        self.at: float | None = None  # the clock's time from which the retry may go; None: at once
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    def after(self, error: ApiError | None) -> None:
        """The retry of this failure (None: nothing failed): waits for its Retry-After, when it has one."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        wait = error.retry_after if error is not None and error.is_retryable else None
        if wait is None or wait <= 0 or self._closed:
            self.at = None
            return
        at = self.at = self.clock() + wait
        self._task = asyncio.get_running_loop().create_task(self._wake(at))

    def close(self) -> None:
        """Its screen closed (back, sign-out, another screen in its place): the wake-up is cancelled, and a failure
        that lands later (a load still on its way when the screen closed) starts none."""
        self._closed = True
        self.after(None)

    @property
    def waiting(self) -> bool:
        return self.at is not None and self.clock() < self.at

    def until(self, locale: Locale) -> str | None:
        """When the retry comes back ("10:25", Thai time; on another day with it: "พรุ่งนี้ 10:25" / "10:25
        tomorrow", or the date); None when it may go now."""
        if self.at is None or not self.waiting:
            return None
        # Rounded up to the minute: the time said is never before the button comes back.
        at = datetime.fromtimestamp(math.ceil(self.at / 60) * 60, UTC)
        time_of_day = format_time(at)
        today, day = bangkok_day(datetime.fromtimestamp(self.clock(), UTC)), bangkok_day(at)
        if day == today:
            return time_of_day
        if day == today + timedelta(days=1):
            return t("time_tomorrow", locale, time=time_of_day)
        return t("time_on_date", locale, time=time_of_day, date=format_date(at, locale))

    async def _wake(self, at: float) -> None:
        await self.sleep(max(0.0, at - self.clock()))
        if self.at == at:  # still this wait (a newer failure or a success cancels it)
            self.at = None
            self._task = None
            self._on_ready()
