"""A student's open job screen when the job they lead leaves them (migration 0056): a teacher takes it back or gives
it to another student. The live event says how, and whether they stay on its team with their hours; the screen
closes in those words (Thai and English) instead of a bare "not found" on its next reload."""

import json
from uuid import uuid4

import httpx

from mobile.live import ServerEvent
from mobile.viewmodels.app import AppViewModel, Screen
from mobile.viewmodels.home import TechnicianHome
from mobile.viewmodels.job import JobViewModel
from mobile.views.job import job_view
from shared.text import Locale
from tests.unit.mobile_fakes import NOW, error_response, request_summary, texts
from tests.unit.mobile_screens import assert_accessible, signed_in
from tests.unit.test_mobile_credit import CreditBackend

NOT_FOUND = {"ไม่พบข้อมูลที่ต้องการ", "ลองใหม่", "Not found", "Try again"}


class LeadBackend(CreditBackend):
    """A job the signed-in student leads until `gone`: then it is not theirs to read (404), as the backend answers
    a former lead (handed off when kept on the team, 0048)."""

    def __init__(self) -> None:
        super().__init__("diagnosing")
        self.gone = False
        self.jobs = [{k: v for k, v in self.job.items() if k in request_summary("x", "y")}]

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.gone and request.url.path.startswith(f"/requests/{self.job['id']}"):
            self.requests.append(request)
            return error_response(404, "not_found")
        return super().handle(request)


async def _leading(backend: LeadBackend) -> tuple[AppViewModel, JobViewModel]:
    vm = await signed_in("technician", backend)
    home = vm.home
    assert isinstance(home, TechnicianHome)
    await home.open_job(home.jobs[0].id)
    job = vm.job
    assert job is not None and job.detail is not None and not job.helping and job.closed_text is None
    return vm, job


def _event(rid: str, how: str, kept: bool) -> ServerEvent:
    return ServerEvent("request", json.dumps({"kind": "request", "request_id": rid, "at": NOW.isoformat(),
                                              "lead_left": how, "kept": kept}))


def _shown(job: JobViewModel, locale: Locale) -> list[str]:
    tree = job_view(job, locale)
    assert_accessible(tree)
    return texts(tree)


async def test_a_lead_whose_job_is_given_to_another_student_sees_it_close_in_words() -> None:
    """Before 0056 the former lead heard nothing: the screen kept the job, with its moves, until a reload showed
    "not found" with a retry. The event closes it at once, says it was given to another student, and a refresh
    keeps it so."""
    backend = LeadBackend()
    vm, job = await _leading(backend)
    backend.gone, backend.jobs = True, []
    await vm.live_event(_event(backend.job["id"], "reassigned", False))
    assert vm.screen == Screen.JOB and job.detail is None and job.error is None
    assert job.closed_text is not None and job.closed_text.startswith("งานนี้ถูกมอบให้นักศึกษาคนอื่นทำต่อแล้ว")
    shown = _shown(job, Locale.TH)
    assert job.closed_text in shown and not (NOT_FOUND | {"พัดลม"}) & set(shown), shown
    assert not any("ผู้ช่วย" in s for s in shown)  # not kept: nothing said of a place on the team

    await job.load()  # the screen's refresh: the same words, not "not found"
    assert job.detail is None and job.error is None
    assert job.closed_text.startswith("งานนี้ถูกมอบให้นักศึกษาคนอื่นทำต่อแล้ว")
    vm.session.set_locale(Locale.EN)
    shown = _shown(job, Locale.EN)
    assert "This job was given to another student: it is no longer yours, so it is closed to you" in shown, shown


async def test_a_lead_kept_on_the_team_is_told_the_job_was_taken_back_and_their_hours_stay() -> None:
    backend = LeadBackend()
    vm, job = await _leading(backend)
    backend.gone = True
    await vm.live_event(_event(backend.job["id"], "taken_back", True))
    assert job.detail is None and job.closed_text is not None
    assert job.closed_text.startswith("งานนี้ถูกรับคืนแล้ว") and "คุณยังอยู่ในทีมเป็นผู้ช่วย" in job.closed_text
    vm.session.set_locale(Locale.EN)
    assert any(s.startswith("This job was taken back") and "You stay on its team as a helper" in s
               for s in _shown(job, Locale.EN))


async def test_without_the_live_stream_a_reload_of_a_job_that_left_its_lead_says_so() -> None:
    """Polling (no stream): nothing says how the job left them, but a reload finding the job they led gone says it
    is no longer theirs, not "not found"; given back to them, it shows again."""
    backend = LeadBackend()
    _, job = await _leading(backend)
    backend.gone = True
    await job.load()
    assert job.detail is None and job.error is None
    assert job.closed_text is not None and job.closed_text.startswith("งานนี้ไม่ได้เป็นของคุณแล้ว")
    assert not NOT_FOUND & set(_shown(job, Locale.TH))
    backend.gone = False
    await job.load()
    assert job.detail is not None and job.closed_text is None and "พัดลม" in _shown(job, Locale.TH)


async def test_the_event_of_another_job_leaves_the_open_one_as_it_is() -> None:
    backend = LeadBackend()
    vm, job = await _leading(backend)
    await vm.live_event(_event(str(uuid4()), "reassigned", False))
    assert job.detail is not None and job.closed_text is None and "พัดลม" in _shown(job, Locale.TH)
