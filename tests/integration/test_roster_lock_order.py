"""A teacher's switch-off (or a student made staff) against the paths that give a student a job: an accept, an
assign, a helper added to a team (audit 11). The order of their row locks is written once, at the top of
backend/services/dispatch.py: the student's profile (FOR NO KEY UPDATE to change it, FOR SHARE to rely on
`takes_jobs`), then the request, then its offers. Each test holds one row on a connection of its own, sees both
requests wait in pg_stat_activity, lets go and checks both answers: a deadlock answers one of them 503
`database_unavailable`."""

import asyncio

import httpx
import psycopg

from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft
from tests.integration.dispatch_area import HOME, Area, offers_of, submit
from tests.integration.lock_waits import until_waiting

SEED_ADMIN = "084-444-4444"


def _switch_off(api: httpx.AsyncClient, teacher: str, student_id: str) -> "asyncio.Task[httpx.Response]":
    return asyncio.create_task(api.put(f"/supervisor/technicians/{student_id}", json={"is_active": False},
                                       headers=bearer(teacher)))


async def test_a_switch_off_waits_for_an_accept_under_way(
    api: httpx.AsyncClient, area: Area, database_url: str
) -> None:
    """The switch-off used to lock the profile FOR UPDATE, then (end_open_offers) the requests of the student's
    pending offers; an accept locks the request, then sets repair_requests.technician_id, whose foreign-key check
    takes FOR KEY SHARE on that profile: opposite orders, a deadlock. Now the accept wins and the switch-off, which
    waited for it, is refused 409 student_has_jobs."""
    _, request = await submit(api)
    bee_id, bee_phone = area.students["bee"]
    offer = next(o for o in offers_of(database_url, request["id"]) if o["technician_id"] == bee_id)
    bee, _ = await sign_in(api, bee_phone)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        # Someone else's work on the request (the dispatch tick, a cancel) holds it a moment: both queue behind it.
        await holder.execute("select 1 from public.repair_requests where id = %s for update", [request["id"]])
        accepting = asyncio.create_task(api.post(f"/offers/{offer['id']}/accept", headers=bearer(bee)))
        await until_waiting(database_url, 1, accepting)
        switching = _switch_off(api, teacher, bee_id)
        await until_waiting(database_url, 2, accepting, switching)
        await holder.rollback()
        accepted, switched = await accepting, await switching
    assert (accepted.status_code, switched.status_code) == (200, 409), (accepted.text, switched.text)
    assert switched.json()["error"]["code"] == "student_has_jobs"


async def test_making_a_student_a_teacher_waits_for_an_accept_under_way(
    api: httpx.AsyncClient, area: Area, database_url: str
) -> None:
    """The same inversion in staff.register_staff (a student moved or made staff): the profile, locked by phone,
    then end_open_offers' request locks."""
    _, request = await submit(api)
    bee_id, bee_phone = area.students["bee"]
    offer = next(o for o in offers_of(database_url, request["id"]) if o["technician_id"] == bee_id)
    bee, _ = await sign_in(api, bee_phone)
    admin, _ = await sign_in(api, SEED_ADMIN)
    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from public.repair_requests where id = %s for update", [request["id"]])
        accepting = asyncio.create_task(api.post(f"/offers/{offer['id']}/accept", headers=bearer(bee)))
        await until_waiting(database_url, 1, accepting)
        naming = asyncio.create_task(api.post(f"/admin/colleges/{area.near}/supervisors", json={"phone": bee_phone},
                                              headers=bearer(admin)))
        await until_waiting(database_url, 2, accepting, naming)
        await holder.rollback()
        accepted, named = await accepting, await naming
    assert (accepted.status_code, named.status_code) == (200, 409), (accepted.text, named.text)
    assert named.json()["error"]["code"] == "student_has_jobs"


async def test_an_offer_dispatched_during_a_switch_off_cannot_be_accepted(
    api: httpx.AsyncClient, area: Area, database_url: str
) -> None:
    """Dispatch reads the roster (technician_skills.dispatch_college_id) in its own snapshot: a request dispatched
    while a switch-off commits can still offer the student, after the switch-off ended their open offers. The
    holder of the college row stands for that moment: the new offers' foreign-key check on their college waits
    after the roster was read, while the switch-off goes through. The offer stays (it expires like any other), but
    the student's feed does not list it (migration 0038) and they may not take the job: 409 offer_off_roster, in
    words the app shows."""
    bee_id, bee_phone = area.students["bee"]
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    citizen, _ = await sign_in(api, fresh_phone())
    bee, _ = await sign_in(api, bee_phone)
    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from public.colleges where id = %s for update", [area.near])
        submitting = asyncio.create_task(api.post("/requests", json=draft(lat=HOME[0], lon=HOME[1]),
                                                  headers=bearer(citizen)))
        await until_waiting(database_url, 1, submitting)
        switched = await api.put(f"/supervisor/technicians/{bee_id}", json={"is_active": False},
                                 headers=bearer(teacher))
        assert switched.status_code == 200 and switched.json()["is_active"] is False, switched.text
        await holder.rollback()
        submitted = await submitting
    assert submitted.status_code == 201, submitted.text
    offer = next(o for o in offers_of(database_url, submitted.json()["id"]) if o["technician_id"] == bee_id)
    assert offer["status"] == "pending"  # the race this test stands for: dispatch saw bee on the roster
    feed = await api.get("/technician/offers", headers=bearer(bee))
    assert feed.json() == [] and feed.headers["x-takes-jobs"] == "false"  # not listed under the "switched off" note
    accepted = await api.post(f"/offers/{offer['id']}/accept", headers=bearer(bee))
    assert accepted.status_code == 409 and accepted.json()["error"]["code"] == "offer_off_roster", accepted.text
    assert "switched you off" in accepted.json()["error"]["message_en"]
    assert [o["status"] for o in offers_of(database_url, submitted.json()["id"]) if o["technician_id"] == bee_id] \
        == ["pending"]  # nothing half-written


