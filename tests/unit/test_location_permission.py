"""'Use my current location' on a phone: the app asks the person for location access before it asks for a position,
and a refusal for good says where in the phone's settings to allow it. In the browser nothing changes: asking for
the position is what shows the browser's own question.

The first test moved from the audit15b review (its finding: FletDevice.current_position never asked)."""

from types import SimpleNamespace
from typing import Any, cast

import pytest
from flet_geolocator import GeolocatorPermissionStatus

from mobile.device import FletDevice, LocationDenied, LocationDeniedForever
from mobile.views.frame import app_view
from shared.text import Locale, t
from tests.unit.mobile_fakes import RequestBackend, texts
from tests.unit.mobile_screens import click, open_form

POSITION = (18.7883, 98.9853)


class AndroidGeolocator:
    """flet-geolocator 1.0.5 on Android, as its Dart half and Baseflow's geolocator_android behave:
    `get_current_position` calls Geolocator.getCurrentPosition, which answers permissionDenied while the app holds
    no location permission (MethodCallHandlerImpl.onGetCurrentPosition checks hasPermission and never asks); only
    `request_permission` shows the system's "Allow location?" dialog, and not at all once the person chose "don't
    allow" for good (then the status is deniedForever). Flet's Python side raises the Dart error as a RuntimeError."""

    def __init__(self, person_allows: bool, *, refused_for_good: bool = False, granted: bool = False) -> None:
        self.person_allows = person_allows
        self.refused_for_good = refused_for_good
        self.granted = granted
        self.asked = 0

    async def get_permission_status(self) -> GeolocatorPermissionStatus:
        if self.granted:
            return GeolocatorPermissionStatus.WHILE_IN_USE
        return GeolocatorPermissionStatus.DENIED_FOREVER if self.refused_for_good else GeolocatorPermissionStatus.DENIED

    async def request_permission(self) -> GeolocatorPermissionStatus:
        if not self.refused_for_good:  # the system shows no dialog once refused for good
            self.asked += 1
            self.granted = self.person_allows
        return await self.get_permission_status()

    async def is_location_service_enabled(self) -> bool:
        return True

    async def get_current_position(self, configuration: object = None) -> SimpleNamespace:
        if not self.granted:
            raise RuntimeError("Location permission denied: User denied permissions to access the device's location.")
        return SimpleNamespace(latitude=POSITION[0], longitude=POSITION[1])


class BrowserGeolocator(AndroidGeolocator):
    """geolocator_web: getCurrentPosition itself shows the browser's question; its requestPermission asks for a
    position and reports any failure as deniedForever, so the app must not call it there."""

    async def get_permission_status(self) -> GeolocatorPermissionStatus:
        raise AssertionError("not asked in the browser")

    async def request_permission(self) -> GeolocatorPermissionStatus:
        raise AssertionError("not asked in the browser")

    async def get_current_position(self, configuration: object = None) -> SimpleNamespace:
        self.asked += 1  # the browser's own question
        self.granted = self.person_allows
        return await super().get_current_position(configuration)


def phone_with(geolocator: AndroidGeolocator) -> FletDevice:
    device = FletDevice()
    device._geolocator = cast(Any, geolocator)  # the platform plugin, as a freshly installed app meets it
    return device


async def test_use_my_location_asks_the_phone_for_permission_first() -> None:
    device = FletDevice()
    geolocator = AndroidGeolocator(person_allows=True)
    device._geolocator = cast(Any, geolocator)  # the platform plugin, as a freshly installed app meets it
    assert await device.current_position() == (18.7883, 98.9853)
    assert geolocator.asked == 1


async def test_a_permission_already_given_is_not_asked_again() -> None:
    geolocator = AndroidGeolocator(person_allows=True, granted=True)
    assert await phone_with(geolocator).current_position() == POSITION
    assert geolocator.asked == 0


async def test_a_person_who_does_not_allow_it_gets_the_refusal() -> None:
    geolocator = AndroidGeolocator(person_allows=False)
    with pytest.raises(LocationDenied) as refused:
        await phone_with(geolocator).current_position()
    assert not isinstance(refused.value, LocationDeniedForever)  # asked once more next time: no settings needed
    assert geolocator.asked == 1


async def test_in_the_browser_the_position_request_is_the_question(monkeypatch: pytest.MonkeyPatch) -> None:
    geolocator = BrowserGeolocator(person_allows=True)
    device = phone_with(geolocator)
    monkeypatch.setattr(device, "_is_web", lambda: True)
    assert await device.current_position() == POSITION
    assert geolocator.asked == 1


@pytest.mark.parametrize("locale", list(Locale))
async def test_refused_for_good_the_form_says_where_in_the_settings_to_allow_it(locale: Locale) -> None:
    """Once refused for good the phone shows no dialog: the form says so and where to allow it, and the map pin
    still works."""
    app, form = await open_form(RequestBackend(), locale)
    geolocator = AndroidGeolocator(person_allows=True, refused_for_good=True)
    device = phone_with(geolocator)
    with pytest.raises(LocationDeniedForever):
        await device.current_position()

    await click(app_view(app, device), t("use_gps", locale))
    shown = texts(app_view(app, device))
    assert form.location_notice == t("gps_denied_forever", locale) and form.location_notice in shown
    assert ("การตั้งค่า" if locale == Locale.TH else "Settings") in form.location_notice
    assert form.lat is None and geolocator.asked == 0
