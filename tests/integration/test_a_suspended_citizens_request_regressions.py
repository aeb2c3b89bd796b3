"""The clock never sends a student to a suspended citizen's request (review18a #2): nobody may answer for it any
more (no chat, no part's answer, no hand back code). Neither its revival from no_centre (dispatch.revive_waiting)
nor the escalation of its lapsed offers to the next college (dispatch._escalate) offers it; once the account is
restored, the revival may offer it again while it is young."""

from datetime import timedelta
from typing import Any

from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.settings import Settings
from tests.integration.dispatch_area import (
    AppClock,
    Area,
    every_asked_declines,
    offers_of,
    request_status,
    set_owner_active,
    submit,
)
from tests.integration.test_nobody_waits_for_ever import approve_skill

MINUTE = timedelta(minutes=1)


async def test_the_clock_does_not_offer_again_the_request_of_a_suspended_citizen(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, request = await submit(api, category_code="plumbing")
    rid = request["id"]
    clock.now += timedelta(minutes=settings.dispatch_sla_minutes + 1)
    await tick(pool, settings, clock.now)  # the plumber let it lapse: it waits as no_centre
    assert request_status(database_url, rid) == "no_centre"
    set_owner_active(database_url, rid, False)
    approve_skill(database_url, area.students["ace"][0])  # a fitting student came into range
    await tick(pool, settings, clock.now + MINUTE)
    # Nobody may answer for this request any more: no student is sent to its address by the clock.
    assert request_status(database_url, rid) == "no_centre"
    # Restored, the owner's young request is offered to the student who came into range.
    set_owner_active(database_url, rid, True)
    await tick(pool, settings, clock.now + 2 * MINUTE)
    assert request_status(database_url, rid) == "offered"
    assert [o["technician_id"] for o in offers_of(database_url, rid) if o["status"] == "pending"] == [
        area.students["ace"][0]]


async def test_the_lapsed_offers_of_a_suspended_citizens_request_do_not_go_on_to_the_next_college(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, request = await submit(api)  # offered to the near college's students
    rid = request["id"]
    assert request_status(database_url, rid) == "offered"
    set_owner_active(database_url, rid, False)
    clock.now += timedelta(minutes=settings.dispatch_sla_minutes + 1)
    await tick(pool, settings, clock.now)  # nobody answered: the clock would send it on to the far college
    assert request_status(database_url, rid) == "no_centre"
    assert [o for o in offers_of(database_url, rid) if o["college_id"] == area.far] == []


async def test_the_last_decline_of_a_suspended_citizens_request_asks_no_other_student(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    _, request = await submit(api)  # offered to the near college's best students
    rid = request["id"]
    asked = {o["technician_id"] for o in offers_of(database_url, rid)}
    set_owner_active(database_url, rid, False)
    await every_asked_declines(api, area, rid, asked)
    # Every asked student declined: the college's next student (or the next college) is not sent to its address.
    assert request_status(database_url, rid) == "no_centre"
    assert {o["technician_id"] for o in offers_of(database_url, rid)} == asked
