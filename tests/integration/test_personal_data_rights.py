"""What a person's data rights promise, kept (review audit15a): the data export holds everything about them, and an
account's deletion erases every copy of what it promises to erase (the name in other people's inboxes and in a phone
approval's note, the home behind the offers' distances), and the operator's PDPA commands reach a person registered
by phone who never signed in. Real PostgreSQL, the app's routes through httpx, the operator's CLI."""


import httpx

from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import Area, accepted_job, handed_back_job, step


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


async def inbox_texts(api: httpx.AsyncClient, token: str) -> dict[str, str]:
    page = await api.get("/me/notifications?limit=100", headers=bearer(token))
    assert page.status_code == 200, page.text
    return {item["kind"]: f"{item['title']} {item['body']}" for item in page.json()["items"]}


async def test_a_deleted_students_name_leaves_the_inboxes_that_named_them(api: httpx.AsyncClient, area: Area) -> None:
    citizen, rid = await handed_back_job(api, area)  # bee's job, from the teacher's assignment to the hand back
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    bee, _ = await sign_in(api, area.students["bee"][1])
    first_name = "บี"  # bee's display name is "บี เก่ง": the inboxes name the student by first name
    assert first_name in (await inbox_texts(api, citizen))["accepted"]
    assert first_name in (await inbox_texts(api, teacher))["qc_waiting"]
    gone = await api.delete("/me?confirm=true", headers=bearer(bee))
    assert gone.status_code == 204, gone.text
    # The job itself no longer names them (technician_id is set null)...
    assert (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()["technician_first_name"] in (None, "")
    # ...but the messages about it still do, in two other people's inboxes (and in their data exports).
    assert first_name not in (await inbox_texts(api, citizen)).get("accepted", "")
    assert first_name not in (await inbox_texts(api, teacher)).get("qc_waiting", "")


async def test_a_deleted_owners_name_leaves_the_phone_approval_note(api: httpx.AsyncClient, area: Area) -> None:
    citizen, ace, rid = await accepted_job(api, area, "ace")
    assert (await step(api, ace, rid, "diagnosing")).status_code == 200
    part = await api.post(f"/requests/{rid}/parts", json={"name": "ฟิวส์", "qty": 1, "price_baht": 20},
                          headers=bearer(ace))
    assert part.status_code == 201, part.text
    # "A phone approval needs a note of who approved it and when" (part_phone_note_required): the owner's name.
    noted = await api.post(f"/requests/{rid}/parts/{part.json()['id']}/phone-approval",
                           json={"approve": True, "note": "คุณสมศรี มีสุข อนุมัติทางโทรศัพท์ 10:30"},
                           headers=bearer(ace))
    assert noted.status_code == 200, noted.text
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assert "สมศรี" in (await api.get(f"/requests/{rid}/record", headers=bearer(teacher))).text
    gone = await api.delete("/me?confirm=true", headers=bearer(citizen))
    assert gone.status_code == 204, gone.text
    # delete_account_text: "We erase your name, phone number, addresses, home location and photos."
    for reader in (teacher, ace):
        record = await api.get(f"/requests/{rid}/record", headers=bearer(reader))
        assert record.status_code == 200, record.text
        assert "สมศรี" not in record.text
