"""The admin's waiting list (send a request no centre took to a college), the display name prompt, phone formats."""

import json
from types import SimpleNamespace
from typing import Any
from uuid import UUID, uuid4

import flet as ft
import httpx
from flet.controls.object_patch import ObjectPatch

from mobile.api_client import ApiClient
from mobile.formatting import format_phone
from mobile.live import ServerEvent
from mobile.viewmodels.app import AppViewModel
from mobile.viewmodels.home import AdminHome, CitizenHome, HomeViewModel, TechnicianHome
from mobile.views.admin import admin_home_view, colleges_admin_view
from mobile.views.frame import app_view
from shared.college_lists import HOME_ATTENTION_SHOWN, PICKER_NEAREST
from shared.geo import Point, distance_km
from shared.text import Locale, error_text
from tests.unit.mobile_fakes import (
    BASE_URL,
    COLLEGE,
    DetailBackend,
    FakeBackend,
    MemoryStore,
    button_named,
    error_response,
    find,
    icon_button_named,
    texts,
    waiting_request,
    walk,
)
from tests.unit.mobile_screens import assert_accessible, open_detail, sign_in, signed_in, technician_job

LAMPHUN = (18.58, 99.01)
NO_FITTING_TH = "ยังไม่มีนักศึกษาที่มีทักษะตรงกับงานนี้ในวิทยาลัยที่เลือก"


def college(code: str, name_th: str, name_en: str, lat: float, lon: float) -> dict[str, Any]:
    return {"id": str(uuid4()), "code": code, "name_th": name_th, "name_en": name_en, "province_th": name_th,
            "province_en": name_en, "region": "north", "lat": lat, "lon": lon, "service_radius_km": 30,
            "coordinates_approximate": False}


class AdminBackend(FakeBackend):
    """Three colleges (Bangkok first, so the backend's order is not the distance order) and two waiting requests."""

    def __init__(self) -> None:
        super().__init__()
        self.bangkok = college("1001", "วิทยาลัยเทคนิคกรุงเทพ", "Bangkok Technical College", 13.75, 100.50)
        self.lamphun = college("5101", "วิทยาลัยเทคนิคลำพูน", "Lamphun Technical College", 18.57, 99.02)
        self.colleges = [self.bangkok, *self.colleges, self.lamphun]
        self.waiting = [
            waiting_request("ปั๊มน้ำ", *LAMPHUN, days_ago=1),
            waiting_request("เครื่องซักผ้า", None, None, days_ago=2),
        ]


async def admin_home(backend: AdminBackend) -> tuple[AppViewModel, AdminHome]:
    app = await signed_in("admin", backend)
    home = app.home
    assert isinstance(home, AdminHome)
    return app, home


def home_of(app: AppViewModel) -> HomeViewModel:
    assert app.home is not None
    return app.home


async def test_waiting_list_shows_each_request_with_its_buttons() -> None:
    backend = AdminBackend()
    app, home = await admin_home(backend)
    # Oldest first: the one waiting longest is handled first.
    assert [r.item for r in home.waiting] == ["เครื่องซักผ้า", "ปั๊มน้ำ"]
    tree = app_view(app)
    shown = texts(tree)
    for expected in ("รอวิทยาลัยรับงาน", "ปั๊มน้ำ", "เครื่องซักผ้า", "เครื่องใช้ไฟฟ้า", "เมืองลำพูน, ลำพูน",
                     "ส่งเมื่อ 24 พ.ย. 2569", "รอวิทยาลัยรับงาน", "ภาพรวมระบบ", "วิทยาลัยในระบบ 3 แห่ง"):
        assert any(expected in s for s in shown), expected
    # The waiting section comes before the colleges overview.
    assert shown.index("รอวิทยาลัยรับงาน") < shown.index("ภาพรวมระบบ")
    assert len([b for b in find(tree, ft.FilledButton) if b.content == "ส่งให้วิทยาลัย"]) == 2
    assert len([b for b in find(tree, ft.OutlinedButton) if b.content == "ลองจับคู่ใหม่"]) == 2
    assert_accessible(tree)


