"""review25: a fresh-eyes review of session 25's merged code (flow25's take back from the check, resil25's refresh
reuse). Findings are in /tmp/p25/review25-findings.md; each is proved here first (strict xfail), the mark removed by
its fix. The rest pin what the review checked and found sound."""

import asyncio
import hashlib
from typing import Any

import httpx
import psycopg

from tests.helpers import bearer, fresh_phone, session_for, sign_in
from tests.integration.dispatch_area import ADMIN_PHONE, offers_of, request_status, set_owner_active, step
from tests.integration.test_a_teacher_at_every_hand_over import Colleges, colleges  # noqa: F401 (fixture)
from tests.integration.test_app_contract import app  # noqa: F401  (the fixture)
from tests.integration.test_the_teacher_present_at_a_rework import _in_the_check


# --- 1. The take back from the check is the admins' only ----------------------------------------------------------
async def test_a_teacher_or_the_student_cannot_take_a_job_back_from_the_check(
        app: Any, colleges: Colleges, database_url: str,  # noqa: F811  (the fixtures)
) -> None:
    """QC -> offered is an admin's move (shared.statuses): the college's teacher (who sends it back for rework
    instead) and the student who sent it are refused, and the job stays in the check with its lead."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as api:
        rid = await _in_the_check(api, colleges, database_url)
        for who in ("teacher", "student"):
            token, _ = await sign_in(api, colleges.people[who][1])
            refused = await step(api, token, rid, "offered", note="ขอคืนงาน")
            assert refused.status_code in (403, 409), (who, refused.text)
    assert request_status(database_url, rid) == "quality_check"
    with psycopg.connect(database_url) as conn:
        lead = conn.execute("select technician_id::text from public.repair_requests where id = %s", [rid]).fetchone()
        moves = conn.execute("select count(*) from public.status_events where request_id = %s "
                             "and from_status = 'quality_check'", [rid]).fetchone()
    assert lead == (colleges.people["student"][0],) and moves == (0,)


async def test_an_admins_take_back_of_a_suspended_citizens_job_parks_it_and_tells_them_once(
        app: Any, colleges: Colleges, database_url: str,  # noqa: F811  (the fixtures)
) -> None:
    """The citizen suspended while their job waited for the check: taken back, it asks nobody (dispatch's rule for a
    suspended owner: no_centre, `owner_suspended`), the lead is off it, and the citizen's inbox holds one
    `job_taken_back` and no `no_taker`."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as api:
        admin, _ = await sign_in(api, ADMIN_PHONE)
        rid = await _in_the_check(api, colleges, database_url)
        set_owner_active(database_url, rid, False)
        taken = await step(api, admin, rid, "offered", note="ครูไม่อยู่")
        assert taken.status_code == 200, taken.text
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select status::text, technician_id from public.repair_requests where id = %s",
                           [rid]).fetchone()
        pending = conn.execute("select count(*) from public.offers where request_id = %s and status = 'pending'",
                               [rid]).fetchone()
        told = [k for (k,) in conn.execute(
            "select n.kind::text from public.notifications n join public.repair_requests r on r.id = n.request_id "
            "where n.request_id = %s and n.recipient_id = r.citizen_id "
            "and n.kind in ('job_taken_back', 'no_taker') order by n.id", [rid])]
    assert row == ("no_centre", None) and pending == (0,)
    assert told == ["job_taken_back"]


async def test_the_next_student_after_a_take_back_from_the_check_must_show_their_own_work(
        app: Any, colleges: Colleges, database_url: str,  # noqa: F811  (the fixtures)
) -> None:
    """Honest QC (routes/work.py `_require_complete_record`): after a take back only the next student's own after
    photos and report count. Taken back from the check, the job goes on to the far college's student; their move to
    the check with nothing of their own recorded is refused (409 quality_check_incomplete), as after a take back from
    a student's hands."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as api:
        admin, _ = await sign_in(api, ADMIN_PHONE)
        rid = await _in_the_check(api, colleges, database_url)
        assert (await step(api, admin, rid, "offered", note="ตรวจใหม่ที่อื่น")).status_code == 200
        offer = next(o for o in offers_of(database_url, rid) if o["status"] == "pending")
        assert offer["technician_id"] == colleges.people["far_student"][0]
        student, _ = await sign_in(api, colleges.people["far_student"][1])
        assert (await api.post(f"/offers/{offer['id']}/accept", headers=bearer(student))).status_code == 200
        for to in ("diagnosing", "repairing"):
            moved = await step(api, student, rid, to, teacher_present_id=colleges.people["far_teacher"][0])
            assert moved.status_code == 200, moved.text
        checked = await step(api, student, rid, "quality_check")
    assert checked.status_code == 409, checked.text
    assert checked.json()["error"]["code"] == "quality_check_incomplete"


# --- 4. Two refreshes with the same token at the same moment -------------------------------------------------------
async def _until_waiting_on_the_lock(database_url: str, calls: list["asyncio.Task[Any]"], count: int) -> None:
    """Until `count` refreshes wait for the held session row (what decides is the count, not a fixed wait)."""
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as watch:
        deadline = asyncio.get_running_loop().time() + 30
        while asyncio.get_running_loop().time() < deadline:
            if any(call.done() for call in calls):
                raise AssertionError("a refresh was answered while the session's row was held")
            row = await (await watch.execute(
                "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like %s",
                ["%private.refresh_tokens t%"])).fetchone()
            if row is not None and row[0] >= count:
                return
            await asyncio.sleep(0.01)
    raise AssertionError(f"not {count} refreshes waiting for the session's row")


async def test_two_refreshes_racing_with_one_token_leave_one_live_token(api: httpx.AsyncClient,
                                                                        database_url: str) -> None:
    """The app and a thief (or two copies of the app) present the same unused refresh token at once. The second
    waits for the first's session lock; once it has it, it must see the token used (and be answered as a repeat
    within the interval: the first's new token goes), never rotate it a second time: one live token a session, so
    reuse detection still catches a copy."""
    first = await session_for(api, fresh_phone())
    user = first["profile"]["id"]
    with psycopg.connect(database_url) as holder:  # the session's row held, so both refreshes queue behind it
        holder.execute("select 1 from private.auth_sessions where user_id = %s for update", [user])
        racing = [asyncio.create_task(api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]}))
                  for _ in range(2)]
        await _until_waiting_on_the_lock(database_url, racing, 2)
        holder.commit()
        answers = await asyncio.gather(*racing)
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    with psycopg.connect(database_url) as conn:
        live = [h for (h,) in conn.execute(
            "select t.token_hash from private.refresh_tokens t join private.auth_sessions s "
            "on s.id = t.session_id where s.user_id = %s and t.used_at is null and t.superseded_at is null "
            "and s.revoked_at is null", [user])]
    tokens = [a.json()["refresh_token"] for a in answers]
    hashes = [hashlib.sha256(t.encode()).hexdigest() for t in tokens]
    assert len(live) == 1 and live[0] in hashes
    # Of the two answers, exactly one still refreshes; the other, superseded, is a copy's (audit26 F2): presented
    # after, it ends the session.
    kept, other = (tokens[0], tokens[1]) if hashes[0] == live[0] else (tokens[1], tokens[0])
    onwards = await api.post("/auth/refresh", json={"refresh_token": kept})
    assert onwards.status_code == 200, onwards.text
    assert (await api.post("/auth/refresh", json={"refresh_token": other})).status_code == 401
