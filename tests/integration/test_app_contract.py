"""The app's API client against the real backend, in-process, over every endpoint it calls, with real data.

The answers both sides read are one set of models (shared/wire.py, shared/credit_wire.py); the app adds models of
its own for the rest (mobile/models.py) and leniency (defaults, ignored fields). This proves the app parses what the
backend really sends, for every role. A model that drifts from the backend fails here, not on a phone."""

import inspect
import io
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import psycopg
import pytest
from PIL import Image
from psycopg.rows import dict_row

from backend.app import create_app
from backend.deps import get_now
from backend.services.staff import register_staff
from backend.settings import Settings
from mobile.api_client import ApiClient, ApiError
from shared.roles import AppRole
from shared.text import Locale, wait_text
from tests.helpers import fresh_phone
from tests.integration.builders import draft
from tests.integration.dispatch_area import HOME, Area, Clock
from tests.integration.wall_clock import wall

# Session plumbing, not endpoints of their own.
NOT_ENDPOINTS = {"aclose", "fresh_token", "use_session", "token", "session"}


class Recorder:
    """Which ApiClient methods the test called, so the test can prove it called all of them."""

    def __init__(self) -> None:
        self.called: set[str] = set()

    def client(self, app: Any) -> ApiClient:
        api = ApiClient("http://fixit.test", transport=httpx.ASGITransport(app=app))
        recorder = self
        for name, method in inspect.getmembers(api, inspect.iscoroutinefunction):
            if name.startswith("_"):
                continue

            def wrap(fn: Callable[..., Awaitable[Any]], name: str = name) -> Callable[..., Awaitable[Any]]:
                async def called(*args: Any, **kwargs: Any) -> Any:
                    recorder.called.add(name)
                    return await fn(*args, **kwargs)
                return called

            setattr(api, name, wrap(method))
        return api


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Any]:
    app = create_app(settings)
    app.dependency_overrides[get_now] = Clock()
    async with app.router.lifespan_context(app):
        yield app


async def signed_in(recorder: Recorder, app: Any, phone: str) -> ApiClient:
    client = recorder.client(app)
    sent = await client.request_otp(phone)
    assert sent.dev_code is not None
    await client.verify_otp(phone, sent.dev_code)
    return client


def teacher_college(profile: Any) -> uuid.UUID:
    assert profile.college is not None
    return uuid.UUID(str(profile.college.id))


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 160, 200)).save(out, "JPEG")
    return out.getvalue()


