"""A teacher's invitation reaches a citizen's own account as a card on their home in a real browser; only their tap
on Accept makes them a student, and the app opens the student's home."""

import re
import uuid
from datetime import datetime
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from mobile.formatting import format_date, format_time
from shared.phone import national_format
from shared.text import Locale, bilingual
from tests.e2e.conftest import OUTPUT_DIR, TIMEOUT, RunningSystem, api_session, open_screen, settled, sign_in
from tests.helpers import fresh_phone

ADMIN = "0844444444"


def call(api_url: str, token: str, method: str, path: str, **body: Any) -> Any:
    response = httpx.request(method, f"{api_url}{path}", headers={"Authorization": f"Bearer {token}"},
                             json=body or None, timeout=10)
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


def test_a_citizen_accepts_a_teachers_invitation_in_the_app(system: RunningSystem, phone_page: Page) -> None:
    api = system.api_url
    admin = api_session(api, ADMIN)["access_token"]
    code = f"E2E-{uuid.uuid4().hex[:6].upper()}"
    name = f"วิทยาลัยเชิญ {code}"
    # Far from every test's requests (Songkhla): no dispatch goes there; closed again at the end.
    college = call(api, admin, "POST", "/admin/colleges", code=code, name_th=name, name_en=f"Invite College {code}",
                   province_th="สงขลา", province_en="Songkhla", region="south", lat=7.19, lon=100.59,
                   service_radius_km=1)
    try:
        teacher_phone, citizen_phone = fresh_phone(), fresh_phone()
        call(api, admin, "POST", f"/admin/colleges/{college['id']}/supervisors", phone=teacher_phone)
        teacher = api_session(api, teacher_phone)["access_token"]
        citizen = api_session(api, citizen_phone)  # the person has an account of their own already
        assert citizen["profile"]["role"] == "citizen"
        invited = call(api, teacher, "POST", f"/colleges/{college['id']}/students", phone=citizen_phone,
                       display_name="", skills={})
        assert invited["awaiting_acceptance"] is True

        page = phone_page
        sign_in(page, system.app_url, citizen_phone)
        # The card reads out as one group: who invites, to what, what changes.
        card = page.get_by_role("group", name=re.compile(re.escape(f"{name} เชิญคุณเป็นนักศึกษาช่าง")))
        expect(card).to_be_visible(timeout=TIMEOUT)
        expect(page.get_by_text("คำขอซ่อมของฉัน").first).to_be_visible(timeout=TIMEOUT)  # still the citizen's home
        OUTPUT_DIR.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT_DIR / "citizen-invitation.png"))
        # At 360 px in both languages the card says until when it is open, the date as one piece for line
        # breaking (non-breaking spaces: if the line wraps, with a large system font, it wraps before the date).
        expires = datetime.fromisoformat(call(api, citizen["access_token"], "GET", "/me/invitation")["expires_at"])
        for locale, switch, heading in ((Locale.TH, "", ""), (Locale.EN, "English", "My repair requests"),
                                        (Locale.TH, "ภาษาไทย", "คำขอซ่อมของฉัน")):
            if switch:
                page.get_by_role("button", name=switch).click()
                expect(page.get_by_text(heading).first).to_be_visible(timeout=TIMEOUT)
            date = format_date(expires, locale)  # one piece: its spaces are non-breaking
            spaced = bilingual("invitation_answer_by", date=date.replace("\u00a0", " "),
                               time=format_time(expires)).in_(locale)  # and the hour it lapses, in Thai time
            said = page.get_by_role("group", name=re.compile(re.escape(spaced)))
            expect(said).to_be_visible(timeout=TIMEOUT)  # (a role's name is matched with its spaces normalised)
            label = said.get_attribute("aria-label") or ""
            assert bilingual("invitation_answer_by", date=date, time=format_time(expires)).in_(locale) in label, label
            page.screenshot(path=str(OUTPUT_DIR / f"citizen-invitation-{locale}.png"))
        # The same invitation reached them as a notification (with the app closed: push, LINE); in the inbox,
        # tapping it brings them back to the home where the card is.
        open_screen(page, page.get_by_role("button", name=re.compile("การแจ้งเตือน ยังไม่อ่าน 1(?!\\d)")),
                    covered="คำขอซ่อมของฉัน")
        told = page.get_by_role("button", name=re.compile(re.escape(f"{name} เชิญคุณเป็นนักศึกษาช่าง")))
        expect(told).to_be_visible(timeout=TIMEOUT)
        told.click()
        expect(page.get_by_role("heading", name="การแจ้งเตือน")).to_have_count(0, timeout=TIMEOUT)
        expect(card).to_be_visible(timeout=TIMEOUT)
        card.get_by_role("button", name="ตอบรับ").click()
        expect(page.get_by_text("งานที่เสนอให้ฉัน").first).to_be_visible(timeout=TIMEOUT)
        # The teacher hears the yes, in their inbox, leading to their students.
        heard = [n for n in call(api, teacher, "GET", "/me/notifications")["items"] if n["kind"] == "invite_accepted"]
        assert [(n["link"], n["request_id"]) for n in heard] == [("/college/technicians", None)]

        students = call(api, teacher, "GET", "/supervisor/technicians")
        assert [s["id"] for s in students] == [citizen["profile"]["id"]]
        assert call(api, teacher, "GET", f"/colleges/{college['id']}/invites") == []
    finally:
        call(api, admin, "PATCH", f"/admin/colleges/{college['id']}", is_active=False)


