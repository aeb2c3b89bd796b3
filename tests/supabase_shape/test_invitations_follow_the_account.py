"""Invitations and Supabase Auth's phone changes (migration 0055): an invitation addressed to an account stays that
account's when it moves to another number (the old number's next holder does not take it at sign-up), and an account
moving to a number a college invited gets the invitation to answer in the app."""

import uuid

import httpx
import psycopg
from psycopg.rows import dict_row

from tests.helpers import bearer, fresh_phone, sign_in
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

