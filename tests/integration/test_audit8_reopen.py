"""Audit 8: "ยังไม่หาย" (still broken) sends a job back to the student who did it. When that student can no longer
take it (they left the college, or were made inactive) the job was offered to them alone: nobody could accept it
until the offer ran out, and then it left the college for the next one, though the college's other students could
have taken it at once. It now goes to those other students straight away."""

import psycopg

from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, handed_back_job, offers_of


async def test_a_reopened_job_whose_student_left_goes_to_the_colleges_other_students(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    citizen, rid = await handed_back_job(api, area)  # bee did it; ace and cat were offered it first time round
    bee = area.students["bee"][0]
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set is_active = false where id = %s", [bee])
    try:
        reopened = await api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่หาย"}, headers=bearer(citizen))
        assert reopened.status_code == 200, reopened.text
        assert reopened.json()["status"] == "offered" and reopened.json()["college_name_en"] == "Test ใกล้"
        offers = {o["technician_id"]: o["status"] for o in offers_of(database_url, rid)}
        assert offers[bee] == "withdrawn"
        assert {offers[area.students["ace"][0]], offers[area.students["cat"][0]]} == {"pending"}
        ace, _ = await sign_in(api, area.students["ace"][1])
        cards = (await api.get("/technician/offers", headers=bearer(ace))).json()
        offer_id = next(c["offer_id"] for c in cards if c["request_id"] == rid)
        taken = await api.post(f"/offers/{offer_id}/accept", headers=bearer(ace))
        assert taken.status_code == 200 and taken.json()["technician_first_name"] == "เอ", taken.text
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.profiles set is_active = true where id = %s", [bee])


async def test_a_reopened_job_at_a_college_closed_since_goes_to_the_nearest_open_college(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """A job reopened ("still broken") after an admin closed the college that did it: it went back to that college's
    student, whose accept there answers 409 college_closed, so nobody could take it until the offer ran out. It now
    goes on like a new request, to the nearest open college that fits."""
    api, _ = app_and_clock
    citizen, rid = await handed_back_job(api, area)  # bee of the near college did it
    admin, _ = await sign_in(api, "084-444-4444")
    closed = await api.patch(f"/admin/colleges/{area.near}", json={"is_active": False}, headers=bearer(admin))
    assert closed.status_code == 200, closed.text
    reopened = await api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่หาย"}, headers=bearer(citizen))
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "offered" and reopened.json()["college_name_en"] == "Test ไกล"
    offers = {o["technician_id"]: o["status"] for o in offers_of(database_url, rid)}
    assert offers[area.students["bee"][0]] == "withdrawn"
    assert [t for t, status in offers.items() if status == "pending"] == [area.students["far1"][0]]
    far1, _ = await sign_in(api, area.students["far1"][1])
    cards = (await api.get("/technician/offers", headers=bearer(far1))).json()
    offer_id = next(c["offer_id"] for c in cards if c["request_id"] == rid)
    taken = await api.post(f"/offers/{offer_id}/accept", headers=bearer(far1))
    assert taken.status_code == 200 and taken.json()["status"] == "accepted", taken.text
