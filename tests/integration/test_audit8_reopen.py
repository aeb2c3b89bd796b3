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
