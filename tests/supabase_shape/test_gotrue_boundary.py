"""What Supabase Auth (GoTrue) writes to `auth.users` and what Fixit's triggers make of it (migration 0052, review
14a): an account (a profile, a waiting staff invitation applied) only once the phone answered a code, no name
from the sign-up's metadata, and a phone changed in Supabase Auth followed by the profile."""

import uuid

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row

from shared.display_names import clean_display_name
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.dispatch_area import Area, area  # noqa: F401  (the fixture)
from tests.integration.test_invitation_expiry import audit_of, listed
from tests.supabase_shape import SupabaseShapedPostgres
from tests.supabase_shape.gotrue import (
    gotrue_changes_phone,
    gotrue_signs_up,
    gotrue_verifies,
    shaped,  # noqa: F401  (the fixture)
)


def profile_of(database_url: str, user_id: uuid.UUID) -> dict[str, object] | None:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return conn.execute("select role::text as role, college_id, display_name, phone from public.profiles "
                            "where id = %s", [user_id]).fetchone()


@pytest.mark.parametrize("name", ["\x1b[2J\x1b[31mครู สมชาย", "\u200b\u200b\u200b"],
                         ids=["control_characters", "nothing_visible"])
async def test_a_gotrue_sign_up_cannot_set_a_name_the_app_refuses(
    shaped: SupabaseShapedPostgres, database_url: str, api: httpx.AsyncClient, name: str,  # noqa: F811
) -> None:
    # The app's rules refuse it (backend/schemas.py `Line`: 422 for control characters; shared/display_names.py:
    # 400 display_name_invalid for a name with nothing visible).
    token, _ = await sign_in(api, fresh_phone())
    refused = await api.patch("/me", json={"display_name": name}, headers=bearer(token))
    assert refused.status_code in (400, 422) and refused.json()["error"]["code"], refused.text
    assert clean_display_name(name) is None or refused.status_code == 422

    # A sign-up through Supabase Auth (`data` chosen by whoever signs up), then the code: the account opens.
    user_id = gotrue_signs_up(shaped, database_url, fresh_phone(), {"display_name": name})
    gotrue_verifies(shaped, database_url, user_id)
    profile = profile_of(database_url, user_id)
    assert profile is not None
    stored = profile["display_name"]
    # What is stored is a name the app would accept, or none at all (the person names themselves in the app).
    assert stored == "" or (isinstance(stored, str) and clean_display_name(stored) == stored), repr(stored)


async def test_asking_for_a_code_with_an_invited_phone_accepts_nothing(
    shaped: SupabaseShapedPostgres, database_url: str, api: httpx.AsyncClient, area: Area,  # noqa: F811
) -> None:
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    invited = fresh_phone()
    sent = await api.post(f"/colleges/{area.near}/students", json={"phone": invited}, headers=bearer(teacher))
    assert sent.status_code == 201, sent.text  # no account yet: the invitation waits for a first sign-in
    [invitation] = await listed(api, teacher, area.near, invited)

    # Someone types the invited number into the sign-in screen (Fixit's POST /otp/request passes it to GoTrue's
    # /otp, as anyone may with the project's anon key) and never enters a code: GoTrue stores the user unconfirmed.
    stranger = gotrue_signs_up(shaped, database_url, invited, {})

    # Nobody has shown they hold the phone: the invitation is not accepted in their name, it still waits (the
    # college may take it back), and the unconfirmed number has no account in Fixit at all.
    assert audit_of(database_url, str(stranger)) == []
    assert profile_of(database_url, stranger) is None
    assert [i["id"] for i in await listed(api, teacher, area.near, invited)] == [invitation["id"]]
    withdrawn = await api.delete(f"/colleges/{area.near}/invites/{invitation['id']}", headers=bearer(teacher))
    assert withdrawn.status_code == 204, withdrawn.text


async def test_the_invited_phone_that_answers_the_code_accepts_the_invitation(
    shaped: SupabaseShapedPostgres, database_url: str, api: httpx.AsyncClient, area: Area,  # noqa: F811
) -> None:
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    invited = fresh_phone()
    sent = await api.post(f"/colleges/{area.near}/students", json={"phone": invited, "display_name": "นาย ดี"},
                          headers=bearer(teacher))
    assert sent.status_code == 201, sent.text
    [invitation] = await listed(api, teacher, area.near, invited)

    # The number's owner asks for a code (GoTrue's unconfirmed insert), twice, then enters it (the confirmation).
    owner = gotrue_signs_up(shaped, database_url, invited, {})
    assert profile_of(database_url, owner) is None
    gotrue_verifies(shaped, database_url, owner)

    profile = profile_of(database_url, owner)
    assert profile == {"role": "technician", "college_id": area.near, "display_name": "นาย ดี",
                       "phone": "+66" + invited[1:]}
    [accepted] = audit_of(database_url, str(owner))
    assert accepted["action"] == "staff.invite_accept" and accepted["actor"] == "system"
    assert accepted["after"]["invite_id"] == invitation["id"] and accepted["after"]["at_sign_in"] is True
    assert await listed(api, teacher, area.near, invited) == []
    # Their next sign-ins confirm the phone again (ConfirmPhone every time): nothing more happens.
    gotrue_verifies(shaped, database_url, owner)
    assert profile_of(database_url, owner) == profile and len(audit_of(database_url, str(owner))) == 1


def test_a_number_given_up_in_supabase_auth_can_sign_up_again(shaped: SupabaseShapedPostgres,  # noqa: F811
                                                              database_url: str) -> None:
    first_number, second_number = fresh_phone(), fresh_phone()
    holder = gotrue_signs_up(shaped, database_url, first_number)
    gotrue_verifies(shaped, database_url, holder)
    # The holder moves their account to another number they own: GoTrue's phone change, once its code is
    # verified, sets auth.users.phone (as supabase_auth_admin).
    gotrue_changes_phone(shaped, database_url, holder, second_number)
    # The first number's next holder (a recycled SIM) asks for a code: GoTrue knows no user with it and inserts one.
    try:
        newcomer = gotrue_signs_up(shaped, database_url, first_number)
        gotrue_verifies(shaped, database_url, newcomer)
    except psycopg.errors.UniqueViolation as exc:
        pytest.fail(f"the sign-up of {first_number}'s new holder failed: {exc.diag.message_primary}")
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        phones = {str(r["id"]): r["phone"] for r in conn.execute(
            "select id, phone from public.profiles where id = any(%s)", [[holder, newcomer]]).fetchall()}
    assert phones == {str(holder): "+" + "66" + second_number[1:], str(newcomer): "+" + "66" + first_number[1:]}


def test_a_profile_holding_a_number_its_account_gave_up_releases_it(shaped: SupabaseShapedPostgres,  # noqa: F811
                                                                   database_url: str) -> None:
    # A profile left behind by a phone change made before 0052 (or by anything else that wrote profiles.phone):
    # its account now has another number. The number's new owner still gets an account, with the number.
    number = fresh_phone()
    stale = gotrue_signs_up(shaped, database_url, fresh_phone())
    gotrue_verifies(shaped, database_url, stale)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set phone = %s where id = %s", ["+66" + number[1:], stale])
    owner = gotrue_signs_up(shaped, database_url, number)
    gotrue_verifies(shaped, database_url, owner)
    owned, left = profile_of(database_url, owner), profile_of(database_url, stale)
    assert owned is not None and owned["phone"] == "+66" + number[1:]
    assert left is not None and left["phone"] is None
