"""On a database built the way Supabase builds one: the migrations applied as a `postgres` without superuser, GoTrue's
`delete from auth.users` (as supabase_auth_admin) removes a citizen who has requests, and the Data API's path
(`authenticator` → `authenticated` with GoTrue's claims) cannot write around the backend."""

import json
import uuid
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row

from backend.local_postgres import LocalPostgres
from backend.migrate import MIGRATIONS_DIR, migrate
from tests.helpers import bearer, fresh_phone, sign_in
from tests.supabase_shape import SupabaseShapedPostgres


@pytest.fixture
def shaped(local_pg: LocalPostgres) -> SupabaseShapedPostgres:
    if not isinstance(local_pg, SupabaseShapedPostgres):
        pytest.skip("needs the embedded Supabase-shaped database (not FIXIT_TEST_DATABASE_URL)")
    return local_pg


def as_role(shaped: SupabaseShapedPostgres, database_url: str, role: str) -> psycopg.Connection[dict[str, Any]]:
    database = str(psycopg.conninfo.conninfo_to_dict(database_url)["dbname"])
    return psycopg.connect(shaped.url_as(role, database), row_factory=dict_row)


def test_the_app_is_migrated_by_a_postgres_without_superuser(shaped: SupabaseShapedPostgres,
                                                              database_url: str) -> None:
    report = migrate(database_url)
    assert not report.bootstrapped and report.applied == []
    assert len(report.already_applied) == len(list(MIGRATIONS_DIR.glob("0*.sql")))
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        me = conn.execute("select current_user as name, rolsuper, rolbypassrls, rolcreaterole from pg_roles "
                          "where rolname = current_user").fetchone()
        assert me == {"name": "postgres", "rolsuper": False, "rolbypassrls": True, "rolcreaterole": True}
        facts = conn.execute(
            """select (select tableowner from pg_tables
                       where schemaname = 'auth' and tablename = 'users') as users_owner,
                      (select relrowsecurity from pg_class where oid = 'auth.users'::regclass) as users_rls,
                      (select count(*) from information_schema.columns
                       where table_schema = 'auth' and table_name = 'users') as users_columns,
                      has_schema_privilege('auth', 'create') as create_in_auth,
                      pg_has_role('supabase_auth_admin', 'member') as auth_admin_member,
                      (select array_agg(distinct tableowner) from pg_tables
                       where schemaname in ('public', 'private')) as app_owners""").fetchone()
    assert facts == {"users_owner": "supabase_auth_admin", "users_rls": True, "users_columns": 35,
                     "create_in_auth": False, "auth_admin_member": False, "app_owners": ["postgres"]}
    with psycopg.connect(database_url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("alter table auth.users add column fixit_extra text")


async def test_gotrue_deletes_a_citizen_who_has_requests(shaped: SupabaseShapedPostgres, database_url: str,
                                                         api: httpx.AsyncClient) -> None:
    token, citizen = await sign_in(api, fresh_phone())
    body = {"idempotency_key": str(uuid.uuid4()), "category_code": "appliance", "item": "พัดลม",
            "description": "เปิดแล้วใบพัดไม่หมุน มีเสียงดัง", "lat": 6.56, "lon": 101.26, "province": "ยะลา",
            "district": "เมืองยะลา", "contact_phone": citizen["phone"], "pdpa_consent": True}
    made = await api.post("/requests", json=body, headers=bearer(token))
    assert made.status_code == 201, made.text
    with as_role(shaped, database_url, "supabase_auth_admin") as gotrue:  # what the dashboard's delete runs
        deleted = gotrue.execute("delete from auth.users where id = %s", [citizen["id"]])
        assert deleted.rowcount == 1
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        assert conn.execute("select 1 from public.profiles where id = %s", [citizen["id"]]).fetchone() is None
        left = conn.execute("select citizen_id, contact_phone, status from public.repair_requests where id = %s",
                            [made.json()["id"]]).fetchone()
        trail = conn.execute("select actor from public.audit_events where action = 'account.delete' "
                             "and target_id = %s", [citizen["id"]]).fetchall()
    assert left == {"citizen_id": None, "contact_phone": None, "status": "cancelled"}
    assert len(trail) == 1


async def test_the_data_api_path_writes_nothing(shaped: SupabaseShapedPostgres, database_url: str,
                                                api: httpx.AsyncClient) -> None:
    _, citizen = await sign_in(api, fresh_phone())
    claims = {"iss": "https://project-ref.supabase.co/auth/v1", "sub": citizen["id"], "aud": "authenticated",
              "exp": 4102444800, "iat": 1767225600, "phone": citizen["phone"].removeprefix("+"),
              "app_metadata": {"provider": "phone", "providers": ["phone"]}, "user_metadata": {},
              "role": "authenticated", "aal": "aal1", "amr": [{"method": "otp", "timestamp": 1767225600}],
              "session_id": str(uuid.uuid4()), "is_anonymous": False}
    attempts = [
        ("insert into public.repair_requests (citizen_id, idempotency_key, category_code, item, description, lat, "
         "lon, contact_phone, pdpa_consent_at) values (%(me)s, gen_random_uuid(), 'appliance', 'พัดลม', "
         "'ไม่หมุนเลยครับ', 13.75, 100.5, '+66812345678', now())"),
        "update public.profiles set role = 'admin' where id = %(me)s",
        "insert into public.audit_events (actor, action, target_table) values ('admin', 'forged', 'profiles')",
        "delete from public.audit_events",
        "truncate public.audit_events",
        "insert into public.technician_skills values (%(me)s, 'plumbing', 5)",
    ]
    for statement in attempts:
        with as_role(shaped, database_url, "authenticator") as conn:  # PostgREST's login
            conn.execute("select set_config('role', 'authenticated', true), "
                         "set_config('request.jwt.claims', %s, true)", [json.dumps(claims)])
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement, {"me": citizen["id"]})


async def test_gotrue_cannot_delete_a_student_holding_a_job(shaped: SupabaseShapedPostgres, database_url: str,
                                                            api: httpx.AsyncClient) -> None:
    """Migration 0045's refusal holds for the dashboard's own delete (as supabase_auth_admin), and says why."""
    token, citizen = await sign_in(api, fresh_phone())
    body = {"idempotency_key": str(uuid.uuid4()), "category_code": "appliance", "item": "พัดลม",
            "description": "เปิดแล้วใบพัดไม่หมุน มีเสียงดัง", "lat": 6.56, "lon": 101.26, "province": "ยะลา",
            "district": "เมืองยะลา", "contact_phone": citizen["phone"], "pdpa_consent": True}
    made = await api.post("/requests", json=body, headers=bearer(token))
    assert made.status_code == 201, made.text
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        student = conn.execute("select private.create_phone_user(%s, true) as id",
                               ["66" + fresh_phone()[1:]]).fetchone()
        assert student is not None
        conn.execute("update public.profiles set role = 'technician', "
                     "college_id = (select id from public.colleges limit 1) where id = %s", [student["id"]])
        conn.execute("update public.repair_requests set technician_id = %s, status = 'accepted' where id = %s",
                     [student["id"], made.json()["id"]])
    with as_role(shaped, database_url, "supabase_auth_admin") as gotrue, \
            pytest.raises(psycopg.errors.RestrictViolation) as refused:
        gotrue.execute("delete from auth.users where id = %s", [student["id"]])
    assert "the student holds 1 job. " in str(refused.value.diag.message_primary)
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        kept = conn.execute("select technician_id, status from public.repair_requests where id = %s",
                            [made.json()["id"]]).fetchone()
    assert kept == {"technician_id": student["id"], "status": "accepted"}
