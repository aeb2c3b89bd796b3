"""An account an operator suspended, on a 360×640 phone: the person signs in to one screen saying so and whom to ask,
downloads their data from it, reaches nothing else of the app, and finds the same screen when they open the app again
(the sign-in is kept on the device like any other)."""

import json
import uuid

import httpx
import psycopg
from playwright.sync_api import Page, expect

from shared.text import error_text
from tests.e2e.conftest import OUTPUT_DIR, TIMEOUT, SplitSystem, api_session, open_app, sign_in
from tests.e2e.steps import settled
from tests.integration.builders import draft


def test_a_suspended_person_signs_in_sees_why_and_downloads_their_data(
    split_system: SplitSystem, phone_page: Page, database_url: str
) -> None:
    page = phone_page
    phone = f"06577{uuid.uuid4().int % 100000:05d}"
    person = api_session(split_system.api_url, phone)
    made = httpx.post(f"{split_system.api_url}/requests", json=draft(item="กาต้มน้ำ", contact_phone=phone),
                      headers={"Authorization": f"Bearer {person['access_token']}"}, timeout=30)
    assert made.status_code == 201, made.text
    with psycopg.connect(database_url, autocommit=True) as conn:  # the operator suspends the account
        conn.execute("update public.profiles set is_active = false where id = %s", [person["profile"]["id"]])

    sign_in(page, split_system.app_url, phone)
    expect(page.get_by_role("heading", name="บัญชีของคุณถูกระงับ")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text(error_text("account_suspended").th)).to_be_visible(timeout=TIMEOUT)
    for name in ("ลบบัญชีของฉัน", "ออกจากระบบ"):
        expect(page.get_by_role("button", name=name)).to_be_attached(timeout=TIMEOUT)
    # Nothing else of the app: no home, no bell, no account button.
    expect(page.get_by_role("button", name="บัญชีของฉัน", exact=True)).to_have_count(0)
    expect(page.get_by_text("คำขอซ่อมของฉัน")).to_have_count(0)
    page.screenshot(path=str(OUTPUT_DIR / "suspended-360.png"))

    with page.expect_download(timeout=TIMEOUT) as download:
        settled(page, page.get_by_role("button", name="ดาวน์โหลดข้อมูลของฉัน")).click()
    assert download.value.suggested_filename == "fixit-my-data.json"
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert data["profile"]["id"] == person["profile"]["id"] and data["profile"]["is_active"] is False
    assert [r["item"] for r in data["requests"]] == [made.json()["item"]]
    expect(page.get_by_text("บันทึกไฟล์ fixit-my-data.json แล้ว").last).to_be_visible(timeout=TIMEOUT)

    # The app closed and opened again (a new tab: a new app session; the browser's storage is the device's): the
    # same screen, with no new sign-in by SMS.
    context = page.context
    page.close()
    again = context.new_page()
    open_app(again, split_system.app_url)
    expect(again.get_by_role("heading", name="บัญชีของคุณถูกระงับ")).to_be_visible(timeout=TIMEOUT)
    expect(again.get_by_role("button", name="ดาวน์โหลดข้อมูลของฉัน")).to_be_attached(timeout=TIMEOUT)
    expect(again.get_by_role("button", name="ขอรหัสยืนยัน")).to_have_count(0)  # not the sign-in
