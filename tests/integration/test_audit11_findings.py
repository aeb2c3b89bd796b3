"""Audit 11 findings (read-only review of 4dafd5a..0dab23f): each test states the defect it shows."""

import asyncio

import httpx
import psycopg

from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import Area, offers_of, submit


async def _until_waiting(database_url: str, count: int, *tasks: "asyncio.Task[httpx.Response]") -> None:
    """Until `count` backends wait on a lock (the tasks must still be under way)."""
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as watcher:
        deadline = asyncio.get_running_loop().time() + 30
        while asyncio.get_running_loop().time() < deadline:
            for task in tasks:
                if task.done():
                    raise AssertionError(f"answered without waiting: {task.result().text}")
            cur = await watcher.execute(
                "select count(*) from pg_stat_activity where cardinality(pg_blocking_pids(pid)) > 0")
            row = await cur.fetchone()
            if row is not None and row[0] >= count:
                return
            await asyncio.sleep(0.01)
    raise AssertionError("never waited")


async def test_switch_off_and_an_offer_accept_deadlock(api: httpx.AsyncClient, area: Area, database_url: str) -> None:
    """update_student locks the student's profile FOR UPDATE and then (end_open_offers) the requests of their
    pending offers; an accept locks the request and then sets repair_requests.technician_id, whose foreign key
    check takes FOR KEY SHARE on the same profile row - which FOR UPDATE blocks. Opposite orders: PostgreSQL kills
    one (40P01, answered 503 database_unavailable). The right outcome: the accept wins, the switch-off waits for it
    and is refused 409 student_has_jobs."""
    _, request = await submit(api)
    bee_id, bee_phone = area.students["bee"]
    offer = next(o for o in offers_of(database_url, request["id"]) if o["technician_id"] == bee_id)
    bee, _ = await sign_in(api, bee_phone)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        # Someone else's work on the request (the dispatch tick, a cancel) holds it a moment: both queue behind it.
        await holder.execute("select 1 from public.repair_requests where id = %s for update", [request["id"]])
        accepting = asyncio.create_task(api.post(f"/offers/{offer['id']}/accept", headers=bearer(bee)))
        await _until_waiting(database_url, 1, accepting)
        switching = asyncio.create_task(api.put(f"/supervisor/technicians/{bee_id}", json={"is_active": False},
                                                headers=bearer(teacher)))
        await _until_waiting(database_url, 2, accepting, switching)
        await holder.rollback()
        accepted, switched = await accepting, await switching
    assert (accepted.status_code, switched.status_code) == (200, 409), (accepted.text, switched.text)


async def test_making_a_student_a_teacher_and_an_offer_accept_deadlock(
    api: httpx.AsyncClient, area: Area, database_url: str
) -> None:
    """The same inversion in staff.register_staff (an existing student moved or made staff): the profile FOR
    UPDATE (by phone), then end_open_offers' request locks."""
    _, request = await submit(api)
    bee_id, bee_phone = area.students["bee"]
    offer = next(o for o in offers_of(database_url, request["id"]) if o["technician_id"] == bee_id)
    bee, _ = await sign_in(api, bee_phone)
    admin, _ = await sign_in(api, "084-444-4444")
    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from public.repair_requests where id = %s for update", [request["id"]])
        accepting = asyncio.create_task(api.post(f"/offers/{offer['id']}/accept", headers=bearer(bee)))
        await _until_waiting(database_url, 1, accepting)
        naming = asyncio.create_task(api.post(f"/admin/colleges/{area.near}/supervisors", json={"phone": bee_phone},
                                              headers=bearer(admin)))
        await _until_waiting(database_url, 2, accepting, naming)
        await holder.rollback()
        accepted, named = await accepting, await naming
    assert (accepted.status_code, named.status_code) == (200, 409), (accepted.text, named.text)


async def test_a_suspended_student_is_listed_as_active_on_the_roster(
    api: httpx.AsyncClient, area: Area, database_url: str
) -> None:
    """college_admin.students answers `takes_jobs as is_active`: an account the operator suspended (is_active
    false, takes_jobs still true) shows as active on the teacher's roster and in the job screen's assign list
    (mobile/viewmodels/job.py keeps `t.is_active`), where the assign is then refused 400 technician_not_in_college.
    Before 0035 the roster showed p.is_active."""
    bee_id, _ = area.students["bee"]
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set is_active = false where id = %s", [bee_id])
    try:
        roster = (await api.get("/supervisor/technicians", headers=bearer(teacher))).json()
        bee = next(s for s in roster if s["id"] == bee_id)
        assert bee["is_active"] is False, bee
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.profiles set is_active = true where id = %s", [bee_id])


