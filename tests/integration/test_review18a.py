"""review18a: a hostile review of this session's first new code (the clock's revival and reminders, work that
changes hands, withdrawing a part). Each test here shows a defect found on main today: marked xfail(strict) so the
branch stays green; the fixer removes the mark with the fix."""

from datetime import timedelta

import psycopg
import pytest

from tests.helpers import bearer, sign_in
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import (
    AppClock,
    Area,
    assigned_by_teacher,
    step,
)

MINUTE = timedelta(minutes=1)


@pytest.mark.xfail(strict=True, reason="review18a: once the record's 25 after-photo slots hold earlier work's photos, "
                                       "the student on the job can add none (409 photo_earlier_work at 0-24, 400 at "
                                       "25) and so can never pass the teacher's check: a dead end")
async def test_a_record_full_of_earlier_works_photos_leaves_the_student_on_the_job_room_for_theirs(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """Five earlier works with a full set each (a job reopened, taken back or reassigned back and forth: each change
    of hands starts new work, credit.WORK_BEGAN_SQL) fill shared.photos.AFTER_PHOTO_SLOTS. Written here as rows, a
    day old (the photos' files do not matter to the rule)."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    assert (await step(api, bee, rid, "diagnosing")).status_code == 200
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            """insert into public.request_photos (request_id, kind, idx, storage_path, thumb_path, content_type, width,
                                                  height, bytes, uploaded_by, created_at)
               select %s, 'after', i, 'earlier/' || i || '.jpg', 'earlier/' || i || '.thumb.jpg', 'image/jpeg', 8, 8,
                      10, %s, now() - interval '1 day'
               from generate_series(0, 24) i""", [rid, area.students["bee"][0]])
    given = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]},
                           headers=bearer(teacher))
    assert given.status_code == 200, given.text
    ace, _ = await sign_in(api, area.students["ace"][1])
    answers: set[int] = set()
    for idx in range(26):
        photo = {"file": ("after.jpg", jpeg_with_gps((64, 48)), "image/jpeg")}
        put = await api.put(f"/requests/{rid}/after-photos/{idx}", files=photo, headers=bearer(ace))
        answers.add(put.status_code)
        if put.status_code == 201:
            break
    assert 201 in answers, answers  # somewhere to photograph the work now on the job
