"""audit15b: a hostile review of the app where it lives (a 360x640 phone, Thai and English, the packaged build).

Each test here shows one finding and fails today (xfail strict): the fix makes it pass and removes the mark.
"""

import importlib.metadata
import os
import subprocess
import sys
import tomllib
from types import SimpleNamespace
from typing import Any, cast

import pytest
from flet_geolocator import GeolocatorPermissionStatus
from packaging.requirements import Requirement

from mobile.device import FletDevice
from mobile.settings import PROJECT_ROOT

PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))

# --- the packaged build ----------------------------------------------------------------------------------------

# Marker values of an Android phone (Python 3.13+ reports sys_platform "android"; older mobile builds "linux").
ANDROID = {"sys_platform": "android", "platform_system": "Android", "os_name": "posix", "extra": ""}


def phone_distributions() -> set[str]:
    """What `flet build apk` installs for the phone: [project] dependencies and what they require on Android (read
    from the installed metadata, which holds the same versions)."""
    seen: set[str] = set()
    todo = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
    while todo:
        requirement = todo.pop()
        name = requirement.name.lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        for needed in importlib.metadata.requires(requirement.name) or []:
            sub = Requirement(needed)
            if sub.marker is None or sub.marker.evaluate(ANDROID):
                todo.append(sub)
    return seen


@pytest.mark.xfail(strict=True, reason="audit15b: shared/thai_time.py builds ZoneInfo('Asia/Bangkok') at import; "
                   "Android has no /usr/share/zoneinfo and tzdata is not among the app's dependencies")
def test_the_app_imports_on_a_phone_without_a_system_time_zone_database() -> None:
    """Android keeps its time zones in one packed file of its own, not in the IANA folders Python's zoneinfo reads
    (/usr/share/zoneinfo...; python/cpython#127801): there `ZoneInfo(...)` finds a zone only through the PyPI
    `tzdata` package, and Flet's maintainer gives the same advice (flet-dev/flet#5058). PYTHONTZPATH="" is such a
    machine; `tzdata` is hidden unless the phone would get it from [project] dependencies. The app's entry
    (main.py -> mobile.main -> mobile.app -> ... shared.text -> shared.credit -> shared.thai_time) must import."""
    hide_tzdata = "tzdata" not in phone_distributions()
    boot = (f"import sys\nif {hide_tzdata}: sys.modules['tzdata'] = None\n"
            "import zoneinfo\nassert zoneinfo.TZPATH == (), zoneinfo.TZPATH\n"
            "import mobile.main, mobile.app\nprint('imported')")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIXIT_", "PYTHON"))}
    env["PYTHONTZPATH"] = ""
    done = subprocess.run([sys.executable, "-c", boot], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0 and "imported" in done.stdout, done.stderr[-3000:]


# --- the phone's own services ----------------------------------------------------------------------------------


class AndroidGeolocator:
    """flet-geolocator 1.0.5 on Android, as its Dart half and Baseflow's geolocator_android behave:
    `get_current_position` calls Geolocator.getCurrentPosition, which answers permissionDenied while the app holds
    no location permission (MethodCallHandlerImpl.onGetCurrentPosition checks hasPermission and never asks); only
    `request_permission` shows the system's "Allow location?" dialog. Flet's Python side raises the
    Dart error as a RuntimeError."""

    def __init__(self, person_allows: bool) -> None:
        self.person_allows = person_allows
        self.granted = False
        self.asked = 0

    async def get_permission_status(self) -> GeolocatorPermissionStatus:
        return GeolocatorPermissionStatus.WHILE_IN_USE if self.granted else GeolocatorPermissionStatus.DENIED

    async def request_permission(self) -> GeolocatorPermissionStatus:
        self.asked += 1
        self.granted = self.person_allows
        return await self.get_permission_status()

    async def is_location_service_enabled(self) -> bool:
        return True

    async def get_current_position(self, configuration: object = None) -> SimpleNamespace:
        if not self.granted:
            raise RuntimeError("Location permission denied: User denied permissions to access the device's location.")
        return SimpleNamespace(latitude=18.7883, longitude=98.9853)


@pytest.mark.xfail(strict=True, reason="audit15b: mobile/device.py::FletDevice.current_position never calls "
                   "Geolocator.request_permission: on Android the 'use my location' button answers 'denied' "
                   "without the person ever being asked")
async def test_use_my_location_asks_the_phone_for_permission_first() -> None:
    device = FletDevice()
    geolocator = AndroidGeolocator(person_allows=True)
    device._geolocator = cast(Any, geolocator)  # the platform plugin, as a freshly installed app meets it
    assert await device.current_position() == (18.7883, 98.9853)
    assert geolocator.asked == 1
