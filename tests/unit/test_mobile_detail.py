"""The request detail screen (timeline, photos, server-listed actions) and the duplicates hint on the form."""

import json

import flet as ft
import flet_map as ftm

from mobile.models import RequestAction
from mobile.viewmodels.app import AppViewModel, Screen
from mobile.viewmodels.home import CitizenHome
from mobile.viewmodels.loadable import LoadState
from mobile.viewmodels.request_form import LocationSource
from mobile.views.frame import app_view
from shared.text import error_text
from tests.unit.mobile_fakes import (
    CHIANG_MAI,
    THUMB,
    DetailBackend,
    button_named,
    error_response,
    find,
    icon_button_named,
    texts,
)
from tests.unit.mobile_screens import assert_accessible, open_detail, open_form, signed_in


def screen_of(app: AppViewModel) -> Screen:
    return app.screen


async def test_tapping_a_card_opens_the_detail_with_timeline_photos_and_actions() -> None:
    backend = DetailBackend()
    app = await signed_in("citizen", backend)
    tree = app_view(app)
    (card,) = find(tree, ft.Semantics, lambda s: s.label == "ดูรายละเอียด หม้อหุงข้าว")
    await card.content.on_click()
    detail = app.request_detail
    assert app.screen == Screen.REQUEST_DETAIL and detail is not None
    tree = app_view(app)
    shown = texts(tree)
    for expected in ("รายละเอียดคำขอซ่อม", "หม้อหุงข้าว", "เครื่องใช้ไฟฟ้า", "กำลังซ่อม", "ยี่ห้อ/รุ่น: Sharp",
                     "ส่งไปที่ วิทยาลัยเทคนิคเชียงใหม่", "ช่างผู้รับงาน: วิชัย", "ความคืบหน้า", "เปลี่ยนฟิวส์",
                     "รูปก่อนซ่อม", "รูปหลังซ่อม"):
        assert expected in shown, expected
    # Timeline newest first, each with who and when in Thai time.
    assert "25 พ.ย. 2569 13:00 · วิชัย" in shown
    assert "23 พ.ย. 2569 13:00 · สมชาย" in shown
    assert "24 พ.ย. 2569 13:00 · ระบบ" in shown
    assert shown.index("เปลี่ยนฟิวส์") < shown.index("ได้รับคำขอแล้ว")
    images = find(tree, ft.Image)
    assert [i.semantics_label for i in images] == ["รูปก่อนซ่อมที่ 1", "รูปหลังซ่อมที่ 1"]
    assert all(i.src == THUMB for i in images)
    button_named(tree, "ยกเลิกคำขอ")
    assert not [b for b in find(tree, ft.FilledButton) if b.content in ("ให้คะแนน", "ยังไม่หาย")]
    assert_accessible(tree)
    await icon_button_named(tree, "ย้อนกลับ").on_click()  # the app bar's back arrow
    assert screen_of(app) == Screen.HOME and app.request_detail is None


async def test_cancel_asks_first_then_sends_the_note_and_reloads_the_home() -> None:
    backend = DetailBackend()
    app, detail = await open_detail(backend)
    await button_named(app_view(app), "ยกเลิกคำขอ").on_click()  # type: ignore[attr-defined]
    tree = app_view(app)
    assert "ยกเลิกคำขอซ่อมนี้ใช่ไหม" in texts(tree)
    assert not [r for r in backend.requests if r.url.path.endswith("/cancel")]  # nothing sent yet
    button_named(tree, "ไม่ยกเลิก")
    (note,) = find(tree, ft.TextField)
    assert note.label == "หมายเหตุ (ไม่บังคับ)"
    note.value = "  ซื้อใหม่แล้ว "  # typed: the client writes the text onto the field, then its change event comes
    detail.set_note(note.value)
    mine_before = len(backend.calls("GET", "/requests/mine"))
    await button_named(tree, "ยืนยันยกเลิก").on_click()  # type: ignore[attr-defined]
    (sent,) = [r for r in backend.requests if r.url.path.endswith("/cancel")]
    assert json.loads(sent.content) == {"note": "ซื้อใหม่แล้ว"}
    shown = texts(app_view(app))
    assert "ยกเลิกแล้ว" in shown and "ยกเลิกคำขอแล้ว" in shown
    assert detail.actions == []
    assert len(backend.calls("GET", "/requests/mine")) == mine_before + 1


