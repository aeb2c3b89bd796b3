"""Review 14a on a database built the way Supabase builds one: what the API roles hold in `public` beyond what the
migrations grant. Each finding is a strict xfail until it is fixed (its reason names what is wrong)."""

import uuid

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from backend.local_postgres import LocalPostgres
from tests.helpers import fresh_phone
from tests.supabase_shape import SupabaseShapedPostgres


@pytest.fixture
def shaped(local_pg: LocalPostgres) -> SupabaseShapedPostgres:
    if not isinstance(local_pg, SupabaseShapedPostgres):
        pytest.skip("needs the embedded Supabase-shaped database (not FIXIT_TEST_DATABASE_URL)")
    return local_pg


def _gotrue_signs_up(shaped: SupabaseShapedPostgres, database_url: str, phone: str, metadata: dict[str, str],
                     ) -> uuid.UUID:
    """What GoTrue's POST /auth/v1/otp does for a phone it does not know, before any code is entered
    (supabase/auth internal/api/otp.go SmsOtp -> Signup): it inserts the user, unconfirmed, as supabase_auth_admin,
    with the request's `data` as raw_user_meta_data; then it sends the SMS."""
    database = str(psycopg.conninfo.conninfo_to_dict(database_url)["dbname"])
    user_id = uuid.uuid4()
    with psycopg.connect(shaped.url_as("supabase_auth_admin", database)) as gotrue:
        gotrue.execute(
            """insert into auth.users (instance_id, id, aud, role, phone, raw_app_meta_data, raw_user_meta_data,
                                       confirmation_token, recovery_token, email_change_token_new, email_change,
                                       created_at, updated_at)
               values ('00000000-0000-0000-0000-000000000000', %s, 'authenticated', 'authenticated', %s,
                       %s, %s, '', '', '', '', now(), now())""",
            [user_id, "66" + phone[1:], Jsonb({"provider": "phone", "providers": ["phone"]}), Jsonb(metadata)])
    return user_id


@pytest.mark.xfail(strict=True, reason="audit14a: a phone changed in Supabase Auth (PUT /auth/v1/user, verified) "
                                       "is not followed by profiles.phone: the old number stays taken, and its "
                                       "next holder's sign-up fails on profiles_phone (GoTrue's insert is undone)")
def test_a_number_given_up_in_supabase_auth_can_sign_up_again(shaped: SupabaseShapedPostgres,
                                                              database_url: str) -> None:
    first_number, second_number = fresh_phone(), fresh_phone()
    holder = _gotrue_signs_up(shaped, database_url, first_number, {})
    # The holder moves their account to another number they own: GoTrue's phone change, once its code is
    # verified, sets auth.users.phone (as supabase_auth_admin).
    database = str(psycopg.conninfo.conninfo_to_dict(database_url)["dbname"])
    with psycopg.connect(shaped.url_as("supabase_auth_admin", database)) as gotrue:
        gotrue.execute("update auth.users set phone = %s, phone_change = '', phone_confirmed_at = now(), "
                       "updated_at = now() where id = %s", ["66" + second_number[1:], holder])
    # The first number's next holder (a recycled SIM) asks for a code: GoTrue knows no user with it and inserts one.
    try:
        newcomer = _gotrue_signs_up(shaped, database_url, first_number, {})
    except psycopg.errors.UniqueViolation as exc:
        pytest.fail(f"the sign-up of {first_number}'s new holder failed: {exc.diag.message_primary}")
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        phones = {str(r["id"]): r["phone"] for r in conn.execute(
            "select id, phone from public.profiles where id = any(%s)", [[holder, newcomer]]).fetchall()}
    assert phones == {str(holder): "+" + "66" + second_number[1:], str(newcomer): "+" + "66" + first_number[1:]}
