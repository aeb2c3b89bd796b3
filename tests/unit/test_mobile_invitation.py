"""A college's invitation on the citizen's home (accept brings the new role's home, decline changes nothing), the
teacher's view of who has not joined yet, and a student holding jobs who cannot be switched off."""

import json
from typing import Any
from uuid import UUID, uuid4

import flet as ft
import httpx

from mobile.viewmodels.home import CitizenHome, TechnicianHome
from mobile.views.frame import app_view
from mobile.views.invites import withdraw_invite_dialog
from mobile.views.supervisor_tools import technicians_view
from tests.unit.mobile_fakes import (
    COLLEGE,
    INVITED_UNTIL,
    NOW,
    STUDENT,
    FakeBackend,
    WorkBackend,
    error_response,
    find,
    texts,
)
from tests.unit.mobile_screens import assert_accessible, click, signed_in

INVITATION = {"role": "technician", "college": COLLEGE, "skills": {"electrical": 2}, "invited_at": NOW.isoformat(),
              "expires_at": INVITED_UNTIL}


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
    # The person is told until when it is open.
    assert "ตอบรับภายใน 9 ธ.ค. 2569 เวลา 13:00 น." in shown  # the hour it lapses; the date kept whole
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
    assert "Answer by 13:00 on 9 Dec 2026" in texts(tree)
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


def pending(phone: str, name: str, **changes: Any) -> dict[str, Any]:
    """One line of GET /colleges/{id}/invites: sent at NOW, waiting for the account's owner to accept."""
    return {"id": str(uuid4()), "phone": phone, "role": "technician", "college_id": COLLEGE["id"],
            "display_name": name, "skills": {}, "created_at": NOW.isoformat(), "expires_at": INVITED_UNTIL,
            "expired": False, "awaiting_acceptance": True, "declined_at": None, **changes}


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
        pending("+66812345678", "สมศักดิ์"),
        pending("+66898765432", "", awaiting_acceptance=False),
        pending("+66811112222", "มานี", declined_at=NOW.isoformat()),
    ]
    backend.overrides[("POST", f"/colleges/{COLLEGE['id']}/students")] = lambda _: httpx.Response(
        201, json={"phone": "+66812345678", "role": "technician", "college_id": COLLEGE["id"],
                   "existing_account": True, "awaiting_acceptance": True})
    app = await signed_in("supervisor", backend)
    await app.open_technicians()
    screen = app.technicians
    assert screen is not None
    shown = texts(technicians_view(screen, app.session.locale))
    for line in ("ยังไม่ได้เข้าร่วม", "สมศักดิ์ · 081-234-5678 · รอตอบรับ · หมดอายุ 9 ธ.ค. 2569 เวลา 13:00 น.",
                 "089-876-5432 · รอเข้าสู่ระบบครั้งแรก · หมดอายุ 9 ธ.ค. 2569 เวลา 13:00 น.", "มานี · 081-111-2222 · ปฏิเสธแล้ว"):
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
    assert "This student holds 1 job:" in row.error.en
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


