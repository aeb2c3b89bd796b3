"""A high-risk job in a student's hands whose college's last teacher left (stranded20), on the two screens that had
nothing to say of it: the admin's list of jobs no teacher can decide says why it waits and opens it as a job whose
take back moves it on; its owner's request screen says why it waits (the backend's next step), set apart from an
ordinary step."""

import json
from typing import Any
from uuid import UUID, uuid4

import flet as ft

from mobile.live import ServerEvent
from mobile.viewmodels.home import AdminHome
from mobile.views.frame import app_view
from mobile.views.job import job_view
from shared.statuses import RequestStatus
from shared.text import APP_UI, TEACHER_NEEDED_NEXT_STEP, Locale, t
from tests.unit.mobile_fakes import COLLEGE, DetailBackend, find, request_summary, texts
from tests.unit.mobile_screens import assert_accessible, open_detail, signed_in
from tests.unit.test_mobile_credit import CreditBackend


async def test_the_admins_list_says_why_a_stranded_job_waits_and_its_job_offers_the_take_back() -> None:
    backend = CreditBackend("diagnosing", category="air_conditioning")
    backend.job["teacher_needed"] = True
    backend.undecided = [{**request_summary("แอร์ติดผนัง", "diagnosing"), "id": backend.job["id"],
                          "category_code": "air_conditioning", "college_id": COLLEGE["id"], "why": "teacher_needed",
                          "holder_suspended": False}]
    app = await signed_in("admin", backend)
    tree = app_view(app)
    shown = texts(tree)
    reason = t("undecided_teacher_needed", Locale.TH, college=COLLEGE["name_th"])
    assert reason in shown and "แอร์ติดผนัง" in shown
    assert t("undecided_no_teacher", Locale.TH, college=COLLEGE["name_th"]) not in shown  # its own reason only
    assert_accessible(tree)
    home = app.home
    assert isinstance(home, AdminHome) and home.on_open_job == app.open_job  # a tap opens the job

    await app.open_job(UUID(backend.job["id"]))
    job = app.job
    assert job is not None and RequestStatus.OFFERED in [s.to_status for s in job.steps]  # the take back
    opened = texts(job_view(job, Locale.TH))
    assert APP_UI["teacher_needed_staff"].th in opened
    take_back = next(s for s in job.steps if s.to_status == RequestStatus.OFFERED).label.th
    assert take_back in opened


class _StrandedBackend(DetailBackend):
    """The owner's request in a student's hands at a college with no teacher now (`stranded`): the detail as the
    backend sends it (teacher_needed, and its next step in its place, with no usual wait)."""

    def __init__(self) -> None:
        super().__init__()
        self.stranded = True

    def detail(self, summary: dict[str, Any]) -> dict[str, Any]:
        said = super().detail(summary)
        if not self.stranded:
            return said
        return {**said, "teacher_needed": True, "next_step": TEACHER_NEEDED_NEXT_STEP.th, "expected_wait": None}


async def test_the_owners_screen_says_why_the_job_waits() -> None:
    backend = _StrandedBackend()
    backend.my_requests[0].update(status="diagnosing")
    app, vm = await open_detail(backend)
    assert vm.detail is not None and vm.detail.teacher_needed
    tree = app_view(app)
    shown = texts(tree)
    assert TEACHER_NEEDED_NEXT_STEP.th in shown
    assert not [line for line in shown if isinstance(line, str) and line.startswith("โดยปกติ")]  # no usual wait
    boxes = find(tree, ft.Container, lambda c: TEACHER_NEEDED_NEXT_STEP.th in texts(c))
    assert boxes and boxes[-1].bgcolor == ft.Colors.ERROR_CONTAINER  # set apart from an ordinary step's box
    assert_accessible(tree)


async def test_the_owners_open_screen_reads_the_clocks_message_about_it() -> None:
    """The college's teacher leaves while the owner looks at the request: nothing of the request changes (no
    request event), only the clock's message to the owner comes. The screen reads the request again and says why
    it waits; a message about another request leaves it alone."""
    backend = _StrandedBackend()
    backend.stranded = False
    backend.my_requests[0].update(status="accepted")
    app, vm = await open_detail(backend)
    assert TEACHER_NEEDED_NEXT_STEP.th not in texts(app_view(app))
    backend.stranded = True
    await app.live_event(_message_about(str(uuid4())))
    assert TEACHER_NEEDED_NEXT_STEP.th not in texts(app_view(app))
    await app.live_event(_message_about(str(vm.request_id)))
    assert TEACHER_NEEDED_NEXT_STEP.th in texts(app_view(app))


def _message_about(request_id: str) -> ServerEvent:
    """A "notification" event as backend/live.py sends it (public_part: no message kind, no recipient)."""
    return ServerEvent("notification", json.dumps({
        "kind": "notification", "request_id": request_id, "notification_id": str(uuid4()),
        "at": "2026-01-01T00:00:00+00:00"}))


async def test_an_ordinary_step_keeps_its_box() -> None:
    backend = DetailBackend()
    backend.my_requests[0].update(status="diagnosing")
    app, _ = await open_detail(backend)
    tree = app_view(app)
    assert TEACHER_NEEDED_NEXT_STEP.th not in texts(tree)
    assert not find(tree, ft.Container, lambda c: c.bgcolor == ft.Colors.ERROR_CONTAINER)