async def test_a_request_whose_owner_is_suspended_says_why_and_offers_no_send_on() -> None:
    """GET /admin/waiting's `owner_suspended` (review18a #2): the card says why the request waits, in both
    languages, and its send-on buttons are off (the backend refuses them, 409 owner_suspended, until the account is
    restored, when the clock sends it on by itself). The other card is as before."""
    backend = AdminBackend()
    backend.waiting[0]["owner_suspended"] = True  # ปั๊มน้ำ
    app, home = await admin_home(backend)
    pump, washer = (next(r for r in home.waiting if r.item == item) for item in ("ปั๊มน้ำ", "เครื่องซักผ้า"))
    assert (home.owner_note(pump), home.owner_note(washer)) == ("เจ้าของบัญชีถูกระงับ", None)
    assert (home.can_send_on(pump), home.can_send_on(washer)) == (False, True)
    tree = app_view(app)
    assert texts(tree).count("เจ้าของบัญชีถูกระงับ") == 1
    sends = [b for b in find(tree, ft.FilledButton) if b.content == "ส่งให้วิทยาลัย"]
    retries = [b for b in find(tree, ft.OutlinedButton) if b.content == "ลองจับคู่ใหม่"]
    assert [b.disabled for b in sends] == [False, True] and [b.disabled for b in retries] == [False, True]
    assert_accessible(tree)
    app.session.set_locale(Locale.EN)
    assert home.owner_note(pump) == "The owner's account is suspended"


async def test_picker_lists_colleges_nearest_first_and_dispatch_sends_the_college() -> None:
    backend = AdminBackend()
    app, home = await admin_home(backend)
    pump = next(r for r in home.waiting if r.item == "ปั๊มน้ำ")
    tree = admin_home_view(home, Locale.TH)
    first_send = [b for b in find(tree, ft.FilledButton) if b.content == "ส่งให้วิทยาลัย"][1]  # ปั๊มน้ำ is second
    await first_send.on_click()
    assert home.picking == pump.id
    tree = app_view(app)
    assert "เลือกวิทยาลัยสำหรับ ปั๊มน้ำ" in texts(tree)
    labels = [b.content for b in find(tree, ft.OutlinedButton) if str(b.content).startswith("วิทยาลัย")]
    where = Point(*LAMPHUN)
    km = {c.name_th: distance_km(where, Point(c.lat, c.lon)) for c in home.colleges}
    assert labels == [
        f"วิทยาลัยเทคนิคลำพูน · {km['วิทยาลัยเทคนิคลำพูน']:.1f} กม.",
        f"วิทยาลัยเทคนิคเชียงใหม่ · {km['วิทยาลัยเทคนิคเชียงใหม่']:.0f} กม.",
        f"วิทยาลัยเทคนิคกรุงเทพ · {km['วิทยาลัยเทคนิคกรุงเทพ']:.0f} กม.",
    ]
    assert_accessible(tree)

    # A tap asks first (ux21 finding 2), naming the item, the college and the distance, with nothing sent.
    await button_named(tree, labels[0]).on_click()  # type: ignore[attr-defined]
    assert backend.calls("POST", f"/requests/{pump.id}/dispatch") == []
    question = f"ส่ง ปั๊มน้ำ ให้ วิทยาลัยเทคนิคลำพูน ({km['วิทยาลัยเทคนิคลำพูน']:.1f} กม.) ใช่ไหม?"
    tree = app_view(app)
    assert question in texts(tree)
    assert not [b for b in find(tree, ft.OutlinedButton) if str(b.content).startswith("วิทยาลัย")]  # no stray tap
    assert_accessible(tree)
    await button_named(tree, "ยืนยัน ส่งงาน").on_click()  # type: ignore[attr-defined]
    (call,) = backend.calls("POST", f"/requests/{pump.id}/dispatch")
    assert json.loads(call.content) == {"college_id": backend.lamphun["id"]}
    # Reloaded: the request left the list, the picker closed, and the admin is told where it went.
    assert [r.item for r in home.waiting] == ["เครื่องซักผ้า"]
    assert home.picking is None
    assert home.notice == "ส่งงาน ปั๊มน้ำ ให้ วิทยาลัยเทคนิคลำพูน แล้ว"
    assert backend.paths().count("GET /admin/waiting") == 2


