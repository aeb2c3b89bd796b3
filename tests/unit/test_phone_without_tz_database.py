"""The app starts on a phone that has no time zone database Python can read (Android), as the packaged build has it.

Moved from the audit15b review (its finding: shared/thai_time.py built ZoneInfo("Asia/Bangkok") at import)."""

import importlib.metadata
import os
import subprocess
import sys
import tomllib
from datetime import UTC, date, datetime, timedelta

from packaging.requirements import Requirement

from mobile.settings import PROJECT_ROOT
from shared.thai_time import BANGKOK, bangkok_day, bangkok_midnight

PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))

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


def test_the_fixed_bangkok_zone_is_the_iana_zone_for_every_date_the_app_handles() -> None:
    """The one zone the backend and the app share is a fixed UTC+7: Bangkok's offset has not changed since 1920, so
    it agrees with the IANA zone (where this machine has it) on days, midnights and the clock, across the years."""
    from zoneinfo import ZoneInfo

    iana = ZoneInfo("Asia/Bangkok")
    moment = datetime(1971, 1, 1, tzinfo=UTC)
    while moment < datetime(2071, 1, 1, tzinfo=UTC):
        assert moment.astimezone(BANGKOK).replace(tzinfo=None) == moment.astimezone(iana).replace(tzinfo=None)
        assert bangkok_day(moment) == moment.astimezone(iana).date()
        moment += timedelta(days=97, hours=5, minutes=13)
    assert bangkok_midnight(date(2026, 11, 30)) == datetime(2026, 11, 29, 17, 0, tzinfo=UTC)
    assert bangkok_midnight(date(2026, 11, 30)).isoformat() == "2026-11-30T00:00:00+07:00"
