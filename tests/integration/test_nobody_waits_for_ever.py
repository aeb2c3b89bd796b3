"""Nobody waits for ever, part 2 (shared/reminders.py): a request that ended `no_centre` is tried again when a
fitting student comes into range; a job in a student's hands past its step's days reminds its student, then the
college; a repaired item nobody collects reminds its owner, then the college. Each once, whichever copy's clock runs:
driven on a real PostgreSQL with the clock (backend.dispatch_ticks.tick) turned by hand at a moved clock."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.settings import Settings
from shared.reminders import COLLECT_ESCALATE_AFTER, COLLECT_REMIND_AFTER, IN_HAND_DUE, RETRY_WINDOW, STALLED_GRACE
from shared.statuses import RequestStatus
from tests.helpers import bearer, sign_in
from tests.integration.builders import failing_writes
from tests.integration.dispatch_area import (
    AppClock,
    Area,
    accepted_job,
    backdate_acceptance,
    confirm_handover,
    failing_status_change,
    kinds_told,
    offers_of,
    repaired_job,
    request_status,
    step,
    submit,
)

MINUTE = timedelta(minutes=1)


def approve_skill(database_url: str, student_id: str, skill: str = "plumbing", level: int = 5) -> None:
    """A teacher approved a student's new skill (the dispatch index follows, migration 0023)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("insert into public.technician_skills values (%s, %s, %s)", [student_id, skill, level])


def timeline_notes(database_url: str, request_id: str) -> list[str | None]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("select note_code from public.status_events where request_id = %s order by id",
                            [request_id]).fetchall()
    return [r[0] for r in rows]


async def _lapsed_plumbing_request(app: AppClock, settings: Settings, pool: AsyncConnectionPool[Any],
                                   database_url: str) -> tuple[str, str]:
    """A plumbing request whose only fitting student (the near college's plumber) let the offer lapse: it waits as
    `no_centre` (note no_taker). Returns (the citizen's token, the request id)."""
    api, clock = app
    citizen, request = await submit(api, category_code="plumbing")
    clock.now += timedelta(minutes=settings.dispatch_sla_minutes + 1)
    await tick(pool, settings, clock.now)
    assert request_status(database_url, request["id"]) == "no_centre"
    return citizen, request["id"]


