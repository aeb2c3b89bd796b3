"""ux26 #1 on a real PostgreSQL: an admin at a high-risk job's check names a teacher of the job's college present at
its rework from the app. `GET /admin/requests/{id}/teachers` lists whom the move accepts (the job college's active
teachers, read as the admin under row level security), and the job screen's view-model, on the app's own client
against the real backend, sends the rework naming the one picked; with no teacher at the college it offers no
send-back and says why."""

import uuid
from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row

from mobile.viewmodels.job import JobViewModel
from mobile.viewmodels.session import Session
from shared.roles import Actor
from shared.statuses import RequestStatus
from shared.text import Locale, bilingual
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import ADMIN_PHONE, _student, request_status
from tests.integration.test_a_teacher_at_every_hand_over import Colleges, colleges  # noqa: F401 (fixture)
from tests.integration.test_app_contract import Recorder, app, signed_in  # noqa: F401  (app: the fixture)
from tests.integration.test_the_teacher_present_at_a_rework import REWORK, _in_the_check, _present

S = RequestStatus


async def test_an_admin_reads_the_job_colleges_active_teachers_and_nobody_else_does(
        app: Any, colleges: Colleges, database_url: str,  # noqa: F811  (the fixtures)
) -> None:
    """The job's college's active teachers by name, none of another college's, none who left; an unknown request is
    404; a teacher or a student of the college may not ask (403)."""
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        second_id, _ = _student(conn, colleges.near, "ครูสอง แอร์ใกล้", {}, role="supervisor")
        gone_id, _ = _student(conn, colleges.near, "ครูที่ย้ายไป", {}, role="supervisor")
        conn.execute("update public.profiles set is_active = false where id = %s", [gone_id])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as api:
        rid = await _in_the_check(api, colleges, database_url)
        admin, _ = await sign_in(api, ADMIN_PHONE)
        listed = await api.get(f"/admin/requests/{rid}/teachers", headers=bearer(admin))
        assert listed.status_code == 200, listed.text
        assert {t["id"] for t in listed.json()} == {colleges.people["teacher"][0], second_id}
        assert all(set(t) == {"id", "display_name"} and t["display_name"] for t in listed.json())
        unknown = await api.get(f"/admin/requests/{uuid.uuid4()}/teachers", headers=bearer(admin))
        assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "not_found")
        for who in ("teacher", "student"):
            token, _ = await sign_in(api, colleges.people[who][1])
            refused = await api.get(f"/admin/requests/{rid}/teachers", headers=bearer(token))
            assert refused.status_code == 403, (who, refused.text)
        # The college's teachers all gone: an empty list, the move's 409 presence_no_teacher said before it is sent.
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.profiles set is_active = false where id = any(%s)",
                         [[colleges.people["teacher"][0], second_id]])
        none = await api.get(f"/admin/requests/{rid}/teachers", headers=bearer(admin))
        assert (none.status_code, none.json()) == (200, [])


async def _admin_job(app: Any, rid: str) -> tuple[Any, JobViewModel]:  # noqa: F811
    client = await signed_in(Recorder(), app, ADMIN_PHONE)
    assert client.token is not None
    session = Session(Locale.TH)
    session.sign_in(client.token, await client.me())

    async def nothing(*_: Any) -> None:
        return None

    job = JobViewModel(client, session, uuid.UUID(rid), Actor.ADMIN, on_back=nothing, on_auth_lost=nothing)
    await job.load()
    return client, job


async def test_the_admins_job_screen_sends_the_rework_naming_the_teacher_picked(
        app: Any, colleges: Colleges, database_url: str,  # noqa: F811  (the fixtures)
) -> None:
    teacher_id = colleges.people["teacher"][0]
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        second_id, _ = _student(conn, colleges.near, "ครูสอง แอร์ใกล้", {}, role="supervisor")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as api:
        rid = await _in_the_check(api, colleges, database_url)
    client, job = await _admin_job(app, rid)
    try:
        assert {t.id for t in job.present_teachers or []} == {uuid.UUID(teacher_id), uuid.UUID(second_id)}
        rework = next(s for s in job.steps if s.to_status == S.REPAIRING)
        assert rework.needs_teacher and job.rework_no_teacher_note is None
        job.start_step(S.REPAIRING)
        job.set_note(REWORK)
        job.pick_present_teacher(second_id)
        await job.confirm_step()
        assert job.step_error is None and job.open_step is None and job.status == S.REPAIRING
    finally:
        job.close()
        await client.aclose()
    assert request_status(database_url, rid) == "repairing"
    assert _present(database_url, rid)[-1] == ("quality_check", "repairing", second_id)


async def test_with_no_teacher_at_the_college_the_admins_screen_offers_no_rework_and_says_why(
        app: Any, colleges: Colleges, database_url: str,  # noqa: F811  (the fixtures)
) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as api:
        rid = await _in_the_check(api, colleges, database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set is_active = false where id = %s", [colleges.people["teacher"][0]])
    client, job = await _admin_job(app, rid)
    try:
        assert job.present_teachers == []
        assert S.REPAIRING not in [s.to_status for s in job.steps]
        assert {S.OFFERED, S.DONE} <= {s.to_status for s in job.steps}
        assert job.rework_no_teacher_note == bilingual("rework_no_teacher_admin").th
    finally:
        job.close()
        await client.aclose()
    assert request_status(database_url, rid) == "quality_check"
