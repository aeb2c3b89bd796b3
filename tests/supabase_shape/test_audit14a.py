"""Review 14a on a database built the way Supabase builds one: what the API roles hold in `public` beyond what the
migrations grant. Each finding is a strict xfail until it is fixed (its reason names what is wrong)."""

import psycopg
import pytest
from psycopg.rows import dict_row

from backend.local_postgres import LocalPostgres
from tests.supabase_shape import SupabaseShapedPostgres


@pytest.fixture
def shaped(local_pg: LocalPostgres) -> SupabaseShapedPostgres:
    if not isinstance(local_pg, SupabaseShapedPostgres):
        pytest.skip("needs the embedded Supabase-shaped database (not FIXIT_TEST_DATABASE_URL)")
    return local_pg


@pytest.mark.xfail(strict=True, reason="audit14a: the sequences made before 0014 (status_events_id_seq, "
                                       "audit_events_id_seq) kept Supabase's default grants: anon and "
                                       "authenticated may nextval/setval them")
@pytest.mark.parametrize("role", ["anon", "authenticated"])
def test_the_api_roles_cannot_move_a_sequence_in_public(shaped: SupabaseShapedPostgres, database_url: str,
                                                        role: str) -> None:
    database = str(psycopg.conninfo.conninfo_to_dict(database_url)["dbname"])
    with psycopg.connect(database_url) as conn:
        sequences = [r[0] for r in conn.execute(
            "select c.oid::regclass::text from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = 'public' and c.relkind = 'S' order by 1").fetchall()]
    assert "audit_events_id_seq" in sequences and "status_events_id_seq" in sequences
    moved = []
    for sequence in sequences:
        # As PostgREST runs a request: log in as `authenticator`, then the request's role.
        with psycopg.connect(shaped.url_as("authenticator", database), row_factory=dict_row) as conn:
            conn.execute("select set_config('role', %s, true)", [role])
            try:
                # nextval (USAGE or UPDATE) skips an id; setval (UPDATE) could set the audit trail's next id onto
                # an old row's, so every audited write fails. Neither is undone by a rollback.
                conn.execute("select nextval(%s)", [sequence])
                moved.append(sequence)
            except psycopg.errors.InsufficientPrivilege:
                pass
            conn.rollback()
    assert moved == []