async def test_every_endpoint_the_app_calls_parses(app: Any, area: Area, database_url: str) -> None:
    recorder = Recorder()
    citizen = await signed_in(recorder, app, fresh_phone())
    assert (await citizen.me()).role == "citizen"
    await citizen.update_me(display_name="สมหญิง ทดสอบ")
    assert await citizen.categories()
    created = await citizen.create_request(draft(lat=HOME[0], lon=HOME[1]))
    assert created.status == "offered"
    await citizen.upload_request_photo(created.id, 0, jpeg(), "image/jpeg")
    own = await citizen.my_requests()
    assert ([r.id for r in own.rows], own.total) == ([created.id], 1)
    detail = await citizen.request_detail(created.id)
    assert len(detail.photos) == 1
    assert await citizen.request_photo(created.id, "before", 0)
    await citizen.duplicates("appliance", HOME[0], HOME[1])
    other = await citizen.create_request(draft(lat=HOME[0], lon=HOME[1]))
    assert (await citizen.cancel_request(other.id, "ไม่ต้องแล้ว")).status == "cancelled"

    student = await signed_in(recorder, app, area.students["ace"][1])
    feed = await student.technician_offers()
    assert feed.takes_jobs is True  # the feed's header: the home asks no GET /me to learn it
    mine = next(o for o in feed.offers if o.request_id == created.id)
    assert mine.description == "เปิดแล้วไม่หมุน มีกลิ่นไหม้"  # the citizen's words, before accepting
    declined = await citizen.create_request(draft(lat=HOME[0], lon=HOME[1]))
    to_decline = next(o for o in (await student.technician_offers()).offers if o.request_id == declined.id)
    await student.decline_offer(to_decline.offer_id)
    work = await student.accept_offer(mine.offer_id)
    assert work.status == "accepted"
    await student.work_detail(created.id)
    for to in ("diagnosing", "repairing"):
        await student.change_status(created.id, to)
    await student.upload_after_photo(created.id, 0, jpeg(), "image/jpeg")
    await student.save_report(created.id, {"hours": 1.5, "notes": "เปลี่ยนตัวเก็บประจุ",
                                           "parts": [{"name": "คาปาซิเตอร์", "qty": 1, "cost_baht": 35}]})
    await student.change_status(created.id, "quality_check")
    assert [j.id for j in (await student.technician_jobs()).rows if j.id == created.id]

    teacher = await signed_in(recorder, app, area.students["teacher"][1])
    await teacher.supervisor_queue()
    dashboard = await teacher.supervisor_dashboard()
    assert created.id in [r.id for r in dashboard.quality_check]
    students = await teacher.supervisor_technicians()
    dan = next(s for s in students if str(s.id) == area.students["dan"][0])
    await teacher.update_technician(dan.id, {"is_active": True, "skills": {"electrical_appliance": 2}})
    # Switched off, a student still signs in; their profile says so (their home tells them why no offers come).
    off = await teacher.update_technician(uuid.UUID(area.students["plumber"][0]), {"is_active": False})
    assert off.is_active is False
    plumber = await signed_in(recorder, app, area.students["plumber"][1])
    assert (await plumber.me()).takes_jobs is False
    assert (await plumber.technician_offers()).takes_jobs is False  # what the home reads at each refresh
    assert (await teacher.update_technician(off.id, {"is_active": True})).is_active
    assert (await plumber.me()).takes_jobs is True
    assert (await plumber.technician_offers()).takes_jobs is True
    # The teacher's job list: a filter, a search by the reference the citizen quotes, pages.
    checking = await teacher.supervisor_jobs(["quality_check"])
    assert [j.id for j in checking.jobs] == [created.id] and "done" in checking.jobs[0].actions
    assert detail.reference is not None
    found = await teacher.supervisor_jobs(query=detail.reference)
    assert [j.reference for j in found.jobs] == [detail.reference] and found.counts["quality_check"] == 1
    first = await teacher.supervisor_jobs(limit=1)
    assert len(first.jobs) == 1 and first.total >= 2
    assert first.next_after is not None
    assert (await teacher.supervisor_jobs(limit=1, after=first.next_after)).jobs[0].id != first.jobs[0].id
    college_id = teacher_college(await teacher.me())
    added = await teacher.add_student(college_id, fresh_phone(), "นักศึกษา ใหม่", {"electrical_appliance": 2})
    assert added.existing_account is False
    imported = await teacher.import_students(college_id, f"phone,name\n{fresh_phone()},คนที่สอง\n".encode())
    assert imported.imported == 1
    with pytest.raises(ApiError) as bad_csv:
        await teacher.import_students(college_id, b"phone,name\nnot-a-phone,x\n")
    assert bad_csv.value.code == "csv_invalid" and [n for n, _ in bad_csv.value.lines] == [2]
    # A citizen's own account is invited, not changed: the person answers in the app (no skills: no offers here).
    joining_phone, declining_phone = fresh_phone(), fresh_phone()
    joining = await signed_in(recorder, app, joining_phone)
    declining = await signed_in(recorder, app, declining_phone)
    assert await joining.my_invitation() is None
    for phone in (joining_phone, declining_phone):
        invited = await teacher.add_student(college_id, phone, "ผู้ได้รับเชิญ")
        assert invited.existing_account and invited.awaiting_acceptance
    waiting_here = {i.phone: i for i in await teacher.college_invites(college_id)}
    assert waiting_here["+66" + joining_phone[1:]].awaiting_acceptance
    invitation = await joining.my_invitation()
    assert invitation is not None and invitation.college is not None and invitation.college.id == college_id
    joined = await joining.accept_invitation(invitation)  # the yes names what the person was shown
    assert joined.role == "technician" and joined.college is not None and joined.college.id == college_id
    refusing = await declining.my_invitation()
    assert refusing is not None
    await declining.decline_invitation(refusing)
    assert await declining.my_invitation() is None and (await declining.me()).role == "citizen"
    await teacher.change_status(created.id, "done")
    await teacher.change_status(created.id, "handed_back", "เจ้าของมารับของคืนที่ศูนย์")  # the teacher's reason
    await teacher.supervisor_ledger()
    assert (await teacher.supervisor_csv("jobs")).startswith(b"\xef\xbb\xbf")
    await teacher.supervisor_csv("ledger")
    third = await citizen.create_request(draft(lat=HOME[0], lon=HOME[1]))
    assert (await teacher.assign(third.id, uuid.UUID(area.students["bee"][0]))).status == "accepted"

    record = await citizen.request_detail(created.id)
    # The report's own priced list is not the owner's bill: nothing was proposed and approved (audit13).
    assert record.report is not None and record.report.parts == [] and record.report.parts_total_baht == 0
    assert record.next_step and record.reference == detail.reference
    await citizen.rate_request(created.id, 5, "ดีมาก")
    assert (await citizen.reopen_request(created.id, "ยังไม่หาย")).status == "offered"

    admin = await signed_in(recorder, app, "084-444-4444")
    waiting = await citizen.create_request(draft(lat=HOME[0], lon=HOME[1], category_code="computer"))
    assert waiting.status == "no_centre"
    assert waiting.id in [w.id for w in (await admin.admin_waiting()).rows]
    fits = {fit.college_id: fit for fit in await admin.admin_college_fit(waiting.id)}
    assert area.near in fits and fits[area.near].students == 0  # nobody there repairs computers
    undecided = await admin.admin_undecided()  # its contents: test_the_decisions_waiting_...
    assert undecided.total >= len(undecided.rows)
    assert await admin.colleges()
    # The job college's active teachers, one of whom an admin names present at a high-risk rework (ux26; the
    # picker: tests/integration/test_ux26_admin_rework.py).
    teacher_me = await teacher.me()
    assert teacher_me.id in [x.id for x in await admin.job_college_teachers(created.id)]
    with pytest.raises(ApiError) as nobody:  # errors are part of the contract: nobody there repairs computers
        await admin.dispatch(waiting.id, area.near)
    assert nobody.value.code == "no_fitting_student" and nobody.value.message(Locale.TH)

    # The inbox: the offer above reached the student's (issue 13); devices for push come and go.
    page = await student.my_notifications()
    assert page.items and page.unread_count == await student.unread_count()
    assert page.items == sorted(page.items, key=lambda n: n.id, reverse=True) and page.items[0].title
    assert await student.my_notifications(before_id=page.items[0].id) is not None
    # The bell's number also comes with the person's own list (X-Unread-Count): the home's refresh needs no
    # count of its own beside it, and the app reads the same number the count endpoint gives.
    counted: list[int] = []
    student.on_unread_count = counted.append
    await student.my_requests()
    assert counted == [page.unread_count] and page.unread_count > 0
    assert await student.mark_notification_read(page.items[-1].id) == page.unread_count - 1
    await student.my_requests()
    assert counted == [page.unread_count, page.unread_count - 1]
    assert await student.mark_all_notifications_read() == 0
    await student.my_requests()
    assert counted[-1] == 0 and student.unread_counts_seen == 3
    prefs = await student.notification_settings()
    assert "offer_new" in prefs.channels and "sms" not in prefs.allowed["offer_new"]
    changed = await student.update_notification_settings({**prefs.body(), "channels": {"offer_new": ["line"]},
                                                          "offers_in_quiet_hours": True})
    assert changed.channels["offer_new"] == ["line"] and changed.offers_in_quiet_hours
    device = f"fcm-{uuid.uuid4().hex}"
    await student.register_device("android", device)
    await student.drop_device(device)

    # The admin onboards a college (far from the test area, without students: no dispatch goes there) and its
    # supervisor, who is named once it is active.
    code = f"T{uuid.uuid4().hex[:8].upper()}"
    made = await admin.create_college({
        "code": code, "name_th": "วิทยาลัยทดสอบ", "name_en": "Test College", "province_th": "สงขลา",
        "province_en": "Songkhla", "region": "south", "lat": 7.19, "lon": 100.59, "service_radius_km": 5,
        "is_active": False})
    assert made.code == code and not made.is_active and made.supervisors == []
    renamed = await admin.update_college(made.id, {"name_en": "Test College of Songkhla", "is_active": True})
    assert renamed.name_en == "Test College of Songkhla" and renamed.is_active
    named = await admin.name_supervisor(made.id, fresh_phone(), "ครูทดสอบ")
    assert named.role == "supervisor" and not named.existing_account
    listed = next(c for c in await admin.admin_colleges() if c.id == made.id)
    assert listed.pending_invites == 1
    # The admin takes a mistyped one back (the app reads the list, then withdraws by the invitation's id).
    [invite] = await admin.college_invites(made.id)
    assert invite.role == "supervisor" and not invite.expired and invite.expires_at > invite.created_at
    await admin.withdraw_invite(made.id, invite.id)
    assert await admin.college_invites(made.id) == []
    # An invitation to be an admin (the operator's, at no college): listed and withdrawn by an admin in the app.
    admin_phone = fresh_phone()
    async with await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as conn, conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        await register_staff(conn, admin_phone, AppRole.ADMIN, None, now=wall()[0], policy=wall()[1])
    [to_admin] = [i for i in await admin.college_invites(None) if i.phone == "+66" + admin_phone[1:]]
    assert to_admin.role == "admin" and to_admin.college_id is None
    await admin.withdraw_invite(None, to_admin.id)
    assert all(i.id != to_admin.id for i in await admin.college_invites(None))
    # Leave nothing that could take a job or show in the public list (other tests count the seeded colleges).
    assert not (await admin.update_college(made.id, {"is_active": False})).is_active

    assert await citizen.export_my_data()
    await citizen.refresh_session()
    await student.sign_out()
    leaving = await signed_in(recorder, app, fresh_phone())
    await leaving.delete_account()

    endpoints = {name for name, _ in inspect.getmembers(ApiClient, inspect.iscoroutinefunction)
                 if not name.startswith("_")} - NOT_ENDPOINTS
    assert endpoints - recorder.called - CREDIT_ENDPOINTS == set()


