"""A college's invitation on the citizen's home (accept brings the new role's home, decline changes nothing), the
teacher's view of who has not joined yet, and a student holding jobs who cannot be switched off."""

import json
from typing import Any
from uuid import UUID

import httpx

from mobile.viewmodels.home import CitizenHome, TechnicianHome
from mobile.views.frame import app_view
from mobile.views.supervisor_tools import technicians_view
from tests.unit.mobile_fakes import (
    COLLEGE,
    NOW,
    STUDENT,
    FakeBackend,
    WorkBackend,
    error_response,
    texts,
)
from tests.unit.mobile_screens import assert_accessible, click, signed_in

INVITATION = {"role": "technician", "college": COLLEGE, "skills": {"electrical": 2}, "invited_at": NOW.isoformat()}


def accepted_as_student(backend: FakeBackend) -> Any:
    def answer(_: httpx.Request) -> httpx.Response:
        # The backend now knows the same sign-in as a student's.
        for token, role in list(backend.tokens.items()):
            if role == "citizen":
                backend.tokens[token] = "technician"
        return httpx.Response(200, json=backend.profile("technician"))
    return answer


async def test_the_citizen_accepts_a_colleges_invitation_and_gets_the_students_home() -> None:
    backend = FakeBackend()
    backend.invitation = INVITATION
    backend.overrides[("POST", "/me/invitation/accept")] = accepted_as_student(backend)
    app = await signed_in("citizen", backend)
    assert isinstance(app.home, CitizenHome) and app.home.invitation.visible
    tree = app_view(app)
    shown = texts(tree)
    assert "วิทยาลัยเทคนิคเชียงใหม่ เชิญคุณเป็นนักศึกษาช่าง" in shown
    assert "ตอบรับ" in shown and "ปฏิเสธ" in shown
    assert_accessible(tree)
    assert app.home.requests  # the card sits above the person's own list, which still loads

    await click(tree, "ตอบรับ")
    assert len(backend.calls("POST", "/me/invitation/accept")) == 1
    assert isinstance(app.home, TechnicianHome) and app.session.profile is not None
    assert app.session.profile.role == "technician"
    assert "เชิญคุณเป็นนักศึกษาช่าง" not in " ".join(texts(app_view(app)))


async def test_declining_keeps_the_citizens_home_and_says_so_in_english_too() -> None:
    backend = FakeBackend()
    backend.invitation = {**INVITATION, "role": "supervisor"}
    backend.overrides[("POST", "/me/invitation/decline")] = lambda _: httpx.Response(204)
    app = await signed_in("citizen", backend)
    await app.toggle_locale()  # to English
    home = app.home
    assert isinstance(home, CitizenHome)
    tree = app_view(app)
    assert "Chiang Mai Technical College invites you to join as a supervisor" in texts(tree)
    await click(tree, "Decline")
    [sent] = backend.calls("POST", "/me/invitation/decline")
    assert json.loads(sent.content) == {"role": "supervisor", "college_id": COLLEGE["id"]}  # the no is to this one
    assert app.home is home and not home.invitation.visible
    assert home.notice == "Invitation declined: your account stays as it is"
    assert "Accept" not in texts(app_view(app))


async def test_a_refused_answer_shows_why_and_keeps_the_card() -> None:
    backend = FakeBackend()
    backend.invitation = INVITATION
    backend.overrides[("POST", "/me/invitation/accept")] = lambda _: error_response(
        409, "invitation_college_inactive")
    app = await signed_in("citizen", backend)
    home = app.home
    assert isinstance(home, CitizenHome)
    await click(app_view(app), "ตอบรับ")
    assert app.home is home and home.invitation.visible and not home.invitation.busy
    assert "วิทยาลัยที่เชิญคุณปิดใช้งานแล้ว จึงตอบรับคำเชิญนี้ไม่ได้" in texts(app_view(app))

    # Answered on another device meanwhile: the card goes and the home says why.
    backend.overrides[("POST", "/me/invitation/accept")] = lambda _: error_response(404, "invitation_none")
    await click(app_view(app), "ตอบรับ")
    assert not home.invitation.visible and home.notice == "ไม่มีคำเชิญที่รอคำตอบจากคุณ"


async def test_a_yes_names_the_invitation_shown_and_a_replaced_one_is_shown_anew() -> None:
    backend = FakeBackend()
    backend.invitation = INVITATION

    def replaced(_: httpx.Request) -> httpx.Response:
        # An admin made it a teacher's place meanwhile: the backend refuses the yes to the student's place.
        backend.invitation = {**INVITATION, "role": "supervisor"}
        return error_response(409, "invitation_changed")

    backend.overrides[("POST", "/me/invitation/accept")] = replaced
    app = await signed_in("citizen", backend)
    home = app.home
    assert isinstance(home, CitizenHome)
    await click(app_view(app), "ตอบรับ")
    [sent] = backend.calls("POST", "/me/invitation/accept")
    assert json.loads(sent.content) == {"role": "technician", "college_id": COLLEGE["id"]}
    shown = texts(app_view(app))
    assert "คำเชิญนี้เปลี่ยนไปแล้ว กรุณาอ่านคำเชิญใหม่ก่อนตอบ" in shown
    assert "วิทยาลัยเทคนิคเชียงใหม่ เชิญคุณเป็นครูผู้ควบคุม" in shown
    assert app.home is home and home.invitation.invitation is not None
    assert home.invitation.invitation.role == "supervisor" and not home.invitation.busy


