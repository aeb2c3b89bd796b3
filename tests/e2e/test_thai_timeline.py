"""Issue 10: every timeline entry the app shows is in Thai when the app is in Thai. A reopened request (walked through
the API by the real actors: the student accepts, works and reports, the teacher approves, the owner confirms the
handover, the teacher hands it back, the owner reports it still broken) and a request no college can take are opened
in the app in Thai: the system's notes are there in Thai and no English word is on the screen. The language button
then shows the same timeline in English."""

import re
import uuid
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, expect

from shared.text import EVENT_NOTES, Locale, t
from tests.e2e.conftest import TIMEOUT, SplitSystem, api_session, open_screen, sign_in
from tests.e2e.steps import DON_MUEANG, offered_student_phone
from tests.integration.builders import draft, jpeg_with_gps

CITIZEN_PHONE = "0655500071"
TEACHER_PHONE = "0833333333"
MAE_HONG_SON = (19.30, 97.97)  # far from every seeded college
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
LINK = re.compile(r"(?:https?://|tel:)\S+")  # the map and phone links: addresses, no sentence


def _call(api: str, token: str, method: str, path: str, **kwargs: Any) -> Any:
    response = httpx.request(method, f"{api}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=30,
                             **kwargs)
    assert response.status_code in (200, 201, 204), f"{method} {path}: {response.text}"
    return response.json() if response.content else None


def _submit(api: str, citizen: str, item: str, lat: float, lon: float, province: str) -> dict[str, Any]:
    body = draft(item=item, brand="", lat=lat, lon=lon, province=province)
    created: dict[str, Any] = _call(api, citizen, "POST", "/requests", json=body)
    return created


def _reopened_request(system: SplitSystem, database_url: str, citizen: str, item: str) -> None:
    api = system.api_url
    request = _submit(api, citizen, item, DON_MUEANG["latitude"], DON_MUEANG["longitude"], "กรุงเทพมหานคร")
    rid = request["id"]
    student = api_session(api, offered_student_phone(database_url, item))["access_token"]
    offers = _call(api, student, "GET", "/technician/offers")
    _call(api, student, "POST", f"/offers/{next(o['offer_id'] for o in offers if o['request_id'] == rid)}/accept")
    for to in ("diagnosing", "repairing"):
        _call(api, student, "POST", f"/requests/{rid}/status", json={"to_status": to})
    _call(api, student, "PUT", f"/requests/{rid}/after-photos/0",
          files={"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")})
    _call(api, student, "PUT", f"/requests/{rid}/report",
          json={"hours": 1.5, "notes": "เปลี่ยนฟิวส์ ทดสอบแล้วใช้งานได้", "parts": []})
    _call(api, student, "POST", f"/requests/{rid}/status", json={"to_status": "quality_check"})
    teacher = api_session(api, TEACHER_PHONE)["access_token"]
    _call(api, teacher, "POST", f"/requests/{rid}/status", json={"to_status": "done"})
    _call(api, citizen, "POST", f"/requests/{rid}/handover/confirm")
    _call(api, teacher, "POST", f"/requests/{rid}/status", json={"to_status": "handed_back"})
    reopened = _call(api, citizen, "POST", f"/requests/{rid}/reopen", json={"note": ""})
    assert {"still_broken", "reopened"} <= {e["note_code"] for e in reopened["timeline"]}, reopened["timeline"]


def _screen_text(page: Page) -> str:
    """Everything the accessibility tree reads out: the texts and the controls' names."""
    texts: list[str] = page.evaluate(
        """() => [document.querySelector('flt-semantics-host')?.innerText || '',
                  ...Array.from(document.querySelectorAll('flt-semantics-host [aria-label]'),
                                n => n.getAttribute('aria-label') || '')]"""
    )
    return "\n".join(t for t in texts if t)


def _open_detail(page: Page, item: str) -> None:
    open_screen(page, page.get_by_role("button", name=f"ดูรายละเอียด {item}").first, "คำขอซ่อมของฉัน")


def _back_home(page: Page, back_label: str) -> None:
    page.get_by_role("button", name=back_label).first.click()
    expect(page.get_by_role("heading", name="คำขอซ่อมของฉัน").first).to_be_visible(timeout=TIMEOUT)


def test_a_reopened_and_a_no_centre_request_read_in_thai(
    split_system: SplitSystem, database_url: str, browser: Browser
) -> None:
    api = split_system.api_url
    citizen = api_session(api, CITIZEN_PHONE)["access_token"]
    suffix = str(uuid.uuid4().int)[:6]
    reopened_item, waiting_item = f"พัดลม {suffix}", f"คอมพิวเตอร์ {suffix}"
    _reopened_request(split_system, database_url, citizen, reopened_item)
    waiting = _submit(api, citizen, waiting_item, *MAE_HONG_SON, "แม่ฮ่องสอน")
    assert waiting["status"] == "no_centre", waiting["status"]

    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="th-TH")
    page = context.new_page()
    try:
        sign_in(page, split_system.app_url, CITIZEN_PHONE, "คำขอซ่อมของฉัน")
        language_button = t("language_switch", Locale.TH)  # the one English word a Thai screen has: "English"
        for item, codes in ((reopened_item, ("reopened",)), (waiting_item, ("no_centre",))):
            _open_detail(page, item)
            for code in codes:
                expect(page.get_by_text(EVENT_NOTES[code].th).first).to_be_attached(timeout=TIMEOUT)
            shown = _screen_text(page)
            assert all(EVENT_NOTES[code].th in shown for code in codes), shown  # the scan below reads the timeline
            english = sorted({w for w in LATIN_WORD.findall(LINK.sub("", shown)) if w != language_button})
            assert not english, f"English on the Thai detail of {item!r}: {english}\n{shown}"
            assert not [n.en for n in EVENT_NOTES.values() if n.en.split(":")[0] in shown]
            _back_home(page, t("back", Locale.TH))

        # The same timeline in English, switched with the app's language button on the open detail.
        _open_detail(page, reopened_item)
        switch = re.compile(f"{language_button}|{t('language_switch_tooltip', Locale.TH)}")
        page.get_by_role("button", name=switch).first.click()
        for code in ("reopened", "still_broken"):
            expect(page.get_by_text(EVENT_NOTES[code].en, exact=True).first).to_be_attached(timeout=TIMEOUT)
        expect(page.get_by_text(EVENT_NOTES["reopened"].th)).to_have_count(0, timeout=TIMEOUT)
    finally:
        context.close()
