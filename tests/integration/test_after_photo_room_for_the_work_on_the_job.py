"""The student now on a job always has room on its record for a full set of their own after photos, however much
earlier work (a take back, a reassign, a reopen: credit.WORK_BEGAN_SQL) left there, and no earlier photo is given up
for it: the record grows past shared.photos.AFTER_PHOTO_SLOTS (`after_photo_span`, review18a). The backend takes
the photos where the app puts them (shared.photos.free_after_slots), and each student's portfolio still shows their
own after photo. Real PostgreSQL."""

import uuid
from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row

from backend.services import credit
from mobile.viewmodels.job import JobViewModel
from mobile.viewmodels.session import Session
from shared.photos import AFTER_PHOTO_SLOTS, MAX_PHOTOS_PER_REQUEST
from shared.roles import Actor
from shared.text import Locale
from tests.helpers import bearer, sign_in
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import (
    AppClock,
    Area,
    assigned_by_teacher,
    step,
)
from tests.integration.test_app_contract import Recorder, app, signed_in  # noqa: F401  (app: the fixture)

# Five earlier works' full sets, a day old, by one student (the photos' files do not matter to the rule).
_EARLIER_WORK = """
    insert into public.request_photos (request_id, kind, idx, storage_path, thumb_path, content_type, width, height,
                                       bytes, uploaded_by, created_at)
    select %s, 'after', i, 'earlier/' || i || '.jpg', 'earlier/' || i || '.thumb.jpg', 'image/jpeg', 8, 8, 10, %s,
           now() - interval '1 day'
    from generate_series(0, %s - 1) i"""


async def _full_record_given_to_ace(api: httpx.AsyncClient, area: Area, database_url: str) -> str:
    """bee's job, under way, its record holding AFTER_PHOTO_SLOTS earlier photos of bee's, then given to ace."""
    _, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    assert (await step(api, bee, rid, "diagnosing")).status_code == 200
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(_EARLIER_WORK, [rid, area.students["bee"][0], AFTER_PHOTO_SLOTS])
    given = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]},
                           headers=bearer(teacher))
    assert given.status_code == 200, given.text
    return rid


async def test_a_record_full_of_earlier_works_photos_leaves_the_student_on_the_job_room_for_theirs(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """Five earlier works with a full set each (a job reopened, taken back or reassigned back and forth: each change
    of hands starts new work, credit.WORK_BEGAN_SQL) fill shared.photos.AFTER_PHOTO_SLOTS. Written here as rows, a
    day old (the photos' files do not matter to the rule)."""
    api, _ = app_and_clock
    rid = await _full_record_given_to_ace(api, area, database_url)
    ace, _ = await sign_in(api, area.students["ace"][1])
    answers: set[int] = set()
    for idx in range(26):
        photo = {"file": ("after.jpg", jpeg_with_gps((64, 48)), "image/jpeg")}
        put = await api.put(f"/requests/{rid}/after-photos/{idx}", files=photo, headers=bearer(ace))
        answers.add(put.status_code)
        if put.status_code == 201:
            break
    assert 201 in answers, answers  # somewhere to photograph the work now on the job
    assert (answers, idx) == ({409, 201}, AFTER_PHOTO_SLOTS)  # beside the earlier work's, never over it


async def test_the_app_puts_a_full_set_where_the_backend_takes_it_and_each_portfolio_keeps_its_own_photo(
        app: Any, area: Area, database_url: str,  # noqa: F811  (the fixture)
) -> None:
    """The contract: the job screen's view-model, on the app's own client against the real backend, reads the detail
    the backend sends and uploads a full set of ace's own at the indices it finds free (shared.photos
    free_after_slots); the backend stores every one, and nothing of bee's is replaced. Then it offers no more, and
    the backend agrees. bee's portfolio still shows bee's after photo, ace's shows ace's."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as api:
        rid = await _full_record_given_to_ace(api, area, database_url)
        client = await signed_in(Recorder(), app, area.students["ace"][1])
        assert client.token is not None
        session = Session(Locale.TH)
        session.sign_in(client.token, await client.me())

        async def nothing(*_: Any) -> None:
            return None

        job = JobViewModel(client, session, uuid.UUID(rid), Actor.TECHNICIAN, on_back=nothing, on_auth_lost=nothing)
        await job.load()
        assert job.detail is not None and job.can_edit_work and job.error is None
        assert job.after_photos_in_round == []  # bee's do not count for ace's check
        assert job.can_add_after_photo  # a record full of earlier work is no dead end
        picked = [(f"{i}.jpg", jpeg_with_gps((64, 48))) for i in range(MAX_PHOTOS_PER_REQUEST + 1)]
        await job.add_after_photos(picked)
        ace_set = list(range(AFTER_PHOTO_SLOTS, AFTER_PHOTO_SLOTS + MAX_PHOTOS_PER_REQUEST))
        assert job.after_photos_in_round == ace_set
        assert job.photo_error is not None and not job.can_add_after_photo  # the sixth: this work's set is full
        await job.load()  # read again: the backend counts the same set as ace's
        assert job.after_photos_in_round == ace_set and not job.can_add_after_photo
        photo = {"file": ("after.jpg", jpeg_with_gps((64, 48)), "image/jpeg")}
        refused = await api.put(f"/requests/{rid}/after-photos/{AFTER_PHOTO_SLOTS + MAX_PHOTOS_PER_REQUEST}",
                                files=photo, headers=bearer(client.token))
        assert (refused.status_code, refused.json()["error"]["code"]) == (400, "photo_too_many")
        job.close()
        await client.aclose()
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        rows = conn.execute("select idx, uploaded_by::text as by, storage_path, thumb_path from public.request_photos "
                            "where request_id = %s and kind = 'after' order by idx", [rid]).fetchall()
    assert [r["idx"] for r in rows] == [*range(AFTER_PHOTO_SLOTS), *ace_set]
    assert {r["by"] for r in rows[AFTER_PHOTO_SLOTS:]} == {area.students["ace"][0]}
    assert [r["storage_path"] for r in rows[:AFTER_PHOTO_SLOTS]] == [
        f"earlier/{i}.jpg" for i in range(AFTER_PHOTO_SLOTS)]  # bee's, untouched
    async with await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as owner:
        bees = await credit.portfolio_photo_paths(owner, [uuid.UUID(rid)], uuid.UUID(area.students["bee"][0]))
        aces = await credit.portfolio_photo_paths(owner, [uuid.UUID(rid)], uuid.UUID(area.students["ace"][0]))
    assert [p["thumb_path"] for p in bees if p["kind"] == "after"] == ["earlier/0.thumb.jpg"]
    assert [p["thumb_path"] for p in aces if p["kind"] == "after"] == [rows[AFTER_PHOTO_SLOTS]["thumb_path"]]
