"""Work that changes hands (review18a): each student's portfolio shows their own after photo, never the next
student's; and a record full of earlier works' after photos still has room for the student now on the job."""

import uuid
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from backend.services import credit
from tests.helpers import bearer, sign_in
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import AppClock, Area, assigned_by_teacher, step


async def test_a_former_students_portfolio_does_not_show_the_next_students_after_photo_as_theirs(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """bee diagnoses and reports 2 hours (kept on the team after the take back: their portfolio lists the job once
    approved) but photographs nothing; ace, given the job, photographs the repair. ace's photo is not bee's work."""
    api, _ = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    saved = await api.put(f"/requests/{rid}/report", json={"hours": 2.0, "notes": "ถอดพัดลมออกมาตรวจ มอเตอร์ไหม้",
                                                           "parts": []}, headers=bearer(bee))
    assert saved.status_code == 200, saved.text
    assert (await step(api, teacher, rid, "offered", note="บีลาออกแล้ว")).status_code == 200
    given = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]},
                           headers=bearer(teacher))
    assert given.status_code == 200, given.text
    ace, _ = await sign_in(api, area.students["ace"][1])
    photo = {"file": ("after.jpg", jpeg_with_gps((64, 48)), "image/jpeg")}
    assert (await api.put(f"/requests/{rid}/after-photos/0", files=photo, headers=bearer(ace))).status_code == 201
    with psycopg.connect(database_url) as conn:
        aces = conn.execute("select thumb_path from public.request_photos where request_id = %s and kind = 'after'",
                            [rid]).fetchone()
    assert aces is not None
    async with pool.connection() as conn:
        bees = await credit.portfolio_photo_paths(conn, [uuid.UUID(rid)], uuid.UUID(area.students["bee"][0]))
        aces_own = await credit.portfolio_photo_paths(conn, [uuid.UUID(rid)], uuid.UUID(area.students["ace"][0]))
    assert [p["thumb_path"] for p in bees if p["kind"] == "after"] == []  # ace's work is not bee's
    assert [p["thumb_path"] for p in aces_own if p["kind"] == "after"] == [aces[0]]  # ace's own, in ace's
