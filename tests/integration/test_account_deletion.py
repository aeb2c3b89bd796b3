"""PDPA: "download my data" and "delete my account" — from the app, and from Supabase's side (GoTrue's own
`delete from auth.users`), with the person's requests anonymised and the students' job history kept."""

import asyncio
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row

from backend.services.dispatch import accept_offer, roster_teacher_and_owner
from backend.services.transitions import lock_status
from backend.settings import Settings
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import citizen_with_a_photo
from tests.integration.dispatch_area import AppClock, Area, offers_of, submit
from tests.integration.lock_waits import until_waiting


def request_row(database_url: str, request_id: str) -> dict[str, object]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        row = conn.execute("select * from public.repair_requests where id = %s", [request_id]).fetchone()
    assert row is not None
    return row


async def test_download_my_data_holds_what_is_kept_about_me(api: httpx.AsyncClient, database_url: str) -> None:
    token, user_id, request_id = await citizen_with_a_photo(api)
    exported = await api.get("/me/export", headers=bearer(token))
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    data = exported.json()
    assert data["profile"]["id"] == user_id and data["account"]["phone"]
    (request,) = data["requests"]
    assert request["id"] == request_id and request["address"] and request["photos"][0]["kind"] == "before"
    assert request["timeline"][0]["to"] == "submitted" and "storage_path" not in str(request["photos"])
    assert data["sessions"] and data["sessions"][0]["created_at"]
    with psycopg.connect(database_url) as conn:
        audited = conn.execute("select count(*) from public.audit_events where action = 'account.export' "
                               "and target_id = %s", [user_id]).fetchone()
    assert audited == (1,)


async def test_delete_my_account_from_the_app(api: httpx.AsyncClient, database_url: str, settings: Settings) -> None:
    token, user_id, request_id = await citizen_with_a_photo(api)
    with psycopg.connect(database_url) as conn:
        paths = [p for row in conn.execute("select storage_path, thumb_path from public.request_photos "
                                           "where request_id = %s", [request_id]).fetchall() for p in row]
    assert paths and all((settings.photos_dir / p).exists() for p in paths)

    unconfirmed = await api.delete("/me", headers=bearer(token))
    assert unconfirmed.status_code == 400 and unconfirmed.json()["error"]["code"] == "confirmation_required"
    deleted = await api.delete("/me", params={"confirm": "true"}, headers=bearer(token))
    assert deleted.status_code == 204, deleted.text

    assert not any((settings.photos_dir / p).exists() for p in paths)  # the photos are gone from the store
    row = request_row(database_url, request_id)
    assert row["citizen_id"] is None and row["contact_phone"] is None and row["address"] == ""
    assert row["status"] == "cancelled" and row["description"] == "-"
    assert round(float(str(row["lat"])), 1) == row["lat"]  # coarsened
    assert row["category_code"] == "appliance" and row["item"]  # the job itself stays
    with psycopg.connect(database_url) as conn:
        assert conn.execute("select count(*) from auth.users where id = %s", [user_id]).fetchone() == (0,)
        assert conn.execute("select count(*) from public.request_photos where request_id = %s",
                            [request_id]).fetchone() == (0,)
        audit = conn.execute("select actor, actor_id, after from public.audit_events where action = "
                             "'account.delete' and target_id = %s", [user_id]).fetchone()
    assert audit is not None and audit[0] == "citizen" and str(audit[1]) == user_id
    gone = await api.get("/me", headers=bearer(token))  # the token is still signed, the person is not there
    assert gone.status_code == 403


async def test_gotrue_can_delete_a_citizen_with_requests_and_a_student_keeps_the_job(
    api: httpx.AsyncClient, database_url: str
) -> None:
    _, user_id, request_id = await citizen_with_a_photo(api)
    with psycopg.connect(database_url, autocommit=True) as conn:
        # A student did this job and reported on it (training record).
        student = conn.execute("select private.create_phone_user(%s, true)", ["66" + fresh_phone()[1:]]).fetchone()
        assert student is not None
        conn.execute("update public.profiles set role = 'technician', "
                     "college_id = (select id from public.colleges limit 1) where id = %s", [student[0]])
        conn.execute("update public.repair_requests set technician_id = %s where id = %s", [student[0], request_id])
        conn.execute("insert into public.job_reports (request_id, technician_id, hours) values (%s, %s, 2.5)",
                     [request_id, student[0]])
        # What Supabase's dashboard and admin API run.
        conn.execute("delete from auth.users where id = %s", [user_id])
        report = conn.execute("select technician_id, hours from public.job_reports where request_id = %s",
                              [request_id]).fetchone()
    assert report is not None and report[0] == student[0] and float(report[1]) == 2.5
    row = request_row(database_url, request_id)
    assert row["citizen_id"] is None and row["technician_id"] == student[0] and row["contact_phone"] is None


async def test_a_signed_in_phone_can_sign_up_again_after_deletion(api: httpx.AsyncClient) -> None:
    phone = fresh_phone()
    token, first = await sign_in(api, phone)
    assert (await api.delete("/me", params={"confirm": "true"}, headers=bearer(token))).status_code == 204
    _, second = await sign_in(api, phone)
    assert second["id"] != first["id"] and second["role"] == "citizen"