async def test_the_teacher_withdraws_an_invitation_after_a_confirmation() -> None:
    """Each line says until when it is open (or that it ran out); Withdraw asks first, and Keep it sends nothing.
    Confirmed, the line goes and the screen says so; the other lines keep their keys."""
    backend = WorkBackend()
    waiting, lapsed = pending("+66812345678", "สมศักดิ์"), pending("+66898765432", "", expired=True)
    declined = pending("+66811112222", "มานี", declined_at=NOW.isoformat())
    backend.invites = [waiting, lapsed, declined]
    withdraw_url = f"/colleges/{COLLEGE['id']}/invites/{waiting['id']}"

    def withdrawn(_: httpx.Request) -> httpx.Response:
        backend.invites = [lapsed, declined]
        return httpx.Response(204)

    backend.overrides[("DELETE", withdraw_url)] = withdrawn
    app = await signed_in("supervisor", backend)
    await app.open_technicians()
    screen = app.technicians
    assert screen is not None
    tree = technicians_view(screen, app.session.locale)
    shown = texts(tree)
    assert "089-876-5432 · หมดอายุแล้วเมื่อ 9 ธ.ค. 2569" in shown
    assert_accessible(tree)
    # An answered one is the person's: no Withdraw on it.
    assert "ยกเลิกคำเชิญของ มานี" not in shown and "ยกเลิกคำเชิญของ 089-876-5432" in shown
    assert withdraw_invite_dialog(screen, app.session.locale) is None

    await click(tree, "ยกเลิกคำเชิญของ สมศักดิ์")
    dialog = withdraw_invite_dialog(screen, app.session.locale)
    assert dialog is not None and "ยกเลิกคำเชิญนี้?" in texts(dialog)
    assert any(line.startswith("สมศักดิ์ จะไม่เห็นคำเชิญนี้อีก") for line in texts(dialog))
    await click(dialog, "ไม่ยกเลิก")
    assert withdraw_invite_dialog(screen, app.session.locale) is None and backend.calls("DELETE", withdraw_url) == []

    await click(technicians_view(screen, app.session.locale), "ยกเลิกคำเชิญของ สมศักดิ์")
    dialog = withdraw_invite_dialog(screen, app.session.locale)
    assert dialog is not None
    await click(dialog, "ยกเลิกคำเชิญ")
    assert len(backend.calls("DELETE", withdraw_url)) == 1
    assert withdraw_invite_dialog(screen, app.session.locale) is None
    assert screen.notice == "ยกเลิกคำเชิญของ สมศักดิ์ แล้ว"
    tree = technicians_view(screen, app.session.locale)
    assert not any(line.startswith("สมศักดิ์") for line in texts(tree))
    rows = [c.key for c in find(tree, ft.Column) if isinstance(c.key, str) and c.key.startswith("invite-")]
    assert rows == [f"invite-{lapsed['id']}", f"invite-{declined['id']}"]

    # In English the date is the English one.
    await app.toggle_locale()
    assert "089-876-5432 · Expired on 9 Dec 2026" in texts(technicians_view(screen, app.session.locale))


async def test_a_teacher_is_offered_withdraw_only_on_their_students_invitations() -> None:
    """GET /colleges/{id}/invites lists every role's invitations to a teacher (an admin's teacher invitation too),
    and the backend lets a teacher withdraw students' only (403 forbidden_role): no button, no dialog for the rest."""
    backend = WorkBackend()
    colleague, student = pending("+66812345678", "ครูใหม่", role="supervisor"), pending("+66898765432", "สมศักดิ์")
    backend.invites = [colleague, student]
    app = await signed_in("supervisor", backend)
    await app.open_technicians()
    screen = app.technicians
    assert screen is not None
    shown = texts(technicians_view(screen, app.session.locale))
    assert any(line.startswith("ครูใหม่ · 081-234-5678") for line in shown)  # listed, so the teacher knows
    assert "ยกเลิกคำเชิญของ ครูใหม่" not in shown and "ยกเลิกคำเชิญของ สมศักดิ์" in shown
    screen.ask_withdraw(UUID(colleague["id"]))
    assert screen.withdrawing is None and withdraw_invite_dialog(screen, app.session.locale) is None


async def test_a_refused_withdraw_says_why_and_reads_the_list_again() -> None:
    """The person accepted meanwhile: the teacher is told, and the list is what the backend holds now."""
    backend = WorkBackend()
    waiting = pending("+66812345678", "สมศักดิ์")
    backend.invites = [waiting]

    def answered(_: httpx.Request) -> httpx.Response:
        backend.invites = []
        return error_response(409, "invitation_answered")

    backend.overrides[("DELETE", f"/colleges/{COLLEGE['id']}/invites/{waiting['id']}")] = answered
    app = await signed_in("supervisor", backend)
    await app.open_technicians()
    screen = app.technicians
    assert screen is not None
    reads = len(backend.calls("GET", f"/colleges/{COLLEGE['id']}/invites"))
    screen.ask_withdraw(UUID(waiting["id"]))
    await screen.withdraw()
    assert screen.notice == "คำเชิญนี้ได้รับคำตอบแล้ว จึงยกเลิกไม่ได้"
    assert screen.withdrawing is None and not screen.withdraw_busy and screen.invites == []
    assert len(backend.calls("GET", f"/colleges/{COLLEGE['id']}/invites")) == reads + 1
    assert screen.notice in texts(technicians_view(screen, app.session.locale))


