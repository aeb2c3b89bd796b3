"""A student whose own kettle breaks asks for a repair from their home with the citizen's form, on a small phone,
in a real browser: the request is theirs on "คำขอซ่อมของฉัน", offered to other students, never to them."""

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.e2e.conftest import OUTPUT_DIR, TIMEOUT, SplitSystem, api_session, on_screen, requests_named
from tests.e2e.steps import DON_MUEANG, fill_form, made_student, open_signed_in
from tests.helpers import fresh_phone

TEACHER_PHONE = "0833333333"
STUDENT_HOME = "งานที่เสนอให้ฉัน"


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport={"width": 360, "height": 640}, locale="th-TH", geolocation=DON_MUEANG,
                               permissions=["geolocation"])
    yield made
    made.close()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def new_student(split_system: SplitSystem) -> Iterator[str]:
    """A phone made a student of the seeded teacher's college (the invitation accepted), at the top level of the
    skills the other browser tests' requests need. Afterwards it is switched off and set back to Thai, so the
    tests that follow find the college's students (and whoever dispatch offers their jobs to) as before."""
    api, phone = split_system.api_url, fresh_phone()
    person = api_session(api, phone)["access_token"]
    teacher = api_session(api, TEACHER_PHONE)
    student_id = made_student(api, teacher, person, phone, "เก่ง ช่างใหม่",
                              skills={"electrical_appliance": 5, "electronics": 5})["id"]
    yield phone
    thai = httpx.patch(f"{api}/me", headers=_bearer(person), json={"locale": "th"}, timeout=10)
    assert thai.status_code == 200, thai.text
    off = httpx.put(f"{api}/supervisor/technicians/{student_id}", json={"is_active": False},
                    headers=_bearer(teacher["access_token"]), timeout=10)
    assert off.status_code == 200, off.text


def test_a_student_asks_for_a_repair_of_their_own(split_system: SplitSystem, context: BrowserContext,
                                                  photo_file: Path, database_url: str, new_student: str) -> None:
    api = split_system.api_url
    phone, item = new_student, f"กาต้มน้ำ-{uuid.uuid4().hex[:6]}"
    student = open_signed_in(context, split_system, phone, STUDENT_HOME)
    expect(on_screen(student, "คำขอซ่อมของฉัน")).to_be_visible(timeout=TIMEOUT)
    student.screenshot(path=str(OUTPUT_DIR / "student-ask-home-360.png"))

    fill_form(student, item, photo_file, home_heading=STUDENT_HOME)
    student.get_by_role("button", name="ส่งคำขอซ่อม").click()
    # Back on their home: the request's own card under "คำขอซ่อมของฉัน (1)", already looking for a technician.
    card = student.get_by_role("button", name=re.compile(f"{re.escape(item)}.*กำลังหาช่าง"))
    expect(card).to_be_visible(timeout=TIMEOUT)
    expect(on_screen(student, "คำขอซ่อมของฉัน (1)")).to_be_visible(timeout=TIMEOUT)
    student.screenshot(path=str(OUTPUT_DIR / "student-ask-sent-360.png"))

    [stored] = requests_named(api, phone, item)
    assert stored["status"] == "offered"
    with psycopg.connect(database_url) as conn:
        offered = [row[0] for row in conn.execute(
            "select p.phone from public.offers o join public.repair_requests r on r.id = o.request_id "
            "join public.profiles p on p.id = o.technician_id where r.item = %s", [item]).fetchall()]
    assert offered and "+66" + phone[1:] not in offered, offered

    # The same row in English still fits the small phone's width.
    student.get_by_role("button", name="English").click()
    expect(on_screen(student, "My repair requests (1)")).to_be_visible(timeout=TIMEOUT)
    expect(student.get_by_role("button", name="Ask for a repair")).to_be_visible(timeout=TIMEOUT)
    student.screenshot(path=str(OUTPUT_DIR / "student-ask-sent-360-en.png"))
