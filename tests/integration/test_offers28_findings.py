"""offers28: what session 27 left in dispatch when a student leaves, and the student's offer list. Each finding is
the behaviour the project's rules promise; one not fixed yet is a strict xfail. Real PostgreSQL, the app's routes as
the app calls them."""

import inspect
import re
from typing import Any

import psycopg
from psycopg.rows import dict_row

from backend.services.account import suspend
from backend.services.college_admin import update_student
from backend.services.staff import end_open_offers, register_staff
from tests.integration.builders import as_user
from tests.integration.dispatch_area import AppClock, Area, offers_of, submit


def test_a_hand_on_from_a_leaving_student_names_its_clock_and_policy() -> None:
    """2 (review27c #1's rest): `staff.end_open_offers` fell back to the wall clock and the default dispatch policy
    (3 students, 30 minutes) for a caller that passed neither, and so did the three paths that call it (a move or a
    role: register_staff, a switch-off: college_admin.update_student, a suspension: account.suspend): review27c
    found two routes on those defaults. The clock and the policy are now required of every one of them, so a
    future caller that forgets is a type error (mypy), not an offer on the wrong SLA."""
    for function in (end_open_offers, register_staff, update_student, suspend):
        parameters = inspect.signature(function).parameters
        for name in ("now", "policy"):
            assert parameters[name].default is inspect.Parameter.empty, (function.__qualname__, name)
            assert "None" not in str(parameters[name].annotation), (function.__qualname__, name)


# The teacher rule typed out in SQL: a profile that is a supervisor (the role) and active, in either order.
_TEACHER_RULE = re.compile(r"role\s*=\s*'supervisor'.{0,80}?is_active|is_active.{0,80}?role\s*=\s*'supervisor'",
                           re.S)


def test_only_the_one_rule_types_an_active_teacher_of_a_college(database_url: str) -> None:
    """4 (college27's leftover): 0060's account-erasure migration typed "an active teacher of the college" in its
    status-event trigger (the `qc_waiting` messages, `p.role = 'supervisor' and p.is_active and p.college_id = ..`).
    Read from the database as migrated (not the migration files, whose earlier copies stay as history): no function
    the database runs types that rule but `private.active_teachers` (0121), which every other place asks; 0071 had
    already replaced that trigger's copy (`private.deciders`, which 0121 made ask the one rule). The caller's own
    role (`private.my_college`, a reader who is a teacher) is not the rule and is not matched here."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        rows = conn.execute(
            """select n.nspname || '.' || p.proname as name, p.prosrc as body
               from pg_proc p join pg_namespace n on n.oid = p.pronamespace
               where n.nspname in ('public', 'private') and p.prolang <> 13""").fetchall()
    typed = sorted(r["name"] for r in rows if _TEACHER_RULE.search(r["body"]))
    assert typed == ["private.active_teachers"]


async def test_the_offer_list_lists_up_to_max_rows_open_offers(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """5 (college27's leftover): the student's open offers (`my_offer_cards(true, max_rows)`, the app's offers feed)
    took the newest `max_rows` pending offers, then dropped those not open to the student (`private.offer_open`: at
    a college the student is no longer at). So an offer of a college they left, newer than their open ones, pushed
    an open one off the list: here with max_rows = 1, the list was empty while an offer the accept would take
    exists. The list now holds up to `max_rows` open offers."""
    api, _ = app_and_clock
    _, older = await submit(api, item="พัดลมตั้งพื้น")
    _, newer = await submit(api, item="หม้อหุงข้าว")
    ace_id = area.students["ace"][0]
    for request in (older, newer):
        assert any(o["technician_id"] == ace_id and o["status"] == "pending"
                   for o in offers_of(database_url, request["id"]))
    with psycopg.connect(database_url, autocommit=True) as conn:
        # The newer offer is now of a college ace is not at (as a dispatch racing a move outside the app leaves
        # it): open to nobody, listed to nobody; and the newest (the app's clock made both at one instant).
        conn.execute("update public.offers set college_id = %s, created_at = created_at + interval '1 second'"
                     " where request_id = %s and technician_id = %s",
                     [area.far, newer["id"], ace_id])

    def listed(max_rows: int) -> list[Any]:
        with as_user(database_url, ace_id) as conn:
            return [str(c["request_id"]) for c in conn.execute(
                "select request_id from public.my_offer_cards(true, %s)", [max_rows]).fetchall()]

    assert listed(200) == [older["id"]]
    assert listed(1) == [older["id"]]  # before the fix: [], the newest pending offer (the far one) taking the row
