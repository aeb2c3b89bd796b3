"""A move asks whether the job's college has a teacher (`private.college_has_teacher`) only where a teacher present
can be needed (shared.credit.needs_teacher_present: a high-tier job's diagnosing and repairing steps), not at every
accept, step and hand back of every job as it did until session 21; and it answers as before where it asks.
Counted by PostgreSQL itself (track_functions: the function is SECURITY DEFINER, so never inlined), on the facts
statement a move reads under the request's lock (backend/services/transitions.py `_record_facts`). Real
PostgreSQL."""

import uuid

import psycopg
from psycopg.rows import dict_row

from backend.services.transitions import _record_facts, _RecordFacts
from shared.statuses import RequestStatus
from tests.integration.dispatch_area import AppClock, set_active, submit
from tests.integration.test_a_teacher_at_every_hand_over import AC, Colleges, colleges  # noqa: F401 (fixture)

S = RequestStatus
# The moves that read the job record's facts at all (the others return before the statement).
READ_FACTS = (S.ACCEPTED, S.DIAGNOSING, S.REPAIRING, S.HANDED_BACK)


async def _facts_and_calls(superuser_url: str, request_id: str, student: str) -> tuple[dict[S, _RecordFacts], int]:
    """Each of READ_FACTS's facts for `request_id` (`student` the one taking or on the job), and how many times the
    statements called private.college_has_teacher."""
    async with await psycopg.AsyncConnection.connect(superuser_url, row_factory=dict_row) as conn:
        await conn.execute("set track_functions = 'all'")  # a superuser's setting
        facts = {to: await _record_facts(conn, uuid.UUID(request_id), to, uuid.UUID(student), None)
                 for to in READ_FACTS}
        row = await (await conn.execute(
            "select coalesce(sum(calls), 0)::int as n from pg_stat_xact_user_functions "
            "where schemaname = 'private' and funcname = 'college_has_teacher'")).fetchone()
        await conn.rollback()
    assert row is not None
    return facts, int(row["n"])


async def test_a_move_asks_whether_the_college_has_a_teacher_only_where_presence_is_needed(
        app_and_clock: AppClock, colleges: Colleges, database_url: str,  # noqa: F811
        superuser_url: str) -> None:
    api, _ = app_and_clock
    student, teacher = colleges.people["student"][0], colleges.people["teacher"][0]
    _, high = await submit(api, **AC)  # air conditioning: high tier, offered at the near college (it has a teacher)
    _, low = await submit(api, category_code="appliance", item="พัดลม")  # low tier: needs no teacher present

    facts, calls = await _facts_and_calls(superuser_url, low["id"], student)
    assert calls == 0  # was 4: one for each of READ_FACTS
    assert all(f.college_has_teacher and not f.presence_needed for f in facts.values())

    facts, calls = await _facts_and_calls(superuser_url, high["id"], student)
    assert calls == 2  # was 4: the accept and the hand back need no teacher present
    assert {to: (f.presence_needed, f.college_has_teacher) for to, f in facts.items()} == {
        S.ACCEPTED: (False, True), S.DIAGNOSING: (True, True), S.REPAIRING: (True, True),
        S.HANDED_BACK: (False, True)}

    # Where it asks, it answers as before: the college's only teacher suspended, its hands-on steps have none.
    set_active(database_url, teacher, False)
    try:
        facts, calls = await _facts_and_calls(superuser_url, high["id"], student)
    finally:
        set_active(database_url, teacher, True)
    assert calls == 2
    assert {to: f.college_has_teacher for to, f in facts.items()} == {
        S.ACCEPTED: True, S.DIAGNOSING: False, S.REPAIRING: False, S.HANDED_BACK: True}
