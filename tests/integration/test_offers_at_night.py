"""An offer's time counts from when its students hear of it: one made in the quiet hours (21:00-07:00 in Bangkok,
when the "new job" message waits) runs out the SLA after 07:00, so a request made at night stays with its nearest
college until its students could answer (found by audit14b). The citizen's expected wait tells the same story."""

from datetime import UTC, datetime, timedelta

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.db import service_tx
from backend.services.dispatch import DispatchPolicy, expire_overdue
from backend.settings import Settings
from shared.notifications import Kind, QuietHours, quiet_until
from tests.helpers import bearer
from tests.integration.dispatch_area import AppClock, Area, offers_of, submit


def _expiries(database_url: str, request_id: str) -> set[datetime]:
    with psycopg.connect(database_url) as conn:
        return {r[0] for r in conn.execute("select expires_at from public.offers where request_id = %s",
                                           [request_id]).fetchall()}


async def test_a_request_made_at_night_is_not_taken_from_its_college_before_its_students_could_hear_of_it(
    app_and_clock: AppClock, area: Area, database_url: str, settings: Settings
) -> None:
    """backend/services/dispatch.py: an offer expired `sla` (30 min) after it was made, whatever the hour, while the
    students' "new job" message waits for the end of their quiet hours (21:00-07:00 Bangkok by default, offers
    included unless a student opted in), and a held offer message is skipped once the offer ran out. A request
    filed at 23:30 in Bangkok (16:30 UTC) was escalated at midnight to the next college (whose students sleep too),
    and by 00:30 waited as "no centre": the nearest college's students, who never heard of it, found nothing in the
    morning. Now its offers run until 07:30, then go on as any unanswered offer."""
    api, clock = app_and_clock
    clock.now = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)  # 23:30 in Bangkok
    told_at = quiet_until(clock.now, QuietHours(), Kind.OFFER_NEW)
    assert told_at is not None and told_at.astimezone(UTC) == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # 07:00 BKK
    citizen, request = await submit(api)
    near = [o for o in offers_of(database_url, request["id"]) if o["college_id"] == area.near]
    assert len(near) == 3 and {o["status"] for o in near} == {"pending"}
    sla = timedelta(minutes=settings.dispatch_sla_minutes)
    assert _expiries(database_url, request["id"]) == {told_at + sla}

    # The citizen is told the students hear of it at 07:00, not "usually within an hour".
    detail = (await api.get(f"/requests/{request['id']}", headers=bearer(citizen))).json()
    assert detail["status"] == "offered" and "07:00" in detail["expected_wait"], detail["expected_wait"]

    policy = DispatchPolicy(offer_count=settings.dispatch_offer_count, sla=sla)
    async with AsyncConnectionPool(database_url, kwargs={"row_factory": dict_row, "autocommit": True}) as pool:
        async with service_tx(pool) as owner:  # type: ignore[arg-type]
            await expire_overdue(owner, clock.now + timedelta(minutes=31), policy)  # 00:01 in Bangkok
        near = [o for o in offers_of(database_url, request["id"]) if o["college_id"] == area.near]
        assert {o["status"] for o in near} == {"pending"}, "escalated at midnight, before 07:00 when its students hear"
        async with service_tx(pool) as owner:  # type: ignore[arg-type]
            await expire_overdue(owner, told_at + sla - timedelta(minutes=1), policy)  # 07:29
        assert {o["status"] for o in offers_of(database_url, request["id"])} == {"pending"}
        async with service_tx(pool) as owner:  # type: ignore[arg-type]
            await expire_overdue(owner, told_at + sla + timedelta(minutes=1), policy)  # 07:31: on to the next
    after = offers_of(database_url, request["id"])
    assert [o["status"] for o in after[:3]] == ["expired"] * 3
    assert {o["college_id"] for o in after[3:]} == {area.far}


async def test_a_request_made_by_day_still_has_the_plain_sla(
    app_and_clock: AppClock, area: Area, database_url: str, settings: Settings
) -> None:
    """At 14:00 in Bangkok the students hear at once: the offers run out 30 minutes on, and the citizen's wait is the
    usual one."""
    api, clock = app_and_clock
    clock.now = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # 14:00 in Bangkok
    citizen, request = await submit(api)
    assert _expiries(database_url, request["id"]) == {clock.now + timedelta(minutes=settings.dispatch_sla_minutes)}
    detail = (await api.get(f"/requests/{request['id']}", headers=bearer(citizen))).json()
    assert detail["expected_wait"] == "โดยปกติภายใน 1 ชั่วโมง", detail["expected_wait"]
