"""A tapped offer notification looks for its offer among the offers as they are after the tap, even when a reload
of the home is already on its way (review16a finding 7): `Loadable.load_fresh` waits for that reload, which fetches
once more, instead of returning at once as `load` does."""

import asyncio

from mobile.viewmodels.app import Screen
from mobile.viewmodels.home import TechnicianHome
from shared.statuses import OfferGone
from shared.text import error_text
from tests.unit.mobile_screens import signed_in
from tests.unit.test_mobile_offer_gone import GoneBackend, offer_notification


async def test_an_offer_notification_tapped_during_a_reload_still_says_why() -> None:
    """Student home, the live stream (or the 5 s poll) is reloading the offers on a slow line when the student taps
    the "new offer" notification of a job another student has just taken. `open_notification` → `look_for_offer` →
    `load()` found a load on its way, asked it to fetch again and returned; `self.state` was LOADING, not READY, so
    the look-up returned without asking GET /requests/{id}: the offers showed without it and nothing said why."""
    backend = GoneBackend(410, OfferGone.TAKEN.value)
    backend.offers = []  # taken by another student
    offer_notification(backend)
    vm = await signed_in("technician", backend)
    home = vm.home
    assert isinstance(home, TechnicianHome)
    await vm.open_inbox()
    assert vm.inbox is not None
    backend.hold_next("/technician/offers")
    reload = asyncio.ensure_future(home.load())  # a live event's reload of the home, on a slow line
    await asyncio.wait_for(backend.held.wait(), 30)
    offers_asked = len(backend.calls("GET", "/technician/offers"))
    tapped = asyncio.ensure_future(vm.inbox.open(1))
    for _ in range(1000):  # the tap handled as far as it goes while the reload's answer is on its way (no timing)
        if tapped.done():
            break
        await asyncio.sleep(0)
    assert not tapped.done(), "the look-up did not wait for the reload on its way"
    backend.release.set()
    await asyncio.wait_for(asyncio.gather(reload, tapped), 30)
    assert vm.screen == Screen.HOME and vm.home is home
    assert home.notice == error_text(OfferGone.TAKEN.value).th, backend.calls("GET", f"/requests/{backend.job['id']}")
    # The reload on its way fetched the offers once more, after the tap: the list looked at is as new as the tap.
    assert len(backend.calls("GET", "/technician/offers")) == offers_asked + 1


async def test_a_cancelled_look_up_leaves_the_reload_it_waited_for_going() -> None:
    """The screen the tap came from goes (its task cancelled) while the look-up waits: the reload it waited for is
    not cancelled with it, and the home still shows its offers."""
    backend = GoneBackend(410, OfferGone.TAKEN.value)
    vm = await signed_in("technician", backend)
    home = vm.home
    assert isinstance(home, TechnicianHome)
    backend.hold_next("/technician/offers")
    reload = asyncio.ensure_future(home.load())
    await asyncio.wait_for(backend.held.wait(), 30)
    waiting = asyncio.ensure_future(home.load_fresh())
    for _ in range(1000):
        if waiting.done():
            break
        await asyncio.sleep(0)
    assert not waiting.done()
    waiting.cancel()
    backend.release.set()
    await asyncio.wait_for(reload, 30)
    assert waiting.cancelled() and home.has_loaded and home.error is None
