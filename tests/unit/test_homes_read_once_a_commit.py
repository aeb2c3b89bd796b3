"""A commit that moves several jobs (the clock's turn, a student switched off, an admin's bulk take back) sends one
live event a job, all with the commit's `at`. The teacher's lists were read once a commit (review28b); the student's,
the citizen's and the admin's home were read once an event: k calls for k jobs, each redrawing the home. The first
event arrives after the commit, so one read shows all of it; a later commit (another `at`) reads again."""

import json

from mobile.live import ServerEvent
from mobile.viewmodels.home import AdminHome, CitizenHome, TechnicianHome
from tests.unit.mobile_fakes import FakeBackend
from tests.unit.mobile_screens import signed_in

AT = "2026-01-01T00:00:0{}+00:00"


def offer_event(second: int, request_id: str, status: str = "pending") -> ServerEvent:
    return ServerEvent("offer", json.dumps({"kind": "offer", "request_id": request_id, "offer_id": request_id,
                                            "status": status, "at": AT.format(second)}))


def request_event(second: int, request_id: str, status: str) -> ServerEvent:
    return ServerEvent("request", json.dumps({"kind": "request", "request_id": request_id, "status": status,
                                              "at": AT.format(second)}))


async def test_a_students_home_reads_once_for_the_offers_of_one_commit() -> None:
    backend = FakeBackend()
    app = await signed_in("technician", backend)
    assert isinstance(app.home, TechnicianHome)
    read = len(backend.calls("GET", "/technician/offers"))
    for n in range(3):  # one dispatch turn offers three jobs
        await app.live_event(offer_event(1, f"00000000-0000-0000-0000-00000000000{n}"))
    assert len(backend.calls("GET", "/technician/offers")) == read + 1
    # and a job of theirs changing in the same commit reads nothing more
    await app.live_event(request_event(1, "00000000-0000-0000-0000-000000000009", "accepted"))
    assert len(backend.calls("GET", "/technician/offers")) == read + 1
    await app.live_event(offer_event(2, "00000000-0000-0000-0000-000000000000", "withdrawn"))  # the next commit
    assert len(backend.calls("GET", "/technician/offers")) == read + 2


async def test_a_citizens_home_reads_once_for_the_changes_of_one_commit() -> None:
    backend = FakeBackend()
    app = await signed_in("citizen", backend)
    home = app.home
    assert isinstance(home, CitizenHome) and len(home.requests) >= 2
    ids = [str(r.id) for r in home.requests[:2]]
    read = len(backend.calls("GET", "/requests/mine"))
    for request_id in ids:  # the clock's turn moves both of their requests
        await app.live_event(request_event(3, request_id, "no_centre"))
    assert len(backend.calls("GET", "/requests/mine")) == read + 1
    await app.live_event(request_event(4, ids[0], "offered"))
    assert len(backend.calls("GET", "/requests/mine")) == read + 2


async def test_an_admins_home_reads_once_for_the_requests_of_one_commit() -> None:
    backend = FakeBackend()
    app = await signed_in("admin", backend)
    assert isinstance(app.home, AdminHome)
    read = len(backend.calls("GET", "/admin/waiting"))
    for n in range(4):  # four requests no centre took, in one clock turn
        await app.live_event(request_event(5, f"00000000-0000-0000-0000-00000000010{n}", "no_centre"))
    assert len(backend.calls("GET", "/admin/waiting")) == read + 1