# Issue 14's endpoints, proven by the test below (a job of its own, with a team and the teacher's approval).
CREDIT_ENDPOINTS = {
    "job_record", "move_job", "record_outcome", "propose_part", "decide_part", "record_phone_approval", "withdraw_part",
    "handover_code", "confirm_handover", "college_teachers", "add_team_member", "report_my_hours", "approve_hours",
    "skill_proposals", "decide_proposal", "set_credit_settings", "college_credit", "portfolio", "portfolio_pdf",
    "college_students", "my_team_jobs", "level_history", "hours_waiting",
}


async def test_the_job_record_and_credit_endpoints_parse(app: Any, area: Area, database_url: str) -> None:
    import psycopg

    recorder = Recorder()
    citizen = await signed_in(recorder, app, fresh_phone())
    teacher = await signed_in(recorder, app, area.students["teacher"][1])
    lead = await signed_in(recorder, app, area.students["bee"][1])
    helper = await signed_in(recorder, app, area.students["cat"][1])
    bee, cat = uuid.UUID(area.students["bee"][0]), uuid.UUID(area.students["cat"][0])
    await teacher.set_credit_settings(1, 10.0)  # one approved job proposes the next level
    created = await citizen.create_request(draft(lat=HOME[0], lon=HOME[1]))
    await teacher.assign(created.id, bee)
    assert [t.display_name for t in await lead.college_teachers()] == ["ครู ใกล้"]

    capacitor = await lead.propose_part(created.id, "คาปาซิเตอร์", 2, 35)
    assert (await citizen.decide_part(created.id, capacitor.id, True)).status == "approved"
    fuse = await lead.propose_part(created.id, "ฟิวส์", 1, 10)
    phoned = await lead.record_phone_approval(created.id, fuse.id, "เจ้าของอนุมัติทางโทรศัพท์ 10:30")
    assert (phoned.status, phoned.approval) == ("approved", "phone")
    mistaken = await lead.propose_part(created.id, "สายไฟผิดรุ่น", 1, 25)
    withdrawn = await lead.withdraw_part(created.id, mistaken.id)  # known18be: a part proposed by mistake
    assert (withdrawn.status, withdrawn.withdrawn_by_hand, withdrawn.proposed_by) == ("withdrawn", True, bee)
    with pytest.raises(ApiError) as answered:  # an answered part stays as answered
        await teacher.withdraw_part(created.id, capacitor.id)
    assert answered.value.status == 409 and answered.value.code == "part_answered" and answered.value.text.en
    assert [p.withdrawn_by_hand for p in (await citizen.job_record(created.id)).parts] == [False, False, True]
    classmates = await lead.college_students()
    assert cat in [s.id for s in classmates] and bee not in [s.id for s in classmates]
    await lead.add_team_member(created.id, cat, "ทดสอบวงจร")
    await helper.report_my_hours(created.id, 0.5, "ทดสอบวงจร")
    helping = await helper.my_team_jobs()
    assert [(j.request_id, j.hours, j.task, j.round) for j in helping.rows] == [(created.id, 0.5, "ทดสอบวงจร", 1)]
    assert helping.total == 1
    for to in ("diagnosing", "repairing"):
        await lead.move_job(created.id, to)
    await lead.upload_after_photo(created.id, 0, jpeg(), "image/jpeg")
    await lead.save_report(created.id, {"hours": 1.0, "notes": "เปลี่ยนคาปาซิเตอร์", "parts": []})
    outcome = await lead.record_outcome(created.id, "fixed", None, "คาปาซิเตอร์เสื่อม")
    assert outcome.outcome == "fixed"
    await lead.move_job(created.id, "quality_check")
    await teacher.move_job(created.id, "done")

    with pytest.raises(ApiError) as unconfirmed:  # no hand back without the owner's confirmation
        await lead.move_job(created.id, "handed_back")
    assert unconfirmed.value.code == "handover_unconfirmed"
    code = await citizen.handover_code(created.id)
    assert (await lead.move_job(created.id, "handed_back", handover_code=code)).status == "handed_back"
    record = await citizen.job_record(created.id)
    assert record.parts_approved_total_baht == 80.0 and record.handover is not None
    shown = (await citizen.request_detail(created.id)).report  # the owner's repair record: the approved parts
    assert shown is not None and [(p.name, p.qty, p.cost_baht) for p in shown.parts] == [
        ("คาปาซิเตอร์", 2, 35.0), ("ฟิวส์", 1, 10.0)] and shown.parts_total_baht == 80.0
    assert {m.role for m in (await teacher.job_record(created.id)).team} == {"lead", "helper"}

    with psycopg.connect(database_url, autocommit=True) as conn:  # in hand for 2 hours, not seconds
        conn.execute("update public.status_events set created_at = created_at - interval '2 hours' "
                     "where request_id = %s and to_status = 'accepted'", [created.id])
    page = await teacher.hours_waiting()
    assert page.total == len(page.rows)  # the app reads the backend's count of rounds waiting (X-Total-Count)
    assert page.rest == 0 and page.after is None
    after, walked = None, []  # a round at a time, each after the last by the client's cursor, each counting the rest
    for _ in page.rows:
        one = await teacher.hours_waiting(after, 1)
        walked += one.rows
        assert one.rest == page.total - len(walked) and (one.after is None) == (one.rest == 0)
        after = one.after
    assert [(w.request_id, w.round) for w in walked] == [(w.request_id, w.round) for w in page.rows]
    [waiting] = [w for w in page.rows if w.request_id == created.id]
    assert (waiting.round, waiting.ended, waiting.moved_on) == (1, False, False)
    assert {(m.technician_id, m.role, m.hours) for m in waiting.team} == {(bee, "lead", 1.0), (cat, "helper", 0.5)}
    approved = await teacher.approve_hours(created.id, {cat: 0.75})
    assert created.id not in [w.request_id for w in (await teacher.hours_waiting()).rows]
    assert sorted((m.role, m.approved_hours) for m in approved) == [("helper", 0.75), ("lead", 1.0)]
    folio = await helper.portfolio(cat)
    assert [(j.request_id, j.role, j.hours) for j in folio.jobs] == [(created.id, "helper", 0.75)]
    pdf = await helper.portfolio_pdf(cat, folio.term)
    assert pdf.data.startswith(b"%PDF") and pdf.code and pdf.code in pdf.filename
    view = await teacher.college_credit(folio.term)
    assert next(s for s in view.students if s.id == bee).hours == 1.0
    proposals = [p for p in await teacher.skill_proposals() if p.technician_id in (bee, cat)]
    assert proposals and all(p.status == "proposed" for p in proposals)
    assert await teacher.decide_proposal(proposals[0].id, False) == "declined"
    levels = await teacher.level_history(bee)
    assert [(h.skill_code, h.level) for h in levels] == [("electrical_appliance", 4)]  # the first entry: today's
    assert (await lead.level_history(bee)) == levels

    # The owner's confirmation in the app, on a second job.
    second = await citizen.create_request(draft(lat=HOME[0], lon=HOME[1]))
    await teacher.assign(second.id, bee)
    for to in ("diagnosing", "repairing"):
        await lead.move_job(second.id, to)
    await lead.upload_after_photo(second.id, 0, jpeg(), "image/jpeg")
    await lead.save_report(second.id, {"hours": 0.5, "notes": "ขันสกรูใหม่", "parts": []})
    await lead.move_job(second.id, "quality_check")
    await teacher.move_job(second.id, "done")
    await citizen.confirm_handover(second.id)
    assert (await citizen.job_record(second.id)).handover is not None
    assert (await lead.move_job(second.id, "handed_back")).status == "handed_back"

    assert CREDIT_ENDPOINTS - recorder.called == set()


