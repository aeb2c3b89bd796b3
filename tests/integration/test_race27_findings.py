"""race27: the crossings session 26 left open (its note: review26a's and race26's leftovers), each driven on the real
database with explicit locks in the test's own transactions and `pg_blocking_pids` (tests/integration/lock_waits.py),
no sleeps. The lock order they keep is written once, in backend/services/dispatch.py's module docstring.
/tmp/p27/race27-findings.md has what was checked and found sound."""

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row

from backend.services.dispatch import DispatchPolicy, end_offers_moved_away
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, _student, offers_of, submit
from tests.integration.lock_waits import until_waiting
from tests.integration.test_gaps26_findings import _moved_by_sql

# --- 1. Two roster imports of the same students in different orders ----------------------------------------------


def _csv(*people: tuple[str, str]) -> bytes:
    return ("phone,name,skills\n" + "".join(f"{phone},{name},electrical_appliance:2\n" for phone, name in people)
            ).encode("utf-8")


async def test_two_imports_of_the_same_students_in_different_orders_wait_for_each_other(
        api: httpx.AsyncClient, area: Area, database_url: str) -> None:
    """staff.import_students ran register_staff row by row, each locking its row's profile (FOR NO KEY UPDATE) in
    the file's order: a teacher's import of A then B and another's (the college's second teacher, or a double tap)
    of B then A each held one and wanted the other's. Driven: B's skill held a moment (a teacher's edit of B's
    skills holds it so), the import B, A takes B's profile and waits at B's skill; the import A, B takes A's and
    waits for B's; let go, B, A wanted A."""
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        a, a_phone = _student(conn, area.near, "เอ นำเข้า", {"electrical_appliance": 1})
        b, b_phone = _student(conn, area.near, "บี นำเข้า", {"electrical_appliance": 1})
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    url = f"/colleges/{area.near}/students/import"

    def upload(data: bytes) -> "asyncio.Task[httpx.Response]":
        return asyncio.create_task(api.post(url, files={"file": ("students.csv", data, "text/csv")},
                                            headers=bearer(teacher)))

    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from public.technician_skills where technician_id = %s for update", [b])
        b_first = upload(_csv((b_phone, "บี นำเข้า"), (a_phone, "เอ นำเข้า")))
        await until_waiting(database_url, 1, b_first)
        a_first = upload(_csv((a_phone, "เอ นำเข้า"), (b_phone, "บี นำเข้า")))
        await until_waiting(database_url, 2, b_first, a_first)
        await holder.rollback()
        answers = [await b_first, await a_first]
    assert [r.status_code for r in answers] == [200, 200], [r.text for r in answers]
    with psycopg.connect(database_url) as plain:
        levels = plain.execute("select technician_id::text, level from public.technician_skills "
                               "where technician_id = any(%s::uuid[]) order by technician_id", [[a, b]]).fetchall()
    assert levels == sorted([(a, 2), (b, 2)])


# --- 2. A teacher deletes their account while deciding a student's level proposal ----------------------------------

def _proposal_and_teacher(database_url: str, area: Area, teacher_first: bool) -> tuple[str, str, Any]:
    """A student with an open level proposal and a teacher of their college: (student id, teacher's phone, the
    proposal's id). The decision locks both profiles in id order, so the ids are fixed: the teacher's before the
    student's (`teacher_first`) or after it."""
    low, high = "0000", "ffff"
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        student, _ = _student(conn, area.near, "ขอ เลื่อน", {"electrical_appliance": 1},
                              prefix=high if teacher_first else low)
        _, teacher_phone = _student(conn, area.near, "ครู ลาออก", {}, role="supervisor",
                                    prefix=low if teacher_first else high)
        row = conn.execute("insert into public.skill_proposals (technician_id, skill_code, from_level, to_level, jobs)"
                           " values (%s, 'electrical_appliance', 1, 2, 3) returning id", [student]).fetchone()
    assert row is not None
    return student, teacher_phone, row["id"]


def _proposal_state(database_url: str, proposal: Any) -> tuple[Any, ...] | None:
    with psycopg.connect(database_url) as plain:
        return plain.execute("select s.status, s.decided_by is null, k.level from public.skill_proposals s"
                             " join public.technician_skills k"
                             " on k.technician_id = s.technician_id and k.skill_code = s.skill_code"
                             " where s.id = %s", [proposal]).fetchone()


