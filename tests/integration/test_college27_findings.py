"""college27: offers when a student leaves the offer's college, and the one "active teacher of a college" rule.
Each finding is the behaviour the project's rules promise; one not fixed yet is a strict xfail. Real PostgreSQL,
the app's routes as the app calls them."""

from typing import Any

import psycopg
from psycopg.rows import dict_row

from tests.helpers import bearer, sign_in
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

