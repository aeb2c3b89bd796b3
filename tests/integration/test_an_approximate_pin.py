"""A request's pin that is the chosen sub-district's middle, not the house (known17be): the app says so when it
sends the request, the backend keeps it (migration 0068) and tells the student (offer card, job) and the teacher,
and the app parses what the backend really sends. Real PostgreSQL; the app's own API client in-process."""

import uuid
from datetime import timedelta
from typing import Any

import psycopg
import pytest

from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft
from tests.integration.dispatch_area import (
    HOME,
    AppClock,
    Area,
    assigned_to_bee,
    confirm_handover,
    offers_of,
    submit,
    work_to_quality_check,
)
from tests.integration.test_app_contract import Recorder, app, signed_in

__all__ = ["app"]  # the app parser's fixture, shared with the contract test


async def test_an_area_pin_reaches_the_student_and_the_teacher_as_approximate(app: Any, area: Area) -> None:
    """The form sent `location_approximate` and the backend dropped it: the student who took the job drove to a
    sub-district's centre believing it was the house. Now the request, its offer card and its detail say it, to
    every reader the app parses them for; a request sent without the field is an exact pin."""
    recorder = Recorder()
    citizen = await signed_in(recorder, app, fresh_phone())
    approximate = await citizen.create_request(draft(lat=HOME[0], lon=HOME[1], location_approximate=True))
    exact = await citizen.create_request(draft(lat=HOME[0], lon=HOME[1]))
    assert approximate.location_approximate is True and exact.location_approximate is False
    assert (await citizen.request_detail(approximate.id)).location_approximate is True

    student = await signed_in(recorder, app, area.students["ace"][1])
    cards = {o.request_id: o for o in (await student.technician_offers()).offers}
    assert cards[approximate.id].location_approximate is True
    assert cards[exact.id].location_approximate is False
    await student.accept_offer(cards[approximate.id].offer_id)
    assert (await student.work_detail(approximate.id)).location_approximate is True

    teacher = await signed_in(recorder, app, area.students["teacher"][1])
    assert (await teacher.work_detail(approximate.id)).location_approximate is True
    assert (await teacher.work_detail(exact.id)).location_approximate is False


async def test_a_replay_with_another_pin_kind_is_refused(app: Any, area: Area) -> None:
    """The flag is one of the request's details: the same key sent again saying otherwise is the 409 of a key reused
    with other details, and the stored request stays as it was received."""
    from mobile.api_client import ApiError

    citizen = await signed_in(Recorder(), app, fresh_phone())
    body = draft(lat=HOME[0], lon=HOME[1], location_approximate=True)
    first = await citizen.create_request(body)
    assert (await citizen.create_request(body)).id == first.id
    with pytest.raises(ApiError) as refused:
        await citizen.create_request({**body, "location_approximate": False})
    assert refused.value.code == "idempotency_key_reused"
    assert (await citizen.request_detail(first.id)).location_approximate is True


async def test_a_pin_flag_that_is_not_a_boolean_is_refused(app_and_clock: AppClock, database_url: str) -> None:
    api, _ = app_and_clock

    token, _ = await sign_in(api, fresh_phone())
    body = draft(lat=HOME[0], lon=HOME[1], location_approximate="yes")
    refused = await api.post("/requests", json=body, headers=bearer(token))
    assert refused.status_code in (400, 422) and refused.json()["error"]["code"], refused.text
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select count(*) from public.repair_requests where idempotency_key = %s",
                           [uuid.UUID(body["idempotency_key"])]).fetchone()
    assert row == (0,)


async def test_a_finished_jobs_coarsened_place_reads_as_approximate(app_and_clock: AppClock, area: Area) -> None:
    """0063 rounds a finished job's point to 0.1 degree for its student: that point is approximate whatever the pin
    was, so the read says so (an exact flag would call the coarsened point the house). The owner and the teacher
    still read the exact pin as exact."""
    api, clock = app_and_clock
    citizen, request = await submit(api)
    rid = request["id"]
    assert request["location_approximate"] is False
    teacher, bee = await assigned_to_bee(api, area, rid)
    await work_to_quality_check(api, bee, rid)
    assert (await api.post(f"/requests/{rid}/status", json={"to_status": "done"},
                           headers=bearer(teacher))).status_code == 200
    await confirm_handover(api, citizen, rid)
    assert (await api.post(f"/requests/{rid}/status", json={"to_status": "handed_back"},
                           headers=bearer(teacher))).status_code == 200
    clock.now += timedelta(days=30)  # past the reopen window
    body: dict[str, Any] = (await api.get(f"/requests/{rid}", headers=bearer(bee))).json()
    assert (body["lat"], body["lon"]) == (round(body["lat"], 1), round(body["lon"], 1))
    assert body["location_approximate"] is True
    for reader in (citizen, teacher):
        assert (await api.get(f"/requests/{rid}", headers=bearer(reader))).json()["location_approximate"] is False


async def test_a_deleted_owners_coarsened_point_is_not_said_exact(app_and_clock: AppClock, area: Area,
                                                                 database_url: str) -> None:
    """An account deletion (forget_person) rounds the request's point to 0.1 degree and writes the offers' distances
    again from it. That point is approximate (0072): the teacher's detail (with its route button to that point) and
    the offer cards must not say the rounded point is the house (review17a, finding 1)."""
    api, _ = app_and_clock
    citizen, request = await submit(api)
    rid = request["id"]
    assert request["location_approximate"] is False
    teacher, _bee = await assigned_to_bee(api, area, rid)
    gone = await api.delete("/me", params={"confirm": "true"}, headers=bearer(citizen))
    assert gone.status_code == 204, gone.text
    body: dict[str, Any] = (await api.get(f"/requests/{rid}", headers=bearer(teacher))).json()
    assert (body["lat"], body["lon"]) == (19.3, 98.0)  # coarsened by the deletion
    assert body["location_approximate"] is True, "a 0.1 degree point read as the exact house"
    with psycopg.connect(database_url) as conn:
        flags = conn.execute("select location_approximate from public.offers where request_id = %s",
                             [rid]).fetchall()
    assert offers_of(database_url, rid) and all(flag for (flag,) in flags), flags
