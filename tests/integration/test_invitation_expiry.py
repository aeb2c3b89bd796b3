"""Invitations expire and can be withdrawn (migration 0036): one open longer than INVITATION_OPEN_DAYS is no longer
shown to the person nor answerable, nor applied at a first sign-in; whoever may send one (a college's teacher for
its students, an admin for any) takes back one still waiting, and the person's card and "invited" notification say
so. Times are moved in SQL, never slept through."""

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

import backend.dispatch_ticks as dispatch_ticks
from backend.db import Conn, service_tx
from backend.dispatch_ticks import tick
from backend.notifications.invitations import close_expired
from backend.services.college_counts import fold_status_deltas
from backend.services.staff import register_staff
from backend.settings import Settings
from shared.invitations import INVITATION_OPEN_DAYS
from shared.roles import AppRole
from tests.helpers import answer_invitation, bearer, fresh_phone, sign_in
from tests.integration.dispatch_area import Area
from tests.integration.lock_waits import until_waiting
from tests.integration.test_fuzz_findings import assert_declared, document
from tests.integration.wall_clock import wall

SEED_ADMIN = "084-444-4444"


def refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    assert error["message_th"] and error["message_en"] and error["message_th"] != error["message_en"]
    return error


def e164(phone: str) -> str:
    return "+66" + phone[1:]


async def listed(api: httpx.AsyncClient, token: str, college: uuid.UUID, phone: str) -> list[dict[str, Any]]:
    answer = await api.get(f"/colleges/{college}/invites", headers=bearer(token))
    assert answer.status_code == 200, answer.text
    return [i for i in answer.json() if i["phone"] == e164(phone)]


