"""The student's job feed (`public.my_jobs()`, migration 0019) runs as its owner to skip the row-level policy's
planning cost: it must return exactly what each caller may read of their own jobs (the row's policy while the job is
open to them; after, their record of it through the backend's read, `private.request_as_read`, 0060), and no more."""

from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from backend.seed import DEMO_ACCOUNTS
from tests.integration.builders import as_user


def _people(database_url: str) -> list[dict[str, Any]]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        # Some of every role, in each the people holding jobs first, so the comparison covers non-empty feeds.
        return conn.execute(
            """select id, role from (
                   select p.id::text as id, p.role::text as role,
                          row_number() over (partition by p.role order by exists (
                              select 1 from public.repair_requests r where r.technician_id = p.id) desc, p.id) as n
                   from public.profiles p) ranked
               where n <= 15"""
        ).fetchall()


def test_my_jobs_is_what_row_level_security_shows_each_caller(database_url: str) -> None:
    people = _people(database_url)
    assert {"citizen", "technician", "supervisor", "admin"} <= {p["role"] for p in people}
    nonempty = 0
    for person in people:
        with psycopg.connect(database_url) as owner:  # the jobs they lead or were ever on the team of
            theirs = [r[0] for r in owner.execute(
                "select id from public.repair_requests where technician_id = %(me)s "
                "union select request_id from public.job_team where technician_id = %(me)s",
                {"me": person["id"]}).fetchall()]
        with as_user(database_url, person["id"]) as conn:
            feed = conn.execute("select id, updated_at from public.my_jobs(500)").fetchall()
            # The same question as the caller reads a request (migration 0060: the row's policy shows a student
            # their job while it is open to them; `private.request_as_read`, the backend's read, shows them their
            # record of it after, without the owner's contact): the jobs they lead, and those they help on (0050).
            readable = conn.execute(
                """select r.id from unnest(%(ids)s::uuid[]) as u (id) cross join lateral private.request_as_read(u.id) r
                   where r.technician_id = %(me)s
                      or (r.technician_id is distinct from %(me)s and private.helps_on(r.id))""",
                {"ids": theirs, "me": person["id"]},
            ).fetchall()
            assert {r["id"] for r in feed} == {r["id"] for r in readable}, person["role"]
            times = [r["updated_at"] for r in feed]
            assert times == sorted(times, reverse=True)
            if feed:
                nonempty += 1
                # Nothing the caller could not read row by row through the policy while the job is open to them.
                ids = [r["id"] for r in feed]
                visible = conn.execute(
                    "select count(*) as n from public.repair_requests where id = any(%s) "
                    "and (technician_id = %s or private.helps_on(id))",
                    [ids, person["id"]],
                ).fetchone()
                open_ = conn.execute(
                    "select count(*) as n from public.my_jobs(500) j where j.status = any(private.contact_open())"
                ).fetchone()
                assert visible is not None and open_ is not None and visible["n"] == open_["n"]
    assert nonempty >= 1


def test_my_jobs_limit_and_other_people(database_url: str) -> None:
    student_phone = next(a.phone for a in DEMO_ACCOUNTS if a.role == "technician")
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        student = conn.execute("select id::text as id from public.profiles where phone = %s",
                               [student_phone]).fetchone()
        others = conn.execute(
            "select p.id::text as id from public.profiles p where p.role in ('supervisor', 'admin', 'citizen') "
            "and p.id <> %s limit 10", [student["id"] if student else None]).fetchall()
    assert student is not None and others
    with as_user(database_url, student["id"]) as conn:
        mine = conn.execute("select id from public.my_jobs(500)").fetchall()
        assert mine
        assert len(conn.execute("select id from public.my_jobs(1)").fetchall()) == 1
        assert conn.execute("select id from public.my_jobs(-3)").fetchall() == []
    # A teacher, an admin or a citizen sees none of the student's jobs through it (the function reads only the
    # caller's own, whatever else the policy would show them).
    for other in others:
        with as_user(database_url, other["id"]) as conn:
            theirs = {r["id"] for r in conn.execute("select id from public.my_jobs(500)").fetchall()}
            assert not theirs & {r["id"] for r in mine}


def test_anon_cannot_call_my_jobs(database_url: str) -> None:
    with as_user(database_url, None) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("select id from public.my_jobs(200)")
