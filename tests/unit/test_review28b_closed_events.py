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
