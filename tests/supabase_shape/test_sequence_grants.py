"""On a database built the way Supabase builds one (default privileges grant every new sequence in `public` to the
API roles), no API role may move a sequence of the app's: migration 0052 (review 14a); service_role may only take
its next value (0099)."""

import psycopg
import pytest
from psycopg.rows import dict_row

from tests.supabase_shape import SupabaseShapedPostgres
from tests.supabase_shape.gotrue import shaped  # noqa: F401  (the fixture)


@pytest.mark.parametrize("role", ["anon", "authenticated"])
def test_the_api_roles_cannot_move_a_sequence_in_public(shaped: SupabaseShapedPostgres,  # noqa: F811
                                                        database_url: str, role: str) -> None:
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


def test_a_sequence_a_later_migration_makes_is_not_granted_to_the_api_roles(shaped: SupabaseShapedPostgres,  # noqa: F811
                                                                            database_url: str) -> None:
    # As a migration would (the role migrations run as), inside a transaction that is then undone.
    with psycopg.connect(database_url) as conn:
        conn.execute("create sequence public.fixit_probe_seq")
        granted = conn.execute(
            "select has_sequence_privilege(r, 'public.fixit_probe_seq', p) "
            "from unnest(array['anon', 'authenticated']) r, unnest(array['USAGE', 'SELECT', 'UPDATE']) p").fetchall()
        # service_role may take the next value (the default privileges' USAGE), never set one (0099).
        setting = conn.execute(
            "select has_sequence_privilege('service_role', 'public.fixit_probe_seq', p) "
            "from unnest(array['SELECT', 'UPDATE']) p").fetchall()
        conn.rollback()
    assert granted and not any(g[0] for g in granted)
    assert setting and not any(g[0] for g in setting)
