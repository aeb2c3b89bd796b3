"""Who gets the work and who gets served: dispatch's ranking, distances, escalation and rounds, on a real PostgreSQL
(regressions from audit18c)."""

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.db import service_tx
from backend.services.dispatch import DispatchPolicy, expire_overdue
from backend.settings import Settings
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import (
    ADMIN_PHONE,
    AppClock,
    Area,
    _college,
    _student,
    approve_and_hand_back,
    assigned_by_teacher,
    confirm_handover,
    submit,
    work_to_quality_check,
)

Conn = psycopg.Connection[dict[str, Any]]


class Builder:
    """Colleges and people made for one test; its colleges are closed at its end, leaving the area empty."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self.colleges: list[uuid.UUID] = []

    def college(self, name: str, lat: float, lon: float, radius: int = 40) -> uuid.UUID:
        made = _college(self.conn, name, lat, lon, radius)
        self.colleges.append(made)
        return made

    def person(self, college: uuid.UUID, name: str, skills: dict[str, int], *, prefix: str = "",
               role: str = "technician") -> tuple[str, str]:
        return _student(self.conn, college, name, skills, role, prefix=prefix)


@pytest.fixture
def build(database_url: str) -> Iterator[Builder]:
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        builder = Builder(conn)
        yield builder
        if builder.colleges:
            conn.execute("update public.colleges set is_active = false where id = any(%s)", [builder.colleges])


def offers(database_url: str, request_id: str) -> list[dict[str, Any]]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return conn.execute(
            "select id, technician_id::text as technician_id, college_id, status, rank, distance_km::float as km "
            "from public.offers where request_id = %s order by created_at, rank", [request_id]).fetchall()


async def answer(api: Any, person: tuple[str, str], offer_id: Any, what: str) -> None:
    token, _ = await sign_in(api, person[1])
    response = await api.post(f"/offers/{offer_id}/{what}", headers=bearer(token))
    assert response.status_code in (200, 204), response.text


NEAR = (19.3050, 97.9650)  # ~0.7 km from HOME


def _declining_college(build: Builder) -> dict[str, tuple[str, str]]:
    """One college near HOME: three best students who will decline, then four beginners (their ids sort first) and
    one strong student (level 4, id sorting last) left for the next round."""
    near = build.college("ใกล้", *NEAR)
    people = {f"top{i}": build.person(near, f"ท็อป {i}", {"electrical_appliance": 5}) for i in range(3)}
    people |= {f"weak{i}": build.person(near, f"มือใหม่ {i}", {"electrical_appliance": 1}, prefix=f"0000000{i}")
               for i in range(4)}
    people["strong"] = build.person(near, "เก่ง รอง", {"electrical_appliance": 4}, prefix="ffffffff")
    return people


async def _all_first_offers_declined(api: Any, people: dict[str, tuple[str, str]], database_url: str,
                                     request_id: str) -> list[dict[str, Any]]:
    first = offers(database_url, request_id)
    by_id = {v[0]: v for v in people.values()}
    assert {o["technician_id"] for o in first} == {people[f"top{i}"][0] for i in range(3)}
    for offer in first:
        await answer(api, by_id[offer["technician_id"]], offer["id"], "decline")
    return offers(database_url, request_id)


async def test_a_decline_offers_the_job_to_the_next_best_ranked_student(
        app_and_clock: AppClock, build: Builder, database_url: str) -> None:
    """README: 'offers go to the 3 best-ranked students (skill, open jobs, rating) ... A decline moves to the next
    student'. With the three best gone, the next best is the level-4 student, not a level-1 beginner."""
    api, _ = app_and_clock
    people = _declining_college(build)
    _, request = await submit(api)
    after = await _all_first_offers_declined(api, people, database_url, request["id"])
    pending = [o for o in after if o["status"] == "pending"]
    assert len(pending) == 1
    assert pending[0]["technician_id"] == people["strong"][0]