def picker_labels(home: AdminHome, locale: Locale = Locale.TH) -> list[str]:
    return [str(b.content) for b in find(admin_home_view(home, locale), ft.OutlinedButton)
            if b.key is not None and str(b.key).startswith("pick-")]


async def test_no_means_choose_again_and_close_sits_above_the_list() -> None:
    backend = AdminBackend()
    app, home = await admin_home(backend)
    pump = next(r for r in home.waiting if r.item == "ปั๊มน้ำ")
    home.open_picker(pump.id)
    tree = admin_home_view(home, Locale.TH)
    # Close is on top, where a thumb finds it, not below the whole list.
    order = list(walk(tree))
    first_college = next(c for c in order if isinstance(c, ft.OutlinedButton) and str(c.key).startswith("pick-"))
    assert order.index(icon_button_named(tree, "ปิด")) < order.index(first_college)
    home.ask_dispatch(UUID(backend.bangkok["id"]))
    question = home.confirm_question(pump)
    assert question is not None and question.startswith("ส่ง ปั๊มน้ำ ให้ วิทยาลัยเทคนิคกรุงเทพ (")
    await app.toggle_locale()  # the question in the screen's language, the college's name too
    question = home.confirm_question(pump)
    assert question is not None and question.startswith("Send ปั๊มน้ำ to Bangkok Technical College (")
    assert question.endswith(" km)?")
    await app.toggle_locale()
    button_named(admin_home_view(home, Locale.TH), "ไม่ใช่ เลือกใหม่").on_click()  # type: ignore[attr-defined]
    assert home.confirming is None and home.picking == pump.id
    assert len(picker_labels(home)) == 3
    assert backend.calls("POST", f"/requests/{pump.id}/dispatch") == []
    icon_button_named(admin_home_view(home, Locale.TH), "ปิด").on_click()
    assert home.picking is None and backend.calls("POST", f"/requests/{pump.id}/dispatch") == []


async def test_the_picker_shows_the_nearest_few_then_every_college_or_those_searched_for() -> None:
    backend = AdminBackend()
    far = [college(f"90{n:02d}", f"วิทยาลัยการอาชีพใต้ {n}", f"Southern College {n}", 7.0 + n / 10, 100.5)
           for n in range(5)]
    far[3]["province_th"], far[3]["province_en"] = "สงขลา", "Songkhla"
    backend.colleges += far
    _, home = await admin_home(backend)
    pump = next(r for r in home.waiting if r.item == "ปั๊มน้ำ")
    home.open_picker(pump.id)
    labels = picker_labels(home)
    assert len(labels) == PICKER_NEAREST and labels[0].startswith("วิทยาลัยเทคนิคลำพูน")
    tree = admin_home_view(home, Locale.TH)
    assert f"ใกล้ที่สุด {PICKER_NEAREST} แห่ง จากทั้งหมด 8 แห่ง" in texts(tree)
    button_named(tree, "แสดงทุกวิทยาลัย (8 แห่ง)").on_click()  # type: ignore[attr-defined]
    assert len(picker_labels(home)) == 8
    assert "แสดงทุกวิทยาลัย (8 แห่ง)" not in texts(admin_home_view(home, Locale.TH))

    # A search by province, name in either language, or code, over every college.
    (search,) = [f for f in find(admin_home_view(home, Locale.TH), ft.TextField) if f.key == "picker-search"]
    search.on_change(SimpleNamespace(control=SimpleNamespace(value="สงขลา")))
    (found,) = picker_labels(home)
    assert found.startswith("วิทยาลัยการอาชีพใต้ 3 · ")
    home.set_pick_query("bangkok technical")
    assert [label.split(" · ")[0] for label in picker_labels(home)] == ["วิทยาลัยเทคนิคกรุงเทพ"]
    home.set_pick_query("5101")
    assert [label.split(" · ")[0] for label in picker_labels(home)] == ["วิทยาลัยเทคนิคลำพูน"]
    home.set_pick_query("ไม่มีที่ไหน")
    assert picker_labels(home) == []
    assert "ไม่พบวิทยาลัยที่ตรงกับ “ไม่มีที่ไหน”" in texts(admin_home_view(home, Locale.TH))
    # Opened again for another request: the nearest few again, nothing typed.
    home.close_picker()
    home.open_picker(pump.id)
    assert home.pick_query == "" and len(picker_labels(home)) == PICKER_NEAREST