def expire(database_url: str, phone: str) -> None:
    """The invitation's time runs out: its expiry (and when it was sent) moved into the past."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        moved = conn.execute(
            "update private.staff_invites set created_at = created_at - make_interval(days => %s), "
            "expires_at = now() - interval '1 minute' where phone = %s", [INVITATION_OPEN_DAYS, e164(phone)])
        assert moved.rowcount == 1


def audit_of(database_url: str, target_id: str) -> list[dict[str, Any]]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return conn.execute("select action, actor, after from public.audit_events where target_id = %s "
                            "and action like 'staff.invite%%' order by id", [target_id]).fetchall()


def invited_notes(database_url: str, person: str) -> list[dict[str, Any]]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return conn.execute("select params ->> 'closed' as closed, read_at is not null as read "
                            "from public.notifications where recipient_id = %s and kind = 'invited' order by id",
                            [person]).fetchall()


def role_of(database_url: str, person: str) -> str:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select role::text from public.profiles where id = %s", [person]).fetchone()
    assert row is not None
    return str(row[0])


# --- expiry ----------------------------------------------------------------------------------------------------


async def test_an_expired_invitation_is_not_shown_nor_answerable_and_inviting_again_sends_a_fresh_one(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    phone = fresh_phone()
    token, citizen = await sign_in(api, phone)
    me = bearer(token)
    url = f"/colleges/{area.near}/students"
    assert (await api.post(url, json={"phone": phone}, headers=bearer(teacher))).status_code == 201
    [waiting] = await listed(api, teacher, area.near, phone)
    sent, expires = datetime.fromisoformat(waiting["created_at"]), datetime.fromisoformat(waiting["expires_at"])
    assert expires - sent == timedelta(days=INVITATION_OPEN_DAYS) and waiting["expired"] is False
    shown = (await api.get("/me/invitation", headers=me)).json()
    assert datetime.fromisoformat(shown["expires_at"]) == expires
    seen = {"role": shown["role"], "college_id": shown["college"]["id"]}

    expire(database_url, phone)
    assert (await api.get("/me/invitation", headers=me)).json() is None
    for answer in ("accept", "decline"):
        error = refused(await api.post(f"/me/invitation/{answer}", json=seen, headers=me), 409,
                        "invitation_expired")
        assert str(INVITATION_OPEN_DAYS) in error["message_th"] and str(INVITATION_OPEN_DAYS) in error["message_en"]
    # Nothing changed: still a citizen, no answer in the trail, the teacher sees it lapsed (and when).
    assert role_of(database_url, citizen["id"]) == "citizen"
    assert audit_of(database_url, citizen["id"]) == []
    [lapsed] = await listed(api, teacher, area.near, phone)
    assert lapsed["expired"] is True and lapsed["declined_at"] is None and lapsed["id"] == waiting["id"]
    assert datetime.fromisoformat(lapsed["expires_at"]) < datetime.fromisoformat(waiting["expires_at"])
    # Nor does it count among the college's pending invitations on the admin's list.
    admin, _ = await sign_in(api, SEED_ADMIN)
    colleges = {c["id"]: c for c in (await api.get("/admin/colleges", headers=bearer(admin))).json()}
    assert colleges[str(area.near)]["pending_invites"] == 0

    # Inviting again gives a fresh invitation: a new id, a new full window, shown and answerable.
    again = await api.post(url, json={"phone": phone}, headers=bearer(teacher))
    assert again.status_code == 201 and again.json()["awaiting_acceptance"] is True
    [fresh] = await listed(api, teacher, area.near, phone)
    assert fresh["id"] != waiting["id"] and fresh["expired"] is False
    assert datetime.fromisoformat(fresh["expires_at"]) - datetime.fromisoformat(fresh["created_at"]) == timedelta(
        days=INVITATION_OPEN_DAYS)
    assert datetime.fromisoformat(fresh["created_at"]) > sent
    assert (await api.get("/me/invitation", headers=me)).json()["role"] == "technician"
    assert (await api.post("/me/invitation/accept", json=seen, headers=me)).status_code == 200


async def test_an_expired_invite_does_not_apply_at_the_first_sign_in(api: httpx.AsyncClient, area: Area,
                                                                     database_url: str) -> None:
    """A mistyped phone: the stranger who signs up with it weeks later is a citizen, not the college's teacher."""
    admin, _ = await sign_in(api, SEED_ADMIN)
    phone = fresh_phone()
    named = await api.post(f"/admin/colleges/{area.far}/supervisors", json={"phone": phone},
                           headers=bearer(admin))
    assert named.status_code == 201 and named.json()["existing_account"] is False
    expire(database_url, phone)
    [lapsed] = await listed(api, admin, area.far, phone)
    assert lapsed["expired"] is True
    _, profile = await sign_in(api, phone)
    assert profile["role"] == "citizen" and profile["college"] is None
    assert await listed(api, admin, area.far, phone) == []  # dropped at the sign-in: the account may be invited
    # Not silently: the trail says the line left the list because it had lapsed (no phone or name in it).
    [event] = audit_of(database_url, profile["id"])
    assert (event["action"], event["actor"]) == ("staff.invite_lapse", "system")
    assert event["after"] == {"role": "supervisor", "college_id": str(area.far), "invite_id": lapsed["id"],
                              "at_sign_in": True}