async def test_an_offer_after_a_decline_says_how_far_the_job_is(
        app_and_clock: AppClock, build: Builder, database_url: str) -> None:
    """The offer card shows the student `distance_km` ("0 กม.") and the app sorts their offers by it (nearest
    first): the next student's offer of the same job at the same college is as far away as the first ones."""
    api, _ = app_and_clock
    people = _declining_college(build)
    _, request = await submit(api)
    after = await _all_first_offers_declined(api, people, database_url, request["id"])
    first_km = {o["km"] for o in after if o["status"] == "declined"}
    assert len(first_km) == 1 and first_km.pop() > 0.5  # ~0.7 km from the college
    pending = [o for o in after if o["status"] == "pending"]
    assert len(pending) == 1
    assert pending[0]["km"] == after[0]["km"]
    token, _ = await sign_in(api, next(p for p in people.values() if p[0] == pending[0]["technician_id"])[1])
    cards = (await api.get("/technician/offers", headers=bearer(token))).json()
    card = next(c for c in cards if c["request_id"] == request["id"])
    assert card["distance_km"] == after[0]["km"]


async def test_a_reopened_job_that_was_assigned_says_how_far_it_is(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """The same as an offer after a decline, by another path: the teacher assigned the job to a student it was not
    offered to (dispatch.assign writes that student's offer with distance 0), it was handed back and its owner
    reopened it; the student is offered it again with the card saying 0 km, though the college is as far from the
    job as before."""
    api, _ = app_and_clock
    # dan, fourth in rank, was not offered it: the teacher's assign writes his offer itself.
    citizen, teacher, dan, rid = await assigned_by_teacher(api, area, "dan")
    await work_to_quality_check(api, dan, rid)
    await approve_and_hand_back(api, citizen, teacher, rid)
    reopened = await api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่หาย"}, headers=bearer(citizen))
    assert reopened.status_code == 200, reopened.text
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "select 6371.0 * 2 * asin(sqrt(power(sin(radians(c.lat - r.lat) / 2), 2) + cos(radians(r.lat)) "
            "* cos(radians(c.lat)) * power(sin(radians(c.lon - r.lon) / 2), 2))) from public.repair_requests r "
            "join public.colleges c on c.id = r.college_id where r.id = %s", [rid]).fetchone()
    assert row is not None and row[0] > 0.5
    pending = [o for o in offers(database_url, rid) if o["status"] == "pending"]
    assert [o["technician_id"] for o in pending] == [area.students["dan"][0]]  # the student who did it, first
    assert [o["km"] for o in pending] == [round(row[0], 2)]


async def test_a_reopened_round_offered_to_a_student_who_moved_can_be_accepted(
        app_and_clock: AppClock, build: Builder, database_url: str) -> None:
    """aftercare.reopen: the job goes back to the college that did it, 'else its other fitting students'. One of
    them was offered the job's first round at their former college and declined it there; the new round's offer is
    in their feed, and accepting it must give them the job (the accept checks the offer's college is theirs)."""
    api, _ = app_and_clock
    first = build.college("เดิม", *NEAR)
    second = build.college("ใหม่", 19.4000, 97.9700)  # ~11 km from HOME
    mover = build.person(first, "ย้าย มา", {"electrical_appliance": 3})
    doer = build.person(second, "ทำ งาน", {"electrical_appliance": 3})
    teacher = build.person(second, "ครู ใหม่", {}, role="supervisor")
    citizen, request = await submit(api)
    rid = request["id"]
    made = offers(database_url, rid)
    assert [o["technician_id"] for o in made] == [mover[0]]
    await answer(api, mover, made[0]["id"], "decline")  # nobody else at the first college: on to the second
    escalated = [o for o in offers(database_url, rid) if o["status"] == "pending"]
    assert [(o["technician_id"], o["college_id"]) for o in escalated] == [(doer[0], second)]
    await answer(api, doer, escalated[0]["id"], "accept")
    doer_token, _ = await sign_in(api, doer[1])
    await work_to_quality_check(api, doer_token, rid)
    teacher_token, _ = await sign_in(api, teacher[1])
    await approve_and_hand_back(api, citizen, teacher_token, rid)
    # The student who did it is switched off; the one who declined at the first college has moved to the second.
    build.conn.execute("update public.profiles set takes_jobs = false where id = %s", [doer[0]])
    build.conn.execute("update public.profiles set college_id = %s where id = %s", [second, mover[0]])
    reopened = await api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่หาย"}, headers=bearer(citizen))
    assert reopened.status_code == 200, reopened.text
    pending = [o for o in offers(database_url, rid) if o["status"] == "pending"]
    assert [o["technician_id"] for o in pending] == [mover[0]]
    mover_token, _ = await sign_in(api, mover[1])
    accepted = await api.post(f"/offers/{pending[0]['id']}/accept", headers=bearer(mover_token))
    assert accepted.status_code == 200, accepted.text


