"""What Supabase Auth (GoTrue) writes to `auth.users`, done as GoTrue does it: as `supabase_auth_admin`, on the
Supabase-shaped database (supabase/auth internal/api/otp.go, internal/models/user.go)."""

import uuid

import psycopg
import pytest
from psycopg.types.json import Jsonb

from backend.local_postgres import LocalPostgres
from tests.supabase_shape import SupabaseShapedPostgres


@pytest.fixture
def shaped(local_pg: LocalPostgres) -> SupabaseShapedPostgres:
    if not isinstance(local_pg, SupabaseShapedPostgres):
        pytest.skip("needs the embedded Supabase-shaped database (not FIXIT_TEST_DATABASE_URL)")
    return local_pg


def as_gotrue(shaped: SupabaseShapedPostgres, database_url: str) -> psycopg.Connection[tuple[object, ...]]:
    database = str(psycopg.conninfo.conninfo_to_dict(database_url)["dbname"])
    return psycopg.connect(shaped.url_as("supabase_auth_admin", database))


def gotrue_signs_up(shaped: SupabaseShapedPostgres, database_url: str, phone: str,
                    metadata: dict[str, str] | None = None) -> uuid.UUID:
    """What GoTrue's POST /auth/v1/otp does for a phone it does not know, before any code is entered (SmsOtp ->
    Signup): it inserts the user, unconfirmed, with the request's `data` as raw_user_meta_data; then it sends
    the SMS. `phone`: the app's 0XXXXXXXXX."""
    user_id = uuid.uuid4()
    with as_gotrue(shaped, database_url) as gotrue:
        gotrue.execute(
            """insert into auth.users (instance_id, id, aud, role, phone, raw_app_meta_data, raw_user_meta_data,
                                       confirmation_token, recovery_token, email_change_token_new, email_change,
                                       created_at, updated_at)
               values ('00000000-0000-0000-0000-000000000000', %s, 'authenticated', 'authenticated', %s,
                       %s, %s, '', '', '', '', now(), now())""",
            [user_id, "66" + phone[1:], Jsonb({"provider": "phone", "providers": ["phone"]}), Jsonb(metadata or {})])
    return user_id


def gotrue_verifies(shaped: SupabaseShapedPostgres, database_url: str, user_id: uuid.UUID) -> None:
    """The right code at POST /auth/v1/verify (type sms): models.User.ConfirmPhone, at every sign-in."""
    with as_gotrue(shaped, database_url) as gotrue:
        gotrue.execute("update auth.users set confirmation_token = '', phone_confirmed_at = now() where id = %s",
                       [user_id])


def gotrue_changes_phone(shaped: SupabaseShapedPostgres, database_url: str, user_id: uuid.UUID, phone: str) -> None:
    """A phone change (PUT /auth/v1/user), once the code sent to the new number is verified:
    models.User.ConfirmPhoneChange."""
    with as_gotrue(shaped, database_url) as gotrue:
        gotrue.execute("update auth.users set phone = %s, phone_change = '', phone_change_token = '', "
                       "phone_confirmed_at = now() where id = %s", ["66" + phone[1:], user_id])
