"""audit20 #1: who is present when a high-risk job goes back for rework (quality_check -> repairing), on a real
PostgreSQL. The presence rule is about the student's hands-on work being supervised (shared.credit
teacher_named_present): the teacher of the college who sends it back is recorded present unless they name another
teacher of the college; an admin names one (the API), and where the college has none is told so
(409 presence_no_teacher), nothing written. The job screen's send-back works for a teacher as it is."""

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
from tests.integration.dispatch_area import ADMIN_PHONE, _student, offers_of, record_work, request_status, step, submit
from tests.integration.test_a_teacher_at_every_hand_over import AC, Colleges, colleges  # noqa: F401 (fixture)
from tests.integration.test_app_contract import Recorder, app, signed_in  # noqa: F401  (app: the fixture)

REWORK = "ยังมีเสียงดังผิดปกติ ตรวจคอมเพรสเซอร์ใหม่"


async def _in_the_check(api: httpx.AsyncClient, where: Colleges, database_url: str) -> str:
    """An air-conditioning job (high tier) of the near college repaired with its teacher named present at both
    hands-on steps, sent for the check: its request id."""
    _, request = await submit(api, **AC)
    rid = str(request["id"])
    offer = offers_of(database_url, rid)[0]
    student, _ = await sign_in(api, where.people["student"][1])
    assert (await api.post(f"/offers/{offer['id']}/accept", headers=bearer(student))).status_code == 200
    for to in ("diagnosing", "repairing"):
        moved = await step(api, student, rid, to, teacher_present_id=where.people["teacher"][0])
        assert moved.status_code == 200, moved.text
    await record_work(api, student, rid)
    assert (await step(api, student, rid, "quality_check")).status_code == 200
    return rid


def _present(database_url: str, rid: str) -> list[tuple[str, str, str | None]]:
    """Each move into a hands-on step: (from, to, the teacher recorded present)."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return [(r["from_status"], r["to_status"], r["present"]) for r in conn.execute(
            """select from_status::text, to_status::text, teacher_present_id::text as present
               from public.status_events where request_id = %s and to_status in ('diagnosing', 'repairing')
                 and from_status is distinct from to_status order by id""", [rid])]


async def test_the_job_screens_send_back_records_the_teacher_present_and_the_timeline_names_them(
        app: Any, colleges: Colleges, database_url: str,  # noqa: F811  (the fixtures)
) -> None:
    """The contract: the teacher's job screen (its view-model, on the app's own client against the real backend)
    offers the send-back of a high-risk job, says the teacher is recorded present, and sends it as it always did (the
    note, no name): the job is back in repairing, the teacher recorded present at the rework, and the detail's
    timeline names them there as at the student's steps."""
    teacher_id, teacher_phone = colleges.people["teacher"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as api:
        rid = await _in_the_check(api, colleges, database_url)
        client = await signed_in(Recorder(), app, teacher_phone)
        assert client.token is not None
        session = Session(Locale.EN)
        session.sign_in(client.token, await client.me())

        async def nothing(*_: Any) -> None:
            return None

        job = JobViewModel(client, session, uuid.UUID(rid), Actor.SUPERVISOR, on_back=nothing, on_auth_lost=nothing)
        await job.load()
        rework = next(s for s in job.steps if s.to_status == RequestStatus.REPAIRING)
        assert rework.needs_note and rework.hint == bilingual("rework_teacher_present_hint")
        job.start_step(RequestStatus.REPAIRING)
        job.set_note(REWORK)
        await job.confirm_step()
        assert job.step_error is None and job.open_step is None
        assert job.detail is not None and job.detail.status == RequestStatus.REPAIRING
        job.close()
        detail = (await api.get(f"/requests/{rid}", headers=bearer(client.token))).json()
        await client.aclose()
    assert request_status(database_url, rid) == "repairing"
    assert _present(database_url, rid) == [("accepted", "diagnosing", teacher_id),
                                           ("diagnosing", "repairing", teacher_id),
                                           ("quality_check", "repairing", teacher_id)]
    moves = [e for e in detail["timeline"] if e["to_status"] in ("diagnosing", "repairing")]
    assert [(e["from_status"], e["teacher_present_name"]) for e in moves] == [
        ("accepted", "ครู"), ("diagnosing", "ครู"), ("quality_check", "ครู")]
    assert moves[-1]["note"] == REWORK


async def test_a_teacher_may_name_another_teacher_of_the_college_and_no_one_else(
        app: Any, colleges: Colleges, database_url: str,  # noqa: F811  (the fixtures)
) -> None:
    """Naming another teacher stays possible through the API: one of the college's active teachers is recorded; a
    teacher of another college is refused (409 teacher_presence_required), nothing written."""
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        second_id, _ = _student(conn, colleges.near, "ครูสอง แอร์ใกล้", {}, role="supervisor")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as api:
        rid = await _in_the_check(api, colleges, database_url)
        teacher, _ = await sign_in(api, colleges.people["teacher"][1])
        far = await step(api, teacher, rid, "repairing", note=REWORK,
                         teacher_present_id=colleges.people["far_teacher"][0])
        assert (far.status_code, far.json()["error"]["code"]) == (409, "teacher_presence_required"), far.text
        assert request_status(database_url, rid) == "quality_check"
        back = await step(api, teacher, rid, "repairing", note=REWORK, teacher_present_id=second_id)
        assert back.status_code == 200, back.text
    assert _present(database_url, rid)[-1] == ("quality_check", "repairing", second_id)


async def test_an_admin_names_a_teacher_of_the_college_and_is_told_when_it_has_none(
        app: Any, colleges: Colleges, database_url: str,  # noqa: F811  (the fixtures)
) -> None:
    """An admin is no teacher of the college: naming nobody is refused (409 teacher_presence_required), naming its
    teacher is recorded. Once the college has no active teacher, naming nobody is answered with why (409
    presence_no_teacher, both languages, naming the teacher who left too), nothing written."""
    teacher_id = colleges.people["teacher"][0]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as api:
        admin, _ = await sign_in(api, ADMIN_PHONE)
        rid = await _in_the_check(api, colleges, database_url)
        nobody = await step(api, admin, rid, "repairing", note=REWORK)
        assert (nobody.status_code, nobody.json()["error"]["code"]) == (409, "teacher_presence_required")
        named = await step(api, admin, rid, "repairing", note=REWORK, teacher_present_id=teacher_id)
        assert named.status_code == 200, named.text
        assert _present(database_url, rid)[-1] == ("quality_check", "repairing", teacher_id)

        again = await _in_the_check(api, colleges, database_url)
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.profiles set is_active = false where id = %s", [teacher_id])
        refused = await step(api, admin, again, "repairing", note=REWORK)
        error = refused.json()["error"]
        assert (refused.status_code, error["code"]) == (409, "presence_no_teacher"), refused.text
        assert error["message_th"] and error["message_en"]
        # Naming the teacher who left: the same answer, the one that says why nobody can be named.
        gone = await step(api, admin, again, "repairing", note=REWORK, teacher_present_id=teacher_id)
        assert (gone.status_code, gone.json()["error"]["code"]) == (409, "presence_no_teacher")
    assert request_status(database_url, again) == "quality_check"
    assert [m for m in _present(database_url, again) if m[0] == "quality_check"] == []
