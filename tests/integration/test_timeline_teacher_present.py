"""Who reads the teacher present on a high-risk step's timeline row (client21): the detail gives the first name of the
teacher named present with the step (`teacher_present_name`) to whoever may read the request (its owner, the student
on it, the college's teachers, an admin), as it gives the student's first name, and nothing of the teacher besides;
whoever may not read the request reads none of it (not found, or the student whose offer it was: gone). The app's
own client parses it into the row it shows ("ครูควบคุม: ครู"). Real PostgreSQL; `colleges` before `api`."""

import uuid

import httpx

from mobile.api_client import ApiClient
from mobile.viewmodels.request_detail import RequestDetailViewModel
from mobile.viewmodels.session import Session
from shared.text import Locale
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.dispatch_area import ADMIN_PHONE, offers_of, step, submit
from tests.integration.test_a_teacher_at_every_hand_over import AC, Colleges, colleges  # noqa: F401 (fixture)


async def test_the_teacher_present_is_named_to_whoever_reads_the_request_and_to_nobody_else(
    colleges: Colleges, api: httpx.AsyncClient, database_url: str,  # noqa: F811  (the fixture)
) -> None:
    owner, request = await submit(api, **AC)
    rid = str(request["id"])
    student, _ = await sign_in(api, colleges.people["student"][1])
    offer = offers_of(database_url, rid)[0]
    assert (await api.post(f"/offers/{offer['id']}/accept", headers=bearer(student))).status_code == 200
    teacher_id, teacher_phone = colleges.people["teacher"]
    moved = await step(api, student, rid, "diagnosing", teacher_present_id=teacher_id)
    assert moved.status_code == 200, moved.text

    teacher, _ = await sign_in(api, teacher_phone)
    admin, _ = await sign_in(api, ADMIN_PHONE)
    for who, token in {"owner": owner, "student": student, "teacher": teacher, "admin": admin}.items():
        answer = await api.get(f"/requests/{rid}", headers=bearer(token))
        assert answer.status_code == 200, (who, answer.text)
        rows = answer.json()["timeline"]
        named = [(e["from_status"], e["to_status"], e["teacher_present_name"]) for e in rows]
        # The step's row only, by the first name ("ครู แอร์ใกล้" is the teacher's whole name).
        assert [n for n in named if n[2] is not None] == [("accepted", "diagnosing", "ครู")], (who, named)
        if who == "owner":  # the owner reads no whole name of anyone (the student's and the teacher's end so)
            assert "แอร์ใกล้" not in answer.text
        assert teacher_id not in answer.text, who  # the teacher's id goes to nobody

    outsiders = {"another citizen": (await sign_in(api, fresh_phone()))[0],
                 "the other college's teacher": (await sign_in(api, colleges.people["far_teacher"][1]))[0],
                 "the other college's student": (await sign_in(api, colleges.people["far_student"][1]))[0]}
    for who, token in outsiders.items():
        answer = await api.get(f"/requests/{rid}", headers=bearer(token))
        assert answer.status_code in (404, 410), (who, answer.status_code)
        assert "teacher_present_name" not in answer.text and "timeline" not in answer.json(), who

    # The app's own client reads it, and the owner's screen puts it on that row.
    client = ApiClient("http://fixit.test", transport=api._transport, token=owner)
    session = Session(Locale.TH)
    session.sign_in(owner, await client.me())

    async def nothing(*_: object) -> None:
        return None

    screen = RequestDetailViewModel(client, session, uuid.UUID(rid), on_back=nothing, on_auth_lost=nothing)
    await screen.load()
    assert [row.teacher_present for row in screen.timeline if row.teacher_present] == ["ครูควบคุม: ครู"]
    screen.close()
    await client.aclose()
