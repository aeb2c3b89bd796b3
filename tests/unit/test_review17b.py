"""review17b: a hostile review of session 17's paging, dispatch, deciders and all-day app (xfail findings, each
failing today; the fixer removes the mark with the fix)."""

import json

import pytest

from mobile.live import ServerEvent
from mobile.viewmodels.home import AdminHome
from tests.unit.mobile_fakes import COLLEGE, FakeBackend, request_summary
from tests.unit.mobile_screens import signed_in


@pytest.mark.xfail(strict=True, reason="review17b: the admin home's list of jobs no teacher can decide does not "
                                       "reload when a job comes to wait at a college with nobody (shows_change "
                                       "reloads for no_centre and listed ids only)")
async def test_a_job_come_to_wait_on_a_college_with_nobody_reaches_the_admins_list() -> None:
    backend = FakeBackend()
    app = await signed_in("admin", backend)
    home = app.home
    assert isinstance(home, AdminHome) and home.undecided == []
    # A student at a college whose teachers all left sends a job for the check: the admins are its deciders
    # (migration 0071); GET /admin/undecided lists it now, and the admin hears its request event and their message.
    job = {**request_summary("ตู้เย็น", "quality_check"), "college_id": COLLEGE["id"], "why": "no_teacher",
           "holder_suspended": False}
    backend.undecided = [job]
    await app.live_event(ServerEvent("request", json.dumps({"request_id": job["id"], "status": "quality_check"})))
    await app.live_event(ServerEvent("notification", json.dumps({"kind": "qc_waiting"})))
    assert [str(j.id) for j in home.undecided] == [job["id"]]