async def test_an_invitation_that_cannot_be_read_does_not_cost_the_list() -> None:
    backend = FakeBackend()
    backend.overrides[("GET", "/me/invitation")] = lambda _: error_response(500, "internal_error")
    app = await signed_in("citizen", backend)
    assert isinstance(app.home, CitizenHome)
    assert app.home.error is None and app.home.requests and not app.home.invitation.visible


class HoldingJobsBackend(WorkBackend):
    """A student who still holds a job: the backend refuses to switch them off."""

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT" and request.url.path == f"/supervisor/technicians/{STUDENT}":
            self.requests.append(request)
            return error_response(409, "student_has_jobs", count=1)
        return super().handle(request)


async def test_the_teacher_sees_who_waits_and_a_student_with_jobs_stays_active() -> None:
    backend = HoldingJobsBackend()
    backend.invites = [
        {"phone": "+66812345678", "role": "technician", "college_id": COLLEGE["id"], "display_name": "สมศักดิ์",
         "skills": {}, "created_at": NOW.isoformat(), "awaiting_acceptance": True, "declined_at": None},
        {"phone": "+66898765432", "role": "technician", "college_id": COLLEGE["id"], "display_name": "",
         "skills": {}, "created_at": NOW.isoformat(), "awaiting_acceptance": False, "declined_at": None},
        {"phone": "+66811112222", "role": "technician", "college_id": COLLEGE["id"], "display_name": "มานี",
         "skills": {}, "created_at": NOW.isoformat(), "awaiting_acceptance": True,
         "declined_at": NOW.isoformat()},
    ]
    backend.overrides[("POST", f"/colleges/{COLLEGE['id']}/students")] = lambda _: httpx.Response(
        201, json={"phone": "+66812345678", "role": "technician", "college_id": COLLEGE["id"],
                   "existing_account": True, "awaiting_acceptance": True})
    app = await signed_in("supervisor", backend)
    await app.open_technicians()
    screen = app.technicians
    assert screen is not None
    shown = texts(technicians_view(screen, app.session.locale))
    for line in ("ยังไม่ได้เข้าร่วม", "สมศักดิ์ · 081-234-5678 · รอตอบรับ", "089-876-5432 · รอเข้าสู่ระบบครั้งแรก",
                 "มานี · 081-111-2222 · ปฏิเสธแล้ว"):
        assert line in shown, line

    screen.set_phone_input("081-234-5678")
    await screen.add_student()
    assert screen.notice == "ส่งคำเชิญถึง 081-234-5678 แล้ว รอเจ้าของบัญชีตอบรับในแอป"
    # Someone who just said no: the reason is under the phone field, and the field keeps the number.
    backend.overrides[("POST", f"/colleges/{COLLEGE['id']}/students")] = lambda _: error_response(
        409, "invitation_declined", days=30)
    screen.set_phone_input("081-111-2222")
    await screen.add_student()
    assert screen.add_error == "บุคคลนี้ปฏิเสธคำเชิญไปเมื่อไม่นานนี้ เชิญใหม่ได้หลังจากปฏิเสธแล้ว 30 วัน"
    assert screen.phone_input == "081-111-2222"
    assert screen.add_error in texts(technicians_view(screen, app.session.locale))

    await screen.toggle_active(UUID(STUDENT), False)
    row = next(r for r in screen.rows if str(r.item.id) == STUDENT)
    assert row.is_active  # the switch shows what the backend holds
    assert row.error is not None and row.error.th == (
        "นักศึกษาคนนี้มีงานที่รับไว้ 1 งาน ให้ครูของวิทยาลัยเดิมมอบงานให้นักศึกษาคนอื่น หรือให้นักศึกษาทำงานให้เสร็จก่อน")
    assert "This student holds 1 job(s)" in row.error.en
    assert row.error.th in texts(technicians_view(screen, app.session.locale))


async def test_the_admin_is_told_a_citizens_account_waits_for_acceptance() -> None:
    backend = FakeBackend()
    college = {**COLLEGE, "province_th": "เชียงใหม่", "province_en": "Chiang Mai", "region": "north", "lat": 18.79,
               "lon": 98.98, "service_radius_km": 30, "coordinates_approximate": False, "is_active": True,
               "supervisors": [], "students": 0, "pending_invites": 0}
    backend.overrides[("GET", "/admin/colleges")] = lambda _: httpx.Response(200, json=[college])
    backend.overrides[("POST", f"/admin/colleges/{COLLEGE['id']}/supervisors")] = lambda _: httpx.Response(
        201, json={"phone": "+66891234567", "role": "supervisor", "college_id": COLLEGE["id"],
                   "existing_account": True, "awaiting_acceptance": True})
    app = await signed_in("admin", backend)
    await app.open_route("/admin/colleges")
    screen = app.colleges_admin
    assert screen is not None
    screen.start_naming(UUID(COLLEGE["id"]))
    screen.set_supervisor_phone("089-123-4567")
    await screen.name_supervisor()
    assert screen.notice == "ส่งคำเชิญเป็นครูผู้ควบคุมถึง 089-123-4567 แล้ว รอเจ้าของบัญชีตอบรับในแอป"
