"""review28a #3 (fixed): the web app's server asked Nominatim as often as its visitors tapped, from its one address.

Served as a web page, the app's Python runs on the web app's server: every visitor's pin (a GPS fix, a map tap) is a
reverse look-up that the server makes, from its own address, through the one Nominatim the deployment names
(geocoder_from_settings, made once per session). Nominatim's usage policy is an absolute maximum of one request a
second for the whole application, and it blocks an address that goes over it. Nothing spaced the calls: a visitor
tapping the map three times a second (or a hand-made client sending taps), or a few visitors pinning at once, went
over it, and once the server's address is blocked no visitor gets an address from a pin any more. The calls are now
spaced process-wide (every session of the server shares one `NOMINATIM_SPACING`); a call whose turn would come later
than its look-up's own timeout gets no address (the form's "address not found" hint) instead of queueing."""

from typing import Any

import pytest

from mobile import geocoding
from mobile.geocoding import geocoder_from_settings
from mobile.settings import AppSettings


class FakeNominatim:
    """geopy's Nominatim as the server sees it: records when (on the test's clock) each call went out."""

    def __init__(self, clock: "Clock", **_settings: Any) -> None:
        self.clock = clock

    def reverse(self, query: Any, **_kwargs: Any) -> None:
        self.clock.calls.append(self.clock.now)
        return None


class Clock:
    """The spacing's clock and sleep: a sleep moves the clock on by what it was asked to wait (no real waiting)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.calls: list[float] = []
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


async def test_the_web_apps_sessions_ask_nominatim_at_most_once_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr("geopy.geocoders.Nominatim", lambda **kw: FakeNominatim(clock, **kw))
    spacing = geocoding.Spacing(geocoding.NOMINATIM_INTERVAL_SECONDS, clock=clock, sleep=clock.sleep)
    monkeypatch.setattr(geocoding, "NOMINATIM_SPACING", spacing)
    settings = AppSettings(geocoder="nominatim", geocoder_timeout_seconds=5)
    first_visitor, second_visitor = geocoder_from_settings(settings), geocoder_from_settings(settings)
    assert first_visitor is not None and second_visitor is not None
    for geocoder in (first_visitor, second_visitor, first_visitor):  # taps in a row, in two sessions
        await geocoder.reverse(13.75, 100.5)
    assert clock.calls == [1000.0, 1001.0, 1002.0]  # one a second, whichever session asked


async def test_a_look_up_whose_turn_is_past_its_timeout_gets_no_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """A burst of taps queues no further than one look-up's timeout: the rest get the form's "not found" hint."""
    clock = Clock()
    monkeypatch.setattr("geopy.geocoders.Nominatim", lambda **kw: FakeNominatim(clock, **kw))
    spacing = geocoding.Spacing(geocoding.NOMINATIM_INTERVAL_SECONDS, clock=clock, sleep=clock.sleep)
    monkeypatch.setattr(geocoding, "NOMINATIM_SPACING", spacing)
    geocoder = geocoder_from_settings(AppSettings(geocoder="nominatim", geocoder_timeout_seconds=2))
    assert geocoder is not None
    spacing.next_at = clock.now + 10  # ten taps' worth already waiting
    assert await geocoder.reverse(13.75, 100.5) is None
    assert clock.calls == [] and clock.waits == []  # not sent, and nobody kept waiting for it
