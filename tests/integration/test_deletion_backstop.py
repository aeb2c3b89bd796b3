"""Audit 13: a student holding a job is not deleted by any path. DELETE /me and the operator's delete-person refuse
it (409 account_has_jobs / person_has_jobs); a `delete from auth.users` from anywhere else (Supabase's dashboard,
its admin API, SQL) went through, and the job kept its status with nobody on it. The database now refuses it too
(migration 0045, private.lock_requests_before_deletion), with the message the dashboard shows its operator."""

import asyncio
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from backend.services.dispatch import accept_offer, roster_college
from backend.services.transitions import lock_status
from shared.statuses import WORK_IN_HAND, RequestStatus
from shared.text import error_text
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, offers_of, submit
from tests.integration.lock_waits import until_waiting


def _refusal(count: int) -> str:
    text = error_text("deletion_refused_jobs_in_hand", count=count)
    return f"{text.th} / {text.en}"


def _snapshot(database_url: str, person: str, request_id: str) -> dict[str, Any]:
    """What a deletion would change: the account, the profile, the job, the person's offers and team rows."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return {
            "user": conn.execute("select id from auth.users where id = %s", [person]).fetchone(),
            "profile": conn.execute("select id, role, college_id, is_active from public.profiles where id = %s",
                                    [person]).fetchone(),
            "job": conn.execute("select status, technician_id, citizen_id, contact_phone from public.repair_requests "
                                "where id = %s", [request_id]).fetchone(),
            "offers": conn.execute("select id, status from public.offers where technician_id = %s order by id",
                                   [person]).fetchall(),
            "team": conn.execute("select request_id, role from public.job_team where technician_id = %s "
                                 "order by request_id", [person]).fetchall(),
        }


def _raw_delete(database_url: str, person: str) -> None:
    """What Supabase's dashboard, its admin API or an operator's SQL runs."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("delete from auth.users where id = %s", [person])


async def _accepted_by_ace(app_and_clock: AppClock, area: Area, database_url: str) -> tuple[str, str]:
    """A job of the near college accepted by ace: (the citizen's token, the request id)."""
    api, _ = app_and_clock
    citizen, created = await submit(api)
    ace_id, ace_phone = area.students["ace"]
    offer = next(o for o in offers_of(database_url, created["id"]) if o["technician_id"] == ace_id)
    ace, _ = await sign_in(api, ace_phone)
    accepted = await api.post(f"/offers/{offer['id']}/accept", headers=bearer(ace))
    assert accepted.status_code == 200, accepted.text
    return citizen, created["id"]


def test_the_databases_statuses_of_a_job_in_hand_are_shareds(database_url: str) -> None:
    """The refusal is the database's, so the set is written in SQL too (private.work_in_hand): kept equal here."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select private.work_in_hand()::text[]").fetchone()
    assert row is not None
    assert {RequestStatus(s) for s in row[0]} == WORK_IN_HAND and len(row[0]) == len(WORK_IN_HAND)


async def test_a_raw_deletion_of_a_student_holding_a_job_is_refused_and_changes_nothing(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    _, request_id = await _accepted_by_ace(app_and_clock, area, database_url)
    ace_id = area.students["ace"][0]
    before = _snapshot(database_url, ace_id, request_id)
    assert before["job"]["status"] == "accepted" and str(before["job"]["technician_id"]) == ace_id

    with pytest.raises(psycopg.errors.RestrictViolation) as refused:
        _raw_delete(database_url, ace_id)
    assert refused.value.diag.message_primary == _refusal(1)
    assert _snapshot(database_url, ace_id, request_id) == before


async def test_a_helper_on_this_rounds_team_is_refused_too(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """A helper's hands are on the work as well (staff.jobs_in_hand counts them: the database counts the same)."""
    _, request_id = await _accepted_by_ace(app_and_clock, area, database_url)
    bee_id = area.students["bee"][0]
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("insert into public.job_team (request_id, technician_id, role) values (%s, %s, 'helper')",
                     [request_id, bee_id])
    before = _snapshot(database_url, bee_id, request_id)
    with pytest.raises(psycopg.errors.RestrictViolation) as refused:
        _raw_delete(database_url, bee_id)
    assert refused.value.diag.message_primary == _refusal(1)
    assert _snapshot(database_url, bee_id, request_id) == before


