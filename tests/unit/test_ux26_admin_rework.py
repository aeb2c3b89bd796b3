"""ux26 #1: an admin at a high-risk job's check (the admins decide it: its college's teachers left, or the only one
asked for the repair or worked on it) sends it back for rework naming a teacher of the job's college present (the API
takes `teacher_present_id`); with no teacher at the college the screen says why the send-back is not offered and what
the admin can do instead. Driven through the app's view-model and its rendered tree, without a browser."""

from typing import Any
from uuid import UUID, uuid4

import flet as ft
import httpx

from mobile.viewmodels.app import Screen
from mobile.viewmodels.job import JobViewModel
from mobile.views.frame import app_view
from shared.roles import Actor
from shared.statuses import RequestStatus
from shared.text import Locale, bilingual
from tests.unit.mobile_fakes import WorkBackend, error_response, texts, walk
from tests.unit.mobile_screens import signed_in

S = RequestStatus
SOMSRI, WANDEE = str(uuid4()), str(uuid4())
TEACHERS = [{"id": SOMSRI, "display_name": "ครูสมศรี"}, {"id": WANDEE, "display_name": "ครูวันดี"}]
FIX = "ยังมีเสียงดัง ตรวจคอมเพรสเซอร์ใหม่"


class PresenceRefused(WorkBackend):
    """The college's last teacher left between the screen's read and the send-back: the move is refused as the
    backend refuses it (409 presence_no_teacher), and the teachers' list is empty from then on."""

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/status"):
            self.requests.append(request)
            self.college_teachers = []
            return error_response(409, "presence_no_teacher")
        return super().handle(request)


async def _admin_at_check(backend: WorkBackend, locale: Locale | None = None) -> tuple[Any, JobViewModel]:
    backend.job.update(status="quality_check", category_code="air_conditioning")
    app = await signed_in("admin", backend, locale)
    await app.open_job(UUID(backend.job["id"]))
    assert app.job is not None
    return app, app.job


def _teacher_reads(backend: WorkBackend) -> int:
    return sum(1 for r in backend.requests if r.url.path == f"/admin/requests/{backend.job['id']}/teachers")


async def test_an_admin_sends_a_high_risk_check_back_naming_the_teacher_present() -> None:
    backend = WorkBackend()
    backend.college_teachers = TEACHERS
    app, job = await _admin_at_check(backend)
    rework = next(s for s in job.steps if s.to_status == S.REPAIRING)
    assert rework.needs_teacher and rework.needs_note and rework.hint == bilingual("rework_admin_teacher_hint")
    assert {s.to_status for s in job.steps} == {S.OFFERED, S.REPAIRING, S.DONE}
    assert job.rework_no_teacher_note is None
    assert job.present_teacher is None  # two to choose from: none chosen for the admin

    job.start_step(S.REPAIRING)
    shown = texts(app_view(app))
    assert bilingual("rework_admin_teacher_hint").th in shown and bilingual("rework_teacher_label").th in shown
    # Nothing is sent before both the note and the teacher are given, each said on the panel.
    await job.confirm_step()
    assert job.step_error == bilingual("rework_note_required").th
    job.set_note(FIX)
    await job.confirm_step()
    assert job.step_error == bilingual("rework_teacher_required").th
    assert backend.bodies == []
    job.pick_present_teacher("not-a-teacher")
    assert job.present_teacher is None
    job.pick_present_teacher(WANDEE)
    assert job.present_teacher == UUID(WANDEE) and job.step_error is None
    await job.confirm_step()
    assert backend.bodies == [{"to_status": "repairing", "note": FIX, "teacher_present_id": WANDEE}]
    assert job.step_error is None and job.open_step is None and job.status == S.REPAIRING
    # Out of the check the teachers are not asked again, and no send-back or note is left on the screen.
    assert job.rework_no_teacher_note is None and not job.names_teacher_at_rework