async def test_a_decline_and_a_renewal_of_the_invitation_deadlock(
    api: httpx.AsyncClient, area: Area, database_url: str
) -> None:
    """decline_invitation locks only the invitation, then (close_invited, notify_answer) writes a notification whose
    about_id references the person's profile: its foreign key check takes FOR KEY SHARE on that profile. A renewal
    (register_staff) locks the profile FOR UPDATE by phone, then the invitation (_check_invite). Opposite orders.
    The holder here stands for the delivery worker's short claim of the "invited" notification (for update skip
    locked), which widens the window between the decline's two locks. Right outcome: the decline answers 204 and
    the renewal is then refused 409 invitation_declined."""
    from tests.helpers import answer_invitation, fresh_phone

    teacher, _ = await sign_in(api, area.students["teacher"][1])
    phone = fresh_phone()
    token, citizen = await sign_in(api, phone)
    assert (await api.post(f"/colleges/{area.near}/students", json={"phone": phone},
                           headers=bearer(teacher))).status_code == 201
    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        cur = await holder.execute(
            "select id from public.notifications where recipient_id = %s and kind = 'invited' for update",
            [citizen["id"]])
        assert await cur.fetchone() is not None
        declining = asyncio.create_task(answer_invitation(api, token, "decline"))
        await _until_waiting(database_url, 1, declining)
        renewing = asyncio.create_task(api.post(f"/colleges/{area.near}/students", json={"phone": phone},
                                                headers=bearer(teacher)))
        await _until_waiting(database_url, 2, declining, renewing)
        await holder.rollback()
        declined, renewed = await declining, await renewing
    assert (declined.status_code, renewed.status_code) == (204, 409), (declined.text, renewed.text)


async def test_an_offer_made_during_a_switch_off_is_accepted_by_the_switched_off_student(
    api: httpx.AsyncClient, area: Area, database_url: str
) -> None:
    """Dispatch reads technician_skills.dispatch_college_id from its snapshot: a request dispatched while a
    switch-off is under way offers the student (its insert waits on the profile's FOR UPDATE, then goes on), and
    end_open_offers never saw that offer. Before 0035 such a student could not sign in and the offer just expired;
    now the account works, /technician/offers lists it and accept_offer (the transition's ACCEPT_OFFER rule) never
    reads takes_jobs: a student off the roster gets the job. Right outcome: no offer open to them, or the accept
    refused."""
    from tests.helpers import fresh_phone
    from tests.integration.builders import draft
    from tests.integration.dispatch_area import HOME

    bee_id, bee_phone = area.students["bee"]
    _, earlier = await submit(api)  # bee holds a pending offer of it: the switch-off's end_open_offers locks it
    assert bee_id in {o["technician_id"] for o in offers_of(database_url, earlier["id"])}
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    citizen, _ = await sign_in(api, fresh_phone())
    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from public.repair_requests where id = %s for update", [earlier["id"]])
        switching = asyncio.create_task(api.put(f"/supervisor/technicians/{bee_id}", json={"is_active": False},
                                                headers=bearer(teacher)))
        await _until_waiting(database_url, 1, switching)  # the profile is held; waits for the earlier request
        submitting = asyncio.create_task(api.post("/requests", json=draft(lat=HOME[0], lon=HOME[1]),
                                                  headers=bearer(citizen)))
        await _until_waiting(database_url, 2, switching)  # the new request's offers wait for bee's profile
        await holder.rollback()
        switched, submitted = await switching, await submitting
    assert switched.status_code == 200 and switched.json()["is_active"] is False, switched.text
    assert submitted.status_code == 201, submitted.text
    bee, _ = await sign_in(api, bee_phone)
    open_to_bee = (await api.get("/technician/offers", headers=bearer(bee))).json()
    leaked = [o for o in open_to_bee if o["offer_status"] == "pending"]
    if leaked:
        accepted = await api.post(f"/offers/{leaked[0]['offer_id']}/accept", headers=bearer(bee))
        assert accepted.status_code != 200, f"off the roster, took the job: {accepted.text[:120]}"