async def test_rating_needs_stars_and_a_short_comment() -> None:
    backend = DetailBackend()
    backend.actions = ["rate", "reopen"]
    backend.my_requests[0]["status"] = "handed_back"
    app, detail = await open_detail(backend)
    tree = app_view(app)
    button_named(tree, "ยังไม่หาย")
    await button_named(tree, "ให้คะแนน").on_click()  # type: ignore[attr-defined]
    tree = app_view(app)
    stars = find(tree, ft.IconButton)
    assert [s.tooltip for s in stars if "ดาว" in (s.tooltip or "")] == [f"{n} ดาว" for n in range(1, 6)]
    await detail.confirm()  # no stars yet
    assert detail.action_error == error_text("rating_invalid").th
    assert not [r for r in backend.requests if r.url.path.endswith("/rate")]
    await next(s for s in stars if s.tooltip == "4 ดาว").on_click()
    detail.set_comment("x" * 1001)
    await detail.confirm()
    assert detail.action_error == "ความคิดเห็นยาวได้ไม่เกิน 1000 ตัวอักษร"
    detail.set_comment(" ดีมาก ")
    await button_named(app_view(app), "ส่งคะแนน").on_click()  # type: ignore[attr-defined]
    (sent,) = [r for r in backend.requests if r.url.path.endswith("/rate")]
    assert json.loads(sent.content) == {"rating": 4, "comment": "ดีมาก"}
    assert "คะแนนของคุณ: 4/5" in texts(app_view(app))


async def test_reopen_too_late_shows_the_servers_message() -> None:
    backend = DetailBackend()
    backend.actions = ["reopen"]
    app, detail = await open_detail(backend)
    path = f"/requests/{detail.request_id}/reopen"
    backend.overrides[("POST", path)] = lambda r: error_response(409, "reopen_too_late")
    detail.start_action(RequestAction.REOPEN)
    tree = app_view(app)
    (note,) = find(tree, ft.TextField)
    assert note.label == "อาการที่ยังเป็นอยู่"
    await button_named(tree, "แจ้งว่ายังไม่หาย").on_click()  # type: ignore[attr-defined]
    assert detail.action_error == error_text("reopen_too_late").th
    assert error_text("reopen_too_late").th in texts(app_view(app))
    assert detail.open_action == RequestAction.REOPEN  # still open, to read and close


async def test_detail_error_offers_retry() -> None:
    backend = DetailBackend()
    app = await signed_in("citizen", backend)
    home = app.home
    assert isinstance(home, CitizenHome)
    backend.offline = True
    await home.open_request(home.requests[0].id)
    detail = app.request_detail
    assert detail is not None and detail.state == LoadState.FAILED
    tree = app_view(app)
    assert "เชื่อมต่อเซิร์ฟเวอร์ไม่ได้ กรุณาตรวจสอบอินเทอร์เน็ต" in texts(tree)
    backend.offline = False
    await button_named(tree, "ลองใหม่").on_click()  # type: ignore[attr-defined]
    assert detail.detail is not None and detail.detail.item == "หม้อหุงข้าว"


async def test_no_centre_request_says_so() -> None:
    backend = DetailBackend()
    backend.my_requests[0].update(status="no_centre", college_name_th=None, college_name_en=None)
    app, _ = await open_detail(backend)
    # The status says it; the backend's next step tells what happens now (test_one_wording_regressions).
    shown = texts(app_view(app))
    assert "รอวิทยาลัยรับงาน" in shown and not [s for s in shown if isinstance(s, str) and "ส่งไปที่" in s]


# --- duplicates on the form --------------------------------------------------------------------------


async def test_duplicates_card_shows_once_category_and_location_are_set() -> None:
    backend = DetailBackend()
    backend.duplicate_hints = {"count": 2, "capped": False, "radius_m": 150.0, "days": 7}
    app, form = await open_form(backend)
    form.set_category("appliance")
    await form.refresh_duplicates()
    assert backend.calls("GET", "/requests/duplicates") == []  # no location yet
    form.set_location(*CHIANG_MAI, LocationSource.MAP)
    await form.refresh_duplicates()
    (call,) = backend.calls("GET", "/requests/duplicates")
    assert dict(call.url.params) == {"category_code": "appliance", "lat": str(CHIANG_MAI[0]),
                                     "lon": str(CHIANG_MAI[1])}
    await form.refresh_duplicates()  # same place and kind: not asked again
    assert len(backend.calls("GET", "/requests/duplicates")) == 1
    shown = texts(app_view(app))
    title = "ใกล้คุณมีคำขอซ่อมแบบเดียวกัน 2 รายการในสัปดาห์นี้"
    assert any(title in s for s in shown)
    assert not [s for s in shown if "ม." in s and "ห่าง" in s]  # never how far: only a count for the area
    hint_at = next(i for i, s in enumerate(shown) if title in s)
    assert hint_at < shown.index("ส่งคำขอซ่อม")  # before the submit button, which stays enabled
    submit = button_named(app_view(app), "ส่งคำขอซ่อม")
    assert isinstance(submit, ft.FilledButton) and not submit.disabled


