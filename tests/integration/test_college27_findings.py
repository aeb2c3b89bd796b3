"""college27: offers when a student leaves the offer's college, and the one "active teacher of a college" rule.
Each finding is the behaviour the project's rules promise; one not fixed yet is a strict xfail. Real PostgreSQL,
the app's routes as the app calls them."""

import uuid
from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.notifications.outbox import notify_expiring_offers
from backend.services.dispatch import roster_teacher_and_owner
from backend.services.transitions import _RECORD_FACTS
from shared.credit import presence_categories
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.dispatch_area import (
    AppClock,
    Area,
    last_notification,
    offers_of,
    request_status,
    submit,
    told_since,
)

SEED_ADMIN = "084-444-4444"
MOVED = ("ace", "bee", "cat")  # the three the job is offered to first (the best ranked at the near college)


def _offers(database_url: str, rid: str) -> dict[str, tuple[str, Any]]:
    return {str(o["technician_id"]): (o["status"], o["college_id"]) for o in offers_of(database_url, rid)}


async def _offered_to_the_first_three(api: Any, area: Area, database_url: str) -> str:
    _, request = await submit(api)
    rid: str = request["id"]
    pending = sorted(str(o["technician_id"]) for o in offers_of(database_url, rid) if o["status"] == "pending")
    assert pending == sorted(area.students[name][0] for name in MOVED)
    return rid