async def test_the_overview_counts_the_colleges_and_names_only_the_few_to_check() -> None:
    """ux21 finding 3: not every college again under the waiting list; those whose place is approximate (distances
    and the matching radius are measured from it), the first few named, the rest counted, and the way to the
    colleges screen, which lists and searches them all."""
    backend = AdminBackend()
    extra = [college(f"80{n:02d}", f"วิทยาลัยประมาณ {n}", f"Approximate College {n}", 15.0, 101.0 + n / 10)
             for n in range(HOME_ATTENTION_SHOWN + 2)]
    for row in extra:
        row["coordinates_approximate"] = True
    backend.colleges += extra
    app, _ = await admin_home(backend)
    tree = app_view(app)
    shown = texts(tree)
    total = 3 + len(extra)
    assert f"วิทยาลัยในระบบ {total} แห่ง" in shown
    assert f"ตำแหน่งเป็นค่าประมาณ ควรตรวจสอบ: {len(extra)} แห่ง" in shown
    named = [row["name_th"] for row in extra if row["name_th"] in shown]
    assert named == [row["name_th"] for row in extra[:HOME_ATTENTION_SHOWN]]
    assert "และอีก 2 แห่ง" in shown
    assert "วิทยาลัยเทคนิคลำพูน" not in shown  # an exact place: nothing to check, not listed again
    assert_accessible(tree)
    await button_named(tree, "ดูและค้นหาวิทยาลัยทั้งหมด").on_click()  # type: ignore[attr-defined]
    assert app.colleges_admin is not None


async def test_request_without_a_location_lists_colleges_in_the_backends_order() -> None:
    backend = AdminBackend()
    _, home = await admin_home(backend)
    washer = next(r for r in home.waiting if r.item == "เครื่องซักผ้า")
    home.open_picker(washer.id)
    labels = [b.content for b in find(admin_home_view(home, Locale.TH), ft.OutlinedButton)
              if str(b.content).startswith("วิทยาลัย")]
    assert labels == ["วิทยาลัยเทคนิคกรุงเทพ", COLLEGE["name_th"], "วิทยาลัยเทคนิคลำพูน"]
    shown = texts(admin_home_view(home, Locale.TH))
    assert "แสดง 3 จาก 3 แห่ง" in shown and "เรียงจากใกล้ที่สุด" not in shown  # no distances to sort by


async def test_no_fitting_student_shows_the_servers_words_and_keeps_the_picker() -> None:
    backend = AdminBackend()
    backend.dispatch_error = "no_fitting_student"
    app, home = await admin_home(backend)
    pump = next(r for r in home.waiting if r.item == "ปั๊มน้ำ")
    home.open_picker(pump.id)
    home.ask_dispatch(UUID(backend.bangkok["id"]))
    await home.confirm_dispatch()
    assert home.notice == NO_FITTING_TH and home.notice_is_error
    assert home.picking == pump.id and home.confirming is None  # choose another college (asked again)
    assert len(home.waiting) == 2
    tree = app_view(app)
    assert NO_FITTING_TH in texts(tree)
    (shown,) = find(tree, ft.Semantics, lambda s: s.live_region and isinstance(s.content, ft.Text)
                    and s.content.value == NO_FITTING_TH)
    assert shown.content.color == ft.Colors.ERROR
    await app.toggle_locale()
    assert home.notice == error_text("no_fitting_student").en
    assert error_text("no_fitting_student").en in texts(app_view(app))