async def test_a_card_that_expired_or_was_withdrawn_goes_with_the_reason() -> None:
    backend = FakeBackend()
    backend.invitation = INVITATION
    backend.overrides[("POST", "/me/invitation/accept")] = lambda _: error_response(
        409, "invitation_expired", days=14)
    app = await signed_in("citizen", backend)
    home = app.home
    assert isinstance(home, CitizenHome) and home.invitation.visible
    await click(app_view(app), "ตอบรับ")
    assert not home.invitation.visible and home.notice is not None
    assert home.notice.startswith("คำเชิญนี้หมดอายุแล้ว (คำเชิญเปิดไว้ 14 วัน)")
    assert "ตอบรับ" not in texts(app_view(app)) and home.notice in texts(app_view(app))

    await home.load()  # the card is back (the fake still has it): now the college took it back
    assert home.invitation.visible
    backend.overrides[("POST", "/me/invitation/decline")] = lambda _: error_response(409, "invitation_withdrawn")
    await click(app_view(app), "ปฏิเสธ")
    assert not home.invitation.visible
    assert home.notice == "ผู้เชิญยกเลิกคำเชิญนี้แล้ว บัญชีของคุณไม่เปลี่ยนแปลง"


async def test_the_admin_opens_a_colleges_invitations_and_withdraws_a_teachers_one() -> None:
    backend = FakeBackend()
    college = {**COLLEGE, "province_th": "เชียงใหม่", "province_en": "Chiang Mai", "region": "north", "lat": 18.79,
               "lon": 98.98, "service_radius_km": 30, "coordinates_approximate": False, "is_active": True,
               "supervisors": [], "students": 0, "pending_invites": 1}
    invites = [pending("+66891234567", "ครู สมใจ", role="supervisor", awaiting_acceptance=False)]
    invites_url = f"/colleges/{COLLEGE['id']}/invites"
    withdraw_url = f"{invites_url}/{invites[0]['id']}"

    def withdrawn(_: httpx.Request) -> httpx.Response:
        invites.clear()
        college["pending_invites"] = 0
        return httpx.Response(204)

    backend.overrides[("GET", "/admin/colleges")] = lambda _: httpx.Response(200, json=[college])
    backend.overrides[("GET", invites_url)] = lambda _: httpx.Response(200, json=invites)
    backend.overrides[("DELETE", withdraw_url)] = withdrawn
    app = await signed_in("admin", backend)
    await app.open_route("/admin/colleges")
    screen = app.colleges_admin
    assert screen is not None
    assert backend.calls("GET", invites_url) == []  # read when asked for
    screen.toggle_college(screen.colleges[0].id)  # the college's card opened
    await click(app_view(app), "ดูผู้ที่ยังไม่ได้เข้าร่วม วิทยาลัยเทคนิคเชียงใหม่")
    tree = app_view(app)
    assert "ครู สมใจ · 089-123-4567 · ครูผู้ควบคุม · รอเข้าสู่ระบบครั้งแรก · หมดอายุ 9 ธ.ค. 2569 เวลา 13:00 น." in texts(tree)
    assert_accessible(tree)
    await click(tree, "ยกเลิกคำเชิญของ ครู สมใจ")
    dialog = withdraw_invite_dialog(screen, app.session.locale)
    assert dialog is not None
    await click(dialog, "ยกเลิกคำเชิญ")
    assert len(backend.calls("DELETE", withdraw_url)) == 1
    shown = texts(app_view(app))
    assert "ยกเลิกคำเชิญของ ครู สมใจ แล้ว" in shown and "ไม่มีคำเชิญที่รอหรือหมดอายุ" in shown
    assert not any(line.startswith("ครู สมใจ") for line in shown)
    await click(app_view(app), "ซ่อนผู้ที่ยังไม่ได้เข้าร่วม วิทยาลัยเทคนิคเชียงใหม่")
    assert "ไม่มีคำเชิญที่รอหรือหมดอายุ" not in texts(app_view(app))