async def test_the_roster_of_a_suspended_student_parses_and_the_switch_on_is_refused(
    app: Any, area: Area, database_url: str
) -> None:
    """The roster as the backend sends it when the operator suspended a student: the app reads `suspended` (its
    label, its disabled switch, its assign list) and the refused switch-on's code and texts."""
    import psycopg

    recorder = Recorder()
    teacher = await signed_in(recorder, app, area.students["teacher"][1])
    dan = uuid.UUID(area.students["dan"][0])
    with psycopg.connect(database_url, autocommit=True) as conn:  # what suspend-person sets (test_person_cli.py)
        conn.execute("update public.profiles set is_active = false where id = %s", [dan])
    students = await teacher.supervisor_technicians()
    assert {s.id: (s.is_active, s.suspended) for s in students if s.id == dan} == {dan: (False, True)}
    assert not any(s.suspended for s in students if s.id != dan)
    with pytest.raises(ApiError) as refused:
        await teacher.update_technician(dan, {"is_active": True, "skills": {}})
    assert refused.value.status == 409 and refused.value.code == "student_suspended"
    assert "ระงับ" in refused.value.message_th and "suspended" in refused.value.message_en
    kept = await teacher.update_technician(dan, {"is_active": False, "skills": {"electrical_appliance": 2}})
    assert kept.suspended is True and kept.is_active is False and kept.skills == {"electrical_appliance": 2}


