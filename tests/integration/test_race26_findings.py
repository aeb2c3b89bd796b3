"""race26: where two writers meet, they take their row locks in one order (backend/services/dispatch.py's module
docstring) and wait for each other instead of deadlocking. /tmp/p26/race26-findings.md has the inventory.

A college's deletion (by SQL only: Supabase's dashboard, the operator) locks the college row first, then its BEFORE
DELETE trigger (0108, private.close_invitations_of_a_deleted_college) closes the invited people's cards
(notifications) and the cascade deletes the invitations. An answer to one of those invitations (accept, decline)
or its withdrawal locked the person's profile, then the invitation, and only then the college (the accept's FOR
SHARE) or the invited card (close_invited): the deletion held what they wanted and wanted the invitation they held,
and PostgreSQL's deadlock detector killed one of them (the app's side answered 503).

Each test drives that order on the real database with explicit locks in the test's own transactions, no sleeps: a
holder keeps the invitation a moment (as a renewal at the same moment would), the app's path starts and waits for
it, the deletion starts and waits too, then the holder lets go."""

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row

from backend.notifications.invitations import close_expired
from tests.helpers import answer_invitation, bearer, fresh_phone, sign_in
from tests.integration.builders import college_inviting
from tests.integration.dispatch_area import Area, _student, offers_of, request_status, submit
from tests.integration.lock_waits import against_a_held_row, committed, until_waiting, until_waiting_or_done
from tests.integration.test_staff_api import college_body

Answer = Callable[[], Coroutine[Any, Any, httpx.Response]]


async def _against_the_deletion(database_url: str, college: str, person: str,
                                answer: Answer) -> tuple[httpx.Response, str]:
    """`answer` (an app path about the person's invitation) and the college's deletion at once, in the order that
    crossed: the invitation held by a holder until both wait. Returns the app's answer and how the deletion ended
    ("committed", or the name of the error that refused it)."""
    answered, deleted = await against_a_held_row(
        database_url, "select 1 from private.staff_invites where profile_id = %s for update", [person], answer,
        "delete from public.colleges where id = %s", [college])
    assert "Deadlock" not in deleted, deleted
    assert answered.status_code < 500, answered.text
    return answered, deleted