async def test_a_switch_off_waits_for_an_assign_under_way(
    api: httpx.AsyncClient, area: Area, database_url: str
) -> None:
    """assign used to lock the request, then read takes_jobs and set technician_id (FOR KEY SHARE on the profile):
    against the switch-off's profile-then-requests, a deadlock. It now locks the student's profile FOR SHARE
    before the request: the switch-off waits for the assign and then counts the job."""
    _, request = await submit(api)
    bee_id, _ = area.students["bee"]
    assert bee_id in {o["technician_id"] for o in offers_of(database_url, request["id"])}
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from public.repair_requests where id = %s for update", [request["id"]])
        assigning = asyncio.create_task(api.post(f"/requests/{request['id']}/assign", json={"technician_id": bee_id},
                                                 headers=bearer(teacher)))
        await until_waiting(database_url, 1, assigning)
        switching = _switch_off(api, teacher, bee_id)
        await until_waiting(database_url, 2, assigning, switching)
        await holder.rollback()
        assigned, switched = await assigning, await switching
    assert (assigned.status_code, switched.status_code) == (200, 409), (assigned.text, switched.text)


async def test_an_assign_holds_the_roster_until_it_commits(
    api: httpx.AsyncClient, area: Area, database_url: str
) -> None:
    """The assign's roster read holds until its commit (FOR SHARE; FOR KEY SHARE or a plain read would not): dan,
    never offered this job, is assigned; the assign waits (its new offer's foreign-key check on the college, held
    here) after reading dan on the roster; a switch-off of dan then waits for it and is refused, instead of
    committing unseen and leaving dan off the roster with a job in hand."""
    _, request = await submit(api)
    dan_id, _ = area.students["dan"]
    assert dan_id not in {o["technician_id"] for o in offers_of(database_url, request["id"])}
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from public.colleges where id = %s for update", [area.near])
        assigning = asyncio.create_task(api.post(f"/requests/{request['id']}/assign", json={"technician_id": dan_id},
                                                 headers=bearer(teacher)))
        await until_waiting(database_url, 1, assigning)
        switching = _switch_off(api, teacher, dan_id)
        await until_waiting(database_url, 2, assigning, switching)
        await holder.rollback()
        assigned, switched = await assigning, await switching
    assert (assigned.status_code, switched.status_code) == (200, 409), (assigned.text, switched.text)
    assert switched.json()["error"]["code"] == "student_has_jobs"


async def test_a_switch_off_waits_for_a_helper_being_added(
    api: httpx.AsyncClient, area: Area, database_url: str
) -> None:
    """credit.add_member read takes_jobs without a lock: a switch-off at that moment committed unseen (the helper
    not yet counted among its jobs in hand) and the helper joined anyway. It now locks the helper's profile FOR
    SHARE before the request: the switch-off waits and counts the help."""
    _, request = await submit(api)
    ace_id, ace_phone = area.students["ace"]
    bee_id, _ = area.students["bee"]
    ace, _ = await sign_in(api, ace_phone)
    offer = next(o for o in offers_of(database_url, request["id"]) if o["technician_id"] == ace_id)
    assert (await api.post(f"/offers/{offer['id']}/accept", headers=bearer(ace))).status_code == 200
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from public.repair_requests where id = %s for update", [request["id"]])
        adding = asyncio.create_task(api.post(f"/requests/{request['id']}/team", json={"technician_id": bee_id},
                                              headers=bearer(ace)))
        await until_waiting(database_url, 1, adding)
        switching = _switch_off(api, teacher, bee_id)
        await until_waiting(database_url, 2, adding, switching)
        await holder.rollback()
        added, switched = await adding, await switching
    assert (added.status_code, switched.status_code) == (204, 409), (added.text, switched.text)
    assert switched.json()["error"]["code"] == "student_has_jobs"