async def test_the_backends_own_429_reaches_the_app_with_when_to_try_again(settings: Settings) -> None:
    """The backend's 429s send Retry-After in seconds (backend/services/rate_limits.py): the app keeps it on the
    error (its outbox sends nothing before it) and says when in its own words ("ลองใหม่ในอีก 60 นาที"), not the
    body's "in 3599 seconds"."""
    tight = settings.model_copy(update={"submits_per_person_per_hour": 1})
    limited = create_app(tight)
    async with limited.router.lifespan_context(limited):
        citizen = await signed_in(Recorder(), limited, fresh_phone())
        await citizen.create_request(draft())
        with pytest.raises(ApiError) as refused:
            await citizen.create_request(draft())
        await citizen.aclose()
    error = refused.value
    assert (error.status, error.code, error.is_retryable) == (429, "too_many_requests", True)
    assert error.retry_after is not None and 1 <= error.retry_after <= 3600
    wait = wait_text(error.retry_after)
    assert error.message_th == f"ทำรายการบ่อยเกินไป กรุณาลองใหม่ในอีก {wait.th}"
    assert error.message_en == f"Too many actions in a short time: try again in {wait.en}"


async def test_the_decisions_waiting_on_a_college_parse(app: Any, area: Area, database_url: str) -> None:
    """What migration 0071 adds, as the app reads it: the dashboard's queue items (a job held by a suspended student
    marked, an unrepairable one to hand back), the job list's mark, and the admin's list of jobs no teacher of their
    college can decide (a repair the college's only teacher asked for), with its total and its reason's text."""
    recorder = Recorder()
    teacher = await signed_in(recorder, app, area.students["teacher"][1])
    own = await teacher.create_request(draft(lat=HOME[0], lon=HOME[1]))
    ace = await signed_in(recorder, app, area.students["ace"][1])
    offer = next(o for o in (await ace.technician_offers()).offers if o.request_id == own.id)
    await ace.accept_offer(offer.offer_id)
    for to in ("diagnosing", "repairing"):
        await ace.change_status(own.id, to)
    await ace.upload_after_photo(own.id, 0, jpeg(), "image/jpeg")
    await ace.save_report(own.id, {"hours": 1.5, "notes": "เปลี่ยนสาย", "parts": []})
    await ace.change_status(own.id, "quality_check")
    citizen = await signed_in(recorder, app, fresh_phone())
    broken = await citizen.create_request(draft(lat=HOME[0], lon=HOME[1]))
    held = await citizen.create_request(draft(lat=HOME[0], lon=HOME[1]))
    bee = uuid.UUID(area.students["bee"][0])
    await teacher.assign(broken.id, uuid.UUID(area.students["ace"][0]))
    await ace.change_status(broken.id, "diagnosing")
    await ace.change_status(broken.id, "unrepairable", reason="no_parts")
    await teacher.assign(held.id, bee)
    with psycopg.connect(database_url, autocommit=True) as conn:  # what suspend-person sets (test_person_cli.py)
        conn.execute("update public.profiles set is_active = false where id = %s", [bee])

    queue = {q.id: q for q in (await teacher.supervisor_dashboard()).quality_check}
    assert queue[broken.id].status == "unrepairable" and not queue[broken.id].holder_suspended
    assert queue[held.id].holder_suspended and queue[own.id].status == "quality_check"
    jobs = {j.id: j for j in (await teacher.supervisor_jobs()).jobs}
    assert jobs[held.id].technician_suspended and not jobs[broken.id].technician_suspended

    admin = await signed_in(recorder, app, "084-444-4444")
    page = await admin.admin_undecided()
    listed, total = page.rows, page.total
    mine = next(j for j in listed if j.id == own.id)
    assert total >= len(listed) and mine.why == "own_request" and mine.college_name(Locale.TH) == "วิทยาลัยทดสอบใกล้"
    assert mine.why_text(Locale.TH) == "ครูคนเดียวของวิทยาลัยทดสอบใกล้เป็นผู้ขอซ่อมเอง"
    assert broken.id not in [j.id for j in listed]  # the college has a teacher for that one
    opened = await admin.work_detail(own.id)  # the card opens the job screen, where the admin checks it
    assert opened.status == "quality_check" and opened.id == own.id