async def test_a_request_nobody_took_is_offered_again_to_a_student_who_came_into_range_and_its_citizen_told_once(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, rid = await _lapsed_plumbing_request(app_and_clock, settings, pool, database_url)
    plumber, ace = area.students["plumber"][0], area.students["ace"][0]
    await tick(pool, settings, clock.now + MINUTE)  # nobody new in range: it waits for the admin, as before
    assert request_status(database_url, rid) == "no_centre"
    assert kinds_told(database_url, rid, role="citizen") == ["no_taker"]

    approve_skill(database_url, ace)  # ace of the near college can repair plumbing now
    for _ in range(3):  # several turns (several copies' clocks): offered once, told once
        await tick(pool, settings, clock.now + 2 * MINUTE)
    assert request_status(database_url, rid) == "offered"
    # Only the student never asked: the plumber who let it lapse is not asked again by the clock.
    assert sorted((o["technician_id"], o["status"]) for o in offers_of(database_url, rid)) == sorted(
        [(plumber, "expired"), (ace, "pending")])
    assert kinds_told(database_url, rid, role="citizen") == ["no_taker", "sent_again"]
    assert timeline_notes(database_url, rid)[-1] == "sent_again"
    ace_token, _ = await sign_in(api, area.students["ace"][1])
    offer_id = next(o["id"] for o in offers_of(database_url, rid) if o["technician_id"] == ace)
    assert (await api.post(f"/offers/{offer_id}/accept", headers=bearer(ace_token))).status_code == 200


async def test_an_old_or_cancelled_request_is_never_revived(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    api, clock = app_and_clock
    clock.to_plain_hours()
    citizen, cancelled = await _lapsed_plumbing_request(app_and_clock, settings, pool, database_url)
    gone = await api.post(f"/requests/{cancelled}/cancel", json={"note": "ซ่อมเองได้แล้ว"}, headers=bearer(citizen))
    assert gone.status_code == 200, gone.text
    _, old = await _lapsed_plumbing_request(app_and_clock, settings, pool, database_url)
    approve_skill(database_url, area.students["ace"][0])
    # The ask is more than two weeks old (by the timeline's clock, the database's: later than this test's morning).
    await tick(pool, settings, max(clock.now, datetime.now(UTC)) + RETRY_WINDOW + MINUTE)
    assert request_status(database_url, cancelled) == "cancelled"
    assert request_status(database_url, old) == "no_centre"
    assert "sent_again" not in kinds_told(database_url, old, role="citizen")


async def test_a_revival_that_fails_for_one_request_does_not_stop_the_others(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    _, clock = app_and_clock
    clock.to_plain_hours()
    _, poisoned = await _lapsed_plumbing_request(app_and_clock, settings, pool, database_url)
    _, healthy = await _lapsed_plumbing_request(app_and_clock, settings, pool, database_url)
    approve_skill(database_url, area.students["ace"][0])
    with failing_status_change(database_url, poisoned):
        await tick(pool, settings, clock.now + MINUTE)
    assert request_status(database_url, healthy) == "offered"
    assert request_status(database_url, poisoned) == "no_centre"
    assert "sent_again" not in kinds_told(database_url, poisoned, role="citizen")
    await tick(pool, settings, clock.now + 2 * MINUTE)  # mended: the next turn offers it again
    assert request_status(database_url, poisoned) == "offered"
    assert kinds_told(database_url, poisoned, role="citizen")[-1] == "sent_again"


async def test_a_job_past_its_days_reminds_its_student_once_then_the_teacher_once_and_stops_when_it_moves(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """The job's timeline is moved back (its acceptance days ago) and the clock turned at the database's time, so a
    move the student makes now starts its step at the clock's now, as it would."""
    api, _ = app_and_clock
    _, ace, rid = await accepted_job(api, area)
    due_hours = IN_HAND_DUE[RequestStatus.ACCEPTED] / timedelta(hours=1)
    backdate_acceptance(database_url, rid, due_hours - 0.1)
    await tick(pool, settings, datetime.now(UTC))  # within the promised days: nobody is told
    assert "work_overdue" not in kinds_told(database_url, rid, role="technician")
    backdate_acceptance(database_url, rid, 0.2)
    for _ in range(3):  # several turns (several copies' clocks): told once
        await tick(pool, settings, datetime.now(UTC))
    assert kinds_told(database_url, rid, role="technician").count("work_overdue") == 1
    assert "work_stalled" not in kinds_told(database_url, rid, role="supervisor")  # the student's time to act
    backdate_acceptance(database_url, rid, STALLED_GRACE / timedelta(hours=1))
    for _ in range(3):
        await tick(pool, settings, datetime.now(UTC))
    assert kinds_told(database_url, rid, role="supervisor").count("work_stalled") == 1
    assert kinds_told(database_url, rid, role="technician").count("work_overdue") == 1

    moved = await step(api, ace, rid, "diagnosing")  # it moves on: the accepted step's reminders stop
    assert moved.status_code == 200, moved.text
    await tick(pool, settings, datetime.now(UTC) + MINUTE)
    assert kinds_told(database_url, rid, role="technician").count("work_overdue") == 1
    assert kinds_told(database_url, rid, role="supervisor").count("work_stalled") == 1
    # The diagnosing step has its own days, counted from its start.
    await tick(pool, settings, datetime.now(UTC) + IN_HAND_DUE[RequestStatus.DIAGNOSING] + MINUTE)
    assert kinds_told(database_url, rid, role="technician").count("work_overdue") == 2


async def test_a_repaired_item_nobody_collects_reminds_its_owner_once_then_the_teacher_once(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    api, _ = app_and_clock
    citizen, teacher, _, rid = await repaired_job(api, area)
    done_at = datetime.now(UTC)  # the timeline's clock (the database's), after the move
    await tick(pool, settings, done_at + COLLECT_REMIND_AFTER - MINUTE)
    assert kinds_told(database_url, rid, role="citizen")[-1] == "ready"
    for _ in range(3):
        await tick(pool, settings, done_at + COLLECT_REMIND_AFTER + MINUTE)
    assert kinds_told(database_url, rid, role="citizen").count("collect_reminder") == 1
    assert "uncollected" not in kinds_told(database_url, rid, role="supervisor")
    for _ in range(3):
        await tick(pool, settings, done_at + COLLECT_ESCALATE_AFTER + MINUTE)
    assert kinds_told(database_url, rid, role="supervisor").count("uncollected") == 1
    assert kinds_told(database_url, rid, role="citizen").count("collect_reminder") == 1

    await confirm_handover(api, citizen, rid)
    assert (await step(api, teacher, rid, "handed_back")).status_code == 200
    await tick(pool, settings, done_at + 2 * COLLECT_ESCALATE_AFTER)
    assert kinds_told(database_url, rid, role="citizen").count("collect_reminder") == 1
    assert kinds_told(database_url, rid, role="supervisor").count("uncollected") == 1


async def test_an_owner_who_confirmed_receiving_the_item_is_not_asked_to_collect_it(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    api, _ = app_and_clock
    citizen, *_, rid = await repaired_job(api, area)
    done_at = datetime.now(UTC)
    await confirm_handover(api, citizen, rid)  # the teacher has not recorded the hand back yet
    await tick(pool, settings, done_at + COLLECT_ESCALATE_AFTER + MINUTE)
    assert "collect_reminder" not in kinds_told(database_url, rid, role="citizen")
    assert kinds_told(database_url, rid, role="supervisor").count("uncollected") == 1  # record it, or call


async def test_a_reminder_that_fails_for_one_job_does_not_stop_the_others(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    api, _ = app_and_clock
    _, _, poisoned = await accepted_job(api, area, "ace")
    _, _, healthy = await accepted_job(api, area, "bee")
    due = datetime.now(UTC) + IN_HAND_DUE[RequestStatus.ACCEPTED] + MINUTE
    with failing_writes(database_url, "insert", "notifications", "request_id", poisoned,
                        "a notification that fails every time"):
        await tick(pool, settings, due)
    assert kinds_told(database_url, healthy, role="technician").count("work_overdue") == 1
    assert "work_overdue" not in kinds_told(database_url, poisoned, role="technician")
    await tick(pool, settings, due + MINUTE)  # mended: the next turn tells it
    assert kinds_told(database_url, poisoned, role="technician").count("work_overdue") == 1


async def test_an_item_judged_unrepairable_and_not_collected_reminds_its_owner_then_the_teacher_in_its_own_words(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """An unrepairable item goes back to its owner too (shared.credit.HANDOVER_FROM): forgotten at the college, it
    is reminded of as a repaired one is, once each, and the messages do not call it repaired."""
    api, _ = app_and_clock
    citizen, ace, rid = await accepted_job(api, area, "ace")
    for body in ({"to_status": "diagnosing"}, {"to_status": "unrepairable", "reason": "no_parts"}):
        moved = await api.post(f"/requests/{rid}/status", json=body, headers=bearer(ace))
        assert moved.status_code == 200, moved.text
    judged_at = datetime.now(UTC)  # the timeline's clock (the database's), after the move
    await tick(pool, settings, judged_at + COLLECT_REMIND_AFTER - MINUTE)
    assert "collect_reminder" not in kinds_told(database_url, rid, role="citizen")
    for _ in range(2):
        await tick(pool, settings, judged_at + COLLECT_ESCALATE_AFTER + MINUTE)
    assert kinds_told(database_url, rid, role="citizen").count("collect_reminder") == 1
    assert kinds_told(database_url, rid, role="supervisor").count("uncollected") == 1

    items = (await api.get("/me/notifications", headers=bearer(citizen))).json()["items"]
    reminder = next(n for n in items if n["kind"] == "collect_reminder" and n["request_id"] == rid)
    said = f"{reminder['title']} {reminder['body']}"
    assert "ซ่อมไม่ได้" in said and "ซ่อมเสร็จ" not in said, said
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    items = (await api.get("/me/notifications", headers=bearer(teacher))).json()["items"]
    word = next(n for n in items if n["kind"] == "uncollected" and n["request_id"] == rid)
    assert "ซ่อมไม่ได้" in word["body"] and "ซ่อมเสร็จ" not in word["body"], word["body"]


def test_the_clocks_waiting_index_covers_every_status_it_reminds_of(database_url: str) -> None:
    """The reminders' scan (backend/notifications/outbox.py `_WAITS`) reads a partial index (migration 0093): its
    statuses are the ones the scan asks for, or a turn of the clock reads every request ever left behind."""
    from shared.credit import HANDOVER_FROM
    from shared.reminders import IN_HAND_DUE
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select pg_get_expr(i.indpred, i.indrelid) from pg_index i "
                           "where i.indexrelid = 'public.repair_requests_waiting_on_people'::regclass").fetchone()
    assert row is not None
    covered = set(re.findall(r"'(\w+)'", row[0]))
    assert covered == {s.value for s in IN_HAND_DUE} | {s.value for s in HANDOVER_FROM}
