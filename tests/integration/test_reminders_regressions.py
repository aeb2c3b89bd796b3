"""The clock's reminders of a wait on one person (backend/notifications/outbox.py `remind_waiting`), review18a: a
wait that began long before (an item repaired before the reminders existed) is not reminded on the first turn
after the deploy, and a job waiting for its owner's answer on a part is not reported as its student's stall (the
step's days count from the owner's answer)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.settings import Settings
from shared.reminders import IN_HAND_DUE, REMIND_HORIZON, STALLED_GRACE
from shared.statuses import RequestStatus
from tests.helpers import bearer
from tests.integration.dispatch_area import AppClock, Area, kinds_told, repaired_job
from tests.integration.test_waiting_parts_regressions import waiting_part

MINUTE = timedelta(minutes=1)


def backdate_request(database_url: str, rid: str, by: timedelta) -> None:
    """The whole job happened `by` earlier (its timeline and its row): a job from before the clock's reminders."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.status_events set created_at = created_at - %s where request_id = %s", [by, rid])
        conn.execute("update public.repair_requests set created_at = created_at - %s, updated_at = updated_at - %s "
                     "where id = %s", [by, by, rid])


async def test_an_item_repaired_two_years_ago_is_not_reminded_on_the_first_turn_after_the_deploy(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    api, _ = app_and_clock
    *_, rid = await repaired_job(api, area)
    # Repaired two years before the reminders existed, never recorded as handed back (the item went home long ago).
    backdate_request(database_url, rid, timedelta(days=730))
    await tick(pool, settings, datetime.now(UTC) + MINUTE)  # the first turn of the clock after the deploy
    assert "collect_reminder" not in kinds_told(database_url, rid, role="citizen")
    assert "uncollected" not in kinds_told(database_url, rid, role="supervisor")


async def test_an_item_repaired_within_the_horizon_is_still_reminded(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """The bound's other side: a wait a little younger than the horizon is told (owner and college) as before."""
    api, _ = app_and_clock
    *_, rid = await repaired_job(api, area)
    backdate_request(database_url, rid, REMIND_HORIZON - timedelta(hours=1))
    await tick(pool, settings, datetime.now(UTC) + MINUTE)
    assert "collect_reminder" in kinds_told(database_url, rid, role="citizen")
    assert "uncollected" in kinds_told(database_url, rid, role="supervisor")


async def test_a_job_waiting_for_the_owners_answer_on_a_part_is_not_reported_as_the_students_stall(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """bee diagnoses and proposes the part the repair needs; the citizen does not answer for days. The job cannot
    move on without that answer: the wait is the owner's, not bee's. Once the owner answers, the step's days count
    from that answer."""
    api, _ = app_and_clock
    citizen, _, _, rid, part = await waiting_part(api, area)
    with psycopg.connect(database_url, autocommit=True) as conn:  # diagnosing, and the part waiting, for days
        conn.execute("update public.status_events set created_at = created_at - interval '6 days' "
                     "where request_id = %s and to_status = 'diagnosing'", [rid])
        conn.execute("update public.job_parts set proposed_at = proposed_at - interval '6 days' "
                     "where request_id = %s", [rid])
    now = datetime.now(UTC) + MINUTE
    await tick(pool, settings, now)
    assert "work_stalled" not in kinds_told(database_url, rid, role="supervisor")
    assert "work_overdue" not in kinds_told(database_url, rid, role="technician")
    # The owner answers now: bee has the step's days from here, no sooner.
    assert (await api.post(f"/requests/{rid}/parts/{part}/decision", json={"approve": True},
                           headers=bearer(citizen))).status_code == 200
    due = IN_HAND_DUE[RequestStatus.DIAGNOSING]
    await tick(pool, settings, now + due - 2 * MINUTE)
    assert "work_overdue" not in kinds_told(database_url, rid, role="technician")
    await tick(pool, settings, now + due + MINUTE)
    assert "work_overdue" in kinds_told(database_url, rid, role="technician")
    assert "work_stalled" not in kinds_told(database_url, rid, role="supervisor")
    await tick(pool, settings, now + due + STALLED_GRACE + MINUTE)
    assert "work_stalled" in kinds_told(database_url, rid, role="supervisor")
