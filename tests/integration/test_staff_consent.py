"""Nobody's account changes role without their consent: a teacher's or an admin's registration of a phone that
already has a citizen account is an invitation the person accepts or declines in the app. And a student holding
jobs cannot be moved to another college, made a teacher or deactivated: the jobs would be stranded."""

import asyncio
from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row

from tests.helpers import answer_invitation, bearer, fresh_phone, sign_in
from tests.integration.dispatch_area import Area, accepted_job, offers_of, submit, work_to_quality_check

SEED_ADMIN = "084-444-4444"


def audit_actions(database_url: str, target_id: str) -> list[tuple[str, str]]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        rows = conn.execute("select action, actor from public.audit_events where target_id = %s order by id",
                            [target_id]).fetchall()
    return [(r["action"], r["actor"]) for r in rows]


def refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    assert error["message_th"] and error["message_en"] and error["message_th"] != error["message_en"]
    return error


async def test_a_teacher_invites_a_citizen_who_accepts(api: httpx.AsyncClient, area: Area,
                                                       database_url: str) -> None:
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    phone = fresh_phone()
    citizen_token, citizen = await sign_in(api, phone)
    me = bearer(citizen_token)
    assert (await api.get("/me/invitation", headers=me)).json() is None

    added = await api.post(f"/colleges/{area.near}/students",
                           json={"phone": phone, "display_name": "นาย ชวนมา", "skills": {"plumbing": 2}},
                           headers=bearer(teacher))
    assert added.status_code == 201, added.text
    assert added.json()["existing_account"] is True and added.json()["awaiting_acceptance"] is True
    # Nothing changed yet: still a citizen, with no student screens and no offers.
    profile = (await api.get("/me", headers=me)).json()
    assert profile["role"] == "citizen" and profile["college"] is None
    assert (await api.get("/technician/offers", headers=me)).status_code == 403
    assert [a for a, _ in audit_actions(database_url, citizen["id"]) if a.startswith("profile.")] == []

    # The teacher sees the person as waiting for acceptance.
    waiting = [i for i in (await api.get(f"/colleges/{area.near}/invites", headers=bearer(teacher))).json()
               if i["phone"] == "+66" + phone[1:]]
    assert [(i["awaiting_acceptance"], i["declined_at"]) for i in waiting] == [(True, None)]

    invitation = (await api.get("/me/invitation", headers=me)).json()
    assert invitation["role"] == "technician" and invitation["college"]["id"] == str(area.near)
    assert invitation["college"]["name_th"] == "วิทยาลัยทดสอบใกล้" and invitation["skills"] == {"plumbing": 2}

    accepted = await answer_invitation(api, citizen_token, "accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["role"] == "technician" and accepted.json()["college"]["id"] == str(area.near)
    assert (await api.get("/technician/offers", headers=me)).status_code == 200
    students = {s["id"]: s for s in (await api.get("/supervisor/technicians", headers=bearer(teacher))).json()}
    assert students[citizen["id"]]["skills"] == {"plumbing": 2}
    # The change is the person's own doing in the trail.
    actions = audit_actions(database_url, citizen["id"])
    assert ("profile.role", "citizen") in actions and ("staff.invite_accept", "citizen") in actions
    assert (await api.get("/me/invitation", headers=me)).json() is None
    refused(await answer_invitation(api, citizen_token, "accept"), 404, "invitation_none")
    assert [i for i in (await api.get(f"/colleges/{area.near}/invites", headers=bearer(teacher))).json()
            if i["phone"] == "+66" + phone[1:]] == []


async def test_a_declined_invitation_changes_nothing_and_holds_off_a_second(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    admin, _ = await sign_in(api, SEED_ADMIN)
    phone = fresh_phone()
    token, citizen = await sign_in(api, phone)
    me = bearer(token)
    url = f"/colleges/{area.near}/students"
    assert (await api.post(url, json={"phone": phone}, headers=bearer(teacher))).status_code == 201
    # Inviting again while it waits only updates it; another college's teacher may not take it over.
    again = await api.post(url, json={"phone": phone, "skills": {"computer": 3}}, headers=bearer(teacher))
    assert again.status_code == 201 and again.json()["awaiting_acceptance"] is True
    assert (await api.get("/me/invitation", headers=me)).json()["skills"] == {"computer": 3}

    declined = await answer_invitation(api, token, "decline")
    assert declined.status_code == 204, declined.text
    assert (await api.get("/me", headers=me)).json()["role"] == "citizen"
    assert (await api.get("/me/invitation", headers=me)).json() is None
    refused(await answer_invitation(api, token, "decline"), 404, "invitation_none")
    refused(await answer_invitation(api, token, "accept"), 404, "invitation_none")
    listed = [i for i in (await api.get(f"/colleges/{area.near}/invites", headers=bearer(teacher))).json()
              if i["phone"] == "+66" + phone[1:]]
    assert len(listed) == 1 and listed[0]["declined_at"] is not None
    # Asking again right after a no is refused, for the teacher and for an admin alike.
    error = refused(await api.post(url, json={"phone": phone}, headers=bearer(teacher)), 409, "invitation_declined")
    assert "30" in error["message_en"] and "30" in error["message_th"]
    refused(await api.post(f"/admin/colleges/{area.far}/supervisors", json={"phone": phone}, headers=bearer(admin)),
            409, "invitation_declined")
    assert ("staff.invite_decline", "citizen") in audit_actions(database_url, citizen["id"])
    # What is held about the person includes the invitation and their answer (PDPA export).
    exported = (await api.get("/me/export", headers=me)).json()
    assert [(i["role"], i["college"], i["declined_at"] is not None) for i in exported["invitations"]] == [
        ("technician", "วิทยาลัยทดสอบใกล้", True)]
    # Once the wait is over, the college may ask again (and the old "no" leaves the teacher's list).
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update private.staff_invites set declined_at = declined_at - interval '31 days' "
                     "where profile_id = %s", [citizen["id"]])
    assert [i for i in (await api.get(f"/colleges/{area.near}/invites", headers=bearer(teacher))).json()
            if i["phone"] == "+66" + phone[1:]] == []
    asked_again = await api.post(url, json={"phone": phone}, headers=bearer(teacher))
    assert asked_again.status_code == 201 and asked_again.json()["awaiting_acceptance"] is True
    assert (await api.get("/me/invitation", headers=me)).json()["role"] == "technician"
    with psycopg.connect(database_url) as conn:
        role = conn.execute("select role from public.profiles where id = %s", [citizen["id"]]).fetchone()
    assert role == ("citizen",)


async def test_an_admin_invites_a_citizen_to_be_a_teacher(api: httpx.AsyncClient, area: Area) -> None:
    admin, _ = await sign_in(api, SEED_ADMIN)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    phone = fresh_phone()
    token, _ = await sign_in(api, phone)
    named = await api.post(f"/admin/colleges/{area.far}/supervisors", json={"phone": phone}, headers=bearer(admin))
    assert named.status_code == 201 and named.json()["awaiting_acceptance"] is True
    assert (await api.get("/me", headers=bearer(token))).json()["role"] == "citizen"
    # Someone invited elsewhere is not a teacher's to take over; an admin may replace the invitation.
    refused(await api.post(f"/colleges/{area.near}/students", json={"phone": phone}, headers=bearer(teacher)),
            409, "phone_invited_elsewhere")
    invitation = (await api.get("/me/invitation", headers=bearer(token))).json()
    assert invitation["role"] == "supervisor" and invitation["college"]["id"] == str(area.far)
    accepted = await answer_invitation(api, token, "accept")
    assert accepted.status_code == 200 and accepted.json()["role"] == "supervisor"
    assert (await api.get("/supervisor/dashboard", headers=bearer(token))).status_code == 200


async def test_an_invitation_to_a_college_closed_since_is_refused_on_accepting(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    phone = fresh_phone()
    token, _ = await sign_in(api, phone)
    assert (await api.post(f"/colleges/{area.near}/students", json={"phone": phone},
                           headers=bearer(teacher))).status_code == 201
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.colleges set is_active = false where id = %s", [area.near])
    refused(await answer_invitation(api, token, "accept"), 409, "invitation_college_inactive")
    assert (await api.get("/me", headers=bearer(token))).json()["role"] == "citizen"


async def test_a_yes_to_an_invitation_replaced_since_is_not_a_yes_to_the_new_one(api: httpx.AsyncClient,
                                                                                  area: Area) -> None:
    """The person says yes to the invitation they were shown: an admin who replaced it meanwhile (another college,
    another role) gets no consent from a tap on the old card; the person is told and sees the new one."""
    admin, _ = await sign_in(api, SEED_ADMIN)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    phone = fresh_phone()
    token, _ = await sign_in(api, phone)
    me = bearer(token)
    assert (await api.post(f"/colleges/{area.near}/students", json={"phone": phone},
                           headers=bearer(teacher))).status_code == 201
    shown = (await api.get("/me/invitation", headers=me)).json()
    seen = {"role": shown["role"], "college_id": shown["college"]["id"]}
    assert seen == {"role": "technician", "college_id": str(area.near)}
    assert (await api.post(f"/admin/colleges/{area.far}/supervisors", json={"phone": phone},
                           headers=bearer(admin))).status_code == 201

    refused(await api.post("/me/invitation/accept", json=seen, headers=me), 409, "invitation_changed")
    # Nor is a no to the old card a no to the new one (it would hold the new college off for 30 days).
    refused(await api.post("/me/invitation/decline", json=seen, headers=me), 409, "invitation_changed")
    assert (await api.get("/me", headers=me)).json()["role"] == "citizen"
    now_shown = (await api.get("/me/invitation", headers=me)).json()
    assert (now_shown["role"], now_shown["college"]["id"]) == ("supervisor", str(area.far))
    accepted = await api.post("/me/invitation/accept", headers=me,
                              json={"role": "supervisor", "college_id": str(area.far)})
    assert accepted.status_code == 200 and accepted.json()["role"] == "supervisor", accepted.text


async def test_an_answer_without_the_invitation_it_answers_is_refused_and_changes_nothing(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    """A yes or a no names the invitation shown (role and college): without a body, or with one of the wrong
    shape, it would be a blind answer to whatever waits now. Refused with the reason; nothing is answered."""
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    phone = fresh_phone()
    token, citizen = await sign_in(api, phone)
    me = bearer(token)
    assert (await api.post(f"/colleges/{area.near}/students", json={"phone": phone},
                           headers=bearer(teacher))).status_code == 201
    for answer in ("accept", "decline"):
        url = f"/me/invitation/{answer}"
        error = refused(await api.post(url, headers=me), 400, "invitation_seen_required")
        assert "invitation" in error["message_en"] and "คำเชิญ" in error["message_th"]
        refused(await api.post(url, content=b"null", headers={**me, "Content-Type": "application/json"}), 400,
                "invitation_seen_required")
        for bad in ({}, {"role": "technician"}, {"college_id": str(area.near)},
                    {"role": "wizard", "college_id": str(area.near)}, {"role": "technician", "college_id": "x"}):
            error = refused(await api.post(url, json=bad, headers=me), 422, "validation_failed")
            assert error["fields"], bad
        refused(await api.post(url, content=b"yes", headers={**me, "Content-Type": "application/json"}), 422,
                "validation_failed")
    assert (await api.get("/me", headers=me)).json()["role"] == "citizen"
    assert (await api.get("/me/invitation", headers=me)).json()["role"] == "technician"
    assert [a for a, _ in audit_actions(database_url, citizen["id"]) if a.startswith("staff.invite_")] == []
    assert (await answer_invitation(api, token, "accept")).status_code == 200


async def _until_blocked_by(database_url: str, pid: int, answer: "asyncio.Task[Any] | None" = None) -> None:
    """Until some transaction waits for a lock `pid` holds (what the accept under way is meant to run into); an
    `answer` that arrives first never waited."""
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as watcher:
        deadline = asyncio.get_running_loop().time() + 30
        while asyncio.get_running_loop().time() < deadline:
            if answer is not None and answer.done():
                raise AssertionError(f"answered without waiting: {answer.result()}")
            cur = await watcher.execute(
                "select exists (select 1 from pg_stat_activity where %s = any(pg_blocking_pids(pid)))", [pid])
            row = await cur.fetchone()
            if row is not None and row[0]:
                return
            await asyncio.sleep(0.01)  # polls the database's own state; the accept runs on this loop meanwhile
    raise AssertionError("the accept never waited for the held profile")


async def test_an_accept_takes_the_profile_before_the_invitation_as_a_renewal_does(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    """A teacher's renewal of the invitation (register_staff) locks the person's profile, then the invitation; an
    accept at the same moment must take them in that order too, or each waits for the other until PostgreSQL
    kills one (a 500 for the person or the teacher). While the profile is held, the accept holds nothing else."""
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    phone = fresh_phone()
    token, citizen = await sign_in(api, phone)
    assert (await api.post(f"/colleges/{area.near}/students", json={"phone": phone},
                           headers=bearer(teacher))).status_code == 201
    async with await psycopg.AsyncConnection.connect(database_url) as renewal:
        await renewal.execute("select 1 from public.profiles where id = %s for update", [citizen["id"]])
        accepting = asyncio.create_task(answer_invitation(api, token, "accept"))
        try:
            await _until_blocked_by(database_url, renewal.info.backend_pid)
            # The renewal goes on to the invitation: free, so it finishes and the accept follows.
            await renewal.execute("select 1 from private.staff_invites where profile_id = %s for update nowait",
                                  [citizen["id"]])
        finally:
            await renewal.rollback()
            accepted = await accepting
    assert accepted.status_code == 200 and accepted.json()["role"] == "technician", accepted.text


async def test_an_accept_waits_for_a_college_being_closed_and_then_refuses(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    """An admin closes the college (its row locked and changed, not yet committed) while the person accepts: the
    accept waits for that answer rather than reading the college as still open and making the person a student of
    a closed college. Once the closing commits, the accept is refused (409) and the person stays a citizen."""
    admin, _ = await sign_in(api, SEED_ADMIN)
    phone = fresh_phone()
    token, _ = await sign_in(api, phone)
    assert (await api.post(f"/admin/colleges/{area.far}/supervisors", json={"phone": phone},
                           headers=bearer(admin))).status_code == 201
    seen = {"role": "supervisor", "college_id": str(area.far)}
    async with await psycopg.AsyncConnection.connect(database_url) as closing:
        await closing.execute("update public.colleges set is_active = false where id = %s", [area.far])
        accepting = asyncio.create_task(api.post("/me/invitation/accept", json=seen, headers=bearer(token)))
        try:
            await _until_blocked_by(database_url, closing.info.backend_pid, accepting)
        finally:
            await closing.commit()
            answered = await accepting
    refused(answered, 409, "invitation_college_inactive")
    assert (await api.get("/me", headers=bearer(token))).json()["role"] == "citizen"


async def test_a_student_with_jobs_in_hand_is_not_moved_or_deactivated(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    _, ace_token, request_id = await accepted_job(api, area, "ace")
    ace_id, ace_phone = area.students["ace"]
    admin, _ = await sign_in(api, SEED_ADMIN)
    teacher, _ = await sign_in(api, area.students["teacher"][1])

    moved = await api.post(f"/colleges/{area.far}/students", json={"phone": ace_phone}, headers=bearer(admin))
    error = refused(moved, 409, "student_has_jobs")
    assert "1" in error["message_en"] and "1" in error["message_th"]
    refused(await api.post(f"/admin/colleges/{area.near}/supervisors", json={"phone": ace_phone},
                           headers=bearer(admin)), 409, "student_has_jobs")
    refused(await api.put(f"/supervisor/technicians/{ace_id}", json={"is_active": False}, headers=bearer(teacher)),
            409, "student_has_jobs")
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        row = conn.execute("select role, college_id, is_active from public.profiles where id = %s",
                           [ace_id]).fetchone()
    assert row == {"role": "technician", "college_id": area.near, "is_active": True}
    # Skills may still change, and re-adding them to their own college is no move.
    assert (await api.put(f"/supervisor/technicians/{ace_id}", json={"skills": {"electrical_appliance": 5}},
                          headers=bearer(teacher))).status_code == 200
    assert (await api.post(f"/colleges/{area.near}/students", json={"phone": ace_phone},
                           headers=bearer(teacher))).status_code == 201

    # Once the teacher hands the job to someone else, the move goes through.
    bee_id = area.students["bee"][0]
    reassigned = await api.post(f"/requests/{request_id}/assign", json={"technician_id": bee_id},
                                headers=bearer(teacher))
    assert reassigned.status_code == 200, reassigned.text
    moved = await api.post(f"/colleges/{area.far}/students", json={"phone": ace_phone}, headers=bearer(admin))
    assert moved.status_code == 201 and moved.json()["awaiting_acceptance"] is False
    profile = (await api.get("/me", headers=bearer(ace_token))).json()
    assert profile["college"]["id"] == str(area.far)


async def test_no_invitation_routes_without_a_sign_in(api: httpx.AsyncClient) -> None:
    for method, path in (("GET", "/me/invitation"), ("POST", "/me/invitation/accept"),
                         ("POST", "/me/invitation/decline")):
        assert (await api.request(method, path)).status_code == 401
    token, _ = await sign_in(api, fresh_phone())
    refused(await answer_invitation(api, token, "decline"), 404, "invitation_none")


async def test_a_student_who_leaves_cannot_take_the_offers_still_open(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    _, request = await submit(api)
    offered = {o["technician_id"]: o for o in offers_of(database_url, request["id"]) if o["status"] == "pending"}
    leaving = [name for name, (user_id, _) in area.students.items() if user_id in offered]
    assert len(leaving) >= 2, offered
    admin, _ = await sign_in(api, SEED_ADMIN)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    moved, switched_off = leaving[:2]
    tokens = {name: (await sign_in(api, area.students[name][1]))[0] for name in (moved, switched_off)}
    assert (await api.post(f"/colleges/{area.far}/students", json={"phone": area.students[moved][1]},
                           headers=bearer(admin))).status_code == 201
    off = await api.put(f"/supervisor/technicians/{area.students[switched_off][0]}", json={"is_active": False},
                        headers=bearer(teacher))
    assert off.status_code == 200, off.text
    # Their offers are withdrawn now, in the move's own transaction, and the job goes to the college's next students
    # as a decline's would (college27 #1: not left to lapse, which let the clock's next turn escalate past the
    # college's students never asked); signed in from before, neither can take the job.
    with psycopg.connect(database_url) as conn:
        ended = conn.execute("select count(*) from public.offers where id = any(%s) and status = 'withdrawn'",
                             [[offered[area.students[n][0]]["id"] for n in (moved, switched_off)]]).fetchone()
    assert ended == (2,)
    for name in (moved, switched_off):
        offer = offered[area.students[name][0]]
        took = await api.post(f"/offers/{offer['id']}/accept", headers=bearer(tokens[name]))
        assert took.status_code in (403, 404, 409), (name, took.text)
    took = await api.post(f"/offers/{offered[area.students[moved][0]]['id']}/accept", headers=bearer(tokens[moved]))
    assert took.json()["error"]["code"] == "offer_not_open"
    with psycopg.connect(database_url) as conn:
        detail = conn.execute("select status, technician_id from public.repair_requests where id = %s",
                              [request["id"]]).fetchone()
    assert detail == ("offered", None)
    after = {o["technician_id"]: o["status"] for o in offers_of(database_url, request["id"])}
    gone = {area.students[n][0] for n in (moved, switched_off)}
    assert all(after[t] == "withdrawn" for t in gone)
    assert any(status == "pending" for t, status in after.items() if t not in gone)


async def test_a_helper_holds_the_job_too_and_reports_no_hours_once_gone(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    """A helper on the team of a job under way is not moved or switched off (their hours are the college's to
    credit); once the job is checked they may leave, and then report no hours on the old college's job."""
    _, ace, rid = await accepted_job(api, area, "ace")
    bee_id, bee_phone = area.students["bee"]
    admin, _ = await sign_in(api, SEED_ADMIN)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    joined = await api.post(f"/requests/{rid}/team", json={"technician_id": bee_id, "task": "ช่วยถอดฝา"},
                            headers=bearer(ace))
    assert joined.status_code == 204, joined.text

    error = refused(await api.post(f"/colleges/{area.far}/students", json={"phone": bee_phone},
                                   headers=bearer(admin)), 409, "student_has_jobs")
    assert "1" in error["message_en"] and "1" in error["message_th"]
    refused(await api.put(f"/supervisor/technicians/{bee_id}", json={"is_active": False}, headers=bearer(teacher)),
            409, "student_has_jobs")

    await work_to_quality_check(api, ace, rid)
    done = await api.post(f"/requests/{rid}/status", json={"to_status": "done"}, headers=bearer(teacher))
    assert done.status_code == 200, done.text
    moved = await api.post(f"/colleges/{area.far}/students", json={"phone": bee_phone}, headers=bearer(admin))
    assert moved.status_code == 201, moved.text
    bee, _ = await sign_in(api, bee_phone)
    refused(await api.put(f"/requests/{rid}/team/me", json={"hours": 1.5, "task": "ถอดฝา"}, headers=bearer(bee)),
            403, "team_member_left")
    # Switched off, they cannot act at all.
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set is_active = false where id = %s", [bee_id])
    off = await api.put(f"/requests/{rid}/team/me", json={"hours": 1.5}, headers=bearer(bee))
    assert off.status_code == 403, off.text
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        row = conn.execute("select hours from public.job_team where request_id = %s and technician_id = %s",
                           [rid, bee_id]).fetchone()
    assert row == {"hours": None}