def _state(database_url: str, college: str, person: str) -> tuple[Any, ...]:
    """(the college is there, the person's role and college, invitations left, their "invited" cards' closings)."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "select exists (select 1 from public.colleges where id = %(c)s), "
            "(select role::text from public.profiles where id = %(p)s), "
            "(select college_id::text from public.profiles where id = %(p)s), "
            "(select count(*)::int from private.staff_invites where profile_id = %(p)s), "
            "array(select coalesce(n.params ->> 'closed', 'open') from public.notifications n "
            "      where n.recipient_id = %(p)s and n.kind = 'invited' order by n.id)",
            {"c": college, "p": person}).fetchone()
    assert row is not None
    return tuple(row)


async def test_an_accept_and_the_colleges_deletion_wait_for_each_other(
        api: httpx.AsyncClient, database_url: str) -> None:
    _, college, _, citizen, person = await college_inviting(api)
    answered, deleted = await _against_the_deletion(database_url, college, person,
                                                    lambda: answer_invitation(api, citizen, "accept"))
    # The yes came first: the person is the college's supervisor, so the deletion is refused (staff belong to it).
    assert answered.status_code == 200, answered.text
    assert deleted == "CheckViolation"
    assert _state(database_url, college, person)[:4] == (True, "supervisor", college, 0)


async def test_a_decline_and_the_colleges_deletion_wait_for_each_other(
        api: httpx.AsyncClient, database_url: str) -> None:
    _, college, _, citizen, person = await college_inviting(api)
    answered, deleted = await _against_the_deletion(database_url, college, person,
                                                    lambda: answer_invitation(api, citizen, "decline"))
    assert answered.status_code == 204, answered.text
    assert deleted == "committed"  # the declined invitation goes with the college; the card says declined, once
    assert _state(database_url, college, person) == (False, "citizen", None, 0, ["declined"])


async def test_a_withdrawal_and_the_colleges_deletion_wait_for_each_other(
        api: httpx.AsyncClient, database_url: str) -> None:
    admin, college, _, _, person = await college_inviting(api)
    with psycopg.connect(database_url) as conn:
        invite = conn.execute("select id from private.staff_invites where profile_id = %s", [person]).fetchone()
    assert invite is not None
    answered, deleted = await _against_the_deletion(
        database_url, college, person,
        lambda: api.delete(f"/colleges/{college}/invites/{invite[0]}", headers=bearer(admin)))
    assert answered.status_code == 204, answered.text
    assert deleted == "committed"
    assert _state(database_url, college, person) == (False, "citizen", None, 0, ["withdrawn"])
    with psycopg.connect(database_url) as conn:  # withdrawn once: the deletion found nothing left to close
        told = conn.execute("select count(*) from public.audit_events where action = 'staff.invite_withdraw' "
                            "and target_id = %s", [person]).fetchone()
    assert told == (1,)


async def test_the_clocks_close_of_an_expired_invitation_and_the_colleges_deletion_never_deadlock(
        api: httpx.AsyncClient, database_url: str) -> None:
    """backend/notifications/invitations.py close_expired (the clock, each turn): the person's profile (skip
    locked), the invitation (FOR SHARE skip locked), then its card. The deletion that got the card first then wanted
    the invitation for its cascade."""
    _, college, _, _, person = await college_inviting(api)
    with psycopg.connect(database_url) as conn:
        conn.execute("update private.staff_invites set expires_at = now() - interval '1 minute' "
                     "where profile_id = %s", [person])
    async with (await psycopg.AsyncConnection.connect(database_url) as holder,
                await psycopg.AsyncConnection.connect(database_url) as deletion,
                await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as clock):
        # The card held a moment (the delivery worker's plan claims a new notification so): the deletion's trigger
        # waits for it first, the clock's close behind it.
        await holder.execute("select 1 from public.notifications where recipient_id = %s and kind = 'invited' "
                             "for update", [person])

        async def close() -> str:
            try:
                closed = await close_expired(clock)
                await clock.commit()
            except psycopg.Error as e:
                await clock.rollback()
                return type(e).__name__
            return f"closed {closed}"

        deleting = asyncio.create_task(committed(deletion, "delete from public.colleges where id = %s", [college]))
        await until_waiting(database_url, 1, deleting)
        closing = asyncio.create_task(close())
        await until_waiting_or_done(database_url, closing)  # waits for the card, or (holding none) skips it
        await holder.rollback()
        deleted, closed = await deleting, await closing
    assert (deleted, closed) == ("committed", "closed 0")  # the college's invitation left to its deletion
    assert _state(database_url, college, person) == (False, "citizen", None, 0, ["withdrawn"])


# --- 5. A student's account deleted outside the app while another student accepts a job both were offered --------

async def test_an_accept_and_an_offered_students_deletion_outside_the_app_wait_for_each_other(
        api: httpx.AsyncClient, area: Area, database_url: str) -> None:
    """The accept: the request, its offers (the others' pending ones withdrawn), and at commit the withdrawn
    students' `offer_withdrawn` messages (0016's deferred trigger), each a FOR KEY SHARE of the student's profile.
    The deletion (Supabase's dashboard: `delete from auth.users`; 0078's private.lock_requests_before_deletion):
    the profile (no key update), the requests they asked for or hold, then the profile deleted (FOR UPDATE) and its
    offers with it (on delete cascade): the offer the accept had withdrawn."""
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        gone, _ = _student(conn, area.near, "ลบ ทิ้ง", {"electrical_appliance": 5}, prefix="0")
    _, request = await submit(api)
    offers = {o["technician_id"]: o for o in offers_of(database_url, request["id"]) if o["status"] == "pending"}
    assert gone in offers, offers
    taker = next(name for name, (uid, _) in area.students.items() if uid in offers)
    token, _ = await sign_in(api, area.students[taker][1])
    # The offer to be deleted, held a moment (as the delivery of its message would hold nothing else): the accept,
    # holding the request, waits to withdraw it; the deletion then waits too.
    accepted, deleted = await against_a_held_row(
        database_url, "select 1 from public.offers where id = %s for update", [offers[gone]["id"]],
        lambda: api.post(f"/offers/{offers[area.students[taker][0]]['id']}/accept", headers=bearer(token)),
        "delete from auth.users where id = %s", [gone])
    assert (accepted.status_code, deleted) == (200, "committed"), accepted.text
    assert request_status(database_url, request["id"]) == "accepted"
    assert gone not in {o["technician_id"] for o in offers_of(database_url, request["id"])}


# --- 6. A teacher confirms a student's next level while the student's account is deleted --------------------------

async def test_a_confirmed_level_and_the_students_deletion_wait_for_each_other(
        api: httpx.AsyncClient, area: Area, database_url: str) -> None:
    """backend/services/credit.py decide_proposal: the proposal (FOR UPDATE), then the student's skill row (the
    confirmed level), whose history trigger writes skill_level_history: a FOR KEY SHARE of the student's profile. A
    deletion of the account (the app's or Supabase's dashboard) deletes the profile (FOR UPDATE) and then, by
    cascade, the proposals and skills."""
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        student, _ = _student(conn, area.near, "ลบ ทิ้ง", {"electrical_appliance": 1})
        row = conn.execute("insert into public.skill_proposals (technician_id, skill_code, from_level, to_level, jobs)"
                           " values (%s, 'electrical_appliance', 1, 2, 3) returning id", [student]).fetchone()
    assert row is not None
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    # The skill held a moment (a teacher's edit of the student's skills holds it so): the decision, holding the
    # proposal, waits for it; the deletion then waits too.
    decided, deleted = await against_a_held_row(
        database_url, "select 1 from public.technician_skills where technician_id = %s for update", [student],
        lambda: api.post(f"/supervisor/skill-proposals/{row['id']}", json={"confirm": True}, headers=bearer(teacher)),
        "delete from auth.users where id = %s", [student])
    assert (decided.status_code, deleted) == (200, "committed"), decided.text
    with psycopg.connect(database_url) as plain:
        left = plain.execute("select (select count(*) from public.skill_proposals where technician_id = %(s)s), "
                            "(select count(*) from public.profiles where id = %(s)s)", {"s": student}).fetchone()
    assert left == (0, 0)


# --- 7. An admin replaces an account's invitation while its college is deleted -------------------------------------

async def test_a_replaced_invitation_and_the_colleges_deletion_wait_for_each_other(
        api: httpx.AsyncClient, database_url: str) -> None:
    """staff.register_staff of a citizen invited elsewhere: the profile, the invitation (`_check_invite`), the
    upsert, then close_invited closes the card of the invitation it replaced (another college's): the card the
    deletion's trigger (0108) holds. A renewal to the same role and college keeps its card and never waited."""
    admin, college, phone, _, person = await college_inviting(api)
    other = await api.post("/admin/colleges", json=college_body(), headers=bearer(admin))
    assert other.status_code == 201, other.text
    answered, deleted = await _against_the_deletion(
        database_url, college, person,
        lambda: api.post(f"/admin/colleges/{other.json()['id']}/supervisors", json={"phone": phone},
                         headers=bearer(admin)))
    assert answered.status_code == 201, answered.text
    assert deleted == "committed"
    state = _state(database_url, college, person)
    assert state[:4] == (False, "citizen", None, 1)  # invited to the other college now
    assert state[4][0] == "gone" and state[4][1:] == ["open"]  # the replaced card closed once, the new one asks


# --- 8. A sign-in (the local issuer) while the account is deleted --------------------------------------------------

async def test_a_sign_in_and_the_accounts_deletion_wait_for_each_other(
        api: httpx.AsyncClient, database_url: str) -> None:
    """The local issuer's /auth/otp/verify: the phone's code (FOR UPDATE, consumed), the auth user
    (create_phone_user), then a session (auth_sessions.user_id: a FOR KEY SHARE of the auth user). A deletion of the
    account (DELETE /me from another device, the operator): the auth user, then its profile's trigger deletes the
    codes waiting for the phone."""
    phone = fresh_phone()
    _, profile = await sign_in(api, phone)
    sent = await api.post("/auth/otp/request", json={"phone": phone})
    assert sent.status_code == 200, sent.text
    # The code held a moment (a second verify of the same code at that moment holds it so).
    verified, deleted = await against_a_held_row(
        database_url, "select 1 from private.otp_codes where phone = %s for update", ["+66" + phone[1:]],
        lambda: api.post("/auth/otp/verify", json={"phone": phone, "code": sent.json()["dev_code"]}),
        "delete from auth.users where id = %s", [profile["id"]])
    assert deleted == "committed"
    assert verified.status_code < 500, verified.text  # signed in first, then deleted: its session goes with it
    with psycopg.connect(database_url) as plain:
        left = plain.execute("select (select count(*) from auth.users where id = %(u)s), "
                             "(select count(*) from private.auth_sessions where user_id = %(u)s)",
                             {"u": profile["id"]}).fetchone()
    assert left == (0, 0)
