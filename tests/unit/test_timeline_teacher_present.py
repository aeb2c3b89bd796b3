"""A high-risk work step's timeline row names the teacher present (client21): the backend gives the first name of
the teacher named present with the step (`teacher_present_name`) to whoever may read the request (the owner, the
student, the college's teachers, the admins: tests/integration/test_timeline_teacher_present.py); the app showed
it nowhere. The row says "ครูควบคุม: <name>" (Thai first; "Teacher present: <name>" in English), on that row only."""

from typing import Any

import flet as ft

from mobile.viewmodels.home import CitizenHome
from mobile.views.frame import app_view
from mobile.views.job import job_view
from shared.text import Locale, t
from tests.unit.mobile_fakes import DetailBackend, find, texts
from tests.unit.mobile_screens import open_detail, signed_in, technician_job


class PresentBackend(DetailBackend):
    """The request's detail, its latest step (diagnosing) with the teacher named present."""

    def detail(self, summary: dict[str, Any]) -> dict[str, Any]:
        answer = super().detail(summary)
        answer["timeline"][-1]["teacher_present_name"] = "วิทย์"
        return answer


def _rows_saying(tree: ft.Control, text: str) -> list[ft.Column]:
    """The timeline rows (a Column beside the row's dot) with a line that says `text`."""
    return find(tree, ft.Column, lambda c: any(isinstance(x, ft.Text) and x.value == text for x in c.controls))


async def test_the_owners_timeline_row_names_the_teacher_present_in_thai_first() -> None:
    backend = PresentBackend()
    backend.my_requests[0].update(status="diagnosing")
    app, vm = await open_detail(backend)
    said = t("timeline_teacher_present", Locale.TH, name="วิทย์")
    assert said == "ครูควบคุม: วิทย์"
    assert [row.teacher_present for row in vm.timeline] == ["", "", said]  # that step's row only
    tree = app_view(app)
    assert texts(tree).count(said) == 1
    row = _rows_saying(tree, said)
    assert row and "วิชัย" in " ".join(str(x) for x in texts(row[-1]))  # beside the step's own who and when


async def test_in_english_the_row_says_teacher_present() -> None:
    backend = PresentBackend()
    backend.my_requests[0].update(status="diagnosing")
    app = await signed_in("citizen", backend, Locale.EN)
    home = app.home
    assert isinstance(home, CitizenHome)
    await home.open_request(home.requests[0].id)
    assert "Teacher present: วิทย์" in texts(app_view(app))


async def test_a_step_without_a_teacher_present_says_nothing_of_one() -> None:
    backend = DetailBackend()
    backend.my_requests[0].update(status="diagnosing")
    app, vm = await open_detail(backend)
    assert all(row.teacher_present == "" for row in vm.timeline)
    assert not [x for x in texts(app_view(app)) if isinstance(x, str) and x.startswith("ครูควบคุม")]


async def test_the_students_job_timeline_names_the_teacher_present() -> None:
    backend, _app, job = await technician_job("diagnosing")
    backend.job["timeline"] = [
        {"id": 7, "actor": "technician", "actor_name": "วิชัย มีฝีมือ", "from_status": "accepted",
         "to_status": "diagnosing", "note": "", "created_at": "2026-03-01T09:00:00+07:00",
         "teacher_present_name": "วิทย์"}]
    await job.load()
    assert "ครูควบคุม: วิทย์" in texts(job_view(job, Locale.TH))
