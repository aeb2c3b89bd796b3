"""What a person's data rights promise, kept (review audit15a): the data export holds everything about them, and an
account's deletion erases every copy of what it promises to erase (the name in other people's inboxes and in a phone
approval's note, the home behind the offers' distances), and the operator's PDPA commands reach a person registered
by phone who never signed in. Real PostgreSQL, the app's routes through httpx, the operator's CLI."""


import httpx

from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import Area, accepted_job


async def test_a_students_data_export_holds_the_jobs_they_helped_on_and_their_hours(
    api: httpx.AsyncClient, area: Area,
) -> None:
    _, ace, rid = await accepted_job(api, area, "ace")
    joined = await api.post(f"/requests/{rid}/team", json={"technician_id": area.students["bee"][0],
                                                           "task": "ช่วยถอดฝาหลัง"}, headers=bearer(ace))
    assert joined.status_code == 204, joined.text
    bee, _ = await sign_in(api, area.students["bee"][1])
    hours = await api.put(f"/requests/{rid}/team/me", json={"hours": 2.5, "task": "ถอดฝาหลังและล้างพัดลม"},
                          headers=bearer(bee))
    assert hours.status_code == 204, hours.text
    exported = await api.get("/me/export", headers=bearer(bee))
    assert exported.status_code == 200, exported.text
    text = exported.text
    # What the student wrote and is credited for on that job is their personal data (PDPA right of access). The job's
    # id is in the file today only through the "added to a team" notification: the team row, task and hours are not.
    assert "ถอดฝาหลังและล้างพัดลม" in text