async def test_retry_matching_sends_no_college() -> None:
    backend = AdminBackend()
    app, home = await admin_home(backend)
    washer = next(r for r in home.waiting if r.item == "เครื่องซักผ้า")
    tree = app_view(app)
    await next(b for b in find(tree, ft.OutlinedButton) if b.content == "ลองจับคู่ใหม่").on_click()
    (call,) = backend.calls("POST", f"/requests/{washer.id}/dispatch")
    assert json.loads(call.content) == {"college_id": None}
    assert home.notice == "จับคู่ เครื่องซักผ้า ใหม่แล้ว"
    assert [r.item for r in home.waiting] == ["ปั๊มน้ำ"]


async def test_a_request_that_moved_on_is_refused_and_the_list_reloads() -> None:
    backend = AdminBackend()
    _, home = await admin_home(backend)
    pump = next(r for r in home.waiting if r.item == "ปั๊มน้ำ")
    backend.waiting = [w for w in backend.waiting if w["id"] != str(pump.id)]  # someone else dispatched it
    await home.dispatch(pump.id, None)
    assert home.notice_is_error and home.notice is not None
    assert [r.item for r in home.waiting] == ["เครื่องซักผ้า"]


async def test_api_client_dispatch_body() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return error_response(409, "no_fitting_student")

    api = ApiClient(BASE_URL, token="t", transport=httpx.MockTransport(handle))
    request_id, college_id = uuid4(), uuid4()
    try:
        await api.dispatch(request_id, college_id)
    except Exception as exc:
        assert getattr(exc, "code", None) == "no_fitting_student"
        assert getattr(exc, "message_th", None) == NO_FITTING_TH
    else:
        raise AssertionError("a 409 must raise")
    assert seen[0].url.path == f"/requests/{request_id}/dispatch"
    assert json.loads(seen[0].content) == {"college_id": str(college_id)}


# --- the display name prompt ---------------------------------------------------------------------------


async def test_no_name_yet_greets_plainly_and_asks_for_a_name() -> None:
    backend = FakeBackend()
    backend.display_names["citizen"] = ""
    store = MemoryStore()
    app = AppViewModel(backend.client(), store)
    await app.start()
    await sign_in(app, "citizen")
    home = home_of(app)
    assert isinstance(home, CitizenHome)
    assert home.greeting == "สวัสดี" and home.needs_name
    tree = app_view(app)
    shown = texts(tree)
    assert "สวัสดี" in shown and "ตั้งชื่อที่แสดง" in shown
    (field,) = [f for f in find(tree, ft.TextField) if f.label == "ชื่อที่แสดง"]
    button_named(tree, "บันทึกชื่อ")
    assert_accessible(tree)

    # Empty: refused on the device, in the current language.
    await home.save_name()
    assert home.name_error == error_text("display_name_invalid").th
    assert not backend.calls("PATCH", "/me")
    await app.toggle_locale()
    (field,) = [f for f in find(app_view(app), ft.TextField) if f.label == "Display name"]
    assert field.error == error_text("display_name_invalid").en
    await app.toggle_locale()

    # Typed and saved: PATCH /me, the greeting uses it, the card goes, the stored session keeps it.
    field.on_change(SimpleNamespace(control=SimpleNamespace(value="  สมใจ  ")))  # what Flet hands the handler
    await button_named(app_view(app), "บันทึกชื่อ").on_click()  # type: ignore[attr-defined]
    patch = backend.calls("PATCH", "/me")[-1]
    assert json.loads(patch.content) == {"display_name": "สมใจ"}
    assert home.greeting == "สวัสดี สมใจ" and not home.needs_name
    tree = app_view(app)
    assert "สวัสดี สมใจ" in texts(tree) and "บันทึกชื่อแล้ว" in texts(tree)
    assert not [f for f in find(tree, ft.TextField) if f.label == "ชื่อที่แสดง"]
    stored = await store.load()
    assert stored is not None and stored.profile.display_name == "สมใจ"


