"""audit14b: time rules that are wrong for a Thai user at some hour (the server runs in UTC, people live in
Asia/Bangkok, UTC+7). Each test shows one finding and is marked xfail(strict) until it is fixed."""

from datetime import UTC, datetime, timedelta

import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.db import service_tx
from backend.services.dispatch import DispatchPolicy, expire_overdue
from backend.settings import Settings
from shared.notifications import Kind, QuietHours, quiet_until
from tests.integration.dispatch_area import AppClock, Area, offers_of, submit


@pytest.mark.xfail(strict=True, reason="audit14b: the SLA clock runs through the students' quiet hours: a request made "
                                       "at 23:30 Bangkok leaves its nearest college before any student was told")
async def test_a_request_made_at_night_is_not_taken_from_its_college_before_its_students_could_hear_of_it(
    app_and_clock: AppClock, area: Area, database_url: str, settings: Settings
) -> None:
    """backend/services/dispatch.py: an offer expires `sla` (30 min) after it is made, whatever the hour, while the
    students' "new job" message waits for the end of their quiet hours (21:00-07:00 Bangkok by default, offers
    included unless a student opted in), and a held offer message is skipped once the offer ran out. A request
    filed at 23:30 in Bangkok (16:30 UTC) is escalated at midnight to the next college (whose students sleep too),
    and by 00:30 waits as "no centre": the nearest college's students, who never heard of it, find nothing in the
    morning."""
    api, clock = app_and_clock
    clock.now = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)  # 23:30 in Bangkok
    told_at = quiet_until(clock.now, QuietHours(), Kind.OFFER_NEW)
    assert told_at is not None and told_at.astimezone(UTC) == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # 07:00 BKK
    _, request = await submit(api)
    near = [o for o in offers_of(database_url, request["id"]) if o["college_id"] == area.near]
    assert len(near) == 3 and {o["status"] for o in near} == {"pending"}

    policy = DispatchPolicy(offer_count=settings.dispatch_offer_count,
                            sla=timedelta(minutes=settings.dispatch_sla_minutes))
    async with (AsyncConnectionPool(database_url, kwargs={"row_factory": dict_row, "autocommit": True}) as pool,
                service_tx(pool) as owner):  # type: ignore[arg-type]
        await expire_overdue(owner, clock.now + timedelta(minutes=31), policy)  # 00:01 in Bangkok
    near = [o for o in offers_of(database_url, request["id"]) if o["college_id"] == area.near]
    assert {o["status"] for o in near} == {"pending"}, "escalated at midnight, before 07:00 when its students hear"
