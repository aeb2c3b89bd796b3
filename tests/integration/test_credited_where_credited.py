"""Every college figure of training hours counts them at the college they were credited at (credit13): the
teacher's credit screen (GET /supervisor/credit: hours per student, the college's environmental figures) and the
admin's environmental totals, after the job moved on to another college (a reopen) or the student was moved away;
the student's own portfolio keeps all their hours wherever credited. And the teacher's list of rounds waiting for
their approval (GET /supervisor/hours-waiting) reaches a round whose job has moved on to another college."""

import csv
import io
from typing import Any

import httpx
import psycopg

from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.dispatch_area import AppClock, Area, backdate_acceptance, handed_back_job

SEED_ADMIN = "084-444-4444"


async def _far_teacher(api: httpx.AsyncClient, area: Area) -> str:
    """A teacher of the far college, registered by the admin: their token."""
    admin, _ = await sign_in(api, SEED_ADMIN)
    phone = fresh_phone()
    registered = await api.post(f"/admin/colleges/{area.far}/supervisors",
                                json={"phone": phone, "display_name": "ครู ไกล"}, headers=bearer(admin))
    assert registered.status_code == 201, registered.text
    return (await sign_in(api, phone))[0]


async def _moved_on_by_reopen(api: httpx.AsyncClient, area: Area, citizen: str, rid: str, database_url: str) -> None:
    """The owner reopens the job; bee and the near college's other students all decline it: it goes on to the far
    college."""
    reopened = await api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่หาย"}, headers=bearer(citizen))
    assert reopened.status_code == 200, reopened.text
    for name in ("bee", "ace", "cat", "dan"):
        token, _ = await sign_in(api, area.students[name][1])
        offers = (await api.get("/technician/offers", headers=bearer(token))).json()
        for offer in [o for o in offers if o["request_id"] == rid]:
            declined = await api.post(f"/offers/{offer['offer_id']}/decline", headers=bearer(token))
            assert declined.status_code == 204, (name, declined.text)
    with psycopg.connect(database_url) as conn:
        moved = conn.execute("select college_id from public.repair_requests where id = %s", [rid]).fetchone()
    assert moved is not None and moved[0] == area.far


async def _credit(api: httpx.AsyncClient, teacher: str) -> dict[str, Any]:
    view = await api.get("/supervisor/credit", headers=bearer(teacher))
    assert view.status_code == 200, view.text
    return dict(view.json())


def _student_hours(view: dict[str, Any], student: str) -> tuple[int, float] | None:
    row = next((s for s in view["students"] if s["id"] == student), None)
    return None if row is None else (int(row["jobs"]), float(row["hours"]))


def _environment(view: dict[str, Any]) -> tuple[int, float, bool]:
    env = view["environment"]
    return int(env["jobs"]), float(env["hours"]), float(env["kg_diverted"]) > 0


async def _admin_environment(api: httpx.AsyncClient, college: str) -> tuple[int, float] | None:
    admin, _ = await sign_in(api, SEED_ADMIN)
    page = await api.get("/admin/environment", headers=bearer(admin))
    assert page.status_code == 200, page.text
    row = next((c for c in page.json()["colleges"] if c["college_id"] == college), None)
    return None if row is None else (int(row["jobs"]), float(row["hours"]))


async def test_a_job_credited_here_that_moved_on_stays_in_this_colleges_figures(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """/supervisor/credit counted a student's term hours by the rows the teacher could see (RLS: the request's
    college now) and its environmental figures by the request's college now; /admin/environment too. A job the near
    college credited bee 1.5 h for, reopened and gone on to the far college, left the near college's figures and
    was counted in the far college's, which credited nothing."""
    api, _ = app_and_clock
    citizen, rid = await handed_back_job(api, area)
    backdate_acceptance(database_url, rid, 2)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assert (await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))).status_code == 200
    bee = area.students["bee"][0]
    assert _student_hours(await _credit(api, teacher), bee) == (1, 1.5)
    await _moved_on_by_reopen(api, area, citizen, rid, database_url)

    near = await _credit(api, teacher)
    assert _student_hours(near, bee) == (1, 1.5), near["students"]
    assert _environment(near) == (1, 1.5, True), near["environment"]
    far_teacher = await _far_teacher(api, area)
    far = await _credit(api, far_teacher)
    assert _environment(far) == (0, 0.0, False), far["environment"]
    assert await _admin_environment(api, str(area.near)) == (1, 1.5)
    # The far college's job export lists the job it has now, without the near college's report and approval of the
    # round before as its own.
    with psycopg.connect(database_url) as conn:
        ref = conn.execute("select 'FX-' || ref_no from public.repair_requests where id = %s", [rid]).fetchone()
    export = await api.get("/supervisor/jobs.csv", params={"lang": "en"}, headers=bearer(far_teacher))
    assert export.status_code == 200, export.text
    [row] = [r for r in csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))) if ref and r["Reference"] == ref[0]]
    assert (row["Hours worked"], row["Approved on"], row["Approved by"]) == ("", "", ""), row
    assert await _admin_environment(api, str(area.far)) is None


