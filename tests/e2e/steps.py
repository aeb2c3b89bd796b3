"""Steps more than one e2e test takes: where the citizen stands, filling the request form, signing a role in, finding
cards, and who was offered a job."""

import re
from pathlib import Path
from typing import Any

import httpx
import psycopg
from playwright.sync_api import BrowserContext, Geolocation, Locator, Page, expect

from tests.e2e.conftest import TIMEOUT, SplitSystem, open_screen, settled, sign_in, type_into

__all__ = ["settled"]  # the tests take it from here with the other steps

DON_MUEANG: Geolocation = {"latitude": 13.9130, "longitude": 100.6070}


def fill_form(page: Page, item: str, photo: Path, home_heading: str = "คำขอซ่อมของฉัน") -> None:
    """`home_heading`: a heading of the home the form opens from (the citizen's by default; a student's differs)."""
    open_screen(page, page.get_by_role("button", name="แจ้งซ่อม").first, home_heading)
    # Typing first: after a dropdown menu closes, the Flutter web engine can keep the keyboard on the menu's own
    # input for a while, and keys typed into a text field then go nowhere.
    type_into(page, "ของที่จะซ่อม", item)
    type_into(page, "อาการเสีย", "เปิดแล้วไม่ติด มีกลิ่นไหม้")
    page.get_by_role("button", name="ประเภทงานซ่อม").click()
    page.get_by_role("button", name="เครื่องใช้ไฟฟ้า").click()
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="เพิ่มรูปภาพ").click()
    chooser.value.set_files(str(photo))
    expect(page.get_by_text("รูปที่ 1", exact=False).first).to_be_attached(timeout=TIMEOUT)
    page.get_by_role("button", name="ใช้ตำแหน่งปัจจุบัน").click()
    expect(page.get_by_text("จาก GPS", exact=False).first).to_be_attached(timeout=TIMEOUT)
    page.get_by_role("checkbox", name="ยินยอมให้ใช้ข้อมูลส่วนบุคคลเพื่อการซ่อม").click()


def open_signed_in(context: BrowserContext, system: SplitSystem, phone: str, home_heading: str) -> Page:
    page = context.new_page()
    sign_in(page, system.app_url, phone, home_heading)
    return page


def made_student(api_url: str, teacher: dict[str, Any], person_token: str, phone: str, name: str,
                 skills: dict[str, int] | None = None) -> dict[str, Any]:
    """`teacher` (an api_session) adds the account of `phone` as a student of their college, and the person accepts,
    naming the invitation as the app does: the profile the accept answers (role technician)."""
    college_id = teacher["profile"]["college"]["id"]
    body: dict[str, Any] = {"phone": phone, "display_name": name}
    if skills is not None:
        body["skills"] = skills
    made = httpx.post(f"{api_url}/colleges/{college_id}/students", json=body, timeout=10,
                      headers={"Authorization": f"Bearer {teacher['access_token']}"})
    assert made.status_code == 201 and made.json()["role"] == "technician", made.text
    accepted = httpx.post(f"{api_url}/me/invitation/accept", json={"role": "technician", "college_id": college_id},
                          headers={"Authorization": f"Bearer {person_token}"}, timeout=10)
    assert accepted.status_code == 200 and accepted.json()["role"] == "technician", accepted.text
    profile: dict[str, Any] = accepted.json()
    return profile


def card(page: Page, item: str) -> Locator:
    """Flutter reads a card out as one group (or button) named by all of its text."""
    return page.get_by_role("group", name=item).or_(page.get_by_role("button", name=item)).first


def status_card(page: Page, item: str, status_label: str) -> Locator:
    return page.get_by_role("button", name=re.compile(f"{re.escape(item)}.*{re.escape(status_label)}"))


def offered_student_phone(database_url: str, item: str) -> str:
    """Whoever dispatch ranked first; their other open offers are withdrawn so the feed shows just this job."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(
            """select o.technician_id, p.phone from public.offers o
               join public.repair_requests r on r.id = o.request_id join public.profiles p on p.id = o.technician_id
               where r.item = %s and o.status = 'pending' order by o.rank limit 1""",
            [item],
        ).fetchone()
        if row is None:
            state = conn.execute(
                "select r.status, r.college_id, (select json_agg(json_build_object('t', o.technician_id, "
                "'s', o.status, 'e', o.expires_at)) from public.offers o where o.request_id = r.id), now() "
                "from public.repair_requests r where r.item = %s", [item]).fetchall()
            theirs = conn.execute("select r.item, r.status, r.created_at from public.repair_requests r join "
                                  "public.profiles p on p.id = r.citizen_id where p.phone = '+66655500031'").fetchall()
            raise AssertionError(f"the request {item!r} was not offered to anyone: {state} {theirs}")
        conn.execute("update public.offers set status = 'withdrawn' where technician_id = %s and status = 'pending' "
                     "and request_id <> (select id from public.repair_requests where item = %s)", [row[0], item])
    return "0" + str(row[1]).removeprefix("+66")
