"""audit21: findings of a fresh-eyes read of session 20's code (git diff 2909265 cbdd4f5), each written as the
behaviour the project's own rules promise (README, the migrations' and modules' docstrings). All three were fixed in
session 21 (#1 0096, #2 the submit's and the reopen's owner lock, #3 0098), and the file stays as their regression
tests."""

import asyncio
import uuid
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from backend.services import account
from shared.roles import AppRole
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft, jpeg_with_gps
from tests.integration.dispatch_area import (
    ADMIN_PHONE,
    HOME,
    AppClock,
    Area,
    assigned_by_teacher,
    offers_of,
    record_work,
    request_status,
    step,
    submit,
)
from tests.integration.wall_clock import wall

# --- Whose work the report is (audit20 #5, migration 0092) ---------------------------------------------------------

async def test_a_former_students_deletion_does_not_make_their_report_the_new_students(
        app_and_clock: AppClock, area: Area) -> None:
    """A cascade is not a save (audit21 #1, migration 0096): a report is stamped with its work only when its
    student saves it. bee repaired the job and saved a report; the teacher reassigned it to ace, who uploaded an
    after photo and wrote no report yet. The report on the record is bee's, of an earlier work (0092: `work_event`
    is the work it was written in), and ace may not send the job for its check on it. bee's account deletion (DELETE
    /me: its foreign key's ON DELETE SET NULL) keeps the report (0012: "the student's report and hours stay") as
    bee's earlier work, not ace's: ace's check still needs a report of ace's own."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    await record_work(api, bee, rid, hours=2.0, notes="ถอดมอเตอร์ออกมาตรวจ ขดลวดไหม้")
    given = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]},
                           headers=bearer(teacher))
    assert given.status_code == 200, given.text
    ace, _ = await sign_in(api, area.students["ace"][1])
    photo = {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    uploaded = await api.put(f"/requests/{rid}/after-photos/1", files=photo, headers=bearer(ace))
    assert uploaded.status_code == 201, uploaded.text
    photo_only = await api.get(f"/requests/{rid}", headers=bearer(ace))
    assert photo_only.json()["report_in_round"] is False  # bee's report: not ace's work

    deleted = await api.delete("/me", params={"confirm": "true"}, headers=bearer(bee))
    assert deleted.status_code == 204, deleted.text

    detail = (await api.get(f"/requests/{rid}", headers=bearer(ace))).json()
    checked = await step(api, ace, rid, "quality_check")
    # Before 0096: {'report_in_round': True, 'check': 200}: the deletion's `set technician_id = null` restamped
    # bee's report with the reassign's event, and ace's job went to its check on bee's hours and notes.
    assert {"report_in_round": detail["report_in_round"], "check": checked.status_code} == {
        "report_in_round": False, "check": 409}, checked.text


# --- A suspended citizen's request goes to no student (audit20 #2, account.suspend) --------------------------------

async def _answered_or_waiting(database_url: str, task: "asyncio.Task[Any]") -> bool:
    """Whether `task` waits on a lock (True) or answered without waiting (False): seen in pg_stat_activity, no
    sleep decides it (the poll ends on either event)."""
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as watcher:
        while not task.done():
            row = await (await watcher.execute(
                "select count(*) from pg_stat_activity where cardinality(pg_blocking_pids(pid)) > 0")).fetchone()
            if row is not None and row[0] > 0:
                return True
            await asyncio.sleep(0.01)
    return False


async def test_a_request_submitted_while_its_citizen_is_suspended_goes_to_no_student(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """The operator suspends a citizen at the moment the citizen submits a request (their token was good when the
    request began). Whichever commits first, the rule of review18a #2 holds once both have: the request stands
    offered to no student (parked as no_centre, or refused), as every other path into a student's hands ensures."""
    api, _ = app_and_clock
    phone = fresh_phone()
    citizen, profile = await sign_in(api, phone)
    person = uuid.UUID(str(profile["id"]))
    async with pool.connection() as suspending, suspending.transaction():  # as `fixit-backend suspend` runs it
        await suspending.execute("select set_config('fixit.actor', 'operator', true)")
        await account.suspend(suspending, person, AppRole.CITIZEN, "แจ้งเหตุเท็จซ้ำหลายครั้ง", *wall())
        submitting = asyncio.create_task(api.post("/requests", json=draft(lat=HOME[0], lon=HOME[1]),
                                                  headers=bearer(citizen)))
        waited = await _answered_or_waiting(database_url, submitting)  # then the suspension commits
    submitted = await submitting
    standing: list[str] = []
    if submitted.status_code == 201:
        rid = submitted.json()["id"]
        standing = [o["technician_id"] for o in offers_of(database_url, rid) if o["status"] == "pending"]
    # Before the fix (fix21b: the submit's dispatch shares the owner's profile first, so it waits for the suspension
    # and parks the request): {'waited': False, 'submit': 201, 'offered_to': 3}: the submit neither waited for the
    # suspension nor was seen by it, and three students hold a pending offer of the suspended citizen's request
    # (their accept is refused, 409 owner_suspended, until the offers lapse and the clock parks it).
    assert {"submit": submitted.status_code, "offered_to": len(standing)} in (
        {"submit": 201, "offered_to": 0}, {"submit": 403, "offered_to": 0}, {"submit": 401, "offered_to": 0}), (
        waited, submitted.text)


async def test_a_suspension_does_not_ask_the_admins_to_send_on_what_they_may_not(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """The operator suspends a citizen whose request is offered: it waits as no_centre for nobody (audit20 #2), the
    admins' waiting list marks it and offers no send-on (a send-on is refused, 409 owner_suspended). No message
    asks the admins to send it on (0098: the parking's note `owner_suspended` calls no message to them; the
    operator's restore offers it again)."""
    api, _ = app_and_clock
    _, request = await submit(api)
    rid = request["id"]
    with psycopg.connect(database_url) as conn:
        owner = conn.execute("select citizen_id from public.repair_requests where id = %s", [rid]).fetchone()
        before = conn.execute("select coalesce(max(id), 0) from public.notifications").fetchone()
    assert owner is not None and before is not None
    async with pool.connection() as conn, conn.transaction():  # as `fixit-backend suspend` runs it
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        await account.suspend(conn, owner[0], AppRole.CITIZEN, "แจ้งเหตุเท็จซ้ำหลายครั้ง", *wall())
    assert request_status(database_url, rid) == "no_centre"
    admin, _ = await sign_in(api, ADMIN_PHONE)
    refused = await api.post(f"/requests/{rid}/dispatch", json={}, headers=bearer(admin))
    with psycopg.connect(database_url) as conn:
        told = conn.execute("select kind, count(*) from public.notifications where request_id = %s and id > %s "
                            "and kind = 'no_centre' group by kind",
                            [rid, before[0]]).fetchall()
    # Was (before 0098): {'send_on': 409, 'told': [('no_centre', 1)]}: the admin was asked to send on a request
    # whose send-on is refused.
    assert {"send_on": refused.status_code, "told": told} == {"send_on": 409, "told": []}, refused.text
