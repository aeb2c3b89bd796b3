"""Three people in three browsers on one job (issue: dispatch, the technician's day, the supervisor's approval):
the citizen submits → the offered student accepts, works, adds an after photo and hours → the teacher approves →
the citizen sees "done" without reloading and rates it."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import OUTPUT_DIR, TIMEOUT, SplitSystem, requests_named, type_into
from tests.e2e.steps import DON_MUEANG, card, fill_form, offered_student_phone, open_signed_in, status_card


@pytest.fixture
def contexts(browser: Browser) -> Iterator[dict[str, BrowserContext]]:
    made = {
        role: browser.new_context(viewport={"width": 360, "height": 640}, locale="th-TH",
                                  geolocation=DON_MUEANG, permissions=["geolocation"])
        for role in ("citizen", "technician", "supervisor")
    }
    yield made
    for context in made.values():
        context.close()


def rate_five_stars(page: Page) -> None:
    """A star tap redraws only the stars, so the next tap (send) lands: once, no retries."""
    page.get_by_role("button", name="5 ดาว").click()
    page.get_by_role("button", name="ส่งคะแนน").click()
    expect(page.get_by_role("button", name="ส่งคะแนน")).to_have_count(0, timeout=TIMEOUT)
    expect(page.get_by_text("คะแนนของคุณ: 5/5", exact=False).first).to_be_visible(timeout=TIMEOUT)


def confirm(page: Page, step: str) -> None:
    page.get_by_role("button", name=step).click()
    try:
        page.get_by_role("button", name="ยืนยัน").click(timeout=10_000)
    except Exception:
        print(page.locator("body").aria_snapshot())
        raise
    expect(page.get_by_role("button", name="ยืนยัน")).to_have_count(0, timeout=TIMEOUT)


def test_citizen_technician_supervisor(split_system: SplitSystem, contexts: dict[str, BrowserContext],
                                       photo_file: Path) -> None:
    item = f"ไดร์เป่าผม-{uuid.uuid4().hex[:6]}"
    citizen = open_signed_in(contexts["citizen"], split_system, "0655500031", "คำขอซ่อมของฉัน")
    fill_form(citizen, item, photo_file)
    citizen.get_by_role("button", name="ส่งคำขอซ่อม").click()
    # Its own card on the home (the form's duplicate hint may show other requests "finding a technician").
    expect(status_card(citizen, item, "กำลังหาช่าง")).to_be_visible(timeout=TIMEOUT)

    student_phone = offered_student_phone(split_system.env["DATABASE_URL"], item)
    student = open_signed_in(contexts["technician"], split_system, student_phone, "งานที่เสนอให้ฉัน")
    expect(card(student, item)).to_be_visible(timeout=TIMEOUT)
    card(student, item).get_by_role("button", name="รับงาน").click()
    expect(student.get_by_role("button", name="เริ่มตรวจเช็ก")).to_be_visible(timeout=TIMEOUT)
    confirm(student, "เริ่มตรวจเช็ก")
    confirm(student, "เริ่มซ่อม")
    with student.expect_file_chooser() as chooser:
        student.get_by_role("button", name="เพิ่มรูปหลังซ่อม").click()
    chooser.value.set_files(str(photo_file))
    # Wait for the upload to finish: the screen redraws then, and keys typed meanwhile would be lost.
    expect(student.get_by_role("img", name="รูปหลังซ่อมที่ 1")).to_be_attached(timeout=TIMEOUT)
    type_into(student, "จำนวนชั่วโมงที่ทำงาน", "2")
    # The quality check needs a report too: what was done, not only the hours.
    type_into(student, "บันทึกการทำงาน", "เปลี่ยนสายไฟที่ขาด ทดสอบแล้วใช้งานได้")
    student.get_by_role("button", name="บันทึกรายงาน").click()
    expect(student.get_by_text("บันทึกรายงานแล้ว", exact=False).first).to_be_attached(timeout=TIMEOUT)
    confirm(student, "ส่งให้ครูตรวจ")
    student.screenshot(path=str(OUTPUT_DIR / "technician-job.png"))

    teacher = open_signed_in(contexts["supervisor"], split_system, "0833333333", "ภาพรวมวิทยาลัย")
    expect(card(teacher, item)).to_be_visible(timeout=TIMEOUT)
    card(teacher, item).click()
    expect(teacher.get_by_role("button", name="อนุมัติ")).to_be_visible(timeout=TIMEOUT)
    expect(teacher.get_by_text("ทำงาน 2", exact=False).first).to_be_attached(timeout=TIMEOUT)
    confirm(teacher, "อนุมัติ")
    teacher.screenshot(path=str(OUTPUT_DIR / "supervisor-review.png"))

    # The citizen never reloaded: the live event moved the card to "done".
    expect(status_card(citizen, item, "ซ่อมเสร็จแล้ว")).to_be_visible(timeout=TIMEOUT)
    citizen.get_by_role("button", name=f"ดูรายละเอียด {item}", exact=False).first.click()
    citizen.get_by_role("button", name="ให้คะแนน").click()
    rate_five_stars(citizen)
    citizen.screenshot(path=str(OUTPUT_DIR / "citizen-rated.png"))
    stored = requests_named(split_system.api_url, "0655500031", item)
    assert len(stored) == 1 and stored[0]["status"] == "done"
    with psycopg.connect(split_system.env["DATABASE_URL"]) as conn:
        rating = conn.execute("select rating from public.repair_requests where item = %s", [item]).fetchone()
    assert rating == (5,)  # rated once, with the stars the citizen chose
