"""Row level security: one citizen cannot see another's requests or profile, through the API or raw SQL
run as `authenticated` the way the backend (and PostgREST) runs every user query."""

import json
import uuid
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row

from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import as_user

Conn = psycopg.Connection[dict[str, Any]]


def create_request_as(database_url: str, citizen_id: str, item: str) -> str:
    """Insert a request the way the backend stores one: as the owner, acting for the citizen (users hold no
    insert grant of their own)."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        conn.execute(
            "select set_config('request.jwt.claims', %s, true), set_config('fixit.actor', 'citizen', true)",
            [json.dumps({"sub": citizen_id, "role": "authenticated"})],
        )
        conn.execute(
            """insert into public.repair_requests (citizen_id, idempotency_key, category_code, item, description,
                   lat, lon, contact_phone, pdpa_consent_at)
               values (%s, %s, 'appliance', %s, 'ไม่ติด', 13.75, 100.5, '+66812345678', now())""",
            [citizen_id, uuid.uuid4(), item],
        )
        conn.commit()
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        row = conn.execute("select id from public.repair_requests where item = %s", [item]).fetchone()
    assert row is not None
    return str(row["id"])


@pytest.fixture
async def two_citizens(api: httpx.AsyncClient) -> tuple[tuple[str, dict[str, Any]], tuple[str, dict[str, Any]]]:
    return await sign_in(api, fresh_phone()), await sign_in(api, fresh_phone())


async def test_citizen_sees_only_own_requests_through_the_api(
    api: httpx.AsyncClient, database_url: str, two_citizens: Any
) -> None:
    (token_a, a), (token_b, _) = two_citizens
    item = f"ตู้เย็น-{uuid.uuid4().hex[:8]}"
    request_id = create_request_as(database_url, a["id"], item)

    mine_a = (await api.get("/requests/mine", headers=bearer(token_a))).json()
    assert [r["id"] for r in mine_a] == [request_id]
    assert mine_a[0]["status"] == "submitted" and mine_a[0]["category_name_th"] == "เครื่องใช้ไฟฟ้า"
    mine_b = (await api.get("/requests/mine", headers=bearer(token_b))).json()
    assert mine_b == []


async def test_citizen_cannot_read_others_through_sql(database_url: str, two_citizens: Any) -> None:
    (_, a), (_, b) = two_citizens
    request_id = create_request_as(database_url, a["id"], f"ทีวี-{uuid.uuid4().hex[:8]}")
    with as_user(database_url, b["id"]) as conn:
        # No `where citizen_id = …`: RLS alone must hide A's rows.
        assert conn.execute("select id from public.repair_requests where id = %s", [request_id]).fetchall() == []
        assert conn.execute("select id from public.profiles where id = %s", [a["id"]]).fetchall() == []
        assert [r["id"] for r in conn.execute("select id from public.profiles").fetchall()] == [uuid.UUID(b["id"])]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # users write nothing directly
            conn.execute("update public.profiles set display_name = 'แฮก' where id = %s", [a["id"]])
    with as_user(database_url, a["id"]) as conn:
        assert len(conn.execute("select id from public.repair_requests where id = %s", [request_id]).fetchall()) == 1


async def test_citizen_cannot_write_as_someone_else(database_url: str, two_citizens: Any) -> None:
    (_, a), (_, b) = two_citizens
    with as_user(database_url, b["id"]) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(
            """insert into public.repair_requests (citizen_id, idempotency_key, category_code, item, description,
                   lat, lon, contact_phone, pdpa_consent_at)
               values (%s, gen_random_uuid(), 'appliance', 'x', 'y', 13.75, 100.5, '+66812345678', now())""",
            [a["id"]],
        )
    with as_user(database_url, b["id"]) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("update public.profiles set role = 'admin' where id = %s", [b["id"]])


async def test_anon_sees_reference_data_but_no_people(database_url: str) -> None:
    with as_user(database_url, None) as conn:
        assert conn.execute("select count(*) as n from public.colleges").fetchone()["n"] >= 20  # type: ignore[index]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select * from public.profiles")


def test_every_table_has_row_level_security(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            """select n.nspname || '.' || c.relname, c.relrowsecurity
               from pg_class c join pg_namespace n on n.oid = c.relnamespace
               where c.relkind = 'r' and n.nspname in ('public', 'private')"""
        ).fetchall()
    assert len(rows) >= 11
    assert [name for name, rls in rows if not rls] == []


def test_auth_uid_reads_both_claim_styles(database_url: str) -> None:
    user = uuid.uuid4()
    with psycopg.connect(database_url) as conn:
        conn.execute("select set_config('request.jwt.claims', %s, true)", [json.dumps({"sub": str(user)})])
        assert conn.execute("select auth.uid()").fetchone() == (user,)
        conn.rollback()
        conn.execute("select set_config('request.jwt.claim.sub', %s, true)", [str(user)])
        assert conn.execute("select auth.uid()").fetchone() == (user,)
