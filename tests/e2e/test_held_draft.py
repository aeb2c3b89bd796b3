"""A request sent just as the session ends is kept, and after the sign-in it waits for its writer to say "send".

In Chromium against the real backend and app: access tokens here live 30 s, less than the app's refresh margin, so
the app refreshes its session before every call, and a session revoked in the database (what an idle or signed-out
session is) ends at the very next call, the form's send, without waiting on any clock."""

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import Browser, Page, expect

from shared.text import error_text
from tests.e2e.conftest import (
    OUTPUT_DIR,
    TIMEOUT,
    SplitSystem,
    ask_for_code,
    enter_code,
    on_screen,
    requests_named,
    sign_in,
)
from tests.e2e.steps import DON_MUEANG, fill_form

PHONE = "0655500031"


@pytest.fixture
def short_tokens(split_system: SplitSystem) -> Iterator[SplitSystem]:
    """This module's backend issuing 30-second access tokens (its own split system: other modules keep theirs)."""
    split_system.stop_backend()
    split_system.env["FIXIT_JWT_TTL_SECONDS"] = "30"
    split_system.start_backend()
    yield split_system


@pytest.fixture
def citizen_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="th-TH",
                                  geolocation=DON_MUEANG, permissions=["geolocation"])
    yield context.new_page()
    context.close()


def _end_sessions(database_url: str, phone: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        ended = conn.execute(
            """update private.auth_sessions s set revoked_at = now() from public.profiles p
               where p.id = s.user_id and p.phone like %s and s.revoked_at is null""",
            ["%" + phone[1:]],
        ).rowcount
    assert ended >= 1


def test_a_form_sent_as_the_session_ends_waits_for_its_writer(
    short_tokens: SplitSystem, database_url: str, citizen_page: Page, photo_file: Path
) -> None:
    page, system = citizen_page, short_tokens
    item = f"เตาอบ-{uuid.uuid4().hex[:6]}"
    sign_in(page, system.app_url, PHONE, "คำขอซ่อมของฉัน")
    fill_form(page, item, photo_file)
    _end_sessions(database_url, PHONE)
    page.get_by_role("button", name="ส่งคำขอซ่อม").click()
    expect(on_screen(page, error_text("session_expired").th).first).to_be_visible(timeout=TIMEOUT)

    enter_code(page, ask_for_code(page, PHONE))
    expect(page.get_by_role("heading", name="คำขอซ่อมของฉัน").first).to_be_visible(timeout=TIMEOUT)
    # Said at the top of the home (on this 360×640 screen the card itself is below the fold).
    expect(on_screen(page, "มีคำขอซ่อมที่คุณเขียนไว้แต่ยังไม่ได้ส่ง").first).to_be_visible(timeout=TIMEOUT)
    send = page.get_by_role("button", name="ส่งคำขอนี้")
    expect(send).to_be_visible(timeout=TIMEOUT)
    # Flutter reads the card out as one group named by all of its text: what it is, its category, its photos.
    held = ".*".join(re.escape(s) for s in (item, "ยังไม่ได้ส่ง", "ประเภท: เครื่องใช้ไฟฟ้า", "รูปภาพ 1 รูป"))
    expect(page.get_by_role("group", name=re.compile(held))).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("button", name="แก้ไข", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="ทิ้ง", exact=True)).to_be_visible()
    page.screenshot(path=str(OUTPUT_DIR / "citizen-held-draft.png"))
    assert requests_named(system.api_url, PHONE, item) == []  # signed in again, and nothing went by itself

    send.click()
    card = page.get_by_role("button", name=re.compile(f"{re.escape(item)}.*กำลังหาช่าง"))
    expect(card).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("button", name="ส่งคำขอนี้")).to_have_count(0, timeout=TIMEOUT)
    assert len(requests_named(system.api_url, PHONE, item)) == 1
    with psycopg.connect(database_url, autocommit=True) as conn:
        photos = conn.execute("""select count(*) from public.request_photos p
                                 join public.repair_requests r on r.id = p.request_id where r.item = %s""",
                              [item]).fetchone()
    assert photos is not None and photos[0] == 1  # the kept photo went with it