async def test_an_admins_move_hands_the_offers_on_to_the_colleges_next_student(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """1, a move made in the app: an admin moving a student to another college ended their pending offers as if
    they had run out (staff.end_open_offers set `expires_at` to now), so the clock's next turn counted the college's
    SLA as spent and escalated the job to the next college, skipping the old college's fitting students who were
    never asked. The move now does what the clock does for a move made outside the app (`end_offers_moved_away`):
    the offers are withdrawn (each student told) and the job is offered to the college's next fitting student, in
    the move's own transaction."""
    api, _ = app_and_clock
    rid = await _offered_to_the_first_three(api, area, database_url)
    before = last_notification(database_url)
    admin, _ = await sign_in(api, SEED_ADMIN)
    for name in MOVED:
        moved = await api.post(f"/colleges/{area.far}/students", headers=bearer(admin),
                               json={"phone": area.students[name][1], "skills": {"electrical_appliance": 3}})
        assert moved.status_code == 201, moved.text
    offers = _offers(database_url, rid)
    assert all(offers[area.students[name][0]][0] == "withdrawn" for name in MOVED)  # before the fix: pending
    assert offers[area.students["dan"][0]] == ("pending", area.near)  # the college's next fitting student
    assert request_status(database_url, rid) == "offered"
    assert told_since(database_url, rid, area.students["ace"][0], before) == [("offer_withdrawn", None)]


async def test_a_teachers_switch_off_hands_the_offers_on_to_the_colleges_next_student(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """1, the student's membership ends (their teacher switches them off the roster): the same lapse, the same
    skipped students; now the same hand-on as a decline's."""
    api, _ = app_and_clock
    rid = await _offered_to_the_first_three(api, area, database_url)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    for name in MOVED:
        off = await api.put(f"/supervisor/technicians/{area.students[name][0]}", headers=bearer(teacher),
                            json={"is_active": False})
        assert off.status_code == 200, off.text
    offers = _offers(database_url, rid)
    assert all(offers[area.students[name][0]][0] == "withdrawn" for name in MOVED)  # before the fix: pending
    assert offers[area.students["dan"][0]] == ("pending", area.near)


async def test_the_offer_list_lists_no_offer_of_a_college_the_student_left(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """2: the student's open offers (`my_offer_cards(true, ...)`, the app's offers feed) asked only the roster (an
    active student taking jobs), not the offer's college: a student moved to another college outside the app (or
    past a dispatch racing the app's move) still saw the old college's offer listed until the clock's turn, and
    its accept then answered 409. The list now asks the accept's own rule (`private.holds_offer_open_at`)."""
    api, _ = app_and_clock
    rid = await _offered_to_the_first_three(api, area, database_url)
    ace_id, ace_phone = area.students["ace"]
    token, _ = await sign_in(api, ace_phone)
    listed = (await api.get("/technician/offers", headers=bearer(token))).json()
    assert [o["request_id"] for o in listed] == [rid]
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        conn.execute("update public.profiles set college_id = %s where id = %s", [area.far, ace_id])
    listed = (await api.get("/technician/offers", headers=bearer(token))).json()
    assert [o["request_id"] for o in listed] == []  # before the fix: [rid], an offer its accept refuses
    offer_id = next(o["id"] for o in offers_of(database_url, rid) if str(o["technician_id"]) == ace_id)
    refused = await api.post(f"/offers/{offer_id}/accept", headers=bearer(token))
    assert refused.status_code == 409, refused.text


def _teacher(conn: psycopg.Connection[dict[str, Any]], college: Any, name: str) -> str:
    user_id = uuid.uuid4()
    conn.execute("select private.create_phone_user(%s, %s, true)", [user_id, "66" + fresh_phone()[1:]])
    conn.execute("update public.profiles set role = 'supervisor', college_id = %s, display_name = %s where id = %s",
                 [college, name, user_id])
    return str(user_id)


async def _what_each_place_says(api: Any, pool: AsyncConnectionPool[Any], admin: str, area: Area, rid: str,
                                people: list[str], now: datetime) -> dict[str, set[str] | bool]:
    """Whom each place that asks "an active teacher of the college" counts, among `people` (the area's teacher and
    the edge cases), for the near college of the offered request `rid`."""
    listed = await api.get(f"/admin/requests/{rid}/teachers", headers=bearer(admin))
    assert listed.status_code == 200, listed.text
    async with pool.connection() as conn:
        async def ask(query: str, params: Any) -> list[dict[str, Any]]:
            rows: list[dict[str, Any]] = await (await conn.execute(query, params)).fetchall()
            return rows
        has = (await ask("select private.college_has_teacher(%s) as has", [area.near]))[0]["has"]
        deciders = {str(r["id"]) for r in await ask(
            "select id from private.deciders(%s, null, null) where not admin", [area.near])}
        facts = set()
        for person in people:  # the step's check of a teacher named present (transitions._RECORD_FACTS)
            row = (await ask(_RECORD_FACTS, {"id": rid, "student": area.students["ace"][0], "teacher": person,
                                             "presence": presence_categories()}))[0]
            if row["teacher_of_college"]:
                facts.add(person)
        async with conn.transaction():  # the clock's "offers expiring" messages (outbox), then left unwritten
            await conn.execute("delete from public.notifications where kind = 'offer_expiring' and request_id = %s",
                               [rid])
            await notify_expiring_offers(conn, now, timedelta(days=1))
            told = {str(r["recipient_id"]) for r in await ask(
                "select recipient_id from public.notifications where kind = 'offer_expiring' and request_id = %s",
                [rid])}
            hands = await roster_teacher_and_owner(conn, uuid.UUID(area.students["ace"][0]), True,
                                                   uuid.UUID(rid))
            await conn.execute("rollback")
    return {"admin's route": {t["id"] for t in listed.json()} & set(people), "deciders": deciders & set(people),
            "step's check": facts, "outbox": told & set(people), "has_teacher": has, "roster": hands.teacher}


async def test_every_place_counts_the_same_active_teachers(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """3: "an active teacher of the college" (a supervisor of it whose account is active) was typed in SQL in each
    place that asks it: dispatch (`_teacher_ok` through `private.college_has_teacher`, `roster_teacher_and_owner`),
    the step's check of a teacher named present (transitions `_RECORD_FACTS`), the deciders of a check, the clock's
    "offers expiring" messages (outbox) and the admin's teachers read (`GET /admin/requests/{id}/teachers`). Now one
    function (`private.active_teachers`, 0121); all places count the same people on the edge cases: a suspended
    teacher, one whose membership ended (made a citizen), a deleted account, a teacher of another college."""
    api, clock = app_and_clock
    rid = await _offered_to_the_first_three(api, area, database_url)
    admin, _ = await sign_in(api, SEED_ADMIN)
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        suspended = _teacher(conn, area.near, "ครู พัก")
        ended = _teacher(conn, area.near, "ครู ออก")
        deleted = _teacher(conn, area.near, "ครู ลบ")
        elsewhere = _teacher(conn, area.far, "ครู ไกล")
        conn.execute("update public.profiles set is_active = false where id = %s", [suspended])
        conn.execute("update public.profiles set role = 'citizen' where id = %s", [ended])
        conn.execute("delete from auth.users where id = %s", [deleted])
    active = area.students["teacher"][0]
    people = [active, suspended, ended, deleted, elsewhere]
    said = await _what_each_place_says(api, pool, admin, area, rid, people, clock.now)
    assert said == {"admin's route": {active}, "deciders": {active}, "step's check": {active}, "outbox": {active},
                    "has_teacher": True, "roster": True}
    with psycopg.connect(database_url, autocommit=True) as conn:  # the last active teacher suspended too
        conn.execute("update public.profiles set is_active = false where id = %s", [active])
    said = await _what_each_place_says(api, pool, admin, area, rid, people, clock.now)
    assert said == {"admin's route": set(), "deciders": set(), "step's check": set(), "outbox": set(),
                    "has_teacher": False, "roster": False}
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set is_active = true where id = %s", [active])
