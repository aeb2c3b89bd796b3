"""review17a: a hostile review of this session's first new code. Each test is a defect found, marked xfail (strict)
until it is fixed. Real PostgreSQL."""

from typing import Any

import psycopg
import pytest

from tests.helpers import bearer
from tests.integration.dispatch_area import AppClock, Area, assigned_to_bee, offers_of, submit


@pytest.mark.xfail(strict=True, reason="review17a: private.forget_person coarsens a deleted owner's point to 0.1 "
                                       "degree and leaves location_approximate false: the teacher reads it as exact")
async def test_a_deleted_owners_coarsened_point_is_not_said_exact(app_and_clock: AppClock, area: Area,
                                                                 database_url: str) -> None:
    """An account deletion (0062's forget_person) rounds the request's point to 0.1 degree and writes the offers'
    distances again from it. 0068 says a point coarsened so is approximate (request_as_read does, for the student of
    a finished job), but forget_person keeps the flag as the pin was sent: the teacher's detail (with its route
    button to that point) and the offer cards say the rounded point is the house."""
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