def test_a_teacher_withdraws_an_invitation_to_a_mistyped_phone(system: RunningSystem, phone_page: Page) -> None:
    """At 360×640: the teacher's "not joined yet" line says until when the invitation is open, in a Thai date;
    Withdraw asks first; once confirmed the line goes and the person has no invitation left."""
    api = system.api_url
    admin = api_session(api, ADMIN)["access_token"]
    code = f"E2E-{uuid.uuid4().hex[:6].upper()}"
    college = call(api, admin, "POST", "/admin/colleges", code=code, name_th=f"วิทยาลัยถอน {code}",
                   name_en=f"Withdraw College {code}", province_th="สงขลา", province_en="Songkhla", region="south",
                   lat=7.19, lon=100.59, service_radius_km=1)
    try:
        teacher_phone, wrong_phone = fresh_phone(), fresh_phone()
        call(api, admin, "POST", f"/admin/colleges/{college['id']}/supervisors", phone=teacher_phone)
        teacher = api_session(api, teacher_phone)["access_token"]
        stranger = api_session(api, wrong_phone)["access_token"]  # someone else's account: the typo's victim
        call(api, teacher, "POST", f"/colleges/{college['id']}/students", phone=wrong_phone,
             display_name="นาย ผิดเบอร์", skills={})
        [invite] = call(api, teacher, "GET", f"/colleges/{college['id']}/invites")
        expiry = datetime.fromisoformat(invite["expires_at"])
        until = bilingual("invite_expires", date=format_date(expiry, Locale.TH), time=format_time(expiry)).th

        page = phone_page
        sign_in(page, f"{system.app_url}college/technicians", teacher_phone)
        line = page.get_by_text(f"นาย ผิดเบอร์ · {national_format('+66' + wrong_phone[1:])} · รอตอบรับ · "
                                f"{until}")
        expect(line).to_be_visible(timeout=TIMEOUT)
        settled(page, page.get_by_role("button", name="ยกเลิกคำเชิญของ นาย ผิดเบอร์")).click()
        expect(page.get_by_text("ยกเลิกคำเชิญนี้?")).to_be_visible(timeout=TIMEOUT)
        confirm = page.get_by_role("button", name="ยกเลิกคำเชิญ", exact=True)
        expect(confirm).to_be_visible(timeout=TIMEOUT)
        OUTPUT_DIR.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT_DIR / "teacher-withdraw-invitation.png"))
        confirm.click()
        expect(page.get_by_text("ยกเลิกคำเชิญของ นาย ผิดเบอร์ แล้ว").first).to_be_visible(timeout=TIMEOUT)  # said aloud too
        expect(line).to_have_count(0, timeout=TIMEOUT)
        assert call(api, teacher, "GET", f"/colleges/{college['id']}/invites") == []
        assert call(api, stranger, "GET", "/me/invitation") is None
    finally:
        call(api, admin, "PATCH", f"/admin/colleges/{college['id']}", is_active=False)