async def test_name_refused_by_the_server_shows_its_message_in_the_current_language() -> None:
    backend = FakeBackend()
    backend.display_names["technician"] = ""
    backend.overrides[("PATCH", "/me")] = lambda _: error_response(400, "display_name_invalid")
    app = await signed_in("technician", backend)
    home = home_of(app)
    assert isinstance(home, TechnicianHome) and home.needs_name
    home.set_name_input("วิชัย")
    await home.save_name()
    assert home.name_error == error_text("display_name_invalid").th
    assert home.greeting == "สวัสดี" and home.needs_name
    await app.toggle_locale()
    assert home.name_error == error_text("display_name_invalid").en
    assert home.greeting == "Hello"


async def test_every_home_asks_for_a_missing_name() -> None:
    for role in ("citizen", "technician", "supervisor", "admin"):
        backend = AdminBackend()
        backend.display_names[role] = ""
        app = await signed_in(role, backend)
        tree = app_view(app)
        assert "ตั้งชื่อที่แสดง" in texts(tree), role
        button_named(tree, "บันทึกชื่อ")


async def test_a_named_person_sees_no_prompt() -> None:
    app = await signed_in("citizen")
    tree = app_view(app)
    assert "ตั้งชื่อที่แสดง" not in texts(tree)
    assert "เบอร์โทร 081-111-1111" in texts(tree)  # the profile's phone, the Thai way


# --- phone numbers the Thai way ------------------------------------------------------------------------


def test_format_phone() -> None:
    assert format_phone("+66655500031") == "065-550-0031"
    assert format_phone("+6621234567") == "02-123-4567"
    assert format_phone("not a phone") == "not a phone"


async def test_job_screen_shows_the_phone_the_thai_way_and_calls_e164() -> None:
    backend, app, job = await technician_job()
    assert backend.job["contact_phone"] == "+66812345678"
    tree = app_view(app)
    shown = texts(tree)
    assert "โทร 081-234-5678" in shown
    assert "โทร +66812345678" not in shown
    assert job.call_url == "tel:+66812345678"
    (call,) = [b for b in find(tree, ft.OutlinedButton) if b.content == "โทรหาเจ้าของ"]
    assert call.tooltip == "tel:+66812345678"


async def test_request_detail_shows_the_contact_phone_the_thai_way() -> None:
    backend = DetailBackend()
    backend.my_requests[0]["contact_phone"] = "+66655500031"
    app, _ = await open_detail(backend)
    assert "โทร 065-550-0031" in texts(app_view(app))


async def test_a_live_event_reloads_the_waiting_list() -> None:
    backend = AdminBackend()
    app, home = await admin_home(backend)
    sent_on = backend.waiting.pop()  # another admin sent it to a college: its event names it
    await app.live_event(ServerEvent("request", json.dumps({"request_id": sent_on["id"], "status": "offered"})))
    assert len(home.waiting) == 1


async def test_the_other_requests_buttons_keep_their_ids_when_one_is_dispatched_and_the_notice_shows() -> None:
    # Flet pairs a re-render's unkeyed controls by place: the notice on top would shift the washer's card onto the
    # pump's old slot, giving it the pump's ids (a tap aimed at the pump would reach the washer's buttons).
    backend = AdminBackend()
    _, home = await admin_home(backend)
    assert [r.item for r in home.waiting] == ["เครื่องซักผ้า", "ปั๊มน้ำ"]
    pump = home.waiting[1]

    def washers_buttons(tree: ft.Control) -> list[int]:
        (card,) = [c for c in walk(tree) if isinstance(c, ft.Card) and "เครื่องซักผ้า" in texts(c)]
        return [b._i for b in find(card, ft.OutlinedButton) + find(card, ft.FilledButton)]

    before = admin_home_view(home, Locale.TH)
    old = washers_buttons(before)
    await home.dispatch(pump.id, None)
    after = admin_home_view(home, Locale.TH)
    assert home.notice in texts(after) and [r.item for r in home.waiting] == ["เครื่องซักผ้า"]
    ObjectPatch.from_diff(before, after, control_cls=ft.BaseControl, frozen=True)
    assert old and washers_buttons(after) == old