async def test_an_accept_and_the_citizens_account_deletion_wait_for_each_other(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """Audit 11c. An accept holds the request, then writes the citizen's `accepted` notification, whose foreign key
    needs FOR KEY SHARE on the citizen's profile; `delete from auth.users` (DELETE /me, the operator, Supabase's
    dashboard) locks that profile for good and then (private.forget_person) writes the citizen's requests. Once
    they deadlocked (a 500); the deletion now takes the person's requests first (0040), so it waits for the accept.
    Since audit20 the accept also shares the citizen's profile (with the student's, before the request: a suspended
    or deleted owner's request goes to nobody), so the deletion already waits at its first lock, the profile."""
    api, _ = app_and_clock
    _, request = await submit(api)
    request_id = uuid.UUID(request["id"])
    ace_id = uuid.UUID(area.students["ace"][0])
    offer = next(o for o in offers_of(database_url, str(request_id)) if o["technician_id"] == str(ace_id))
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        citizen = conn.execute("select citizen_id from public.repair_requests where id = %s",
                               [request_id]).fetchone()
    assert citizen is not None
    citizen_id = citizen["citizen_id"]

    errors: list[BaseException] = []

    def delete_citizen() -> None:  # what account.delete runs for the citizen
        try:
            with psycopg.connect(database_url, autocommit=True) as other:
                other.execute("delete from auth.users where id = %s", [citizen_id])
        except BaseException as exc:
            errors.append(exc)

    deleter = threading.Thread(target=delete_citizen, daemon=True)
    async with await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as aconn:
        claims: dict[str, Any] = {"sub": str(ace_id), "role": "authenticated"}
        try:
            async with aconn.transaction():
                # accept_offer's own first steps: the student's and the citizen's profiles, then the request (the
                # written order).
                await roster_teacher_and_owner(aconn, ace_id, False, request_id)
                await lock_status(aconn, request_id, check_visible=False)
                deleter.start()
                await until_waiting(database_url, 1)  # the deletion waits (for the citizen's profile, its first lock)
                await accept_offer(aconn, offer["id"], ace_id, claims, datetime.now(UTC))
        except BaseException as exc:
            errors.append(exc)
    await asyncio.to_thread(deleter.join, 30)
    assert not deleter.is_alive()
    assert not errors, f"the accept and the deletion: {[type(e).__name__ + ': ' + str(e)[:120] for e in errors]}"
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        after = conn.execute("select status, technician_id, contact_phone from public.repair_requests where id = %s",
                             [request_id]).fetchone()
    # Both happened, in that order: accepted, then cancelled and anonymised by the deletion.
    assert after is not None and after["status"] == "cancelled" and after["contact_phone"] is None, after



async def _job_at_diagnosing(api: httpx.AsyncClient, area: Area) -> tuple[str, str, str, str]:
    """A request of the near college assigned by its teacher to bee, who has started diagnosing it: (the citizen's,
    the teacher's and bee's tokens, the request id)."""
    citizen, request = await submit(api)
    rid = request["id"]
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assigned = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["bee"][0]},
                              headers=bearer(teacher))
    assert assigned.status_code == 200, assigned.text
    bee, _ = await sign_in(api, area.students["bee"][1])
    moved = await api.post(f"/requests/{rid}/status", json={"to_status": "diagnosing"}, headers=bearer(bee))
    assert moved.status_code == 200, moved.text
    return citizen, teacher, bee, rid


async def test_the_student_and_the_teacher_still_read_a_deleted_citizens_job(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """A citizen deleted their account while a student was on their job: the job is cancelled and anonymised (no
    owner, no phone). The student's and the teacher's detail of it answered 500 (the wire's contact_phone and
    is_mine got nulls); it answers the cancelled job, nobody's own, with no phone."""
    api, _ = app_and_clock
    citizen, teacher, bee, rid = await _job_at_diagnosing(api, area)
    deleted = await api.delete("/me", params={"confirm": "true"}, headers=bearer(citizen))
    assert deleted.status_code == 204, deleted.text
    for token in (bee, teacher):
        detail = await api.get(f"/requests/{rid}", headers=bearer(token))
        assert detail.status_code == 200, detail.text
        job = detail.json()
        assert (job["status"], job["is_mine"], job["contact_phone"], job["actions"]) == ("cancelled", False, "", [])


async def test_a_citizens_deletion_withdraws_the_parts_waiting_for_their_answer(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """A citizen who deletes their account while a part waits for their answer: the job is cancelled, and the part
    was left "waiting for the owner" for ever, a question on the student's and the teacher's screens nobody can
    answer. It is withdrawn, as a cancelled job's waiting parts are (credit.withdraw_waiting_parts); a part already
    answered keeps its answer."""
    api, _ = app_and_clock
    citizen, teacher, bee, rid = await _job_at_diagnosing(api, area)
    parts = []
    for name in ("คาปาซิเตอร์ 1.5uF", "ฟิวส์ 10A"):
        part = await api.post(f"/requests/{rid}/parts", json={"name": name, "qty": 1, "price_baht": 35},
                              headers=bearer(bee))
        assert part.status_code == 201 and part.json()["status"] == "proposed", part.text
        parts.append(part.json()["id"])
    answered = await api.post(f"/requests/{rid}/parts/{parts[1]}/decision", json={"approve": False},
                              headers=bearer(citizen))
    assert answered.status_code == 200 and answered.json()["status"] == "declined", answered.text

    deleted = await api.delete("/me", params={"confirm": "true"}, headers=bearer(citizen))
    assert deleted.status_code == 204, deleted.text

    for token in (bee, teacher):
        detail = await api.get(f"/requests/{rid}", headers=bearer(token))
        assert detail.status_code == 200, detail.text
        assert detail.json()["status"] == "cancelled" and detail.json()["parts_waiting"] == 0
        record = await api.get(f"/requests/{rid}/record", headers=bearer(token))
        assert record.status_code == 200, record.text
        left = {p["id"]: p for p in record.json()["parts"]}
        assert left[parts[0]]["status"] == "withdrawn" and left[parts[0]]["decided_at"]
        assert left[parts[1]]["status"] == "declined"
