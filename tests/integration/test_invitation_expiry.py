"""Invitations expire and can be withdrawn (migration 0036): one open longer than INVITATION_OPEN_DAYS is no longer
shown to the person nor answerable, nor applied at a first sign-in; whoever may send one (a college's teacher for
its students, an admin for any) takes back one still waiting, and the person's card and "invited" notification say
so. Times are moved in SQL, never slept through."""

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row

from shared.invitations import INVITATION_OPEN_DAYS
from tests.helpers import answer_invitation, bearer, fresh_phone, sign_in
from tests.integration.dispatch_area import Area
from tests.integration.test_fuzz_findings import assert_declared, document

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


async def _until_waiting(database_url: str, count: int, *tasks: "asyncio.Task[Any]") -> None:
    """Until `count` sessions wait for a lock (the answers under way running into the held invitation); a task
    that ends first never waited."""
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as watcher:
        deadline = asyncio.get_running_loop().time() + 30
        while asyncio.get_running_loop().time() < deadline:
            for task in tasks:
                if task.done():
                    raise AssertionError(f"answered without waiting: {task.result()}")
            cur = await watcher.execute("select count(*) from pg_stat_activity where wait_event_type = 'Lock' "
                                        "and datname = current_database()")
            row = await cur.fetchone()
            if row is not None and row[0] >= count:
                return
            await asyncio.sleep(0.01)  # polls the database's own state; the requests run on this loop meanwhile
    raise AssertionError(f"{count} sessions never waited for the held invitation")


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
            await _until_waiting(database_url, 1, winner)
            loser = withdraw() if first == "accept" else accept()
            await _until_waiting(database_url, 2, winner, loser)
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