# --- the colleges screen: a search over the whole list (ux21 finding 3) ---------------------------------------------


def admin_college(code: str, name_th: str, name_en: str, province_th: str, province_en: str) -> dict[str, Any]:
    return {**college(code, name_th, name_en, 18.0, 99.0), "province_th": province_th, "province_en": province_en,
            "is_active": True, "supervisors": [], "students": 0, "pending_invites": 0}


async def test_the_colleges_screen_filters_by_name_code_or_province_and_keeps_the_other_cards() -> None:
    backend = FakeBackend()
    rows = [admin_college("5101", "วิทยาลัยเทคนิคลำพูน", "Lamphun Technical College", "ลำพูน", "Lamphun"),
            admin_college("5201", "วิทยาลัยเทคนิคลำปาง", "Lampang Technical College", "ลำปาง", "Lampang"),
            admin_college("9001", "วิทยาลัยการอาชีพสงขลา", "Songkhla Industrial College", "สงขลา", "Songkhla")]
    backend.overrides[("GET", "/admin/colleges")] = lambda _: httpx.Response(200, json=rows)
    app = await signed_in("admin", backend)
    await app.open_route("/admin/colleges")
    screen = app.colleges_admin
    assert screen is not None and len(screen.colleges) == 3

    def names(tree: ft.Control) -> list[str]:
        return [name for name in (r["name_th"] for r in rows) if name in texts(tree)]

    def lampang_buttons(tree: ft.Control) -> list[int]:
        (card,) = [c for c in walk(tree) if isinstance(c, ft.Card) and "วิทยาลัยเทคนิคลำปาง" in texts(c)]
        return [b._i for b in find(card, ft.OutlinedButton)]

    lampang = next(c.id for c in screen.colleges if c.code == "5201")
    screen.toggle_college(lampang)  # its card opened: its buttons are the ones that must keep their ids
    before = colleges_admin_view(screen, Locale.TH)
    assert len(names(before)) == 3
    old = lampang_buttons(before)
    (search,) = [f for f in find(before, ft.TextField) if f.key == "college-search"]
    assert search.label == "ค้นหาชื่อวิทยาลัย รหัส หรือจังหวัด"
    search.on_change(SimpleNamespace(control=SimpleNamespace(value="ลำปาง")))  # what Flet hands the handler
    after = colleges_admin_view(screen, Locale.TH)
    assert names(after) == ["วิทยาลัยเทคนิคลำปาง"] and "แสดง 1 จาก 3 แห่ง" in texts(after)
    # The card that stays keeps its buttons' ids: only the cards that left are sent, not the whole page.
    ObjectPatch.from_diff(before, after, control_cls=ft.BaseControl, frozen=True)
    assert old and lampang_buttons(after) == old
    for query, expected in (("songkhla", ["วิทยาลัยการอาชีพสงขลา"]), ("5101", ["วิทยาลัยเทคนิคลำพูน"]),
                            ("  technical   college ", ["วิทยาลัยเทคนิคลำพูน", "วิทยาลัยเทคนิคลำปาง"]),
                            ("", [r["name_th"] for r in rows])):
        screen.set_query(query)
        assert sorted(names(colleges_admin_view(screen, Locale.TH))) == sorted(expected), query
    screen.set_query("ภูเก็ต")
    tree = colleges_admin_view(screen, Locale.TH)
    assert names(tree) == [] and "ไม่พบวิทยาลัยที่ตรงกับ “ภูเก็ต”" in texts(tree)
    assert "No college matches “ภูเก็ต”" in texts(colleges_admin_view(screen, Locale.EN))
    assert_accessible(tree)


