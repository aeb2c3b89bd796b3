"""attack24: an attacker's read of the whole surface (the Data API as PostgREST serves it, the HTTP API, the live
events), with the app's real roles. Each test is the behaviour the project's own rules promise (README "How the
data stays private", the migrations' comments); a finding not fixed yet is a strict xfail. Real PostgreSQL; the
Data API's reads as PostgREST makes them (`authenticated` with the caller's JWT claims, RLS and the column grants
deciding)."""

from typing import Any

import psycopg

from tests.helpers import bearer, sign_in
from tests.integration.builders import as_user, jpeg_with_gps
from tests.integration.dispatch_area import AppClock, Area, assigned_by_teacher, offers_of, record_work, step

# What the earlier round's people wrote on the job: a student's report notes, a teacher's step note (free text,
# where anyone may write a name or a phone number), and a part the owner decided with a note of their own.
REPORT_NOTES = "โทรหาคุณสมศรี 081-234-5678 ก่อนเข้าไป"
STEP_NOTE = "บ้านเลขที่ 99 ซอยสุขใจ: บีลาออกแล้ว"


async def _taken_back_and_offered(api: Any, area: Area, database_url: str) -> tuple[str, str, str]:
    """bee repairs a job the teacher gave them (report notes, a part the owner declined with a note), the teacher
    takes it back and the SLA dispatch offers it to other students: (the request, a student now holding a pending
    offer of it who never worked on it, the owner's token)."""
    citizen, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    photo = {"file": ("before.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    uploaded = await api.put(f"/requests/{rid}/photos/0", files=photo, headers=bearer(citizen))
    assert uploaded.status_code == 201, uploaded.text
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    await record_work(api, bee, rid, hours=2.0, notes=REPORT_NOTES)
    taken = await step(api, teacher, rid, "offered", note=STEP_NOTE)
    assert taken.status_code == 200, taken.text
    bee_id = area.students["bee"][0]
    pending = [o["technician_id"] for o in offers_of(database_url, rid)
               if o["status"] == "pending" and str(o["technician_id"]) != bee_id]
    assert pending, offers_of(database_url, rid)
    return rid, str(pending[0]), citizen


async def test_a_student_offered_a_job_reads_no_earlier_rounds_record_through_the_data_api(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """0006 let a student deciding on an offer look at the citizen's photos and the timeline; 0050 made every table
    of the job record follow `private.can_see_request`, whose pending-offer clause came along: such a student read,
    through Supabase's Data API, the earlier lead's report (notes, hours, their id), the team with its hours, the
    parts, the outcome, the handover's reason and the earlier round's after photos, none of which their offer
    screen shows (the API answers their GET /requests/{id} 404: the offer card says what and roughly where, never
    whose, 0061). Offered to up to three students a round, at other colleges too, a job taken back or reopened
    handed its history to people who never take it."""
    api, _ = app_and_clock
    rid, offered, _ = await _taken_back_and_offered(api, area, database_url)
    phone = next(p for uid, p in area.students.values() if uid == offered)
    token, _ = await sign_in(api, phone)
    # The HTTP API's view of it: the offer card, no detail.
    assert (await api.get(f"/requests/{rid}", headers=bearer(token))).status_code == 404
    cards = (await api.get("/technician/offers", headers=bearer(token))).json()
    assert any(c["request_id"] == rid for c in cards)
    with as_user(database_url, offered) as conn:
        reports = conn.execute("select notes, technician_id from public.job_reports where request_id = %s",
                               [rid]).fetchall()
        team = conn.execute("select technician_id, hours from public.job_team where request_id = %s",
                            [rid]).fetchall()
        photos = conn.execute("select kind from public.request_photos where request_id = %s", [rid]).fetchall()
        moves = conn.execute("select to_status::text from public.status_events where request_id = %s order by id",
                             [rid]).fetchall()
    after = [p for p in photos if p["kind"] != "before"]
    # Before the fix: bee's report with REPORT_NOTES and their id, bee's team row with 2 hours, bee's after photo.
    assert (reports, team, after) == ([], [], [])
    # What 0006 gives the offered student stays theirs: the citizen's photo (the Data API and the API) and the
    # timeline's moves.
    assert [p["kind"] for p in photos] == ["before"]
    assert (await api.get(f"/requests/{rid}/photos/before/0", headers=bearer(token))).status_code == 200
    assert moves[-1] == {"to_status": "offered"}


async def test_a_student_offered_a_job_reads_no_free_text_of_its_timeline_through_the_data_api(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """The timeline 0006 shows an offered student is its moves; its `note` column is free text a teacher or a
    student typed at a step (a send back, a take back, a hand back: names, house numbers, phone numbers are what
    people write there), and `authenticated` reads it for every row the policy shows, the offered student's too.
    The backend words each note for its reader; the Data API serves the stored text to anyone the row is shown."""
    api, _ = app_and_clock
    rid, offered, citizen = await _taken_back_and_offered(api, area, database_url)
    with as_user(database_url, offered) as conn:
        try:
            notes = conn.execute("select note from public.status_events where request_id = %s and note <> ''",
                                 [rid]).fetchall()
        except psycopg.errors.InsufficientPrivilege:
            notes = []  # the Data API gives the column to nobody (the backend reads it for the detail's readers)
    assert notes == []  # before the fix: [{'note': 'บ้านเลขที่ 99 ซอยสุขใจ: บีลาออกแล้ว'}]
    # The detail's readers still read what was typed, in the API: the owner, the teacher.
    detail = (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()
    assert any(STEP_NOTE in e["note"] for e in detail["timeline"])