async def test_a_decision_whose_teacher_was_deleted_meanwhile_is_refused_clearly(
        api: httpx.AsyncClient, area: Area, database_url: str) -> None:
    """credit.decide_proposal writes the teacher's id (`decided_by`, a foreign key to profiles) without holding the
    teacher's profile: their own deletion (DELETE /me) committing while the decision waited left the update's
    foreign-key check nothing to find (ForeignKeyViolation, a 500). Driven: the student's profile held a moment (a
    move of the student holds it so), the decision waits for it, the teacher's deletion commits, let go."""
    student, teacher_phone, proposal = _proposal_and_teacher(database_url, area, teacher_first=False)
    teacher, _ = await sign_in(api, teacher_phone)
    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from public.profiles where id = %s for update", [student])
        deciding = asyncio.create_task(api.post(f"/supervisor/skill-proposals/{proposal}", json={"confirm": True},
                                                headers=bearer(teacher)))
        await until_waiting(database_url, 1, deciding)
        gone = await api.delete("/me", params={"confirm": "true"}, headers=bearer(teacher))
        assert gone.status_code == 204, gone.text
        await holder.rollback()
        decided = await deciding
    assert decided.status_code == 409, decided.text
    error: dict[str, Any] = decided.json()["error"]
    assert error["code"] == "decider_gone" and error["message_th"] and error["message_en"], error
    assert _proposal_state(database_url, proposal) == ("proposed", True, 1)  # nothing half-stored


async def test_a_teachers_deletion_waits_for_the_decision_it_meets(
        api: httpx.AsyncClient, area: Area, database_url: str) -> None:
    """The other order: the decision holds the teacher's profile (FOR KEY SHARE) before it waits for the student's,
    so the teacher's deletion waits for the decision (its profile's delete needs FOR UPDATE), which is stored; the
    deletion then leaves it naming nobody (`decided_by` on delete set null), as for any decision of a teacher who
    left."""
    student, teacher_phone, proposal = _proposal_and_teacher(database_url, area, teacher_first=True)
    teacher, _ = await sign_in(api, teacher_phone)
    async with await psycopg.AsyncConnection.connect(database_url) as holder:
        await holder.execute("select 1 from public.profiles where id = %s for update", [student])
        deciding = asyncio.create_task(api.post(f"/supervisor/skill-proposals/{proposal}", json={"confirm": True},
                                                headers=bearer(teacher)))
        await until_waiting(database_url, 1, deciding)
        deleting = asyncio.create_task(api.delete("/me", params={"confirm": "true"}, headers=bearer(teacher)))
        await until_waiting(database_url, 2, deciding, deleting)
        await holder.rollback()
        decided, gone = await deciding, await deleting
    assert (decided.status_code, gone.status_code) == (200, 204), (decided.text, gone.text)
    assert _proposal_state(database_url, proposal) == ("confirmed", True, 2)


# --- 4. Session 26's clock step for offers whose student moved away, against that student's deletion ---------------

async def test_the_clocks_hand_on_from_a_moved_student_and_that_students_deletion_wait_for_each_other(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """dispatch.end_offers_moved_away (gaps26): the requests (skip locked), then their offers, and at commit the
    withdrawn student's `offer_withdrawn` message (0016's deferred trigger: a FOR KEY SHARE of their profile). The
    student's own deletion (DELETE /me): their profile (no key update), then every request they hold an offer of,
    in one statement by id, then the profile deleted. Driven: the offer held a moment (the delivery of its message
    holds nothing else), the clock waits for it holding the request, the deletion waits for the request; let go,
    the clock commits first (its key share does not wait for the deletion's no key update), then the deletion. Found
    sound: this test keeps it so."""
    api, clock = app_and_clock
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        gone, phone = _student(conn, area.near, "ย้าย ลบ", {"electrical_appliance": 5}, prefix="0")
    _, request = await submit(api)
    offer = next(o for o in offers_of(database_url, request["id"]) if o["technician_id"] == gone)
    assert offer["status"] == "pending"
    token, _ = await sign_in(api, phone)
    _moved_by_sql(database_url, gone, area.far)
    async with (await psycopg.AsyncConnection.connect(database_url) as holder,
                await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as turn):
        await holder.execute("select 1 from public.offers where id = %s for update", [offer["id"]])

        async def hand_on() -> str:
            try:
                handed = await end_offers_moved_away(turn, clock.now + timedelta(minutes=1), DispatchPolicy())
                await turn.commit()
            except psycopg.Error as e:
                await turn.rollback()
                return type(e).__name__
            return f"handed on {handed}"

        handing = asyncio.create_task(hand_on())
        await until_waiting(database_url, 1, handing)
        deleting = asyncio.create_task(api.delete("/me", params={"confirm": "true"}, headers=bearer(token)))
        await until_waiting(database_url, 2, handing, deleting)
        await holder.rollback()
        handed, deleted = await handing, await deleting
    assert (handed, deleted.status_code) == ("handed on 1", 204), deleted.text
    offers = {o["technician_id"]: o["status"] for o in offers_of(database_url, request["id"])}
    assert gone not in offers  # withdrawn by the clock, then gone with the account
    # The other two students' offers still wait (a hand-on asks the next student only when none does: `_refill`).
    assert list(offers.values()) == ["pending", "pending"], offers
