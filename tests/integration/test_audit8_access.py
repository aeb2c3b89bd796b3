"""Audit 8: who may act on a job, checked where the earlier attack tests did not look.

A teacher is staff of one college; being able to *see* a request for another reason (they asked for the repair
themselves before they became a teacher, or held the job as a student before) gives them no right to run it."""

import psycopg

from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, accepted_job, offers_of, submit, work_to_quality_check


async def test_a_teacher_of_another_college_cannot_reassign_a_job_they_can_see_as_its_owner(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    citizen, _, rid = await accepted_job(api, area)  # ace (near college) holds it
    owner_id = (await api.get("/me", headers=bearer(citizen))).json()["id"]
    with psycopg.connect(database_url, autocommit=True) as conn:  # the owner later becomes a teacher elsewhere
        conn.execute("update public.profiles set role = 'supervisor', college_id = %s where id = %s",
                     [area.far, owner_id])
    taken = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["bee"][0]},
                           headers=bearer(citizen))
    assert taken.status_code == 403, taken.text
    assert taken.json()["error"]["code"] == "not_your_college"
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select technician_id::text from public.repair_requests where id = %s", [rid]).fetchone()
    assert row is not None and row[0] == area.students["ace"][0]  # still ace's job


async def test_a_student_made_a_teacher_cannot_check_or_credit_their_own_job(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """An admin names a student a teacher of their college while a job of theirs waits for its check: the job is
    still theirs, and nobody approves their own work or their own hours."""
    api, _ = app_and_clock
    _, ace, rid = await accepted_job(api, area)
    await work_to_quality_check(api, ace, rid)
    with psycopg.connect(database_url, autocommit=True) as conn:
        # The job was in hand for two hours (its 1.5 reported hours fit), then ace is named a teacher.
        conn.execute("update public.status_events set created_at = created_at - interval '2 hours' "
                     "where request_id = %s and to_status = 'accepted'", [rid])
        conn.execute("update public.profiles set role = 'supervisor' where id = %s", [area.students["ace"][0]])
    try:
        own = await api.post(f"/requests/{rid}/status", json={"to_status": "done"}, headers=bearer(ace))
        assert own.status_code == 403, own.text
        assert own.json()["error"]["code"] == "own_work_check"
        teacher, _ = await sign_in(api, area.students["teacher"][1])
        assert (await api.post(f"/requests/{rid}/status", json={"to_status": "done"},
                               headers=bearer(teacher))).status_code == 200
        hours = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(ace))
        assert hours.status_code == 403 and hours.json()["error"]["code"] == "own_work_check", hours.text
        approved = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
        assert approved.status_code == 200, approved.text
        assert approved.json()[0]["approved_at"] is not None
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.profiles set role = 'technician' where id = %s", [area.students["ace"][0]])


async def test_a_handover_code_given_for_a_move_that_is_refused_still_works(app_and_clock: AppClock,
                                                                            area: Area) -> None:
    """The owner's one-time code is used up by the hand back it settles, not by an attempt the state machine
    refuses: a student who types it on an unrepairable job (which only a teacher closes) left the owner needing a
    new code, and the teacher's correct code answered `handover_code_invalid`."""
    api, _ = app_and_clock
    citizen, ace, rid = await accepted_job(api, area)
    assert (await api.post(f"/requests/{rid}/status", json={"to_status": "diagnosing"},
                           headers=bearer(ace))).status_code == 200
    assert (await api.post(f"/requests/{rid}/status", json={"to_status": "unrepairable", "reason": "no_parts"},
                           headers=bearer(ace))).status_code == 200
    code = (await api.post(f"/requests/{rid}/handover-code", headers=bearer(citizen))).json()["code"]
    refused = await api.post(f"/requests/{rid}/status", json={"to_status": "handed_back", "handover_code": code},
                             headers=bearer(ace))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "illegal_transition", refused.text
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    closed = await api.post(f"/requests/{rid}/status", json={"to_status": "handed_back", "handover_code": code},
                            headers=bearer(teacher))
    assert closed.status_code == 200, closed.text
    record = (await api.get(f"/requests/{rid}/record", headers=bearer(citizen))).json()
    assert record["handover"]["method"] == "owner_code"
    again = await api.post(f"/requests/{rid}/status", json={"to_status": "handed_back", "handover_code": code},
                           headers=bearer(teacher))
    assert again.status_code == 409  # used up by the hand back it settled


async def test_a_helper_made_a_teacher_cannot_check_the_job_they_helped_on(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    _, ace, rid = await accepted_job(api, area)
    helper = area.students["cat"]
    assert (await api.post(f"/requests/{rid}/team", json={"technician_id": helper[0], "task": "ถอดประกอบ"},
                           headers=bearer(ace))).status_code == 204
    await work_to_quality_check(api, ace, rid)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set role = 'supervisor' where id = %s", [helper[0]])
    try:
        cat, _ = await sign_in(api, helper[1])
        own = await api.post(f"/requests/{rid}/status", json={"to_status": "done"}, headers=bearer(cat))
        assert own.status_code == 403 and own.json()["error"]["code"] == "own_work_check", own.text
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.profiles set role = 'technician' where id = %s", [helper[0]])


async def test_a_student_moved_to_another_college_cannot_accept_the_old_colleges_offer(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """Offers go to a college's students; one moved to another college meanwhile (an admin registers them there)
    still held the old college's pending offer and could take the job, which then sat at a college whose teachers
    are not theirs."""
    api, _ = app_and_clock
    _, request = await submit(api)
    ace_id, ace_phone = area.students["ace"]
    offer = next(o for o in offers_of(database_url, request["id"]) if o["technician_id"] == ace_id)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set college_id = %s where id = %s", [area.far, ace_id])
    ace, _ = await sign_in(api, ace_phone)
    taken = await api.post(f"/offers/{offer['id']}/accept", headers=bearer(ace))
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "offer_not_open", taken.text
    bee, _ = await sign_in(api, area.students["bee"][1])
    bee_offer = next(o for o in offers_of(database_url, request["id"]) if o["technician_id"] == area.students["bee"][0])
    assert (await api.post(f"/offers/{bee_offer['id']}/accept", headers=bearer(bee))).status_code == 200