async def test_a_new_pin_shows_its_location_and_the_hint_in_one_redraw() -> None:
    """Issue 9: the hint arriving after the location moved the send button under a tap aimed at it."""
    backend = DetailBackend()
    backend.duplicate_hints = {"count": 2, "capped": False, "radius_m": 150.0, "days": 7}
    app, form = await open_form(backend)
    form.set_category("appliance")
    seen: list[tuple[float | None, bool]] = []
    form.on_change.append(lambda: seen.append((form.lat, form.duplicates is not None)))
    await form.locate(*CHIANG_MAI, LocationSource.GPS)
    assert seen == [(CHIANG_MAI[0], True)]
    assert any("ใกล้คุณมีคำขอซ่อมแบบเดียวกัน 2" in s for s in texts(app_view(app)))


async def test_no_duplicates_or_an_error_shows_nothing() -> None:
    backend = DetailBackend()
    app, form = await open_form(backend)
    form.set_category("appliance")
    form.set_location(*CHIANG_MAI, LocationSource.GPS)
    await form.refresh_duplicates()
    assert not any(s.startswith("มีคำขอซ่อม") for s in texts(app_view(app)))
    backend.overrides[("GET", "/requests/duplicates")] = lambda r: error_response(500, "internal_error")
    form.set_location(18.0, 99.0, LocationSource.MAP)
    await form.refresh_duplicates()
    assert form.duplicates is None and form.form_error is None


async def test_the_open_detail_is_fetched_again_after_a_language_switch() -> None:
    """The backend writes the timeline's system notes in the reader's language: a switch must fetch them anew."""
    backend = DetailBackend()
    app, detail = await open_detail(backend)
    path = f"/requests/{detail.request_id}"
    fetched = len(backend.calls("GET", path))
    await app.toggle_locale()
    assert len(backend.calls("GET", path)) == fetched + 1
    assert [json.loads(c.content) for c in backend.calls("PATCH", "/me")] == [{"locale": "en"}]
    assert "Progress" in texts(app_view(app))


async def test_duplicates_hint_sits_under_the_location_whole_and_without_personal_data() -> None:
    backend = DetailBackend()
    backend.duplicate_hints = {"count": 120, "capped": True, "radius_m": 150.0, "days": 7}
    app, form = await open_form(backend)
    form.set_category("appliance")
    form.set_location(*CHIANG_MAI, LocationSource.MAP)
    await form.refresh_duplicates()
    tree = app_view(app)
    (card,) = find(tree, ft.Semantics, lambda s: s.live_region and "รายการในสัปดาห์นี้" in " ".join(texts(s)))
    shown = texts(tree)
    hint_at = next(i for i, s in enumerate(shown) if "ใกล้คุณมีคำขอซ่อมแบบเดียวกัน 120+ รายการ" in s)
    where_at = next(i for i, s in enumerate(shown) if s.startswith("ละติจูด 18.78830"))
    # Right below the pin's line, above the address and far from the consent box at the bottom.
    assert hint_at == where_at + 1
    assert hint_at < shown.index("ที่อยู่ (ไม่บังคับ)") < shown.index("ยินยอมให้ใช้ข้อมูลส่วนบุคคลเพื่อการซ่อม")
    # Text only, one sentence: no map or image that can grow. Never cut however large the font (its only copy:
    # tests/unit/test_request_form_for_everyone.py measures it).
    (title,) = find(card, ft.Text)
    assert title.max_lines is None
    assert not find(card, ftm.Map) and not find(card, ft.Image)
    # Nothing about anyone else's request: only the count.
    assert texts(card) == [title.value]
    assert not any(ch.isdigit() for ch in title.value.replace("120", ""))
