"""review18a: a hostile review of this session's first new code (the clock's revival and reminders, work that
changes hands, withdrawing a part). Each test here shows a defect found on main today: marked xfail(strict) so the
branch stays green; the fixer removes the mark with the fix."""

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.settings import Settings
from tests.integration.dispatch_area import (
    AppClock,
    Area,
    assigned_by_teacher,
    kinds_told,
    step,
    work_to_quality_check,
)

MINUTE = timedelta(minutes=1)


def backdate_request(database_url: str, rid: str, by: timedelta) -> None:
    """The whole job happened `by` earlier (its timeline and its row): a job from before the clock's reminders."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.status_events set created_at = created_at - %s where request_id = %s", [by, rid])
        conn.execute("update public.repair_requests set created_at = created_at - %s, updated_at = updated_at - %s "
                     "where id = %s", [by, by, rid])


@pytest.mark.xfail(strict=True, reason="review18a: the first turn of the clock after the deploy reminds the owner "
                                       "of an item repaired two years ago (and tells the teacher it waits 730 days)")
async def test_an_item_repaired_two_years_ago_is_not_reminded_on_the_first_turn_after_the_deploy(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area)
    await work_to_quality_check(api, bee, rid)
    assert (await step(api, teacher, rid, "done")).status_code == 200
    # Repaired two years before the reminders existed, never recorded as handed back (the item went home long ago).
    backdate_request(database_url, rid, timedelta(days=730))
    await tick(pool, settings, datetime.now(UTC) + MINUTE)  # the first turn of the clock after the deploy
    assert "collect_reminder" not in kinds_told(database_url, rid, role="citizen")
    assert "uncollected" not in kinds_told(database_url, rid, role="supervisor")
