"""The active administrators are read by their own partial index (migration 0105, disp24): a dispatch that finds no
college tells them (`private.notify_staff('admin', ...)`), and that read went through every profile (8-10 ms a move
to no_centre on bench.dispatch's 100,900 profiles, ~1 ms with the index)."""

import json
from typing import Any

import psycopg


def test_the_admins_predicate_reads_its_partial_index(database_url: str) -> None:
    """Sequential scans off, so the test database's few profiles do not hide the planner's choice."""
    with psycopg.connect(database_url) as conn:
        conn.execute("set local enable_seqscan = off")
        row = conn.execute("explain (format json) select p.id from public.profiles p "
                           "where p.role = 'admin' and p.is_active").fetchone()
        assert row is not None
        assert "profiles_active_admins" in json.dumps(row[0])


def test_notify_staff_still_tells_every_active_admin_and_nobody_else(database_url: str) -> None:
    """Through the function's own (index) plan, the recipients are the active admins read without the index
    (`role::text`: no index matches it); rolled back."""
    with psycopg.connect(database_url) as conn:
        conn.execute("update public.profiles set role = 'admin', is_active = false "
                     "where id = (select id from public.profiles where role = 'citizen' order by id limit 1)")
        admins: set[Any] = {r[0] for r in conn.execute(
            "select id from public.profiles where role::text = 'admin' and is_active").fetchall()}
        assert admins  # the seed's administrator
        conn.execute("select private.notify_staff('admin', null, 'no_centre', '{}'::jsonb, null)")
        told = {r[0] for r in conn.execute(
            "select recipient_id from public.notifications where kind = 'no_centre' and request_id is null "
            "and created_at = now()").fetchall()}
        assert told == admins
        conn.rollback()
