"""audit13: a hostile review of parts and aftercare, credit and hours, operator surfaces, the notification worker
and resource abuse. Each test here is a finding that fails today (xfail strict) until its fix lands."""

import httpx
import psycopg
import pytest

from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, handed_back_job, submit


async def _step(api: httpx.AsyncClient, token: str, rid: str, to: str) -> httpx.Response:
    return await api.post(f"/requests/{rid}/status", json={"to_status": to}, headers=bearer(token))


async def _assigned(api: httpx.AsyncClient, area: Area, student: str = "bee") -> tuple[str, str, str, str]:
    """A job of the near college assigned by its teacher: (citizen, teacher, student tokens, request id)."""
    citizen, created = await submit(api)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assigned = await api.post(f"/requests/{created['id']}/assign",
                              json={"technician_id": area.students[student][0]}, headers=bearer(teacher))
    assert assigned.status_code == 200, assigned.text
    token, _ = await sign_in(api, area.students[student][1])
    return citizen, teacher, token, created["id"]


def _backdate_acceptance(database_url: str, rid: str, hours: float) -> None:
    """The job was in hand for `hours` (a test cannot wait hours for a real timeline)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.status_events set created_at = created_at - make_interval(secs => %s) "
                     "where request_id = %s and to_status = 'accepted'", [hours * 3600, rid])


@pytest.mark.xfail(strict=True, reason="audit13: a reopen before the teacher's approval loses the round's hours")
async def test_a_reopen_does_not_lose_the_students_unapproved_hours(app_and_clock: AppClock, area: Area,
                                                                   database_url: str) -> None:
    """The teacher approves hours once the job is checked (done, handed back); the owner may reopen it within 7
    days of getting it back. A reopen before the teacher got round to the approval starts round 2, and
    approve_hours only ever approves the current round (`_approved`, `current_round`): bee's 1.5 h of round 1 can
    never be credited (409 `hours_not_now` now, and round 2's approval credits round 2 only). The owner's "still
    broken" takes the student's training hours away."""
    api, _ = app_and_clock
    citizen, rid = await handed_back_job(api, area)  # bee did it, 1.5 h reported; nobody approved them yet
    _backdate_acceptance(database_url, rid, 2)
    reopened = await api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่หาย"}, headers=bearer(citizen))
    assert reopened.status_code == 200, reopened.text
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    approved = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    bee, bee_phone = area.students["bee"]
    bee_token, _ = await sign_in(api, bee_phone)
    folio = (await api.get(f"/portfolio/{bee}", headers=bearer(bee_token))).json()
    assert rid in [j["request_id"] for j in folio["jobs"]], approved.text


@pytest.mark.xfail(strict=True, reason="audit13: approved hours leave the college's ledger when a reopen moves on")
async def test_approved_hours_stay_on_the_colleges_ledger_after_a_reopen_moves_the_job(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """The training-hours ledger (GET /supervisor/ledger, ledger.csv, ledger/{student}.pdf: college_admin.ledger
    and student_ledger) counts approved hours by the request's *current* college (`r.college_id`). A job the near
    college's teacher approved for bee, reopened by its owner and declined by bee and the college's other students,
    moves on to the far college (dispatch's `onward` sets `college_id`): bee's approved round of work vanishes from
    the near college's ledger and signed PDF, though /supervisor/credit and bee's portfolio still count it."""
    api, _ = app_and_clock
    citizen, rid = await handed_back_job(api, area)
    _backdate_acceptance(database_url, rid, 2)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    approved = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    assert approved.status_code == 200, approved.text
    bee = area.students["bee"][0]

    async def bee_on_ledger() -> int:
        rows = (await api.get("/supervisor/ledger", headers=bearer(teacher))).json()
        return int(next(r["approved_jobs"] for r in rows if r["technician_id"] == bee))

    assert await bee_on_ledger() == 1
    reopened = await api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่หาย"}, headers=bearer(citizen))
    assert reopened.status_code == 200, reopened.text
    tokens = {name: (await sign_in(api, area.students[name][1]))[0] for name in ("bee", "ace", "cat", "dan")}
    for name, token in tokens.items():  # bee is offered it first, then the college's others: every one declines
        offers = (await api.get("/technician/offers", headers=bearer(token))).json()
        for offer in [o for o in offers if o["request_id"] == rid]:
            declined = await api.post(f"/offers/{offer['offer_id']}/decline", headers=bearer(token))
            assert declined.status_code == 204, (name, declined.text)
    with psycopg.connect(database_url) as conn:
        moved = conn.execute("select college_id from public.repair_requests where id = %s", [rid]).fetchone()
    assert moved is not None and moved[0] == area.far  # the job went on to the far college
    assert await bee_on_ledger() == 1, "bee's approved job left the near college's ledger"


