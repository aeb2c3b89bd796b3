"""A screen the app let go of (`mobile/viewmodels/app.py::Shown` closes it) while its load or an action was on its
way: the late answer redraws nothing and moves the app nowhere (review17a findings 5 and 6)."""

import asyncio

from mobile.viewmodels.app import Screen
from tests.unit.mobile_fakes import DetailBackend
from tests.unit.mobile_screens import current_screen, open_detail


async def test_a_load_landing_after_its_screen_closed_does_not_redraw_the_app() -> None:
    """known17app's `Shown` closes a screen's view-model so that "nothing of a closed screen runs on to redraw the app
    later"; only its Retry-After wait was ended. Back tapped while the detail's reload is on its way: when the answer
    lands, the closed detail still called its listeners (the app's redraw) for a screen nobody sees."""
    backend = DetailBackend()
    app, detail = await open_detail(backend)
    backend.hold_next(f"/requests/{detail.request_id}")
    loading = asyncio.create_task(detail.load())
    await backend.held.wait()
    await detail.back()
    assert current_screen(app) == Screen.HOME and app.request_detail is None
    redrawn: list[int] = []
    app.on_change.append(lambda: redrawn.append(1))
    backend.release.set()
    await loading
    assert redrawn == [], "the closed screen's answer redrew the app"
