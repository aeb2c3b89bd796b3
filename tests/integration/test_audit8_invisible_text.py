"""Audit 8: text made only of invisible characters is no text.

Zero-width spaces, joiners, the word joiner and the BOM (Unicode format characters) pass `str.strip()`, so a
"report", a "reason", a name or an item typed as nothing but them used to count as written: honest QC took an
invisible work report, a teacher closed a job with an invisible reason. Thai text may hold a zero-width space
between words (it has no spaces of its own): that stays, as long as something visible is written."""


import httpx
import psycopg

from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft
from tests.integration.dispatch_area import AppClock, Area, accepted_job, record_work, step

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u200b"  # zero-width space, non-joiner, joiner, word joiner, BOM
THAI_WITH_ZWSP = "เปลี่ยน\u200bฟิวส์\u200bแล้ว"  # a zero-width space between Thai words is ordinary Thai


async def test_an_invisible_work_record_does_not_pass_honest_qc_or_close_a_job(
    app_and_clock: AppClock, area: Area
) -> None:
    api, _ = app_and_clock
    _, ace, rid = await accepted_job(api, area)
    for to in ("diagnosing", "repairing"):
        assert (await step(api, ace, rid, to)).status_code == 200

    # The job record's own texts: a fault found, a part's name, a phone approval's note.
    outcome = await api.put(f"/requests/{rid}/outcome", json={"outcome": "fixed", "fault_found": INVISIBLE},
                            headers=bearer(ace))
    assert outcome.status_code == 400 and outcome.json()["error"]["code"] == "outcome_fault_required"
    part = await api.post(f"/requests/{rid}/parts", json={"name": INVISIBLE, "qty": 1, "price_baht": 20},
                          headers=bearer(ace))
    assert part.status_code == 400 and part.json()["error"]["code"] == "part_invalid"
    fuse = await api.post(f"/requests/{rid}/parts", json={"name": "ฟิวส์", "qty": 1, "price_baht": 20},
                          headers=bearer(ace))
    assert fuse.status_code == 201, fuse.text
    phone = await api.post(f"/requests/{rid}/parts/{fuse.json()['id']}/phone-approval",
                           json={"note": "ok" + INVISIBLE}, headers=bearer(ace))
    assert phone.status_code == 400 and phone.json()["error"]["code"] == "part_phone_note_required"
    # Answered with a real note: a part still waiting for the owner holds the job back from the check.
    phone = await api.post(f"/requests/{rid}/parts/{fuse.json()['id']}/phone-approval",
                           json={"note": "คุณสมชายอนุมัติทางโทรศัพท์ 10:30"}, headers=bearer(ace))
    assert phone.status_code == 200, phone.text

    await record_work(api, ace, rid, notes=INVISIBLE)
    refused = await step(api, ace, rid, "quality_check")
    assert refused.status_code == 409, refused.text
    assert set(refused.json()["error"]["fields"]) == {"report"}
    detail = (await api.get(f"/requests/{rid}", headers=bearer(ace))).json()
    assert [m["code"] for m in detail["quality_check_missing"]] == ["report"]

    await record_work(api, ace, rid, notes=THAI_WITH_ZWSP)
    assert (await step(api, ace, rid, "quality_check")).status_code == 200
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assert (await step(api, teacher, rid, "done")).status_code == 200
    # Without the owner's confirmation a teacher closes the job only with a written reason.
    unexplained = await step(api, teacher, rid, "handed_back", note=INVISIBLE * 3)
    assert unexplained.status_code == 409 and unexplained.json()["error"]["code"] == "handover_unconfirmed"
    closed = await step(api, teacher, rid, "handed_back", note="เจ้าของ\u200bมารับที่ศูนย์")
    assert closed.status_code == 200, closed.text


async def test_an_invisible_name_item_or_description_is_refused(api: httpx.AsyncClient, database_url: str) -> None:
    token, profile = await sign_in(api, fresh_phone())
    renamed = await api.patch("/me", json={"display_name": INVISIBLE}, headers=bearer(token))
    assert renamed.status_code == 400 and renamed.json()["error"]["code"] == "display_name_invalid"
    named = await api.patch("/me", json={"display_name": "สมชาย\u200bใจดี"}, headers=bearer(token))
    assert named.status_code == 200 and named.json()["display_name"] == "สมชาย\u200bใจดี"

    bodies = {"item": draft(item=INVISIBLE), "description": draft(description="ab" + INVISIBLE)}
    for field, body in bodies.items():
        refused = await api.post("/requests", json=body, headers=bearer(token))
        assert refused.status_code == 400, refused.text
        assert set(refused.json()["error"]["fields"]) == {field}
    with psycopg.connect(database_url) as conn:
        stored = conn.execute("select count(*) from public.repair_requests where citizen_id = %s",
                              [profile["id"]]).fetchone()
    assert stored is not None and stored[0] == 0
    taken = await api.post("/requests", json=draft(item="พัดลม\u200bตั้งโต๊ะ"), headers=bearer(token))
    assert taken.status_code == 201, taken.text