async def test_a_college_being_edited_stays_on_screen_whatever_is_searched() -> None:
    backend = FakeBackend()
    rows = [admin_college("5101", "วิทยาลัยเทคนิคลำพูน", "Lamphun Technical College", "ลำพูน", "Lamphun"),
            admin_college("9001", "วิทยาลัยการอาชีพสงขลา", "Songkhla Industrial College", "สงขลา", "Songkhla")]
    backend.overrides[("GET", "/admin/colleges")] = lambda _: httpx.Response(200, json=rows)
    app = await signed_in("admin", backend)
    await app.open_route("/admin/colleges")
    screen = app.colleges_admin
    assert screen is not None
    screen.start_edit(UUID(rows[0]["id"]))
    screen.set_query("สงขลา")
    tree = colleges_admin_view(screen, Locale.TH)
    assert [f for f in find(tree, ft.TextField) if f.key == "college-name_th"]  # its form, with what was typed
    assert "วิทยาลัยการอาชีพสงขลา" in texts(tree)


async def test_a_college_is_one_compact_row_with_its_code_and_buttons_when_opened() -> None:
    """ux21 finding 12: every college was a ~300 px card whose second line was its raw code ("กรุงเทพมหานคร ·
    TC-DONMUANG"). A row now: name, then province and counts; a tap opens the code (small), reach, supervisors,
    invitations and buttons, and folds them again."""
    backend = FakeBackend()
    row = {**admin_college("TC-LAMPANG", "วิทยาลัยเทคนิคลำปาง", "Lampang Technical College", "ลำปาง", "Lampang"),
           "students": 12, "supervisors": [{"id": str(uuid4()), "display_name": "ครูสมใจ", "phone": "+66891234567"}]}
    backend.overrides[("GET", "/admin/colleges")] = lambda _: httpx.Response(200, json=[row])
    app = await signed_in("admin", backend)
    await app.open_route("/admin/colleges")
    screen = app.colleges_admin
    assert screen is not None

    folded = colleges_admin_view(screen, Locale.TH)
    (card,) = [c for c in walk(folded) if isinstance(c, ft.Card) and c.key == f"college-{row['id']}"]
    shown = texts(card)
    assert shown[:3] == ["ดูรายละเอียด วิทยาลัยเทคนิคลำปาง", "วิทยาลัยเทคนิคลำปาง",
                         "ลำปาง · นักศึกษา 12 คน · ครู\u2060ผู้\u2060ควบคุม 1 คน"]
    # Each count held to its noun by no-break spaces, ครูผู้ควบคุม by word joiners: at 360 px the row broke
    # "ครูผู้ควบคุม 1 / คน", "ครูผู้ / ควบคุม 1 คน" and "0 / supervisors" (look22); it may break only at the dots.
    for locale, counts in ((Locale.TH, "ลำปาง · นักศึกษา\u00a012\u00a0คน · ครู\u2060ผู้\u2060ควบคุม\u00a01\u00a0คน"),
                           (Locale.EN, "Lampang · 12\u00a0students · 1\u00a0supervisor")):
        drawn = [c.value for c in walk(colleges_admin_view(screen, locale)) if isinstance(c, ft.Text)]
        assert counts in drawn, drawn
    assert not [x for x in shown if "TC-LAMPANG" in x] and not find(card, ft.OutlinedButton)
    (opener,) = [c for c in walk(card) if isinstance(c, ft.Semantics) and c.button]
    assert opener.label == "ดูรายละเอียด วิทยาลัยเทคนิคลำปาง"
    tap: Any = opener.content  # the row's Container (its handler takes no event here)
    await tap.on_click()

    opened = colleges_admin_view(screen, Locale.TH)
    (card,) = [c for c in walk(opened) if isinstance(c, ft.Card) and c.key == f"college-{row['id']}"]
    (code,) = [c for c in walk(card) if isinstance(c, ft.Text) and str(c.value).startswith("TC-LAMPANG")]
    assert code.size == 12  # smaller than the name
    assert "ครูผู้ควบคุม: ครูสมใจ" in texts(card)
    button_named(card, "แก้ไขวิทยาลัย")
    button_named(card, "แต่งตั้งเป็นครูผู้ควบคุม")
    assert_accessible(opened)
    screen.toggle_college(screen.colleges[0].id)
    assert not find(colleges_admin_view(screen, Locale.TH), ft.OutlinedButton)
