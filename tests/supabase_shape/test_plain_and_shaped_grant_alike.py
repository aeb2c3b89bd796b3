"""The same migrations give the API roles the same rights on a plain PostgreSQL (the local default, after the
bootstrap) as on a Supabase-shaped one, object by object.

Why this matters to the suite: CI runs the integration tests once, on the Supabase-shaped database (the production
shape, and the stricter for the app's own SECURITY DEFINER functions: their owner is a `postgres` without superuser).
The one thing the plain database checks that the shaped one cannot is a grant the app forgot: Supabase's default
privileges give every new table and function in `public` to anon, authenticated and service_role, so a missing grant
passes there and fails locally, and a missing revoke is a hole there that the plain database never shows. With the
rights equal on both, a test that passes on one passes on the other as far as rights go.
"""

import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from backend.local_postgres import LocalPostgres
from backend.migrate import migrate
from tests.supabase_shape import SupabaseShapedPostgres

ROLES = ("anon", "authenticated", "service_role", "authenticator")
SCHEMAS = ("public", "private")

# Every right a role holds (directly, through PUBLIC, or through a role it inherits), one row per object, role and
# right: what `has_*_privilege` answers, which is what PostgreSQL checks at run time.
_RIGHTS = """
with roles(role) as (select unnest(%(roles)s::text[])),
     schemas(name) as (select unnest(%(schemas)s::text[])),
     relations as (
         select c.oid, n.nspname || '.' || c.relname as name, c.relkind
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname in (select name from schemas) and c.relkind in ('r', 'v', 'm', 'p', 'f', 'S'))
select 'schema ' || s.name, r.role, p.priv
from schemas s cross join roles r cross join unnest(array['usage', 'create']) p(priv)
where has_schema_privilege(r.role, s.name, p.priv)
union all
select 'relation ' || c.name, r.role, p.priv
from relations c cross join roles r
     cross join unnest(array['select', 'insert', 'update', 'delete', 'truncate', 'references', 'trigger']) p(priv)
where c.relkind <> 'S' and has_table_privilege(r.role, c.oid, p.priv)
union all
select 'sequence ' || c.name, r.role, p.priv
from relations c cross join roles r cross join unnest(array['usage', 'select', 'update']) p(priv)
where c.relkind = 'S' and has_sequence_privilege(r.role, c.oid, p.priv)
union all
select 'column ' || c.name || '.' || a.attname, r.role, p.priv
from relations c join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
     cross join roles r cross join unnest(array['select', 'insert', 'update', 'references']) p(priv)
where c.relkind <> 'S' and has_column_privilege(r.role, c.oid, a.attnum, p.priv)
union all
select 'function ' || n.nspname || '.' || f.proname || '(' || pg_get_function_identity_arguments(f.oid) || ')',
       r.role, 'execute'
from pg_proc f join pg_namespace n on n.oid = f.pronamespace cross join roles r
where n.nspname in (select name from schemas) and has_function_privilege(r.role, f.oid, 'execute')
"""

# What RLS does with each table: on or off, forced or not, and each policy's command, roles and expressions.
_ROW_SECURITY = """
select n.nspname || '.' || c.relname, 'row security ' || c.relrowsecurity || ' forced ' || c.relforcerowsecurity
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = any(%(schemas)s::text[]) and c.relkind in ('r', 'p')
union all
select schemaname || '.' || tablename || ' policy ' || policyname,
       permissive || ' ' || cmd || ' to ' || array_to_string(roles, ',') || ' using ' || coalesce(qual, '')
       || ' check ' || coalesce(with_check, '')
from pg_policies where schemaname = any(%(schemas)s::text[])
"""


def _facts(url: str) -> tuple[set[tuple[str, str, str]], set[tuple[str, str]]]:
    with psycopg.connect(url) as conn:
        params = {"roles": list(ROLES), "schemas": list(SCHEMAS)}
        rights = {(str(a), str(b), str(c)) for a, b, c in conn.execute(_RIGHTS, params).fetchall()}
        rows = {(str(a), str(b)) for a, b in conn.execute(_ROW_SECURITY, params).fetchall()}
    return rights, rows


@pytest.fixture(scope="module")
def plain_url() -> Iterator[str]:
    """A plain embedded PostgreSQL of its own (superuser `postgres`, no Supabase defaults), freshly migrated."""
    server = LocalPostgres(Path(tempfile.mkdtemp(prefix="fixit-plain-")) / "pg", database="fixit_rights",
                           delete_on_exit=True)
    report = migrate(server.url)
    assert report.bootstrapped  # the plain path: the bootstrap made `auth` and the API roles
    yield server.url


@pytest.fixture(scope="module")
def shaped_url(local_pg: LocalPostgres) -> str:
    """A fresh Supabase-shaped database on the session's shaped cluster (no test has touched it), migrated."""
    if not isinstance(local_pg, SupabaseShapedPostgres):
        pytest.skip("needs the embedded Supabase-shaped database (not FIXIT_TEST_DATABASE_URL)")
    url = local_pg.url_for("fixit_rights")
    report = migrate(url)
    assert not report.bootstrapped and report.applied
    return url


def test_the_api_roles_hold_the_same_rights_on_plain_postgres_as_on_supabase(plain_url: str,
                                                                             shaped_url: str) -> None:
    plain_rights, plain_rows = _facts(plain_url)
    shaped_rights, shaped_rows = _facts(shaped_url)
    # Not vacuous: the roles do hold rights (the app's reads), and not everything (the tables are not writable).
    offers_feed = "function public.my_offer_cards(open_only boolean, max_rows integer)"
    assert (offers_feed, "authenticated", "execute") in plain_rights
    assert (offers_feed, "anon", "execute") not in plain_rights
    assert not any(obj.startswith("relation ") and role == "authenticated" and right in ("insert", "delete")
                   for obj, role, right in plain_rights)
    assert sorted(shaped_rights - plain_rights) == [], "rights Supabase's defaults give that the app did not revoke"
    assert sorted(plain_rights - shaped_rights) == [], "rights the plain database gives that Supabase's does not"
    assert sorted(map(str, shaped_rows ^ plain_rows)) == [], "row security differs"
    assert len(plain_rows) > 20