async def test_the_admin_withdrawing_an_invitation_a_sign_in_dropped_as_expired_is_told_it_had_expired() -> None:
    """The stranger signed up with the phone after the invitation ran out (the backend dropped it, staff.invite_lapse):
    the admin's withdraw is refused 409 invitation_lapsed; the reason shows in Thai and the line goes."""
    backend = FakeBackend()
    college = {**COLLEGE, "province_th": "เชียงใหม่", "province_en": "Chiang Mai", "region": "north", "lat": 18.79,
               "lon": 98.98, "service_radius_km": 30, "coordinates_approximate": False, "is_active": True,
               "supervisors": [], "students": 0, "pending_invites": 0}
    invites = [pending("+66891234567", "ครู สมใจ", role="supervisor", awaiting_acceptance=False, expired=True)]
    invites_url = f"/colleges/{COLLEGE['id']}/invites"
    withdraw_url = f"{invites_url}/{invites[0]['id']}"

    def lapsed(_: httpx.Request) -> httpx.Response:
        invites.clear()  # the sign-in had dropped it already
        return error_response(409, "invitation_lapsed", days=14)

    backend.overrides[("GET", "/admin/colleges")] = lambda _: httpx.Response(200, json=[college])
    backend.overrides[("GET", invites_url)] = lambda _: httpx.Response(200, json=invites)
    backend.overrides[("DELETE", withdraw_url)] = lapsed
    app = await signed_in("admin", backend)
    await app.open_route("/admin/colleges")
    screen = app.colleges_admin
    assert screen is not None
    screen.toggle_college(screen.colleges[0].id)  # the college's card opened
    await click(app_view(app), "ดูผู้ที่ยังไม่ได้เข้าร่วม วิทยาลัยเทคนิคเชียงใหม่")
    await click(app_view(app), "ยกเลิกคำเชิญของ ครู สมใจ")
    dialog = withdraw_invite_dialog(screen, app.session.locale)
    assert dialog is not None
    await click(dialog, "ยกเลิกคำเชิญ")
    assert len(backend.calls("DELETE", withdraw_url)) == 1
    shown = texts(app_view(app))
    told = "คำเชิญนี้หมดอายุไปแล้ว (คำเชิญเปิดไว้ 14 วัน) และสิ้นสุดไปเองเมื่อเจ้าของเบอร์เข้าสู่ระบบ จึงไม่ต้องยกเลิก ถ้ายังต้องการ เชิญใหม่ได้"
    assert screen.notice == told and told in shown
    assert not any(line.startswith("ครู สมใจ") for line in shown) and "ไม่มีคำเชิญที่รอหรือหมดอายุ" in shown
    await app.toggle_locale()
    assert screen.notice is not None and screen.notice.startswith("This invitation had already expired")


async def test_the_admin_sees_and_withdraws_an_invitation_to_be_an_admin() -> None:
    """An invitation at no college (the operator's `register-staff --role admin`) is on no college's card: the
    screen lists those on asking (GET /admin/invites), with the role, and withdraws one at DELETE /admin/invites."""
    backend = FakeBackend()
    college = {**COLLEGE, "province_th": "เชียงใหม่", "province_en": "Chiang Mai", "region": "north", "lat": 18.79,
               "lon": 98.98, "service_radius_km": 30, "coordinates_approximate": False, "is_active": True,
               "supervisors": [], "students": 0, "pending_invites": 0}
    invites = [pending("+66891234567", "แอดมิน ใหม่", role="admin", college_id=None, awaiting_acceptance=False)]
    withdraw_url = f"/admin/invites/{invites[0]['id']}"

    def withdrawn(_: httpx.Request) -> httpx.Response:
        invites.clear()
        return httpx.Response(204)

    backend.overrides[("GET", "/admin/colleges")] = lambda _: httpx.Response(200, json=[college])
    backend.overrides[("GET", "/admin/invites")] = lambda _: httpx.Response(200, json=invites)
    backend.overrides[("DELETE", withdraw_url)] = withdrawn
    app = await signed_in("admin", backend)
    await app.open_route("/admin/colleges")
    screen = app.colleges_admin
    assert screen is not None
    assert backend.calls("GET", "/admin/invites") == []  # read when asked for
    card_keys = [c.key for c in find(app_view(app), ft.Card)]
    await click(app_view(app), "ดูคำเชิญเป็นผู้ดูแลระบบที่ยังไม่ได้เข้าร่วม")
    tree = app_view(app)
    assert "แอดมิน ใหม่ · 089-123-4567 · ผู้ดูแลระบบ · รอเข้าสู่ระบบครั้งแรก · หมดอายุ 9 ธ.ค. 2569 เวลา 13:00 น." in texts(tree)
    assert [c.key for c in find(tree, ft.Card)] == card_keys  # the college cards below keep their ids
    assert_accessible(tree)
    await click(tree, "ยกเลิกคำเชิญของ แอดมิน ใหม่")
    dialog = withdraw_invite_dialog(screen, app.session.locale)
    assert dialog is not None
    await click(dialog, "ยกเลิกคำเชิญ")
    assert len(backend.calls("DELETE", withdraw_url)) == 1
    shown = texts(app_view(app))
    assert "ยกเลิกคำเชิญของ แอดมิน ใหม่ แล้ว" in shown and "ไม่มีคำเชิญที่รอหรือหมดอายุ" in shown
    await app.toggle_locale()
    assert "Hide invitations to be an administrator" in texts(app_view(app))
    await click(app_view(app), "Hide invitations to be an administrator")
    assert "No invitations waiting or expired" not in texts(app_view(app))