async def test_withdrawing_an_invite_the_first_sign_in_dropped_as_expired_says_it_had_expired(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    """The admin's list still showed the lapsed line when the stranger signed up with the phone (which dropped it,
    audited `staff.invite_lapse`): their withdraw is told it had expired (409 invitation_lapsed), not "not found",
    and nothing changes (the trail holds the lapse alone; the account stays a citizen)."""
    admin, _ = await sign_in(api, SEED_ADMIN)
    phone = fresh_phone()
    assert (await api.post(f"/admin/colleges/{area.far}/supervisors", json={"phone": phone},
                           headers=bearer(admin))).status_code == 201
    expire(database_url, phone)
    [lapsed] = await listed(api, admin, area.far, phone)
    _, profile = await sign_in(api, phone)
    error = refused(await api.delete(f"/colleges/{area.far}/invites/{lapsed['id']}", headers=bearer(admin)), 409,
                    "invitation_lapsed")
    assert f"{INVITATION_OPEN_DAYS} วัน" in error["message_th"] and "already expired" in error["message_en"]
    assert [e["action"] for e in audit_of(database_url, profile["id"])] == ["staff.invite_lapse"]
    assert role_of(database_url, profile["id"]) == "citizen"
    # Another college's id for the same invitation is still unknown there.
    refused(await api.delete(f"/colleges/{area.near}/invites/{lapsed['id']}", headers=bearer(admin)), 404,
            "invitation_unknown")


async def test_an_invite_applied_at_the_first_sign_in_is_in_the_trail_and_cannot_then_be_withdrawn(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    """Signing up with the invited phone is the person's yes: recorded as an accept (by the system), so the
    admin's withdraw afterwards is told it was answered (409), not that it is unknown (404)."""
    admin, _ = await sign_in(api, SEED_ADMIN)
    phone = fresh_phone()
    assert (await api.post(f"/admin/colleges/{area.far}/supervisors", json={"phone": phone},
                           headers=bearer(admin))).status_code == 201
    [invite] = await listed(api, admin, area.far, phone)
    _, profile = await sign_in(api, phone)
    assert profile["role"] == "supervisor"
    accepts = [e for e in audit_of(database_url, profile["id"]) if e["action"] == "staff.invite_accept"]
    assert [(e["actor"], e["after"]) for e in accepts] == [
        ("system", {"role": "supervisor", "college_id": str(area.far), "invite_id": invite["id"],
                    "at_sign_in": True})]
    refused(await api.delete(f"/colleges/{area.far}/invites/{invite['id']}", headers=bearer(admin)), 409,
            "invitation_answered")
    assert role_of(database_url, profile["id"]) == "supervisor"


# --- withdrawing ---------------------------------------------------------------------------------------------


async def test_who_may_withdraw_mirrors_who_may_invite_and_the_person_sees_it_withdrawn(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    teacher, teacher_profile = await sign_in(api, area.students["teacher"][1])
    admin, _ = await sign_in(api, SEED_ADMIN)
    student_phone, supervisor_phone, stranger_phone = fresh_phone(), fresh_phone(), fresh_phone()
    student_token, student = await sign_in(api, student_phone)
    supervisor_token, _ = await sign_in(api, supervisor_phone)
    assert (await api.post(f"/colleges/{area.near}/students", json={"phone": student_phone},
                           headers=bearer(teacher))).status_code == 201
    assert (await api.post(f"/admin/colleges/{area.near}/supervisors", json={"phone": supervisor_phone},
                           headers=bearer(admin))).status_code == 201
    assert (await api.post(f"/colleges/{area.near}/students", json={"phone": stranger_phone},
                           headers=bearer(teacher))).status_code == 201  # no account yet
    [to_student] = await listed(api, teacher, area.near, student_phone)
    [to_supervisor] = await listed(api, teacher, area.near, supervisor_phone)
    [to_stranger] = await listed(api, teacher, area.near, stranger_phone)
    shown = (await api.get("/me/invitation", headers=bearer(student_token))).json()
    seen = {"role": shown["role"], "college_id": shown["college"]["id"]}

    def url(college: uuid.UUID, invite: dict[str, Any] | str) -> str:
        return f"/colleges/{college}/invites/{invite if isinstance(invite, str) else invite['id']}"

    # A teacher takes back their college's student invitations only: not an admin's teacher invitation, not
    # another college's; an id that is not this college's is unknown; the invited person has no say here.
    refused(await api.delete(url(area.near, to_supervisor), headers=bearer(teacher)), 403, "forbidden_role")
    refused(await api.delete(url(area.far, to_student), headers=bearer(teacher)), 403, "not_your_college_staff")
    refused(await api.delete(url(area.far, to_student), headers=bearer(admin)), 404, "invitation_unknown")
    refused(await api.delete(url(area.near, str(uuid.uuid4())), headers=bearer(teacher)), 404, "invitation_unknown")
    assert (await api.delete(url(area.near, to_student), headers=bearer(student_token))).status_code == 403
    assert (await api.delete(url(area.near, to_student))).status_code == 401
    assert len(await listed(api, teacher, area.near, student_phone)) == 1  # none of that changed anything

    withdrawn = await api.delete(url(area.near, to_student), headers=bearer(teacher))
    assert withdrawn.status_code == 204, withdrawn.text
    assert await listed(api, teacher, area.near, student_phone) == []
    refused(await api.delete(url(area.near, to_student), headers=bearer(teacher)), 404, "invitation_unknown")
    # The person: no card; a tap on the card still on their screen is told it was withdrawn; nothing changes.
    me = bearer(student_token)
    assert (await api.get("/me/invitation", headers=me)).json() is None
    refused(await api.post("/me/invitation/accept", json=seen, headers=me), 409, "invitation_withdrawn")
    refused(await api.post("/me/invitation/decline", json=seen, headers=me), 409, "invitation_withdrawn")
    assert role_of(database_url, student["id"]) == "citizen"
    assert invited_notes(database_url, student["id"]) == [{"closed": "withdrawn", "read": True}]
    [note] = (await api.get("/me/notifications", headers=me)).json()["items"]
    assert note["read"] and note["body"] == "ผู้เชิญยกเลิกคำเชิญนี้แล้ว"
    [event] = audit_of(database_url, student["id"])
    assert (event["action"], event["actor"]) == ("staff.invite_withdraw", "supervisor")
    assert event["after"] == {"role": "technician", "college_id": str(area.near), "invite_id": to_student["id"],
                              "expired": False}
    # Taking one back holds nobody off: the college may invite the person again at once.
    assert (await api.post(f"/colleges/{area.near}/students", json={"phone": student_phone},
                           headers=bearer(teacher))).status_code == 201
    assert (await api.get("/me/invitation", headers=me)).json()["role"] == "technician"

    # An admin takes back the teacher invitation; a teacher the invite waiting for a first sign-in, which then
    # no longer applies.
    assert (await api.delete(url(area.near, to_supervisor), headers=bearer(admin))).status_code == 204
    assert (await api.get("/me/invitation", headers=bearer(supervisor_token))).json() is None
    assert (await api.delete(url(area.near, to_stranger), headers=bearer(teacher))).status_code == 204
    _, stranger = await sign_in(api, stranger_phone)
    assert stranger["role"] == "citizen"
    assert teacher_profile["role"] == "supervisor"


async def test_an_invitation_to_be_an_admin_is_listed_for_admins_and_withdrawn_like_a_colleges(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    """The operator's `register-staff --role admin` to a phone not signed in yet leaves an invitation at no college:
    no college's list showed it, so no admin could see or take it back. GET /admin/invites lists it (role admin),
    DELETE /admin/invites/{id} withdraws it (audited); then the phone's first sign-in is a citizen's."""
    phone = fresh_phone()
    async with await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as conn, conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        await register_staff(conn, phone, AppRole.ADMIN, None, "แอดมิน ใหม่", now=wall()[0], policy=wall()[1])
    admin, _ = await sign_in(api, SEED_ADMIN)
    answer = await api.get("/admin/invites", headers=bearer(admin))
    assert answer.status_code == 200, answer.text
    [invite] = [i for i in answer.json() if i["phone"] == e164(phone)]
    assert (invite["role"], invite["college_id"], invite["display_name"]) == ("admin", None, "แอดมิน ใหม่")
    assert invite["expired"] is False and invite["awaiting_acceptance"] is False
    assert await listed(api, admin, area.near, phone) == []  # a college's list is that college's alone
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    refused(await api.get("/admin/invites", headers=bearer(teacher)), 403, "forbidden_role")
    refused(await api.delete(f"/admin/invites/{invite['id']}", headers=bearer(teacher)), 403, "forbidden_role")
    # A college's invitation is not withdrawn through the admins' list, nor this one through a college's.
    teacher_phone = fresh_phone()
    named = await api.post(f"/admin/colleges/{area.far}/supervisors", json={"phone": teacher_phone},
                           headers=bearer(admin))
    assert named.status_code == 201, named.text
    [college_invite] = await listed(api, admin, area.far, teacher_phone)
    refused(await api.delete(f"/admin/invites/{college_invite['id']}", headers=bearer(admin)), 404,
            "invitation_unknown")
    refused(await api.delete(f"/colleges/{area.far}/invites/{invite['id']}", headers=bearer(admin)), 404,
            "invitation_unknown")

    withdrawn = await api.delete(f"/admin/invites/{invite['id']}", headers=bearer(admin))
    assert withdrawn.status_code == 204, withdrawn.text
    assert all(i["id"] != invite["id"] for i in (await api.get("/admin/invites", headers=bearer(admin))).json())
    with psycopg.connect(database_url, row_factory=dict_row) as db:
        event = db.execute("select actor, target_id, after from public.audit_events "
                           "where action = 'staff.invite_withdraw' and after ->> 'invite_id' = %s",
                           [invite["id"]]).fetchone()
    assert event == {"actor": "admin", "target_id": None,
                     "after": {"role": "admin", "college_id": None, "invite_id": invite["id"], "expired": False}}
    _, profile = await sign_in(api, phone)
    assert profile["role"] == "citizen"


async def test_an_answered_invitation_cannot_be_withdrawn(api: httpx.AsyncClient, area: Area,
                                                          database_url: str) -> None:
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    ids: dict[str, str] = {}
    people: dict[str, str] = {}
    for answer in ("accept", "decline"):
        phone = fresh_phone()
        token, person = await sign_in(api, phone)
        assert (await api.post(f"/colleges/{area.near}/students", json={"phone": phone},
                               headers=bearer(teacher))).status_code == 201
        [invite] = await listed(api, teacher, area.near, phone)
        ids[answer], people[answer] = invite["id"], person["id"]
        assert (await answer_invitation(api, token, answer)).status_code in (200, 204)
    spec = await document(api)
    route = "/colleges/{college_id}/invites/{invite_id}"
    for answer in ("accept", "decline"):
        withdrawn = await api.delete(f"/colleges/{area.near}/invites/{ids[answer]}", headers=bearer(teacher))
        refused(withdrawn, 409, "invitation_answered")
        assert_declared(spec, "delete", route, withdrawn)  # the app parses what the document says
    unknown = await api.delete(f"/colleges/{area.near}/invites/{uuid.uuid4()}", headers=bearer(teacher))
    refused(unknown, 404, "invitation_unknown")
    assert_declared(spec, "delete", route, unknown)
    assert {"204", "403", "404", "409"} <= set(spec["paths"][route]["delete"]["responses"])
    assert role_of(database_url, people["accept"]) == "technician"
    assert [e["action"] for e in audit_of(database_url, people["decline"])] == ["staff.invite_decline"]


@pytest.mark.parametrize("first", ["accept", "withdraw"])
async def test_an_accept_and_a_withdraw_at_the_same_moment_end_with_one_of_them(
    api: httpx.AsyncClient, area: Area, database_url: str, first: str,
) -> None:
    """Both take the invitation row: whichever comes first wins, the other is told why (409), and the person is
    either a student with no invitation left or a citizen whose invitation is gone, never both or neither."""
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    phone = fresh_phone()
    token, person = await sign_in(api, phone)
    assert (await api.post(f"/colleges/{area.near}/students", json={"phone": phone},
                           headers=bearer(teacher))).status_code == 201
    [invite] = await listed(api, teacher, area.near, phone)
    seen = {"role": "technician", "college_id": str(area.near)}

    def accept() -> "asyncio.Task[httpx.Response]":
        return asyncio.create_task(api.post("/me/invitation/accept", json=seen, headers=bearer(token)))

    def withdraw() -> "asyncio.Task[httpx.Response]":
        return asyncio.create_task(api.delete(f"/colleges/{area.near}/invites/{invite['id']}",
                                              headers=bearer(teacher)))

    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from private.staff_invites where id = %s for update", [invite["id"]])
        winner = accept() if first == "accept" else withdraw()
        try:
            await until_waiting(database_url, 1, winner)
            loser = withdraw() if first == "accept" else accept()
            await until_waiting(database_url, 2, winner, loser)
        finally:
            await holder.rollback()
        won, lost = await winner, await loser
    assert won.status_code in (200, 204), won.text
    assert await listed(api, teacher, area.near, phone) == []
    if first == "accept":
        refused(lost, 409, "invitation_answered")
        assert role_of(database_url, person["id"]) == "technician"
        assert invited_notes(database_url, person["id"]) == [{"closed": "accepted", "read": True}]
    else:
        refused(lost, 409, "invitation_withdrawn")
        assert role_of(database_url, person["id"]) == "citizen"
        assert invited_notes(database_url, person["id"]) == [{"closed": "withdrawn", "read": True}]


async def test_a_withdraw_racing_the_first_sign_in_wins_and_the_stranger_stays_a_citizen(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    """The admin names a mistyped phone the far college's teacher and withdraws it just as the stranger signs up:
    the sign-in's trigger takes the invitation as the withdraw does, waits for it, and then finds nothing. The
    withdraw answered 204 and the trail says withdrawn: the stranger is a citizen, nothing was applied."""
    admin, _ = await sign_in(api, SEED_ADMIN)
    phone = fresh_phone()
    named = await api.post(f"/admin/colleges/{area.far}/supervisors", json={"phone": phone}, headers=bearer(admin))
    assert named.status_code == 201 and named.json()["existing_account"] is False
    [invite] = await listed(api, admin, area.far, phone)
    stranger = uuid.uuid4()

    async def first_sign_in() -> None:  # GoTrue's insert of the auth user (phone without '+')
        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
            await conn.execute("select private.create_phone_user(%s, %s, true)", [stranger, e164(phone)[1:]])

    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        # Stands for "the withdraw got the row first": it is queued right behind this lock.
        await holder.execute("select 1 from private.staff_invites where id = %s for update", [invite["id"]])
        withdraw = asyncio.create_task(api.delete(f"/colleges/{area.far}/invites/{invite['id']}",
                                                  headers=bearer(admin)))
        try:
            await until_waiting(database_url, 1, withdraw)
            sign_up = asyncio.create_task(first_sign_in())
            await until_waiting(database_url, 2, withdraw, sign_up)  # the sign-in waits for the invitation too
        finally:
            await holder.rollback()
        withdrawn = await withdraw
        await sign_up
    assert withdrawn.status_code == 204, withdrawn.text
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        profile = conn.execute("select role::text, college_id from public.profiles where id = %s",
                               [stranger]).fetchone()
        trail = conn.execute("select action from public.audit_events where after ->> 'invite_id' = %s "
                             "and action like 'staff.invite%%' order by id", [invite["id"]]).fetchall()
    # Sent, then taken back, and nothing else happened to it (no accept at the sign-in).
    assert trail == [{"action": "staff.invite"}, {"action": "staff.invite_withdraw"}]
    assert profile == {"role": "citizen", "college_id": None}
    assert await listed(api, admin, area.far, phone) == []


async def test_a_withdraw_and_the_persons_account_deletion_at_the_same_moment_both_succeed(
    api: httpx.AsyncClient, area: Area, database_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Deleting the account (GoTrue's `delete from auth.users`) locks the profile, then cascades to the
    notifications and the invitation; the withdraw locks the profile before the invitation (accept's order), so
    the deletion waits for the withdraw instead of deadlocking with it. The pause below holds the withdraw after
    its locks and before it closes the notifications, where the deletion runs into it."""
    import backend.services.staff as staff_service

    teacher, _ = await sign_in(api, area.students["teacher"][1])
    phone = fresh_phone()
    _, person = await sign_in(api, phone)
    assert (await api.post(f"/colleges/{area.near}/students", json={"phone": phone},
                           headers=bearer(teacher))).status_code == 201
    [invite] = await listed(api, teacher, area.near, phone)
    at_close, go_on = asyncio.Event(), asyncio.Event()
    real_close = staff_service.close_invited  # type: ignore[attr-defined]

    async def paused_close(*args: Any, **kwargs: Any) -> int:
        at_close.set()
        await go_on.wait()
        return await real_close(*args, **kwargs)

    monkeypatch.setattr(staff_service, "close_invited", paused_close)
    withdraw = asyncio.create_task(api.delete(f"/colleges/{area.near}/invites/{invite['id']}",
                                              headers=bearer(teacher)))
    await asyncio.wait_for(at_close.wait(), 30)  # the invitation is locked and deleted, not yet committed

    async def delete_account() -> str:
        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
            try:
                await conn.execute("delete from auth.users where id = %s", [person["id"]])
            except psycopg.errors.DeadlockDetected:
                return "deadlock"
        return "deleted"

    deletion = asyncio.create_task(delete_account())
    await until_waiting(database_url, 1, deletion)  # the deletion waits for what the withdraw holds
    go_on.set()
    withdrawn, deleted = await withdraw, await deletion
    assert (withdrawn.status_code, deleted) == (204, "deleted"), withdrawn.text
    with psycopg.connect(database_url) as conn:
        assert conn.execute("select count(*) from public.profiles where id = %s", [person["id"]]).fetchone() == (0,)
    assert await listed(api, teacher, area.near, phone) == []


# --- the clock ---------------------------------------------------------------------------------------------------


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[AsyncConnectionPool[Conn]]:
    p: AsyncConnectionPool[Conn] = AsyncConnectionPool(
        database_url, min_size=1, max_size=2, kwargs={"row_factory": dict_row, "autocommit": True},
        connection_class=psycopg.AsyncConnection[dict[str, Any]], open=False)
    await p.open()
    yield p
    await p.close()


async def test_the_tick_leaves_an_invitation_it_already_closed_alone(
    api: httpx.AsyncClient, area: Area, database_url: str, pool: AsyncConnectionPool[Conn],
) -> None:
    """Lapsed invitations to an account stay (listed, replaced by a re-invite): once their notification is closed
    the clock has nothing to do for them and takes no lock on them (no write per row per tick, forever, and a
    re-invite or an answer of that row never waits behind the clock)."""
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    phone, waiting = fresh_phone(), fresh_phone()
    _, person = await sign_in(api, phone)
    await sign_in(api, waiting)
    for invited in (phone, waiting):  # the other one still open: the clock does have notifications to look at
        assert (await api.post(f"/colleges/{area.near}/students", json={"phone": invited},
                               headers=bearer(teacher))).status_code == 201
    expire(database_url, phone)
    async with service_tx(pool) as owner:
        assert await close_expired(owner) == 1
    assert invited_notes(database_url, person["id"]) == [{"closed": "expired", "read": True}]
    async with service_tx(pool) as owner:
        assert await close_expired(owner) == 0
        with psycopg.connect(database_url) as other:  # neither the invitation nor the person is held
            assert other.execute("select 1 from private.staff_invites where phone = %s for update nowait",
                                 [e164(phone)]).fetchone() == (1,)
            assert other.execute("select 1 from public.profiles where id = %s for update nowait",
                                 [person["id"]]).fetchone() == (1,)


async def test_the_tick_judges_expiry_by_the_databases_clock(
    api: httpx.AsyncClient, area: Area, database_url: str, pool: AsyncConnectionPool[Conn], settings: Settings,
) -> None:
    """Expiry is written and enforced (accept, the card) with the database's now(); an app server whose clock runs
    a minute ahead must not close as "expired" an invitation the person can still see and accept."""
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    phone = fresh_phone()
    token, person = await sign_in(api, phone)
    assert (await api.post(f"/colleges/{area.near}/students", json={"phone": phone},
                           headers=bearer(teacher))).status_code == 201
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update private.staff_invites set expires_at = now() + interval '10 minutes' where phone = %s",
                     [e164(phone)])
    await tick(pool, settings, datetime.now(UTC) + timedelta(minutes=11))  # the app server's clock, ahead
    assert invited_notes(database_url, person["id"]) == [{"closed": None, "read": False}]
    assert (await api.get("/me/invitation", headers=bearer(token))).json() is not None
    accepted = await api.post("/me/invitation/accept", json={"role": "technician", "college_id": str(area.near)},
                              headers=bearer(token))
    assert accepted.status_code == 200, accepted.text
    assert invited_notes(database_url, person["id"]) == [{"closed": "accepted", "read": True}]


async def test_a_failure_closing_invitations_does_not_stop_the_rest_of_the_tick(
    pool: AsyncConnectionPool[Conn], settings: Settings, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The SLA escalation and the college counts are no business of invitations: the invitations step runs last
    and on its own, so its failure is logged and the counts are still folded."""
    folded: list[bool] = []
    real_fold = fold_status_deltas

    async def broken(*_: object) -> int:
        raise psycopg.errors.QueryCanceled("canceling statement due to statement timeout")

    async def fold(conn: Conn) -> int:
        folded.append(True)
        return await real_fold(conn)

    monkeypatch.setattr(dispatch_ticks, "close_expired", broken)
    monkeypatch.setattr(dispatch_ticks, "fold_status_deltas", fold)
    with caplog.at_level(logging.WARNING, logger="fixit.dispatch"):
        await tick(pool, settings)
    assert folded == [True]
    assert any("closing expired invitations failed" in r.getMessage() for r in caplog.records)
