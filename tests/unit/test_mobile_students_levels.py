"""The teacher's students page: each student's level history, collapsed under their row until asked for (the same
endpoint and view code as the college view)."""

from typing import Any

import httpx

from mobile.viewmodels.credit import StudentLevelsScreen
from mobile.views.frame import app_view
from tests.unit.mobile_fakes import STUDENT, WorkBackend, error_response, texts
from tests.unit.mobile_screens import assert_accessible, click, signed_in


class LevelsBackend(WorkBackend):
    def __init__(self) -> None:
        super().__init__()
        self.levels: list[dict[str, Any]] = [
            {"skill_code": "electrical", "level": 2, "changed_at": "2026-06-01T03:00:00+00:00"},
            {"skill_code": "electrical", "level": 3, "changed_at": "2026-11-20T03:00:00+00:00"},
            {"skill_code": "electrical", "level": None, "changed_at": "2026-11-21T03:00:00+00:00"},
        ]
        self.levels_refused = False

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/technicians/") and request.url.path.endswith("/levels"):
            self.requests.append(request)
            if self.levels_refused:
                return error_response(404, "not_found")
            return httpx.Response(200, json=self.levels)
        return super().handle(request)


async def test_the_students_page_shows_a_students_level_history_on_request() -> None:
    backend = LevelsBackend()
    app = await signed_in("supervisor", backend)
    await app.open_technicians()
    screen = app.technicians
    assert isinstance(screen, StudentLevelsScreen)  # the college view's level history, not a copy
    tree = app_view(app)
    assert "ประวัติระดับของ วิชัย" in texts(tree)  # collapsed: only the button, per student
    assert "ประวัติระดับทักษะ" not in texts(tree) and not backend.calls("GET", f"/technicians/{STUDENT}/levels")

    await click(tree, "ประวัติระดับของ วิชัย")
    assert backend.calls("GET", f"/technicians/{STUDENT}/levels")
    tree = app_view(app)
    assert_accessible(tree)
    shown = texts(tree)
    lines = [s for s in shown if s.endswith(("ระดับ 2", "ระดับ 3", "ถูกนำออก"))]
    # Newest first, in Thai, the skill by its catalogue name.
    assert lines == ["21 พ.ย. 2569 · ไฟฟ้า ถูกนำออก", "20 พ.ย. 2569 · ไฟฟ้า ระดับ 3", "1 มิ.ย. 2569 · ไฟฟ้า ระดับ 2"]
    assert "ซ่อนประวัติระดับ" in shown

    await click(tree, "ซ่อนประวัติระดับ")
    shown = texts(app_view(app))
    assert not any("ระดับ 3" in s for s in shown) and "ประวัติระดับของ วิชัย" in shown


async def test_a_refused_level_history_says_why_and_stays_closed() -> None:
    backend = LevelsBackend()
    backend.levels_refused = True
    app = await signed_in("supervisor", backend)
    await app.open_technicians()
    screen = app.technicians
    assert screen is not None
    await click(app_view(app), "ประวัติระดับของ วิชัย")
    assert screen.levels_of is None and screen.notice is not None
    assert screen.notice in texts(app_view(app))
