"""Issue 13's and issue 11's app screens in a real browser: a student's bell and inbox follow a new offer without a
reload (and the console channel logs the message in Thai); a citizen deletes their account and the old session is
dead."""

import json
import re
import uuid
from typing import Any

import httpx
import psycopg
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import (
    OUTPUT_DIR,
    TIMEOUT,
    SplitSystem,
    api_session,
    open_app,
    open_screen,
    settled,
    sign_in,
    type_into,
    wait_until,
)

DON_MUEANG = (13.9133, 100.5895)
CITIZEN = "0655500061"


def submit(api: str, token: str, item: str) -> dict[str, Any]:
    body = {"idempotency_key": str(uuid.uuid4()), "category_code": "appliance", "item": item,
            "description": "เปิดแล้วไม่หมุน", "lat": DON_MUEANG[0], "lon": DON_MUEANG[1], "contact_phone": CITIZEN,
            "pdpa_consent": True}
    answer = httpx.post(f"{api}/requests", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    assert created["status"] == "offered", created
    return created


def offered_to(database_url: str, item: str) -> dict[str, str]:
    """technician id -> phone (national form) of each student offered the request named `item`."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            """select o.technician_id, p.phone from public.offers o
               join public.repair_requests r on r.id = o.request_id join public.profiles p on p.id = o.technician_id
               where r.item = %s and o.status = 'pending' order by o.rank""",
            [item],
        ).fetchall()
    return {str(t): "0" + str(phone).removeprefix("+66") for t, phone in rows}


def unread_of(database_url: str, technician_id: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select count(*) from public.notifications where recipient_id = %s and read_at is null",
                           [technician_id]).fetchone()
    assert row is not None
    return int(row[0])


def bell_named(page: Page, unread: int) -> Any:
    # The bell's accessible name carries the count (the badge shows it); no other number may follow the digits.
    return page.get_by_role("button", name=re.compile(f"การแจ้งเตือน ยังไม่อ่าน {unread}(?!\\d)"))


def test_an_offer_reaches_the_students_bell_and_inbox_without_a_reload(
    split_system: SplitSystem, phone_page: Page
) -> None:
    database_url = split_system.env["DATABASE_URL"]
    citizen = str(api_session(split_system.api_url, CITIZEN)["access_token"])
    first = f"พัดลมตั้งพื้น-{uuid.uuid4().hex[:6]}"
    submit(split_system.api_url, citizen, first)
    technician_id, student_phone = next(iter(offered_to(database_url, first).items()))
    # The console line stands for the push a phone would get, which quiet hours (21:00-07:00 Bangkok by default)
    # hold back until morning: this student chose new offers at night too, so the test passes at any hour.
    student = {"Authorization": f"Bearer {api_session(split_system.api_url, student_phone)['access_token']}"}
    prefs = httpx.get(f"{split_system.api_url}/me/notification-settings", headers=student, timeout=10).json()
    chosen = httpx.put(f"{split_system.api_url}/me/notification-settings", headers=student, timeout=10,
                       json={**{k: prefs[k] for k in ("quiet_hours", "quiet_start", "quiet_end", "sms_fallback")},
                             "offers_in_quiet_hours": True})
    assert chosen.status_code == 200 and chosen.json()["offers_in_quiet_hours"] is True, chosen.text

    page = phone_page
    sign_in(page, split_system.app_url, student_phone, "งานที่เสนอให้ฉัน")
    unread = unread_of(database_url, technician_id)
    assert unread >= 1  # the first offer's, at least
    expect(bell_named(page, unread)).to_be_visible(timeout=TIMEOUT)
    open_screen(page, bell_named(page, unread), covered="งานที่เสนอให้ฉัน")
    expect(page.get_by_role("heading", name="การแจ้งเตือน")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("button", name=first).first).to_be_visible(timeout=TIMEOUT)

    # A second request while the student looks at the inbox: dispatch ranks the same students the same way.
    second = f"พัดลมเพดาน-{uuid.uuid4().hex[:6]}"
    submit(split_system.api_url, citizen, second)
    assert technician_id in offered_to(database_url, second)
    # No reload: the live event brings the new notification into the list and the count onto the bell.
    expect(page.get_by_role("button", name=second).first).to_be_visible(timeout=TIMEOUT)
    expect(bell_named(page, unread + 1)).to_be_visible(timeout=TIMEOUT)
    page.screenshot(path=str(OUTPUT_DIR / "technician-inbox.png"))

    # Tapping it marks it read on the server and opens its screen (a student's offers: the home).
    page.get_by_role("button", name=second).first.click()
    expect(page.get_by_role("heading", name="งานที่เสนอให้ฉัน").first).to_be_visible(timeout=TIMEOUT)
    expect(bell_named(page, unread)).to_be_visible(timeout=TIMEOUT)
    assert unread_of(database_url, technician_id) == unread

    # The console channel (development) logged the message it would have pushed, in Thai.
    def logged() -> bool:
        return any("notification offer_new" in line and second in line and "งานใหม่" in line
                   for line in split_system.log_path.read_text(encoding="utf-8").splitlines())

    wait_until(logged, "the console channel's line for the second offer")


def stored_session(page: Page) -> dict[str, Any] | None:
    """The session as the app keeps it in the browser (SharedPreferences on the web: localStorage)."""
    raw = page.evaluate("localStorage.getItem('flutter.fixit.session')")
    if raw is None:
        return None
    value = json.loads(raw)
    decoded: dict[str, Any] = json.loads(value) if isinstance(value, str) else value
    return decoded


def test_a_citizen_deletes_their_account_and_the_old_session_is_dead(
    split_system: SplitSystem, phone_page: Page
) -> None:
    page = phone_page
    phone = f"06555{uuid.uuid4().int % 100000:05d}"
    sign_in(page, split_system.app_url, phone, "คำขอซ่อมของฉัน")
    # The device keeps the refresh token and the expiry: the session outlives its access token (issue 11).
    session = stored_session(page)
    assert session is not None and session["refresh_token"] and session["expires_at"]

    open_screen(page, page.get_by_role("button", name="บัญชีของฉัน"), covered="คำขอซ่อมของฉัน")
    expect(page.get_by_text(f"{phone[:3]}-{phone[3:6]}-{phone[6:]}")).to_be_visible(timeout=TIMEOUT)
    settled(page, page.get_by_role("button", name="ลบบัญชีของฉัน")).click()
    # The dialog says what is erased before anything is.
    expect(page.get_by_text("ตำแหน่งบ้าน", exact=False)).to_be_visible(timeout=TIMEOUT)
    page.screenshot(path=str(OUTPUT_DIR / "account-delete-dialog.png"))
    page.get_by_role("button", name="ลบบัญชีถาวร").click()

    expect(page.get_by_text("ลบบัญชีของคุณแล้ว").first).to_be_attached(timeout=TIMEOUT)
    expect(page.get_by_role("textbox", name="เบอร์โทรศัพท์")).to_be_visible(timeout=TIMEOUT)
    # Back at the sign-in with nothing of the last person's: the phone field is empty (shared phones).
    expect(page.get_by_role("textbox", name="เบอร์โทรศัพท์")).to_have_value("", timeout=TIMEOUT)
    assert stored_session(page) is None
    old = {"Authorization": f"Bearer {session['token']}"}
    assert httpx.get(f"{split_system.api_url}/me", headers=old, timeout=10).status_code in (401, 403)
    refreshed = httpx.post(f"{split_system.api_url}/auth/refresh", json={"refresh_token": session["refresh_token"]},
                           timeout=10)
    assert refreshed.status_code in (400, 401), refreshed.text
    open_app(page, at_sign_in=True)  # a reload: still at the sign-in
    expect(page.get_by_role("textbox", name="เบอร์โทรศัพท์")).to_be_visible(timeout=TIMEOUT)


def test_an_admin_onboards_a_college_and_its_supervisor_lands_in_their_role(
    split_system: SplitSystem, browser: Browser
) -> None:
    code = f"E2E-{uuid.uuid4().hex[:6].upper()}"
    name = f"วิทยาลัยทดสอบ {code}"
    teacher = f"06556{uuid.uuid4().int % 100000:05d}"
    admin_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="th-TH")
    teacher_context = browser.new_context(viewport={"width": 360, "height": 640}, locale="th-TH")
    try:
        page = admin_context.new_page()
        sign_in(page, split_system.app_url, "0844444444")
        manage = page.get_by_role("button", name="จัดการวิทยาลัย")
        expect(manage).to_be_visible(timeout=TIMEOUT)
        open_screen(page, manage, covered="รอวิทยาลัยรับงาน")
        settled(page, page.get_by_role("button", name="เพิ่มวิทยาลัย")).click()
        # Far from every test's requests (Songkhla), with no students: no dispatch will ever go there.
        for label, text in (("รหัสวิทยาลัย", code), ("ชื่อ (ไทย)", name), ("ชื่อ (อังกฤษ)", f"Test College {code}"),
                            ("จังหวัด (ไทย)", "สงขลา"), ("จังหวัด (อังกฤษ)", "Songkhla"), ("ละติจูด", "7.19"),
                            ("ลองจิจูด", "100.59")):
            type_into(page, label, text)
        settled(page, page.get_by_role("button", name="บันทึกวิทยาลัย", exact=True)).click()
        # (Read out as it appears: the text is also in the screen reader's announcement, hence first.)
        expect(page.get_by_text(f"บันทึก {name} แล้ว").first).to_be_attached(timeout=TIMEOUT)

        # The next step opens by itself on the new college's card: its supervisor, by phone number.
        type_into(page, "ชื่อครู (ไม่บังคับ)", "ครูทดสอบ")
        type_into(page, "เบอร์โทรครูผู้ควบคุม", teacher)
        page.keyboard.press("Enter")  # the phone field sends, as its button does
        shown = f"{teacher[:3]}-{teacher[3:6]}-{teacher[6:]}"
        expect(page.get_by_text(f"{shown} จะเป็นครูผู้ควบคุมเมื่อเข้าสู่ระบบครั้งแรก").first).to_be_attached(
            timeout=TIMEOUT)
        page.screenshot(path=str(OUTPUT_DIR / "admin-colleges.png"))

        # The teacher signs in with that number and lands in the supervisor's home of that college.
        other = teacher_context.new_page()
        sign_in(other, split_system.app_url, teacher, "ภาพรวมวิทยาลัย")
        expect(other.get_by_role("heading", name=name)).to_be_visible(timeout=TIMEOUT)
    finally:
        admin_context.close()
        teacher_context.close()
        # Leave nothing that could take a job or show in the public list (the database is shared with later tests).
        with psycopg.connect(split_system.env["DATABASE_URL"], autocommit=True) as conn:
            conn.execute("update public.colleges set is_active = false where code = %s", [code])


def quiet_switch(page: Page, start: str, end: str) -> Any:
    # The quiet-hours switch names the saved times: it changes only when the server has saved them.
    return page.get_by_role("switch", name=f"ช่วงเวลาเงียบ {start}–{end} น.")


def choose_quiet_time(page: Page, field: str, time_of_day: str) -> None:
    """Open the quiet-hours dropdown named `field`, pick the time, and wait until the saved time shows in it.
    The times sit at the bottom of the account screen: `settled` scrolls there with the wheel first. The menu opens
    scrolled to the time saved now: pick one shown below it."""
    dropdown = page.get_by_role("button", name=re.compile(f"^{field}"))
    settled(page, dropdown).click()
    expect(page.get_by_role("button", name=re.compile(f"^{field}"), expanded=True)).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("menuitem", name=time_of_day, exact=True).or_(
        page.get_by_role("button", name=time_of_day, exact=True)).first.click()
    expect(dropdown).to_contain_text(time_of_day, timeout=TIMEOUT)


def test_quiet_hours_times_are_changed_and_stay_on_another_sign_in(split_system: SplitSystem, phone_page: Page) -> None:
    page = phone_page
    phone = f"06556{uuid.uuid4().int % 100000:05d}"
    sign_in(page, split_system.app_url, phone, "คำขอซ่อมของฉัน")
    open_screen(page, page.get_by_role("button", name="บัญชีของฉัน"), covered="คำขอซ่อมของฉัน")
    expect(quiet_switch(page, "21:00", "07:00")).to_be_visible(timeout=TIMEOUT)
    choose_quiet_time(page, "เริ่มช่วงเวลาเงียบ", "22:00")
    expect(quiet_switch(page, "22:00", "07:00")).to_be_visible(timeout=TIMEOUT)
    choose_quiet_time(page, "สิ้นสุดช่วงเวลาเงียบ", "08:30")
    expect(quiet_switch(page, "22:00", "08:30")).to_be_visible(timeout=TIMEOUT)
    page.screenshot(path=str(OUTPUT_DIR / "account-quiet-hours.png"))

    # Flet's web client reconnects a reloaded page to the same server-side session, so a reload alone could show
    # the view-model's memory: a fresh browser (another phone) signs in and reads the times from the server.
    browser = page.context.browser
    assert browser is not None
    other = browser.new_context(viewport={"width": 360, "height": 640}, locale="th-TH")
    try:
        fresh = other.new_page()
        sign_in(fresh, split_system.app_url, phone, "คำขอซ่อมของฉัน")
        open_screen(fresh, fresh.get_by_role("button", name="บัญชีของฉัน"), covered="คำขอซ่อมของฉัน")
        expect(quiet_switch(fresh, "22:00", "08:30")).to_be_attached(timeout=TIMEOUT)
        for field, shown in (("เริ่มช่วงเวลาเงียบ", "22:00"), ("สิ้นสุดช่วงเวลาเงียบ", "08:30")):
            expect(fresh.get_by_role("button", name=re.compile(f"^{field}"))).to_contain_text(shown, timeout=TIMEOUT)
    finally:
        other.close()
    session = api_session(split_system.api_url, phone)
    saved = httpx.get(f"{split_system.api_url}/me/notification-settings", timeout=10,
                      headers={"Authorization": f"Bearer {session['access_token']}"}).json()
    assert (saved["quiet_start"], saved["quiet_end"]) == ("22:00", "08:30")