async def _lapse(pool: AsyncConnectionPool[Any], settings: Settings, when: Any) -> None:
    """The SLA clock's turn at `when`, as the background tick runs it."""
    policy = DispatchPolicy(offer_count=settings.dispatch_offer_count,
                            sla=timedelta(minutes=settings.dispatch_sla_minutes))
    async with service_tx(pool) as owner:
        await expire_overdue(owner, when, policy)


async def test_escalation_passes_a_college_whose_fitting_students_were_all_asked(
        app_and_clock: AppClock, build: Builder, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """dispatch.py: an unanswered offer escalates 'to the next nearest college'; README: 'with nobody in range the
    request waits as no centre'. A student who declined at the nearest college and then moved to the next one is
    not asked again there (the clock never asks a student twice), so that college has nobody to ask: the job goes
    on to the college after it, whose student fits and was never asked."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    first = build.college("แรก", *NEAR)
    second = build.college("สอง", 19.3500, 97.9700)  # ~5.6 km from HOME
    third = build.college("สาม", 19.4000, 97.9700)  # ~11 km from HOME
    mover = build.person(first, "ย้าย ไป", {"electrical_appliance": 3})
    stayer = build.person(first, "อยู่ ต่อ", {"electrical_appliance": 3})
    build.person(second, "ช่าง ประปา", {"plumbing": 5})
    waiting = build.person(third, "รอ งาน", {"electrical_appliance": 3})
    _, request = await submit(api)
    made = offers(database_url, request["id"])
    assert {o["technician_id"] for o in made} == {mover[0], stayer[0]}
    await answer(api, mover, next(o["id"] for o in made if o["technician_id"] == mover[0]), "decline")
    # The student moves to the second college (as an accepted invitation, or the operator, would move them): the
    # triggers put their skills on its roster.
    build.conn.execute("update public.profiles set college_id = %s where id = %s", [second, mover[0]])
    await _lapse(pool, settings, clock.now + timedelta(minutes=settings.dispatch_sla_minutes + 1))
    after = offers(database_url, request["id"])
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select status::text, college_id from public.repair_requests where id = %s",
                           [request["id"]]).fetchone()
    assert row is not None
    assert row[0] == "offered" and row[1] == third
    assert [o["technician_id"] for o in after if o["status"] == "pending"] == [waiting[0]]


async def test_a_high_tier_job_goes_to_a_college_whose_teacher_can_be_present(
        app_and_clock: AppClock, build: Builder, database_url: str) -> None:
    """README: 'the high tier's diagnosing and repairing steps name a teacher of the college present'. A college
    with no teacher has nobody to name: a student there who accepts an air-conditioning job can never start it, and
    the job stays accepted until the citizen cancels or an administrator happens to take it back (nothing escalates
    an accepted job; it is not among GET /admin/undecided's). The next college, whose teacher can be present, was
    in range."""
    api, _ = app_and_clock
    teacherless = build.college("ไม่มีครู", *NEAR)
    staffed = build.college("มีครู", 19.4000, 97.9700)  # ~11 km from HOME
    alone = build.person(teacherless, "ไม่มี ครู", {"refrigeration_ac": 3})
    student = build.person(staffed, "มี ครู", {"refrigeration_ac": 3})
    teacher = build.person(staffed, "ครู แอร์", {}, role="supervisor")
    _, request = await submit(api, category_code="air_conditioning", item="แอร์ติดผนัง")
    made = offers(database_url, request["id"])
    assert len(made) == 1
    offered = alone if made[0]["technician_id"] == alone[0] else student
    await answer(api, offered, made[0]["id"], "accept")
    token, _ = await sign_in(api, offered[1])
    started = await api.post(f"/requests/{request['id']}/status",
                             json={"to_status": "diagnosing", "teacher_present_id": teacher[0]},
                             headers=bearer(token))
    assert started.status_code == 200, started.text
    assert made[0]["college_id"] == staffed


async def test_an_admin_is_told_a_chosen_college_has_no_teacher_for_a_high_tier_job(
        app_and_clock: AppClock, build: Builder, database_url: str) -> None:
    """A high-tier job waiting as no centre, sent on by an administrator to a college whose student fits but which
    has no active teacher: refused with why (not "nobody fits", which is not so), nothing offered; once the college
    has a teacher the same send-on offers it."""
    api, _ = app_and_clock
    teacherless = build.college("ไม่มีครู ส่งต่อ", *NEAR)
    student = build.person(teacherless, "ช่าง แอร์", {"refrigeration_ac": 3})
    _, request = await submit(api, category_code="air_conditioning", item="แอร์ติดผนัง")
    assert offers(database_url, request["id"]) == []
    admin, _ = await sign_in(api, ADMIN_PHONE)
    refused = await api.post(f"/requests/{request['id']}/dispatch", json={"college_id": str(teacherless)},
                             headers=bearer(admin))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "no_teacher_at_college", refused.text
    assert offers(database_url, request["id"]) == []
    build.person(teacherless, "ครู มาใหม่", {}, role="supervisor")
    sent = await api.post(f"/requests/{request['id']}/dispatch", json={"college_id": str(teacherless)},
                          headers=bearer(admin))
    assert sent.status_code == 200, sent.text
    assert [o["technician_id"] for o in offers(database_url, request["id"])] == [student[0]]


async def test_a_helper_on_a_job_under_way_counts_as_holding_it(
        app_and_clock: AppClock, build: Builder, database_url: str) -> None:
    """shared/matching.py ranks by 'open_jobs: jobs they hold now (accepted … quality check)', fewer first; README:
    'A helper on a job under way holds it as its lead does' (private.jobs_in_hand counts the team's current round,
    409 student_has_jobs). A student helping on a job is ranked behind equally skilled students holding nothing."""
    api, _ = app_and_clock
    college = build.college("ผู้ช่วย", *NEAR)
    people = {f"s{i}": build.person(college, f"นักศึกษา {i}", {"electrical_appliance": 3}, prefix=f"{i}0000000")
              for i in range(1, 4)}
    people["s4"] = build.person(college, "นักศึกษา สี่", {"electrical_appliance": 3}, prefix="f0000000")
    lead = build.person(college, "หัวหน้า งาน", {"electrical_appliance": 3}, prefix="e0000000")
    teacher = build.person(college, "ครู ผู้ช่วย", {}, role="supervisor")
    _, first = await submit(api)
    teacher_token, _ = await sign_in(api, teacher[1])
    assigned = await api.post(f"/requests/{first['id']}/assign", json={"technician_id": lead[0]},
                              headers=bearer(teacher_token))
    assert assigned.status_code == 200, assigned.text
    lead_token, _ = await sign_in(api, lead[1])
    joined = await api.post(f"/requests/{first['id']}/team", json={"technician_id": people["s1"][0],
                                                                   "task": "ช่วยถอดฝา"}, headers=bearer(lead_token))
    assert joined.status_code == 204, joined.text
    with psycopg.connect(database_url) as conn:
        held = conn.execute("select private.jobs_in_hand(%s)", [people["s1"][0]]).fetchone()
    assert held is not None and held[0] == 1  # the project's own count: s1 holds the job
    _, second = await submit(api)
    asked = {o["technician_id"] for o in offers(database_url, second["id"])}
    assert asked == {people["s2"][0], people["s3"][0], people["s4"][0]}


async def test_equally_fitting_idle_students_share_the_offers(
        app_and_clock: AppClock, build: Builder, database_url: str) -> None:
    """shared/matching.py ranks 'fewer open jobs (spread the work and the learning)'; the job is the student's
    training hours and credit. Four students of one college hold the same skill at the same level; the first job's
    offers go to the three whose ids sort first, one of them does it and it is checked. The next job is offered to
    that same student again, ahead of the fourth, who has never been offered anything: ranked by id, the fourth is
    offered nothing as long as the three are free, however many jobs the college gets."""
    api, _ = app_and_clock
    college = build.college("แบ่งงาน", *NEAR)
    people = {f"s{i}": build.person(college, f"นักศึกษา {i}", {"electrical_appliance": 3}, prefix=f"{i}0000000")
              for i in range(1, 4)}
    people["s4"] = build.person(college, "นักศึกษา สี่", {"electrical_appliance": 3}, prefix="f0000000")
    teacher = build.person(college, "ครู แบ่ง", {}, role="supervisor")
    citizen, first = await submit(api)
    made = offers(database_url, first["id"])
    assert {o["technician_id"] for o in made} == {people[f"s{i}"][0] for i in range(1, 4)}
    await answer(api, people["s1"], next(o["id"] for o in made if o["technician_id"] == people["s1"][0]), "accept")
    s1_token, _ = await sign_in(api, people["s1"][1])
    await work_to_quality_check(api, s1_token, first["id"])
    teacher_token, _ = await sign_in(api, teacher[1])
    checked = await api.post(f"/requests/{first['id']}/status", json={"to_status": "done"},
                             headers=bearer(teacher_token))
    assert checked.status_code == 200, checked.text
    await confirm_handover(api, citizen, first["id"])
    _, second = await submit(api)
    again = {o["technician_id"] for o in offers(database_url, second["id"])}
    assert len(again) == 3
    assert people["s4"][0] in again


async def test_students_tied_at_the_cut_are_ranked_by_the_later_keys_and_no_weaker_one_is_asked(
        app_and_clock: AppClock, build: Builder, database_url: str) -> None:
    """dispatch's plan (disp24) reads jobs in hand, rating and last offer only for the students the ranking could
    offer the job to: those with fewer than three better skilled. Every student tied at the cut must still be there
    for shared.matching.rank's later keys. One student at level 5, three at level 4 (the one whose id sorts first
    holds a job), one at level 3 whose id sorts before them all: the offers go to the 5 and the two idle 4s, the
    one least recently offered a job first, never to the busy 4 or the 3."""
    api, _ = app_and_clock
    college = build.college("ตัดอันดับ", *NEAR)
    ace = build.person(college, "เอ ห้า", {"electrical_appliance": 5}, prefix="a0000000")
    four = {f"b{i}": build.person(college, f"บี {i}", {"electrical_appliance": 4}, prefix=f"b{i}000000")
            for i in range(1, 4)}
    low = build.person(college, "ซี สาม", {"electrical_appliance": 3}, prefix="00000000")
    teacher = build.person(college, "ครู ตัด", {}, role="supervisor")
    _, first = await submit(api)
    # Ranked by id among the idle 4s: ace, b1, b2 are asked; the teacher gives the job to b1.
    assert [o["technician_id"] for o in offers(database_url, first["id"])] == [ace[0], four["b1"][0],
                                                                               four["b2"][0]]
    teacher_token, _ = await sign_in(api, teacher[1])
    assigned = await api.post(f"/requests/{first['id']}/assign", json={"technician_id": four["b1"][0]},
                              headers=bearer(teacher_token))
    assert assigned.status_code == 200, assigned.text
    _, second = await submit(api)
    # b3 (never offered a job) before b2 (offered the first); b1, first by id, holds a job; the 3 is never asked.
    assert [o["technician_id"] for o in offers(database_url, second["id"])] == [ace[0], four["b3"][0],
                                                                                four["b2"][0]]
    assert low[0] not in {o["technician_id"] for o in offers(database_url, second["id"])}
