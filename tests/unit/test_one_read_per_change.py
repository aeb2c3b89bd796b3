"""The open request and job screens follow what happens, one read per change (client21).

A change of a request comes as its `request` event and, in the same commit, the messages it writes (`notification`
events about it, stamped with the same `at`): the screen reads the request once for them all. A message that comes
with no change of the request (the clock's "it waits for a teacher" to its owner, "the teacher left" to its student)
reads it too. The counts are the app's GETs of the request, as the fake backend saw them."""

import json
from uuid import uuid4

from mobile.live import ServerEvent, change_heard
from mobile.views.frame import app_view
from mobile.views.job import job_view
from shared.text import APP_UI, TEACHER_NEEDED_NEXT_STEP, Locale
from tests.unit.mobile_fakes import DetailBackend, texts
from tests.unit.mobile_screens import open_detail, technician_job

AT = "2026-03-01T09:15:00.123456+07:00"


def _request_event(request_id: str, status: str, at: str = AT) -> ServerEvent:
    """A "request" event as backend/live.py sends it (public_part)."""
    return ServerEvent("request", json.dumps({"kind": "request", "request_id": request_id, "status": status,
                                              "at": at}))


def _message(request_id: str, at: str = AT) -> ServerEvent:
    """A "notification" event as backend/live.py sends it (public_part: no kind of message, no recipient)."""
    return ServerEvent("notification", json.dumps({"kind": "notification", "request_id": request_id,
                                                   "notification_id": 41, "at": at}))


async def test_a_change_and_its_message_read_the_owners_screen_once() -> None:
    backend = DetailBackend()
    backend.my_requests[0].update(status="accepted")
    app, vm = await open_detail(backend)
    rid = str(vm.request_id)
    path = f"/requests/{rid}"
    before = len(backend.calls("GET", path))

    backend.my_requests[0].update(status="diagnosing")
    await app.live_event(_request_event(rid, "diagnosing"))
    await app.live_event(_message(rid))  # "the student began": written by the same commit
    assert len(backend.calls("GET", path)) == before + 1
    assert vm.detail is not None and vm.detail.status == "diagnosing"

    # The message first (a message another table's trigger wrote before the status event): still one read.
    backend.my_requests[0].update(status="repairing")
    later = "2026-03-01T10:00:00.000001+07:00"
    await app.live_event(_message(rid, later))
    await app.live_event(_request_event(rid, "repairing", later))
    assert len(backend.calls("GET", path)) == before + 2
    assert vm.detail is not None and vm.detail.status == "repairing"


async def test_a_message_with_no_change_reads_the_owners_screen() -> None:
    """The clock's `job_waits_for_teacher` comes alone (no status event): the screen reads the request and says why
    it waits. An older backend's message without `at` still reads it."""
    backend = DetailBackend()
    backend.my_requests[0].update(status="accepted")
    app, vm = await open_detail(backend)
    rid = str(vm.request_id)
    path = f"/requests/{rid}"
    await app.live_event(_request_event(rid, "accepted"))
    before = len(backend.calls("GET", path))

    await app.live_event(_message(rid, "2026-03-01T11:00:00+07:00"))
    assert len(backend.calls("GET", path)) == before + 1
    await app.live_event(ServerEvent("notification", json.dumps({"kind": "notification", "request_id": rid})))
    assert len(backend.calls("GET", path)) == before + 2
    await app.live_event(_message(str(uuid4()), "2026-03-01T12:00:00+07:00"))  # another request's: left alone
    assert len(backend.calls("GET", path)) == before + 2
    assert TEACHER_NEEDED_NEXT_STEP.th not in texts(app_view(app))


async def test_the_students_open_job_follows_the_teacher_leaving() -> None:
    """The college's last teacher left while the student looks at their high-risk job: only the clock's
    `teacher_left` message comes (nothing of the request changed). The job screen reads it again and says why the
    next step waits, once; the same message heard again (a reconnect's replay) reads nothing more."""
    backend, app, job = await technician_job("accepted")
    rid = backend.job["id"]
    path = f"/requests/{rid}"
    assert APP_UI["teacher_needed_student"].th not in texts(job_view(job, Locale.TH))
    before = len(backend.calls("GET", path))

    backend.job["teacher_needed"] = True
    at = "2026-03-01T13:00:00+07:00"
    await app.live_event(_message(rid, at))
    assert len(backend.calls("GET", path)) == before + 1
    assert APP_UI["teacher_needed_student"].th in texts(job_view(job, Locale.TH))
    await app.live_event(_message(rid, at))
    assert len(backend.calls("GET", path)) == before + 1


def test_the_parser_reads_a_change_from_either_event() -> None:
    rid = str(uuid4())
    assert change_heard(_request_event(rid, "repairing")) == (rid, AT)
    assert change_heard(_message(rid)) == (rid, AT)
    assert change_heard(ServerEvent("notification", json.dumps({"kind": "notification", "request_id": None,
                                                                "at": AT}))) is None
    assert change_heard(ServerEvent("offer", json.dumps({"request_id": rid, "at": AT}))) is None
    assert change_heard(ServerEvent("request", "not json")) is None