async def test_a_student_with_only_offers_or_finished_jobs_and_the_citizen_are_deleted(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """The refusal is for jobs in hand only: bee, offered the job ace took (an offer withdrawn), goes; the job's
    citizen goes (their job in hand is cancelled, 0012); then ace, whose job was cancelled with it, goes too."""
    _, request_id = await _accepted_by_ace(app_and_clock, area, database_url)
    bee_id, ace_id = area.students["bee"][0], area.students["ace"][0]
    assert any(o["technician_id"] == bee_id for o in offers_of(database_url, request_id))
    _raw_delete(database_url, bee_id)
    citizen_id = _snapshot(database_url, ace_id, request_id)["job"]["citizen_id"]
    _raw_delete(database_url, str(citizen_id))
    job = _snapshot(database_url, ace_id, request_id)["job"]
    assert job["status"] == "cancelled" and job["citizen_id"] is None and str(job["technician_id"]) == ace_id
    _raw_delete(database_url, ace_id)
    after = _snapshot(database_url, ace_id, request_id)
    assert after["user"] is None and after["profile"] is None and after["job"]["technician_id"] is None
    assert _snapshot(database_url, bee_id, request_id)["user"] is None


async def test_the_service_paths_answer_their_own_409_first(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """DELETE /me counts the jobs itself (the profile locked) and answers the student, not the database's
    sentence for the operator, nor a 500."""
    api, _ = app_and_clock
    _, request_id = await _accepted_by_ace(app_and_clock, area, database_url)
    ace, _ = await sign_in(api, area.students["ace"][1])
    refused = await api.delete("/me", params={"confirm": "true"}, headers=bearer(ace))
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    expected = error_text("account_has_jobs", count=1)
    assert (error["code"], error["message_th"], error["message_en"]) == ("account_has_jobs", expected.th,
                                                                          expected.en)
    assert _snapshot(database_url, area.students["ace"][0], request_id)["user"] is not None


async def test_a_raw_deletion_during_an_accept_waits_and_counts_the_job(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """The lock order (dispatch.py): an accept holds the student's profile (FOR SHARE) and then the request, and
    sets the request's technician only at its end. The deletion's trigger takes the profile first, so it waits for
    the accept and then counts the job. Taking only the requests the student already held, it saw none, went on,
    and the cascade deleted the profile as soon as the accept committed: the accepted job with nobody on it."""
    api, _ = app_and_clock
    _, created = await submit(api)
    request_id = uuid.UUID(created["id"])
    ace_id = uuid.UUID(area.students["ace"][0])
    offer = next(o for o in offers_of(database_url, str(request_id)) if o["technician_id"] == str(ace_id))
    errors: list[BaseException] = []

    def delete_ace() -> None:
        try:
            _raw_delete(database_url, str(ace_id))
        except BaseException as exc:
            errors.append(exc)

    deleter = threading.Thread(target=delete_ace, daemon=True)
    async with await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as aconn:
        claims: dict[str, Any] = {"sub": str(ace_id), "role": "authenticated"}
        async with aconn.transaction():
            await roster_college(aconn, ace_id)  # accept_offer's first steps: the profile, then the request
            await lock_status(aconn, request_id, check_visible=False)
            deleter.start()
            await until_waiting(database_url, 1)  # the deletion waits for the accept
            await accept_offer(aconn, offer["id"], ace_id, claims, datetime.now(UTC))
    await asyncio.to_thread(deleter.join, 30)
    assert not deleter.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], psycopg.errors.RestrictViolation), errors
    after = _snapshot(database_url, str(ace_id), str(request_id))
    assert after["job"]["status"] == "accepted" and after["job"]["technician_id"] == ace_id
    assert after["user"] is not None and after["profile"] is not None


async def test_a_deleted_students_offers_are_handed_on_at_once(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """DELETE /me: the plumber's offer, theirs alone, goes with the account and the job is handed on in the same
    transaction (no other plumber anywhere: `no_centre`, for an admin); ace's, one of three, leaves the other two
    students' offers waiting and the job as it was."""
    api, _ = app_and_clock
    _, plumbing = await submit(api, category_code="plumbing", item="ก๊อกน้ำ", description="น้ำรั่วตลอดเวลา")
    _, appliance = await submit(api)
    for student in ("plumber", "ace"):
        token, _ = await sign_in(api, area.students[student][1])
        deleted = await api.delete("/me", params={"confirm": "true"}, headers=bearer(token))
        assert deleted.status_code == 204, deleted.text
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        statuses = {r["id"]: r["status"] for r in conn.execute(
            "select id::text, status::text from public.repair_requests where id = any(%s::uuid[])",
            [[plumbing["id"], appliance["id"]]]).fetchall()}
    assert statuses == {plumbing["id"]: "no_centre", appliance["id"]: "offered"}
    waiting = {o["technician_id"] for o in offers_of(database_url, appliance["id"]) if o["status"] == "pending"}
    assert waiting == {area.students["bee"][0], area.students["cat"][0]}
