"""A server's Retry-After (a 429's, a 503's) is waited out by every load of the screen, not only its retry button, and
the time the button names says the day when it is not today (review16a's findings 5, 8)."""

from mobile.viewmodels.home import CitizenHome
from mobile.views.frame import app_view
from shared.text import Locale, t
from tests.unit.mobile_fakes import RequestBackend, texts
from tests.unit.mobile_screens import signed_in
from tests.unit.test_retry_waits_for_retry_after import Later, limited


async def test_the_poll_waits_out_a_retry_after_too() -> None:
    """Citizen home without the live stream (polling every 5 s), GET /requests/mine refused 429 with Retry-After:
    300. The retry button says "ลองใหม่ได้เวลา 10:05 น." and is disabled, but AppViewModel.poll called home.load()
    every 5 s anyway: the call the server asked not to get went out 60 times in those five minutes, and each new
    429 restarted the wait (the limiter counts them), so the button's time kept moving. Once the time has come, the
    poll asks again."""
    backend = RequestBackend()
    app = await signed_in("citizen", backend)
    home = app.home
    assert isinstance(home, CitizenHome)
    later = Later()
    later.on(home.retry_wait)
    backend.overrides[("GET", "/requests/mine")] = limited(300)
    await home.load()
    assert home.retry_wait.waiting and home.retry_at == "10:05"
    gets = len(backend.calls("GET", "/requests/mine"))
    later.now += 5
    try:
        await app.poll()
        assert len(backend.calls("GET", "/requests/mine")) == gets, "the poll asked again during the Retry-After"
        await home.load()  # a live event's reload, the header's refresh: not during the wait either
        assert len(backend.calls("GET", "/requests/mine")) == gets, "a reload asked during the Retry-After"
        assert home.retry_at == "10:05", "the time the retry button names moved"
        del backend.overrides[("GET", "/requests/mine")]
        later.now += 300
        await app.poll()
        assert len(backend.calls("GET", "/requests/mine")) == gets + 1 and home.error is None
    finally:
        home.retry_wait.after(None)  # no wake-up left sleeping past the test


async def test_a_wait_into_tomorrow_does_not_read_as_today() -> None:
    """A proxy's 503 says Retry-After: 86400 (RETRY_AFTER_MAX_SECONDS, the cap) at 10:00: the retry button said
    "ลองใหม่ได้เวลา 10:00 น." and was disabled while the clock showed 10:00, for a whole day. Now it says the day."""
    backend = RequestBackend()
    app = await signed_in("citizen", backend)
    home = app.home
    assert isinstance(home, CitizenHome)
    later = Later()
    later.on(home.retry_wait)
    backend.overrides[("GET", "/requests/mine")] = limited(86400, status=503, code="database_unavailable")
    await home.load()
    try:
        assert home.retry_wait.waiting
        assert home.retry_at == "พรุ่งนี้ 10:00", "the button names the current time of day for a wait of a day"
        assert "ลองใหม่ได้เวลา พรุ่งนี้ 10:00 น." in texts(app_view(app))
        await app.toggle_locale()
        assert home.retry_at == "10:00 tomorrow"
        assert t("retry_at", Locale.EN, time="10:00 tomorrow") == "Try again at 10:00 tomorrow"
        later.now += 86400 - 3600  # 09:00 the next day: that day is today now
        assert home.retry_at == "10:00"
    finally:
        home.retry_wait.after(None)  # no wake-up left sleeping past the test


async def test_a_wait_ending_past_tomorrow_names_the_date() -> None:
    """A day's Retry-After from 23:59:30 ends, rounded up to the minute, at 00:00 the day after tomorrow: the date."""
    backend = RequestBackend()
    app = await signed_in("citizen", backend)
    home = app.home
    assert isinstance(home, CitizenHome)
    later = Later()
    later.now += 13 * 3600 + 59 * 60 + 30  # 23:59:30 on 30 Nov 2026, Thai time
    later.on(home.retry_wait)
    backend.overrides[("GET", "/requests/mine")] = limited(86400, status=503, code="database_unavailable")
    await home.load()
    try:
        assert home.retry_at == "วันที่ 2\u00a0ธ.ค.\u00a02569 00:00"
        shown = t("retry_at", Locale.TH, time=home.retry_at).replace("\u00a0", " ")  # the date kept whole on a line
        assert [w for w in texts(app_view(app)) if "ลองใหม่ได้" in w] == [shown]
    finally:
        home.retry_wait.after(None)  # no wake-up left sleeping past the test
