"""Invitations and Supabase Auth's phone changes (migration 0055): an invitation addressed to an account stays that
account's when it moves to another number (the old number's next holder does not take it at sign-up), and an account
moving to a number a college invited gets the invitation to answer in the app."""

import uuid

import httpx
import psycopg
from psycopg.rows import dict_row

from tests.helpers import answer_invitation, bearer, fresh_phone, sign_in
from tests.integration.dispatch_area import Area, area  # noqa: F401  (the fixture)
from tests.supabase_shape import SupabaseShapedPostgres
from tests.supabase_shape.gotrue import (
    gotrue_changes_phone,
    gotrue_signs_up,
    gotrue_verifies,
    shaped,  # noqa: F401  (the fixture)
)


def role_of(database_url: str, user_id: uuid.UUID) -> tuple[str, uuid.UUID | None] | None:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        row = conn.execute("select role::text as role, college_id from public.profiles where id = %s",
                           [user_id]).fetchone()
    return None if row is None else (row["role"], row["college_id"])


async def test_an_invitation_to_an_account_is_not_taken_by_the_next_holder_of_its_old_number(
    shaped: SupabaseShapedPostgres, database_url: str, api: httpx.AsyncClient, area: Area,  # noqa: F811
) -> None:
    number = fresh_phone()
    holder = gotrue_signs_up(shaped, database_url, number)
    gotrue_verifies(shaped, database_url, holder)
    assert role_of(database_url, holder) == ("citizen", None)
    # The college invites the account (it exists: the invitation waits for its own answer in the app).
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    sent = await api.post(f"/colleges/{area.near}/students", json={"phone": number}, headers=bearer(teacher))
    assert sent.status_code == 201, sent.text
    with psycopg.connect(database_url) as conn:
        waiting = conn.execute("select profile_id from private.staff_invites where phone = %s",
                               ["+66" + number[1:]]).fetchone()
    assert waiting is not None and waiting[0] == holder  # addressed to the account, not to whoever holds the number

    # The holder moves their account to another number (Supabase Auth's phone change); the old SIM is recycled and
    # its next holder signs up with it.
    gotrue_changes_phone(shaped, database_url, holder, fresh_phone())
    newcomer = gotrue_signs_up(shaped, database_url, number)
    gotrue_verifies(shaped, database_url, newcomer)

    # The newcomer is a citizen: the college never invited them ...
    assert role_of(database_url, newcomer) == ("citizen", None)
    # ... and the invitation still waits for the account it was sent to.
    with psycopg.connect(database_url) as conn:
        still = conn.execute("select profile_id from private.staff_invites where profile_id = %s",
                             [holder]).fetchone()
    assert still is not None


async def test_an_account_moving_to_an_invited_number_gets_its_invitation(
    shaped: SupabaseShapedPostgres, database_url: str, api: httpx.AsyncClient, area: Area,  # noqa: F811
) -> None:
    invited = fresh_phone()
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    sent = await api.post(f"/colleges/{area.near}/students", json={"phone": invited}, headers=bearer(teacher))
    assert sent.status_code == 201, sent.text  # no account holds the number: it waits for a first sign-in
    holder = gotrue_signs_up(shaped, database_url, fresh_phone())
    gotrue_verifies(shaped, database_url, holder)
    # The number's owner had an account already, under their old number: they move it to the invited one.
    gotrue_changes_phone(shaped, database_url, holder, invited)
    with psycopg.connect(database_url) as conn:
        waiting = conn.execute("select profile_id from private.staff_invites where phone = %s",
                               ["+66" + invited[1:]]).fetchone()
    # Waiting for this account's answer in the app, as an invitation to an existing account does (the account is
    # unchanged until it says yes), and the person is told of it.
    assert role_of(database_url, holder) == ("citizen", None)
    assert waiting is not None and waiting[0] == holder, waiting
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        told = conn.execute("select params from public.notifications where recipient_id = %s and kind = 'invited'",
                            [holder]).fetchall()
        traced = conn.execute("select actor, after from public.audit_events where action = 'staff.invite_addressed' "
                              "and target_id = %s", [holder]).fetchall()
    assert [(t["params"]["role"], t["params"]["college_id"]) for t in told] == [("technician", str(area.near))]
    assert [(t["actor"], t["after"]["role"]) for t in traced] == [("system", "technician")]
    # The person signs in with the number and sees the invitation; their yes makes them the college's student.
    token, me = await sign_in(api, invited)
    assert me["id"] == str(holder)
    shown = await api.get("/me/invitation", headers=bearer(token))
    assert shown.status_code == 200 and shown.json()["role"] == "technician", shown.text
    assert (await answer_invitation(api, token)).status_code == 200
    assert role_of(database_url, holder) == ("technician", area.near)
