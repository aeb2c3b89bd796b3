"""audit27 F2: an admin's job screen at a high-risk check reads the college's teachers (ux26's picker for the
send-back) after the job itself; a failure of that second read failed the whole screen. Driven through the app's
view-model, without a browser."""

from uuid import UUID

import httpx

from mobile.viewmodels.loadable import LoadState
from shared.statuses import RequestStatus
from tests.unit.mobile_fakes import WorkBackend, error_response
from tests.unit.mobile_screens import signed_in

S = RequestStatus


class TeachersUnavailable(WorkBackend):
    """The job reads, the teachers' read does not (a busy copy's 503, a pool timeout) while `down`."""

    down = True

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down and request.url.path.endswith("/teachers"):
            self.requests.append(request)
            return error_response(503, "database_unavailable")
        return super().handle(request)


async def test_the_job_shows_and_its_other_steps_work_when_the_teachers_cannot_be_read() -> None:
    backend = TeachersUnavailable()
    backend.job.update(status="quality_check", category_code="air_conditioning")
    app = await signed_in("admin", backend)
    await app.open_job(UUID(backend.job["id"]))
    job = app.job
    assert job is not None
    assert job.state == LoadState.READY and job.detail is not None
    # The moves that need no teacher are there; the send-back, whose teacher cannot be named now, is not offered.
    assert {s.to_status for s in job.steps} == {S.OFFERED, S.DONE}
    assert job.rework_no_teacher_note is None  # not known to have none: nothing said of it
    # Read again (a live event, the poll) once the backend answers: the send-back is offered.
    backend.down = False
    backend.college_teachers = [{"id": "7b0c0a52-8a0e-4a50-9f53-1f1b2b3c4d5e", "display_name": "ครูสมศรี"}]
    await job.load()
    assert S.REPAIRING in {s.to_status for s in job.steps}
