"""The admin's home hears what comes to wait on them: regressions from review17b."""

import json
import uuid

from mobile.live import ServerEvent
from mobile.viewmodels.home import AdminHome
from tests.unit.mobile_fakes import COLLEGE, FakeBackend, request_summary
from tests.unit.mobile_screens import signed_in


def _message_about(request_id: str) -> ServerEvent:
    """A "notification" event as backend/live.py sends it (public_part: no message kind, no recipient)."""
    return ServerEvent("notification", json.dumps({
        "kind": "notification", "request_id": request_id, "notification_id": str(uuid.uuid4()),
        "at": "2026-01-01T00:00:00+00:00"}))


async def test_a_job_come_to_wait_on_a_college_with_nobody_reaches_the_admins_list() -> None:
    """A student at a college whose teachers all left sends a job for the check: the admins are its deciders
    (migration 0071) and are sent a message (qc_waiting); its request event says only "quality_check", one of the
    country's many. The message brings the job to the admin's list of jobs no teacher can decide."""
    backend = FakeBackend()
    app = await signed_in("admin", backend)
    home = app.home
    assert isinstance(home, AdminHome) and home.undecided == []
    job = {**request_summary("ตู้เย็น", "quality_check"), "college_id": COLLEGE["id"], "why": "no_teacher",
           "holder_suspended": False}
    backend.undecided = [job]
    await app.live_event(ServerEvent("request", json.dumps({"request_id": job["id"], "status": "quality_check"})))
    await app.live_event(_message_about(job["id"]))
    assert [str(j.id) for j in home.undecided] == [job["id"]]


async def test_a_student_suspended_at_a_college_with_nobody_reaches_the_admins_list() -> None:
    """A suspension changes no status (no request event at all): the admins' holder_suspended message alone
    brings the job held by the suspended student to their list."""
    backend = FakeBackend()
    app = await signed_in("admin", backend)
    home = app.home
    assert isinstance(home, AdminHome) and home.undecided == []
    job = {**request_summary("พัดลม", "repairing"), "college_id": COLLEGE["id"], "why": "no_teacher",
           "holder_suspended": True}
    backend.undecided = [job]
    await app.live_event(_message_about(job["id"]))
    assert [(str(j.id), j.holder_suspended) for j in home.undecided] == [(job["id"], True)]


async def test_a_restore_that_closed_the_admins_asks_takes_the_job_off_their_list() -> None:
    """notify28 #1: the suspended student is restored (no request event: a restore changes no status). The
    messages it closed are announced as one event per reader per commit naming no job (migration 0127, `closed`):
    it alone takes the job off the admin's list, and the bell is read once for it."""
    backend = FakeBackend()
    app = await signed_in("admin", backend)
    home = app.home
    assert isinstance(home, AdminHome)
    job = {**request_summary("พัดลม", "repairing"), "college_id": COLLEGE["id"], "why": "no_teacher",
           "holder_suspended": True}
    backend.undecided = [job]
    await app.live_event(_message_about(job["id"]))
    assert [str(j.id) for j in home.undecided] == [job["id"]]
    backend.undecided = []
    counted = len(backend.calls("GET", "/me/notifications/unread-count"))
    await app.live_event(ServerEvent("notification", json.dumps({
        "kind": "notification", "closed": True, "at": "2026-01-01T00:00:01+00:00"})))
    assert home.undecided == []
    assert len(backend.calls("GET", "/me/notifications/unread-count")) == counted + 1
