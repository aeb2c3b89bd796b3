"""What waits on a college's decision (migration 0071), on a 360×640 phone: the teacher's dashboard queue marks a job
whose student the operator suspended, and the admin's home lists a job no teacher of its college can decide, each
saying why on a line that wraps inside its card (a card's tag line was one Text in a Row: it ran off the screen)."""

import io
import uuid

import httpx
import psycopg
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from shared.text import Locale, t
from tests.e2e.conftest import OUTPUT_DIR, TIMEOUT, SplitSystem, api_session, settled, sign_in
from tests.integration.builders import draft

TEACHER_PHONE = "0833333333"
ADMIN_PHONE = "0844444444"
HELD = t("holder_suspended_mark", Locale.TH)
# The screen's content keeps 16 px free on each side (mobile/views/frame.py), and a card its own 12 px inside.
EDGE = 360 - 16 - 12
VIEW_HEIGHT = 640


def fits(page: Page, card: Locator, name: str) -> bool:
    """Whether no text is drawn in the card's own right padding on the 360 px screen: a line that cannot wrap is as
    wide as its text, runs through the padding and is cut off at the card's edge (the end of the sentence is never
    seen). `card` is the card the text is in (its texts are one accessible node). Screenshot in test-output/."""
    box = settled(page, card).bounding_box()
    assert box is not None
    if box["y"] + box["height"] >= VIEW_HEIGHT - 1:  # its box is cut at the screen's bottom: show all of it
        page.mouse.move(180, VIEW_HEIGHT / 2)
        page.mouse.wheel(0, VIEW_HEIGHT / 2)
        box = settled(page, card).bounding_box()
        assert box is not None and box["y"] + box["height"] < VIEW_HEIGHT - 1, box
    png = page.screenshot(clip={"x": box["x"], "y": box["y"], "width": box["width"], "height": box["height"]})
    OUTPUT_DIR.mkdir(exist_ok=True)
    (OUTPUT_DIR / f"decisions-{name}.png").write_bytes(png)
    shot = Image.open(io.BytesIO(png)).convert("L")
    scale = shot.width / box["width"]  # device pixels per CSS pixel
    padding = shot.crop((round((EDGE + 2 - box["x"]) * scale), 0, round((box["width"] - 3) * scale), shot.height))
    return sum(count for level, count in enumerate(padding.histogram()) if level < 90) == 0


def _request(api_url: str, token: str, item: str) -> str:
    made = httpx.post(f"{api_url}/requests", json=draft(item=item), headers={"Authorization": f"Bearer {token}"},
                      timeout=30)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def test_a_suspended_students_job_and_a_job_nobody_at_its_college_can_decide_fit_a_phone(
    split_system: SplitSystem, phone_page: Page, database_url: str
) -> None:
    api = split_system.api_url
    teacher = api_session(api, TEACHER_PHONE)
    college = teacher["profile"]["college"]["id"]
    citizen = api_session(api, f"06578{uuid.uuid4().int % 100000:05d}")
    tag = uuid.uuid4().hex[:4]
    held_item, orphan_item = f"ตู้เย็น {tag}", f"เตาอบ {tag}"
    held = _request(api, citizen["access_token"], held_item)
    orphan = _request(api, citizen["access_token"], orphan_item)
    student = uuid.uuid4()
    with psycopg.connect(database_url, autocommit=True) as conn:
        # A student of the teacher's college holding the first job, whom the operator then suspends; the second job
        # held by them at a college with no teacher (it never had one).
        conn.execute("select private.create_phone_user(%s, %s, true)",
                     [student, f"66657{uuid.uuid4().int % 1000000:06d}"])
        conn.execute("update public.profiles set role = 'technician', college_id = %s, display_name = 'ทดสอบ ระงับ' "
                     "where id = %s", [college, student])
        empty = conn.execute(
            "insert into public.colleges (code, name_th, name_en, province_th, province_en, region, lat, lon, "
            "service_radius_km) values (%s, %s, %s, 'สงขลา', 'Songkhla', 'south', 7.19, 100.59, 1) returning id",
            [f"E2E-{tag.upper()}", f"วิทยาลัยไม่มีครู {tag}", f"No Teacher College {tag}"]).fetchone()
        assert empty is not None
        for rid, at in ((held, college), (orphan, empty[0])):
            conn.execute("update public.offers set status = 'withdrawn' where request_id = %s and status = 'pending'",
                         [rid])
            conn.execute("update public.repair_requests set status = 'accepted', college_id = %s, technician_id = %s "
                         "where id = %s", [at, student, rid])
        conn.execute("update public.profiles set is_active = false where id = %s", [student])
    try:
        page = phone_page
        sign_in(page, split_system.app_url, TEACHER_PHONE, "ภาพรวมวิทยาลัย")
        expect(page.get_by_text(held_item).first).to_be_attached(timeout=TIMEOUT)
        mark = page.get_by_text(HELD).first
        expect(mark).to_be_attached(timeout=TIMEOUT)
        assert fits(page, mark, "teacher"), "the mark runs past its card"

        browser = page.context.browser
        assert browser is not None
        admin_context = browser.new_context(viewport={"width": 360, "height": 640}, locale="th-TH")
        admin = admin_context.new_page()
        sign_in(admin, split_system.app_url, ADMIN_PHONE)
        expect(admin.get_by_text(t("undecided_title", Locale.TH)).first).to_be_attached(timeout=TIMEOUT)
        why = admin.get_by_text(f"วิทยาลัยไม่มีครู {tag} ไม่มีครูที่ใช้งานอยู่", exact=False).first
        expect(why).to_be_attached(timeout=TIMEOUT)
        assert fits(admin, why, "admin"), "the reason runs past its card"
        admin_context.close()
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:  # nothing left waiting for later tests
            conn.execute("update public.repair_requests set status = 'cancelled' where id in (%s, %s)",
                         [held, orphan])
            conn.execute("update public.colleges set is_active = false where code = %s", [f"E2E-{tag.upper()}"])
