"""The app left open all day (audit17b, findings 5-8): a signed-in session neither keeps growing with what it has
seen nor works harder than what it shows needs, and what it shows moves on with the clock."""

import json
from uuid import uuid4

from mobile.live import ServerEvent
from mobile.viewmodels.home import AdminHome
from tests.unit.mobile_fakes import FakeBackend, waiting_request
from tests.unit.mobile_screens import signed_in

EVENTS_IN_AN_HOUR = 300  # request changes across the country in a busy hour: an admin's stream hears every one


async def test_the_admin_home_reloads_only_for_events_that_change_what_it_shows() -> None:
    backend = FakeBackend()
    backend.waiting = [waiting_request("ปั๊มน้ำ", 18.57, 99.0)]
    app = await signed_in("admin", backend)
    assert isinstance(app.home, AdminHome)
    shown = backend.waiting[0]["id"]
    before = len(backend.requests)
    for n in range(EVENTS_IN_AN_HOUR):  # jobs elsewhere move on: accepted, repairing, done; none is waiting
        status = ("accepted", "repairing", "quality_check", "done")[n % 4]
        await app.live_event(ServerEvent("request", json.dumps({"request_id": str(uuid4()), "status": status})))
    reloads = backend.paths()[before:]
    assert reloads.count("GET /admin/waiting") == 0 and reloads.count("GET /colleges") == 0, \
        f"{len(reloads)} calls for {EVENTS_IN_AN_HOUR} events about requests the home does not show"
    # What it shows does follow: a request that comes to wait, and the shown one sent on.
    await app.live_event(ServerEvent("request", json.dumps({"request_id": str(uuid4()), "status": "no_centre"})))
    await app.live_event(ServerEvent("request", json.dumps({"request_id": shown, "status": "offered"})))
    assert backend.paths()[before:].count("GET /admin/waiting") == 2