async def test_a_student_moved_away_keeps_their_hours_in_the_first_colleges_figures_and_their_portfolio(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """/supervisor/credit listed the college's students as they are now: bee, moved to the far college by an admin,
    left the near college's figures with the hours it credited and brought them to the far college's. The near
    college keeps them; the far college lists bee with nothing credited there; bee's own portfolio keeps the job."""
    api, _ = app_and_clock
    _, rid = await handed_back_job(api, area)
    backdate_acceptance(database_url, rid, 2)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assert (await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))).status_code == 200
    bee, bee_phone = area.students["bee"]
    admin, _ = await sign_in(api, SEED_ADMIN)
    moved = await api.post(f"/colleges/{area.far}/students", json={"phone": bee_phone}, headers=bearer(admin))
    assert moved.status_code == 201, moved.text

    near = await _credit(api, teacher)
    assert _student_hours(near, bee) == (1, 1.5), near["students"]
    assert bee not in [s["id"] for s in near["students_without_jobs"]]
    far = await _credit(api, await _far_teacher(api, area))
    assert _student_hours(far, bee) == (0, 0.0), far["students"]
    assert _environment(far) == (0, 0.0, False)
    bee_token, _ = await sign_in(api, bee_phone)
    folio = (await api.get(f"/portfolio/{bee}", headers=bearer(bee_token))).json()
    assert [(j["request_id"], j["hours"]) for j in folio["jobs"]] == [(rid, 1.5)] and folio["hours"] == 1.5


async def test_the_teacher_lists_and_approves_a_waiting_round_whose_job_moved_on(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """A round its owner reopened before the near college's teacher approved it, the job then gone on to the far
    college: the teacher could approve it only through the API (`?round=1`), the record being the far college's now
    (RLS). GET /supervisor/hours-waiting lists it for the near college's teacher (not the far college's), with bee's
    hours; approved from there, it leaves the list and counts on the near college's figures."""
    api, _ = app_and_clock
    citizen, rid = await handed_back_job(api, area)
    backdate_acceptance(database_url, rid, 2)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    bee = area.students["bee"][0]
    listed = (await api.get("/supervisor/hours-waiting", headers=bearer(teacher))).json()
    assert [(w["request_id"], w["round"], w["ended"], w["moved_on"]) for w in listed] == [(rid, 1, False, False)]
    await _moved_on_by_reopen(api, area, citizen, rid, database_url)
    assert (await api.get(f"/requests/{rid}/record", headers=bearer(teacher))).status_code == 404

    listed = (await api.get("/supervisor/hours-waiting", headers=bearer(teacher))).json()
    assert [(w["request_id"], w["round"], w["ended"], w["moved_on"]) for w in listed] == [(rid, 1, True, True)]
    assert [(m["technician_id"], m["display_name"], m["hours"]) for m in listed[0]["team"]] == [(bee, "บี เก่ง", 1.5)]
    far_teacher = await _far_teacher(api, area)
    assert (await api.get("/supervisor/hours-waiting", headers=bearer(far_teacher))).json() == []

    approved = await api.post(f"/requests/{rid}/credit/approve", params={"round": 1}, json={},
                              headers=bearer(teacher))
    assert approved.status_code == 200, approved.text
    assert (await api.get("/supervisor/hours-waiting", headers=bearer(teacher))).json() == []
    assert _student_hours(await _credit(api, teacher), bee) == (1, 1.5)