async def test_the_only_teacher_is_chosen_and_the_pick_is_said_on_the_panel() -> None:
    backend = WorkBackend()
    backend.college_teachers = TEACHERS[:1]
    app, job = await _admin_at_check(backend, Locale.EN)
    assert job.present_teacher == UUID(SOMSRI)
    job.start_step(S.REPAIRING)
    picker = next(c for c in walk(app_view(app)) if isinstance(c, ft.Dropdown) and c.key == "present-teacher")
    assert picker.value == SOMSRI and [o.text for o in picker.options] == ["ครูสมศรี"]
    job.set_note(FIX)
    await job.confirm_step()
    assert backend.bodies[-1]["teacher_present_id"] == SOMSRI


async def test_with_no_teacher_at_the_college_the_screen_says_why_and_what_the_admin_can_do() -> None:
    for locale in (Locale.TH, Locale.EN):
        backend = WorkBackend()
        app, job = await _admin_at_check(backend, locale)
        assert [s.to_status for s in job.steps] == [S.OFFERED, S.DONE]  # no send-back the backend would refuse
        note = bilingual("rework_no_teacher_admin").in_(locale)
        assert job.rework_no_teacher_note == note and note in texts(app_view(app))
        # It names the two moves the admin has, in the words of their buttons.
        for key in ("step_offered", "step_done"):
            assert bilingual(key).in_(locale) in note
        job.start_step(S.OFFERED)
        assert bilingual("take_back_from_check_hint").in_(locale) in texts(app_view(app))


async def test_a_teacher_leaving_before_the_send_back_is_said_and_the_list_read_again() -> None:
    backend = PresenceRefused()
    backend.college_teachers = TEACHERS[:1]
    app, job = await _admin_at_check(backend)
    job.start_step(S.REPAIRING)
    job.set_note(FIX)
    reads = _teacher_reads(backend)
    await job.confirm_step()
    assert job.step_error is not None and job.step_error.startswith("วิทยาลัยของงานนี้ไม่มีครู")
    assert _teacher_reads(backend) == reads + 1 and job.present_teachers == [] and job.present_teacher is None
    assert job.note == FIX  # what was typed stays
    job.dismiss_step()
    assert S.REPAIRING not in [s.to_status for s in job.steps]
    assert bilingual("rework_no_teacher_admin").th in texts(app_view(app))


async def test_a_teacher_at_the_check_is_the_one_present_and_reads_no_list() -> None:
    """The teacher's own send-back is unchanged: they are recorded present, nobody to name, no list read."""
    backend = WorkBackend()
    backend.job.update(status="quality_check", category_code="air_conditioning")
    app = await signed_in("supervisor", backend)
    await app.open_job(UUID(backend.job["id"]))
    job = app.job
    assert job is not None
    rework = next(s for s in job.steps if s.to_status == S.REPAIRING)
    assert not rework.needs_teacher and rework.hint == bilingual("rework_teacher_present_hint")
    job.start_step(S.REPAIRING)
    job.set_note(FIX)
    await job.confirm_step()
    assert backend.bodies == [{"to_status": "repairing", "note": FIX}]
    assert _teacher_reads(backend) == 0


async def test_an_admins_message_about_a_check_opens_the_job_to_decide() -> None:
    """The admins' "waiting for your check" links /jobs/{id} (shared.notifications.link), as a teacher's does: tapped
    in the inbox, or the address reloaded, it opens the job with the admin's steps, not the admin's home."""
    backend = WorkBackend()
    backend.college_teachers = TEACHERS
    backend.job.update(status="quality_check", category_code="air_conditioning")
    app = await signed_in("admin", backend)
    await app.open_route(f"/jobs/{backend.job['id']}")
    assert app.screen == Screen.JOB and app.job is not None and app.job.actor == Actor.ADMIN
    assert app.route == f"/jobs/{backend.job['id']}"
    assert S.REPAIRING in [s.to_status for s in app.job.steps]
