"""A round ended by a reopen waits for the teacher of the college it was done for, and for nobody else (review 13).

The job record's `waiting_round` named the earliest waiting round to whoever read the record. When the reopened
job went on to another college, that college's teacher was shown the first college's round: the app put its card
(whose button answers 403 `not_your_college`) in place of the current round's approval, so the teacher who checked
round 2 could not approve its hours in the app, and the first college's teacher, who no longer sees the job, could
not clear the card either."""


from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.dispatch_area import AppClock, Area, backdate_acceptance, handed_back_job, work_to_quality_check

SEED_ADMIN = "084-444-4444"


async def test_the_next_colleges_teacher_is_not_shown_the_first_colleges_waiting_round(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    citizen, rid = await handed_back_job(api, area)  # round 1 at the near college: bee's 1.5 h, not approved
    reopened = await api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่หาย"}, headers=bearer(citizen))
    assert reopened.status_code == 200, reopened.text
    for name in ("bee", "ace", "cat", "dan"):  # the near college's students all decline: it goes on to the far one
        token, _ = await sign_in(api, area.students[name][1])
        for offer in [o for o in (await api.get("/technician/offers", headers=bearer(token))).json()
                      if o["request_id"] == rid]:
            assert (await api.post(f"/offers/{offer['offer_id']}/decline", headers=bearer(token))).status_code == 204
    far1, _ = await sign_in(api, area.students["far1"][1])
    offer = next(o for o in (await api.get("/technician/offers", headers=bearer(far1))).json()
                 if o["request_id"] == rid)
    assert (await api.post(f"/offers/{offer['offer_id']}/accept", headers=bearer(far1))).status_code == 200
    await work_to_quality_check(api, far1, rid, idx=1)  # beside the first round's photo 0 (known18be)
    admin, _ = await sign_in(api, SEED_ADMIN)
    far_teacher_phone = fresh_phone()
    registered = await api.post(f"/admin/colleges/{area.far}/supervisors",
                                json={"phone": far_teacher_phone, "display_name": "ครู ไกล"}, headers=bearer(admin))
    assert registered.status_code == 201, registered.text
    far_teacher, _ = await sign_in(api, far_teacher_phone)
    done = await api.post(f"/requests/{rid}/status", json={"to_status": "done"}, headers=bearer(far_teacher))
    assert done.status_code == 200, done.text
    backdate_acceptance(database_url, rid, 2)

    record = (await api.get(f"/requests/{rid}/record", headers=bearer(far_teacher))).json()
    assert record["round"] == 2 and [m["technician_id"] for m in record["team"]] == [area.students["far1"][0]]
    # Round 1 is the near college's to approve: the far college's teacher is not asked to (their approval of it is
    # refused), so their app offers the approval of round 2, which they checked.
    assert record["waiting_round"] is None, record["waiting_round"]
    refused = await api.post(f"/requests/{rid}/credit/approve", params={"round": 1}, json={},
                             headers=bearer(far_teacher))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_your_college", refused.text
    approved = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(far_teacher))
    assert approved.status_code == 200, approved.text
    assert [(m["approved_hours"], m["round"]) for m in approved.json()] == [(1.5, 2)]
    # An admin (any college) is still shown round 1, which waits for its approval.
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(admin))).json()
    assert record["waiting_round"] is not None and record["waiting_round"]["round"] == 1
