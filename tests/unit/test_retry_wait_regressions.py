"""A server's Retry-After (a 429's, a 503's) is waited out by every load of the screen, not only its retry button, and
the time the button names says the day when it is not today (review16a's findings 5, 8)."""

from mobile.viewmodels.home import CitizenHome
from tests.unit.mobile_fakes import RequestBackend
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

