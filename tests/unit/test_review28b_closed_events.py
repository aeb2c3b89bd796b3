"""review28b: the teacher's app on a `closed` message event (migration 0127: one event per reader per commit,
naming no job).

A restore of a suspended student changes no request (no `request` event reaches anyone): the event that says the
deciders' `holder_suspended` asks were closed is the only thing the teacher's app hears of it. notify28 made the
admin's home follow it; the teacher's home lists the same jobs (its queue, migration 0071 `college_decision_queue`:
"held by a suspended student: give it to someone else or take it back") and kept that line after the restore, so a
teacher could take the job back from a student who may go on with it."""

import json

from mobile.live import ServerEvent
from mobile.viewmodels.home import SupervisorHome
from tests.unit.mobile_fakes import FakeBackend, request_summary
from tests.unit.mobile_screens import signed_in

CLOSED = ServerEvent("notification", json.dumps({
    "kind": "notification", "closed": True, "at": "2026-01-01T00:00:01+00:00"}))


async def test_a_restore_takes_the_suspended_mark_off_the_teachers_queue() -> None:
    backend = FakeBackend()
    backend.quality_check = [{**request_summary("พัดลม", "repairing"), "holder_suspended": True}]
    app = await signed_in("supervisor", backend)
    home = app.home
    assert isinstance(home, SupervisorHome)
    assert [j.holder_suspended for j in home.quality_check] == [True]
    backend.quality_check = []  # restored: the job is its student's again, nothing for the college to decide
    await app.live_event(CLOSED)
    assert home.quality_check == []


async def test_a_decision_and_the_asks_it_closed_read_the_teachers_home_once() -> None:
    """The teacher approves a check: one commit sends the job's `request` event and the closed-messages event for the
    `qc_waiting` it closed (0127, the same `at`). The home's queue is read once for the two, whichever comes first
    (a reassign sends the closed event first: 0127's holder trigger fires at the UPDATE, before its status event)."""
    backend = FakeBackend()
    job = request_summary("เตารีด", "quality_check")
    backend.quality_check = [job]
    app = await signed_in("supervisor", backend)
    for second, request_first in ((2, True), (3, False)):
        at = f"2026-01-01T00:00:0{second}+00:00"
        request = ServerEvent("request", json.dumps({"request_id": job["id"], "status": "completed", "at": at}))
        closed = ServerEvent("notification", json.dumps({"kind": "notification", "closed": True, "at": at}))
        read = len(backend.calls("GET", "/supervisor/dashboard"))
        for event in (request, closed) if request_first else (closed, request):
            await app.live_event(event)
        assert len(backend.calls("GET", "/supervisor/dashboard")) == read + 1


async def test_a_suspension_brings_the_job_to_the_teachers_queue() -> None:
    """The other way round: a student holding two jobs is suspended. No request changes (no `request` event); the
    teacher is sent a `holder_suspended` message per job, in one commit (the same `at`). The queue gains the jobs,
    read once for the commit."""
    backend = FakeBackend()
    backend.quality_check = []
    app = await signed_in("supervisor", backend)
    home = app.home
    assert isinstance(home, SupervisorHome) and home.quality_check == []
    jobs = [{**request_summary(item, "repairing"), "holder_suspended": True} for item in ("พัดลม", "เตารีด")]
    backend.quality_check = jobs
    read = len(backend.calls("GET", "/supervisor/dashboard"))
    for n, job in enumerate(jobs):
        await app.live_event(ServerEvent("notification", json.dumps({
            "kind": "notification", "request_id": job["id"], "notification_id": n + 1,
            "at": "2026-01-01T00:00:04+00:00"})))
    assert sorted(str(j.id) for j in home.quality_check) == sorted(j["id"] for j in jobs)
    assert len(backend.calls("GET", "/supervisor/dashboard")) == read + 1
