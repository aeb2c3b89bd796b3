"""audit15b: a hostile review of the app where it lives (a 360x640 phone, Thai and English, the packaged build).

Each test here shows one finding and fails today (xfail strict): the fix makes it pass and removes the mark.
"""

import importlib.metadata
import os
import subprocess
import sys
import tomllib

import pytest
from packaging.requirements import Requirement

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
