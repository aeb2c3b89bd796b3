"""The bell and the inbox, the account screen, push device registration (OneSignal, through a fake of the
extension's small surface) and the admin's colleges, on the fake
backend: what the app sends, and what the screens show."""

import asyncio
import inspect
import json
import sys
from types import SimpleNamespace
from typing import Any, cast
from uuid import UUID, uuid4

import flet as ft
import httpx

from mobile.api_client import ApiError
from mobile.live import ServerEvent
from mobile.push import OneSignalPush, onesignal_push, route_of_notification
from mobile.strings import notification_kind_label, pref_label
from mobile.viewmodels.account import AccountViewModel
from mobile.viewmodels.app import AppViewModel, Screen
from mobile.viewmodels.colleges_admin import CollegesAdminViewModel
from mobile.views.account import account_view, delete_account_dialog
from mobile.views.admin import colleges_admin_view
from mobile.views.frame import app_views
from mobile.views.inbox import inbox_view
from shared.notifications import KIND_NOT_YOURS, Kind, allowed_prefs, is_kind, kind_label
from shared.text import APP_UI, Locale, error_text
from tests.unit.mobile_fakes import (
    NOW,
    FakeBackend,
    MemoryStore,
    button_named,
    error_response,
    exported,
    find,
    texts,
    toggles,
)

REQUEST_ID = str(uuid4())


def notification(nid: int, *, read: bool = False, link: str = "/offers") -> dict[str, Any]:
    return {"id": nid, "kind": "offer_new", "title": f"งานใหม่ FX-69000{nid}", "body": "พัดลม: ตอบรับภายใน 30 นาที",
            "link": link, "request_id": REQUEST_ID, "created_at": NOW.isoformat(), "read": read}


class Inbox:
    """The inbox endpoints of the fake backend, with server-side read state."""

    def __init__(self, backend: FakeBackend) -> None:
        self.items = [notification(2), notification(1, read=True, link=f"/jobs/{REQUEST_ID}")]
        backend.overrides[("GET", "/me/notifications/unread-count")] = lambda r: httpx.Response(
            200, json={"unread_count": self.unread})
        backend.overrides[("GET", "/me/notifications")] = lambda r: httpx.Response(
            200, json={"items": self.items, "unread_count": self.unread, "next_before_id": None})
        for n in (1, 2, 3):
            backend.overrides[("POST", f"/me/notifications/{n}/read")] = self._reader(n)

    @property
    def unread(self) -> int:
        return sum(1 for n in self.items if not n["read"])

    def _reader(self, nid: int) -> Any:
        def read(request: httpx.Request) -> httpx.Response:
            for n in self.items:
                if n["id"] == nid:
                    n["read"] = True
            return httpx.Response(200, json={"unread_count": self.unread})
        return read


async def signed_in(backend: FakeBackend, role: str, **options: Any) -> AppViewModel:
    from tests.unit.mobile_screens import sign_in

    vm = AppViewModel(backend.client(), MemoryStore(), **options)
    await vm.start()
    await sign_in(vm, role)
    assert vm.screen == Screen.HOME
    return vm


def screen_of(vm: AppViewModel) -> Screen:
    """Read through a call: mypy keeps an attribute narrowed across the awaits that change it."""
    return vm.screen


def bell(vm: AppViewModel) -> ft.IconButton:
    (found,) = [b for view in app_views(vm) for b in find(view, ft.IconButton, lambda b: b.key == "bell")]
    assert isinstance(found, ft.IconButton)
    return found


async def test_the_bell_counts_unread_and_follows_live_events_without_a_reload() -> None:
    backend = FakeBackend()
    inbox = Inbox(backend)
    vm = await signed_in(backend, "technician")
    assert vm.inbox is not None and vm.inbox.unread == 1
    icon = bell(vm).icon
    assert isinstance(icon, ft.Icon) and icon.semantics_label == "การแจ้งเตือน ยังไม่อ่าน 1"
    assert isinstance(icon.badge, ft.Badge) and icon.badge.label == "1"

    inbox.items.insert(0, notification(3))  # a new offer arrives while the home shows
    await vm.live_event(ServerEvent("notification", json.dumps({"kind": "notification", "notification_id": 3})))
    icon = bell(vm).icon
    assert isinstance(icon, ft.Icon) and isinstance(icon.badge, ft.Badge) and icon.badge.label == "2"
    assert vm.screen == Screen.HOME


async def test_the_inbox_lists_newest_first_and_a_tap_reads_and_opens_the_screen() -> None:
    backend = FakeBackend()
    inbox = Inbox(backend)
    vm = await signed_in(backend, "technician")
    await vm.open_route("/inbox")
    assert vm.screen == Screen.INBOX and vm.route == "/inbox" and vm.inbox is not None
    shown = texts(inbox_view(vm.inbox, vm.locale))
    assert shown.index("งานใหม่ FX-690002") < shown.index("งานใหม่ FX-690001")
    assert "อ่านทั้งหมดแล้ว" in shown

    inbox.items.insert(0, notification(3))  # arrives while the inbox shows: the list follows too
    await vm.live_event(ServerEvent("notification", "{}"))
    assert [n.id for n in vm.inbox.items] == [3, 2, 1] and vm.inbox.unread == 2

    await vm.inbox.open(3)
    assert backend.calls("POST", "/me/notifications/3/read") and vm.inbox.unread == 1
    assert screen_of(vm) == Screen.HOME  # "/offers": a student's offers are on their home
    await vm.open_inbox()
    await vm.inbox.open(1)  # read already: no second call, straight to its job
    assert backend.calls("POST", "/me/notifications/1/read") == []
    assert screen_of(vm) == Screen.JOB and vm.route == f"/jobs/{REQUEST_ID}"


class FakeOneSignal:
    """The part of flet_onesignal.OneSignal the app uses (mobile/push.py), recording the calls."""

    def __init__(self, subscription_id: str | None, granted: bool = True) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.subscription_id = subscription_id
        self.granted = granted
        self.asked = asyncio.Event()
        self.user = self
        self.notifications = self

    async def request_permission(self, fallback_to_settings: bool = True,
                                 timeout: float = 25) -> bool:  # noqa: ASYNC109 (the extension's signature)
        self.calls.append(("request_permission", fallback_to_settings))
        return self.granted

    async def login(self, external_id: str) -> None:
        self.calls.append(("login", external_id))

    async def logout(self) -> None:
        self.calls.append(("logout", None))

    async def get_push_subscription_id(self, timeout: float = 25) -> str | None:  # noqa: ASYNC109
        self.calls.append(("get_push_subscription_id", None))
        self.asked.set()
        return self.subscription_id

    async def opt_in_push(self) -> None:
        self.calls.append(("opt_in_push", None))

    async def opt_out_push(self) -> None:
        self.calls.append(("opt_out_push", None))


SUBSCRIPTION = "1dd608f2-c6a1-11e3-851d-000c2940e62c"


async def test_onesignal_registers_the_phone_after_sign_in_and_logs_out_at_sign_out() -> None:
    backend = FakeBackend()
    Inbox(backend)
    backend.overrides[("POST", "/me/devices")] = lambda r: httpx.Response(204)
    backend.overrides[("DELETE", f"/me/devices/{SUBSCRIPTION}")] = lambda r: httpx.Response(204)
    onesignal = FakeOneSignal(SUBSCRIPTION)
    vm = await signed_in(backend, "citizen", push=OneSignalPush(onesignal, "android"))
    assert vm.session.profile is not None
    assert onesignal.calls == [("request_permission", False), ("login", str(vm.session.profile.id)),
                               ("get_push_subscription_id", None), ("opt_in_push", None)]
    (registered,) = backend.calls("POST", "/me/devices")
    assert json.loads(registered.content) == {"platform": "android", "token": SUBSCRIPTION}
    await vm.sign_out()
    (dropped,) = backend.calls("DELETE", f"/me/devices/{SUBSCRIPTION}")
    assert dropped.headers["authorization"].startswith("Bearer token-citizen")
    assert onesignal.calls[-2:] == [("opt_out_push", None), ("logout", None)]
    assert backend.calls("POST", "/auth/sign-out") and vm.screen == Screen.LOGIN


async def test_onesignal_subscription_that_arrives_after_the_permission_is_registered() -> None:
    onesignal = FakeOneSignal(None)
    push = OneSignalPush(onesignal, "ios")
    waiting = asyncio.ensure_future(push.subscribe("user-1"))
    await onesignal.asked.wait()  # subscribe() asked, got none, and now waits for OneSignal's event
    push.subscription_changed(SUBSCRIPTION)  # what on_push_subscription_change hands over
    assert await waiting == ("ios", SUBSCRIPTION)


async def test_no_push_permission_registers_nothing_and_the_app_goes_on() -> None:
    backend = FakeBackend()
    Inbox(backend)
    onesignal = FakeOneSignal(SUBSCRIPTION, granted=False)
    vm = await signed_in(backend, "technician", push=OneSignalPush(onesignal, "android"))
    assert backend.calls("POST", "/me/devices") == [] and [c for c, _ in onesignal.calls] == ["request_permission"]
    assert vm.inbox is not None and vm.inbox.unread == 1


def test_without_an_app_id_or_off_a_phone_the_extension_is_never_loaded() -> None:
    async def open_route(route: str) -> None:
        raise AssertionError(route)

    phone = cast(ft.Page, SimpleNamespace(platform=ft.PagePlatform.ANDROID, web=False))
    browser = cast(ft.Page, SimpleNamespace(platform=ft.PagePlatform.LINUX, web=True))
    assert onesignal_push(phone, "", open_route) is None
    assert onesignal_push(browser, "5eb5a37e-b458-11e3-ac11-000c2940e62c", open_route) is None
    assert "flet_onesignal" not in sys.modules


def test_a_tapped_push_names_its_screen() -> None:
    link = f"https://app.example/jobs/{REQUEST_ID}"
    assert route_of_notification({"additionalData": {"link": link}}) == f"/jobs/{REQUEST_ID}"
    assert route_of_notification(json.dumps({"additionalData": {"link": link}})) == f"/jobs/{REQUEST_ID}"
    assert route_of_notification({"title": "x"}) is None and route_of_notification("not json") is None


async def test_deleting_the_account_asks_first_then_lands_at_the_sign_in() -> None:
    backend = FakeBackend()
    Inbox(backend)
    backend.overrides[("DELETE", "/me")] = lambda r: httpx.Response(204)
    saved: list[tuple[str, bytes]] = []

    async def save_file(name: str, data: bytes) -> bool:
        saved.append((name, data))
        return True

    backend.overrides[("GET", "/me/export")] = exported
    vm = await signed_in(backend, "citizen", save_file=save_file)
    await vm.open_route("/account")
    account = vm.account
    assert vm.screen == Screen.ACCOUNT and account is not None
    shown = texts(account_view(account, vm.locale))
    assert "สมชาย ใจดี" in shown and "081-111-1111" in shown and "ประชาชน" in shown

    await account.download_data()
    assert saved == [("fixit-my-data.json", b'{"profile": {}}')]
    assert account.notice == "บันทึกไฟล์ fixit-my-data.json แล้ว"

    assert delete_account_dialog(account, vm.locale) is None
    account.ask_delete()
    dialog = delete_account_dialog(account, vm.locale)
    assert dialog is not None and any("ตำแหน่งบ้าน" in t for t in texts(dialog))
    assert backend.calls("DELETE", "/me") == []
    account.cancel_delete()
    assert delete_account_dialog(account, vm.locale) is None and backend.calls("DELETE", "/me") == []

    account.ask_delete()
    await account.delete_account()
    (call,) = backend.calls("DELETE", "/me")
    assert call.url.params["confirm"] == "true"
    assert screen_of(vm) == Screen.LOGIN and vm.login.notice == "ลบบัญชีของคุณแล้ว"
    assert vm.session.token is None and await vm._store.load() is None


async def test_a_refused_deletion_stays_on_the_dialog_with_the_reason() -> None:
    backend = FakeBackend()
    Inbox(backend)
    backend.overrides[("DELETE", "/me")] = lambda r: error_response(409, "internal_error")
    vm = await signed_in(backend, "citizen")
    await vm.open_account()
    assert vm.account is not None
    vm.account.ask_delete()
    await vm.account.delete_account()
    dialog = delete_account_dialog(vm.account, vm.locale)
    assert dialog is not None and vm.screen == Screen.ACCOUNT and vm.account.delete_error


def admin_college(**changes: Any) -> dict[str, Any]:
    return {"id": str(uuid4()), "code": "NEW-1", "name_th": "วิทยาลัยใหม่", "name_en": "New College",
            "province_th": "ลำปาง", "province_en": "Lampang", "region": "north", "lat": 18.29, "lon": 99.49,
            "service_radius_km": 25, "coordinates_approximate": False, "is_active": True, "supervisors": [],
            "students": 0, "pending_invites": 0, **changes}


async def test_the_admin_creates_a_college_and_names_its_supervisor() -> None:
    backend = FakeBackend()
    Inbox(backend)
    colleges: list[dict[str, Any]] = []
    backend.overrides[("GET", "/admin/colleges")] = lambda r: httpx.Response(200, json=colleges)

    def create(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        colleges.append(admin_college(**body))
        return httpx.Response(201, json=colleges[-1])

    backend.overrides[("POST", "/admin/colleges")] = create
    vm = await signed_in(backend, "admin")
    await vm.open_route("/admin/colleges")
    screen = vm.colleges_admin
    assert vm.screen == Screen.COLLEGES and isinstance(screen, CollegesAdminViewModel)

    screen.start_new()
    screen.set_value("lat", "north")
    await screen.save()  # nothing sent: names missing, a latitude that is no number
    assert backend.calls("POST", "/admin/colleges") == []
    assert screen.field_error("name_th") == "กรุณากรอกช่องนี้" and screen.field_error("lat") == "กรุณาใส่ตัวเลข"

    for name, value in {"code": "new-1", "name_th": "วิทยาลัยใหม่", "name_en": "New College", "province_th": "ลำปาง",
                        "province_en": "Lampang", "lat": "18.29", "lon": "99.49", "service_radius_km": "25"}.items():
        screen.set_value(name, value)
    screen.set_region("north")
    await screen.save()
    (call,) = backend.calls("POST", "/admin/colleges")
    assert json.loads(call.content) == {
        "code": "NEW-1", "name_th": "วิทยาลัยใหม่", "name_en": "New College", "province_th": "ลำปาง",
        "province_en": "Lampang", "region": "north", "lat": 18.29, "lon": 99.49, "service_radius_km": 25.0,
        "is_active": True}
    assert screen.form is None and screen.notice == "บันทึก วิทยาลัยใหม่ แล้ว"
    assert "วิทยาลัยใหม่" in texts(colleges_admin_view(screen, vm.locale))

    college_id = screen.colleges[0].id
    assert screen.naming_for == college_id  # the next step opens by itself: its supervisor
    screen.cancel_naming()
    backend.overrides[("POST", f"/admin/colleges/{college_id}/supervisors")] = lambda r: httpx.Response(
        201, json={"phone": "+66891234567", "role": "supervisor", "college_id": str(college_id),
                   "existing_account": False})
    screen.start_naming(college_id)
    screen.set_supervisor_phone("12")
    await screen.name_supervisor()
    assert screen.naming_error and backend.calls("POST", f"/admin/colleges/{college_id}/supervisors") == []
    screen.set_supervisor_phone("089-123-4567")
    screen.set_supervisor_name("ครูสมชาย")
    await screen.name_supervisor()
    (named,) = backend.calls("POST", f"/admin/colleges/{college_id}/supervisors")
    assert json.loads(named.content) == {"phone": "+66891234567", "display_name": "ครูสมชาย"}
    assert screen.notice == "089-123-4567 จะเป็นครูผู้ควบคุมเมื่อเข้าสู่ระบบครั้งแรก"


async def test_the_admins_taps_read_the_fields() -> None:
    """A college's name changed and saved at once, a supervisor's phone typed and sent at once: the taps send what
    the fields hold, not what the last change event had (on a slow device it had not come yet)."""
    backend = FakeBackend()
    Inbox(backend)
    existing = admin_college()
    backend.overrides[("GET", "/admin/colleges")] = lambda r: httpx.Response(200, json=[existing])
    backend.overrides[("PATCH", f"/admin/colleges/{existing['id']}")] = lambda r: httpx.Response(
        200, json={**existing, **json.loads(r.content)})
    supervisors = f"/admin/colleges/{existing['id']}/supervisors"
    backend.overrides[("POST", supervisors)] = lambda r: httpx.Response(
        201, json={"phone": "+66891234567", "role": "supervisor", "college_id": existing["id"],
                   "existing_account": False})
    vm = await signed_in(backend, "admin")
    await vm.open_route("/admin/colleges")
    screen = vm.colleges_admin
    assert screen is not None
    screen.start_edit(UUID(existing["id"]))
    tree = colleges_admin_view(screen, vm.locale)
    (name,) = find(tree, ft.TextField, lambda f: f.label == "ชื่อ (ไทย)")
    name.value = "วิทยาลัยเทคนิคลำปาง"  # typed; its change event has not come yet
    await button_named(tree, "บันทึกวิทยาลัย").on_click()  # type: ignore[attr-defined]
    (sent,) = backend.calls("PATCH", f"/admin/colleges/{existing['id']}")
    assert json.loads(sent.content)["name_th"] == "วิทยาลัยเทคนิคลำปาง"

    screen.start_naming(UUID(existing["id"]))
    tree = colleges_admin_view(screen, vm.locale)
    (phone,) = find(tree, ft.TextField, lambda f: f.label == "เบอร์โทรครูผู้ควบคุม")
    phone.value = "089-123-4567"
    await button_named(tree, "แต่งตั้งเป็นครูผู้ควบคุม").on_click()  # type: ignore[attr-defined]
    (named,) = backend.calls("POST", supervisors)
    assert json.loads(named.content)["phone"] == "+66891234567"


async def test_a_college_code_taken_shows_the_backends_reason() -> None:
    backend = FakeBackend()
    Inbox(backend)
    existing = admin_college()
    backend.overrides[("GET", "/admin/colleges")] = lambda r: httpx.Response(200, json=[existing])
    backend.overrides[("PATCH", f"/admin/colleges/{existing['id']}")] = lambda r: error_response(
        409, "college_code_taken")
    vm = await signed_in(backend, "admin")
    await vm.open_colleges_admin()
    screen = vm.colleges_admin
    assert screen is not None
    screen.start_edit(screen.colleges[0].id)
    assert screen.form is not None and screen.form.values["name_en"] == "New College"
    await screen.save()
    assert screen.form is not None and screen.form_error
    tree = colleges_admin_view(screen, vm.locale)
    assert button_named(tree, "บันทึกวิทยาลัย") is not None


class Preferences:
    """GET/PUT /me/notification-settings on the fake backend: keeps what was saved and each PUT body, and refuses
    quiet hours that start and end at the same time, as the backend does."""

    def __init__(self, backend: FakeBackend, current: dict[str, Any]) -> None:
        self.current = {"offers_in_quiet_hours": False, "sms_fallback": True, "line_linked": False, "devices": 0,
                        "web_push_public_key": "", **current}
        self.puts: list[dict[str, Any]] = []
        backend.overrides[("GET", "/me/notification-settings")] = lambda r: httpx.Response(200, json=self.current)
        backend.overrides[("PUT", "/me/notification-settings")] = self._put

    def _put(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.puts.append(body)
        if body["quiet_start"] == body["quiet_end"]:
            return error_response(400, "quiet_hours_same")
        self.current.update(body)
        return httpx.Response(200, json=self.current)


async def account_of(backend: FakeBackend) -> tuple[AppViewModel, AccountViewModel]:
    vm = await signed_in(backend, "citizen")
    await vm.open_account()
    assert vm.account is not None and vm.account.settings is not None
    return vm, vm.account


async def test_notification_preferences_save_at_each_change() -> None:
    backend = FakeBackend()
    Inbox(backend)
    puts = Preferences(backend, {
        "channels": {"accepted": ["line", "push"], "ready": ["line", "push"], "unrepairable": ["line", "push"],
                     "rate": ["line", "push"]},
        "quiet_hours": True, "quiet_start": "21:00", "quiet_end": "07:00",
        "allowed": {"accepted": ["push", "line", "sms"], "ready": ["push", "line", "sms"],
                    "unrepairable": ["push", "line"], "rate": ["push", "line"]}}).puts
    vm, account = await account_of(backend)
    account.toggle_channels()  # folded until asked for
    shown = texts(account_view(account, vm.locale))
    assert "ช่างรับงานแล้ว" in shown and "ช่วงเวลาเงียบ 21:00–07:00 น." in shown

    await account.set_channel("accepted", "sms", True)
    await account.set_channel("rate", "sms", True)  # not allowed for this kind: nothing sent
    await account.set_quiet_hours(False)
    assert [p["channels"]["accepted"] for p in puts[:1]] == [["line", "push", "sms"]]
    assert len(puts) == 2 and puts[1]["quiet_hours"] is False and "allowed" not in puts[1]
    assert account.chosen("accepted", "sms") and account.notice == "บันทึกการตั้งค่าการแจ้งเตือนแล้ว"


async def test_a_kind_refused_as_not_the_accounts_reads_the_switches_again() -> None:
    """The screen was read while the person was a citizen; meanwhile they became a student (an invitation accepted on
    another phone). Their next change names a citizen's kind: refused with the reason, and the switches are read
    again, so the change after that is made on the student's own kinds, not refused until the screen is reopened."""
    backend = FakeBackend()
    Inbox(backend)
    prefs = Preferences(backend, {"channels": {"accepted": ["push"]}, "quiet_hours": False, "quiet_start": "21:00",
                                  "quiet_end": "07:00", "allowed": {"accepted": ["push", "line", "sms"]}})
    _, account = await account_of(backend)
    students = {**prefs.current, "channels": {"offer_new": ["push"]}, "allowed": {"offer_new": ["push", "line"]}}
    backend.overrides[("GET", "/me/notification-settings")] = lambda r: httpx.Response(200, json=students)
    backend.overrides[("PUT", "/me/notification-settings")] = lambda r: error_response(
        400, KIND_NOT_YOURS, kind="accepted")

    await account.set_channel("accepted", "line", True)
    # The reason, naming the kind as the settings name it (ux26), in the app's own words: this backend named its
    # code ("accepted"), as the backends before ux26 did.
    assert account.notice == error_text(KIND_NOT_YOURS, kind=kind_label("accepted")).th
    assert "ช่างรับงานแล้ว" in account.notice and "accepted" not in account.notice
    assert account.settings is not None and set(account.settings.allowed) == {"offer_new"}
    assert not account.saving_settings

    puts: list[dict[str, Any]] = []

    def put(request: httpx.Request) -> httpx.Response:
        puts.append(json.loads(request.content))
        return httpx.Response(200, json={**students, **puts[-1]})

    backend.overrides[("PUT", "/me/notification-settings")] = put
    await account.set_channel("offer_new", "line", True)
    assert [p["channels"] for p in puts] == [{"offer_new": ["line", "push"]}]
    assert account.chosen("offer_new", "line")


async def test_quiet_hours_times_are_chosen_from_half_hours_and_saved() -> None:
    backend = FakeBackend()
    Inbox(backend)
    puts = Preferences(backend, {"channels": {"ready": ["push"]}, "quiet_hours": True, "quiet_start": "21:00",
                                 "quiet_end": "06:45", "allowed": {"ready": ["push", "line", "sms"]}}).puts
    vm, account = await account_of(backend)

    def pickers() -> dict[str, ft.Dropdown]:
        found = find(account_view(account, vm.locale), ft.Dropdown, lambda d: True)
        return {str(d.label): d for d in found if isinstance(d, ft.Dropdown)}

    shown = pickers()
    assert set(shown) == {"เริ่มช่วงเวลาเงียบ", "สิ้นสุดช่วงเวลาเงียบ"}
    start_keys = [o.key for o in shown["เริ่มช่วงเวลาเงียบ"].options or []]
    assert len(start_keys) == 48 and start_keys[:3] == ["00:00", "00:30", "01:00"] and "23:30" in start_keys
    # A time saved elsewhere that is not a half hour still shows as it is.
    assert shown["สิ้นสุดช่วงเวลาเงียบ"].value == "06:45"
    assert "06:45" in [o.key for o in shown["สิ้นสุดช่วงเวลาเงียบ"].options or []]

    await account.set_quiet_start("22:30")
    await account.set_quiet_end("06:00")
    await account.set_quiet_end("06:00")  # unchanged: nothing sent
    assert [(p["quiet_start"], p["quiet_end"], p["quiet_hours"]) for p in puts] == [
        ("22:30", "06:45", True), ("22:30", "06:00", True)]
    assert {k: d.value for k, d in pickers().items()} == {"เริ่มช่วงเวลาเงียบ": "22:30", "สิ้นสุดช่วงเวลาเงียบ": "06:00"}
    assert "ช่วงเวลาเงียบ 22:30–06:00 น." in texts(account_view(account, vm.locale))

    await account.set_quiet_end("22:30")  # refused: the reason shows and the saved times stay
    assert account.notice == "เวลาเริ่มและเวลาสิ้นสุดของช่วงเวลาเงียบต้องไม่ตรงกัน"
    assert pickers()["สิ้นสุดช่วงเวลาเงียบ"].value == "06:00"

    await account.set_quiet_hours(False)  # off: no times to choose
    assert pickers() == {}


async def test_the_preferences_draw_every_kind_the_backend_lists_and_one_this_app_does_not_know() -> None:
    # The backend lists the kinds: a kind without a name in the app raised inside the render, and Flet then stopped
    # sending any change to the screen (the delete dialog never opened). A newer backend may list one more.
    backend = FakeBackend()
    Inbox(backend)
    kinds = [k.value for k in Kind] + ["some_future_kind"]
    settings: dict[str, Any] = {
        "channels": {k: ["push"] for k in kinds}, "quiet_hours": False, "quiet_start": "21:00",
        "quiet_end": "07:00", "offers_in_quiet_hours": False, "sms_fallback": False,
        "allowed": {k: [p.value for p in allowed_prefs(Kind(k))] if is_kind(k) else ["push"] for k in kinds},
        "line_linked": False, "devices": 0, "web_push_public_key": ""}
    backend.overrides[("GET", "/me/notification-settings")] = lambda r: httpx.Response(200, json=settings)
    vm = await signed_in(backend, "citizen")
    await vm.open_account()
    account = vm.account
    assert account is not None and account.settings is not None
    account.toggle_channels()  # folded until asked for
    shown = texts(account_view(account, vm.locale))
    assert "อะไหล่ที่รอฉันอนุมัติ" in shown and "การแจ้งเตือนอื่น (some_future_kind)" in shown
    for kind in Kind:  # each known kind by its own name, in both languages
        assert notification_kind_label(kind, vm.locale) in shown
        for locale in Locale:
            assert notification_kind_label(kind, locale) != APP_UI["kind_other"].format(kind=kind).in_(locale)


async def test_a_channel_this_app_does_not_know_still_draws_the_preferences() -> None:
    """A newer backend offers one more channel (say e-mail): the preferences must still draw, the new channel under
    a general name (its missing key raised inside the render and froze the screen, as an unknown kind did)."""
    backend = FakeBackend()
    Inbox(backend)
    Preferences(backend, {"channels": {"ready": ["push"]}, "quiet_hours": False, "quiet_start": "21:00",
                          "quiet_end": "07:00", "allowed": {"ready": ["push", "line", "email"]}})
    _, account = await account_of(backend)
    account.toggle_channels()  # folded until asked for
    for locale, expected in ((Locale.TH, "ช่องทางอื่น (email)"), (Locale.EN, "Other channel (email)")):
        boxes = [label for label, _ in toggles(account_view(account, locale), ft.Checkbox)]
        assert expected in boxes and pref_label("push", locale) in boxes, boxes
    assert pref_label("push", Locale.TH) == "แอป" and pref_label("line", Locale.EN) == "LINE"


def test_a_kinds_channel_names_are_short_enough_to_share_one_line() -> None:
    """look22: in Thai "ไลน์ (LINE)" and "ข้อความ SMS" pushed the SMS box onto a line of its own under every kind at
    360 px (citizen-account-open-th.png): the card leaves 296 px for three checkboxes (48 px each on a phone)
    and their names, about 150 px, a dozen letters. Every kind that offers all three draws them in one row."""
    for locale in Locale:
        names = [pref_label(pref, locale) for pref in ("push", "line", "sms")]
        assert sum(len(name) for name in names) <= 12, names
    assert [pref_label(pref, Locale.TH) for pref in ("push", "line", "sms")] == ["แอป", "ไลน์", "SMS"]


class Spawned:
    """The app's background tasks, kept for the test to run when it chooses (page.run_task in the app)."""

    def __init__(self) -> None:
        self.work: list[Any] = []

    def __call__(self, work: Any) -> Any:
        if not inspect.iscoroutinefunction(work):  # as page.run_task: a lambda returning a coroutine is refused
            raise TypeError("handler must be a coroutine function")
        self.work.append(work)

        class Handle:
            def cancel(self) -> bool:
                return True

        return Handle()


async def test_with_background_tasks_the_push_registration_waits_off_the_home() -> None:
    # In the app the permission prompt waits for the person: the registration runs as a background task, and one
    # that finishes after a sign-out registers nothing.
    from tests.unit.mobile_screens import sign_in

    backend = FakeBackend()
    Inbox(backend)
    backend.overrides[("POST", "/me/devices")] = lambda r: httpx.Response(204)
    spawned = Spawned()
    onesignal = FakeOneSignal(SUBSCRIPTION)
    vm = await signed_in(backend, "citizen", push=OneSignalPush(onesignal, "android"), spawn=spawned)
    (register,) = [w for w in spawned.work if getattr(w, "__name__", "") == "_register_device"]
    assert onesignal.calls == [] and backend.calls("POST", "/me/devices") == []
    await register()
    assert len(backend.calls("POST", "/me/devices")) == 1

    await vm.sign_out()
    await sign_in(vm, "citizen")
    (_, again) = [w for w in spawned.work if getattr(w, "__name__", "") == "_register_device"]
    await vm.sign_out()  # before the prompt was answered
    await again()
    assert len(backend.calls("POST", "/me/devices")) == 1


SIGNED_IN_AT = 1_800_000_000.0


def verify_with_refresh(backend: FakeBackend) -> None:
    def verify(request: httpx.Request) -> httpx.Response:
        token = backend.issue_token("technician")
        return httpx.Response(200, json={"access_token": token, "expires_in": 3600,
                                         "expires_at": int(SIGNED_IN_AT + 3600), "refresh_token": "refresh-1",
                                         "profile": backend.profile("technician")})
    backend.overrides[("POST", "/auth/otp/verify")] = verify


async def live_app(backend: FakeBackend, now: list[float]) -> tuple[AppViewModel, MemoryStore, Spawned, list[Any]]:
    from mobile.api_client import ApiClient
    from mobile.live import LiveEvents
    from tests.unit.mobile_fakes import BASE_URL
    from tests.unit.mobile_screens import sign_in

    sources: list[Any] = []

    def factory(token: Any, on_event: Any, on_poll: Any, on_refused: Any) -> LiveEvents:
        sources.append(token)
        return LiveEvents(BASE_URL, token, on_event)

    store, spawned = MemoryStore(), Spawned()
    api = ApiClient(BASE_URL, transport=httpx.MockTransport(backend.handle), clock=lambda: now[0])
    vm = AppViewModel(api, store, spawn=spawned, live_factory=factory)
    await vm.start()
    await sign_in(vm, "technician")
    assert vm.screen == Screen.HOME
    return vm, store, spawned, sources


async def test_the_live_stream_reconnects_with_a_refreshed_token_and_the_device_keeps_it() -> None:
    backend = FakeBackend()
    Inbox(backend)
    verify_with_refresh(backend)

    def refresh(request: httpx.Request) -> httpx.Response:
        assert json.loads(request.content) == {"refresh_token": "refresh-1"}
        token = backend.issue_token("technician")
        return httpx.Response(200, json={"access_token": token, "expires_in": 3600,
                                         "expires_at": int(SIGNED_IN_AT + 7200), "refresh_token": "refresh-2",
                                         "profile": backend.profile("technician")})

    backend.overrides[("POST", "/auth/refresh")] = refresh
    now = [SIGNED_IN_AT]
    vm, store, _, sources = await live_app(backend, now)
    (token_source,) = sources
    first = await token_source()
    assert first == vm.session.token and backend.calls("POST", "/auth/refresh") == []
    now[0] = SIGNED_IN_AT + 3590  # the stream reconnects just before the access token's hour is over
    token = await token_source()
    assert token != first and token == vm.session.token and backend.tokens[token] == "technician"
    stored = await store.load()
    assert stored is not None and stored.token == token and stored.refresh_token == "refresh-2"


async def test_a_refresh_refused_while_reconnecting_signs_out_to_the_login() -> None:
    backend = FakeBackend()
    Inbox(backend)
    verify_with_refresh(backend)
    backend.overrides[("POST", "/auth/refresh")] = lambda r: error_response(401, "session_expired")
    now = [SIGNED_IN_AT]
    vm, store, spawned, sources = await live_app(backend, now)
    (token_source,) = sources
    started = len(spawned.work)
    now[0] = SIGNED_IN_AT + 3590
    assert await token_source() is None
    (lost,) = spawned.work[started:]  # the sign-out runs as a task of its own, outside the live task it cancels
    await lost()
    assert screen_of(vm) == Screen.LOGIN and vm.login.notice and await store.load() is None


async def test_the_inbox_follows_a_language_switch() -> None:
    backend = FakeBackend()
    inbox = Inbox(backend)
    vm = await signed_in(backend, "technician")
    await vm.open_inbox()
    inbox.items[0] = {**inbox.items[0], "title": "New offer FX-690002"}  # the backend now renders in English
    await vm.toggle_locale()
    assert vm.inbox is not None and vm.inbox.items[0].title == "New offer FX-690002"
    (push,) = backend.calls("PATCH", "/me")
    assert json.loads(push.content) == {"locale": "en"}


def test_a_session_stored_by_an_older_app_still_reads() -> None:
    from mobile.viewmodels.session import decode_session

    profile = {"id": str(uuid4()), "role": "citizen", "display_name": "", "phone": "+66811111111", "locale": "th"}
    old = decode_session(json.dumps({"token": "access", "profile": profile}))
    assert old is not None and old.token == "access" and old.refresh_token is None and old.expires_at is None
    odd = decode_session(json.dumps({"token": "a", "profile": profile, "refresh_token": 5, "expires_at": "soon"}))
    assert odd is not None and odd.refresh_token is None and odd.expires_at is None
    assert decode_session("{not json") is None


def with_unread_header(backend: FakeBackend, inbox: Inbox) -> None:
    """GET /requests/mine as the backend answers it: the list, and the bell's number in X-Unread-Count."""
    from shared.wire import UNREAD_COUNT_HEADER

    backend.overrides[("GET", "/requests/mine")] = lambda r: httpx.Response(
        200, json=[], headers={UNREAD_COUNT_HEADER: str(inbox.unread)})


async def test_the_citizens_refresh_takes_the_bells_number_from_the_list_and_asks_no_count_beside_it() -> None:
    """Open item 4: each refresh of the citizen's home (a poll without the live stream, the sign-in's first load)
    asked GET /me/notifications/unread-count beside the list; the list's X-Unread-Count carries it now."""
    backend = FakeBackend()
    inbox = Inbox(backend)
    with_unread_header(backend, inbox)
    vm = await signed_in(backend, "citizen")
    assert vm.inbox is not None and vm.inbox.unread == 1 == inbox.unread
    assert backend.calls("GET", "/me/notifications/unread-count") == []
    inbox.items.insert(0, notification(3))  # a new one arrived meanwhile
    await vm.poll()
    assert vm.inbox.unread == 2 and backend.calls("GET", "/me/notifications/unread-count") == []
    icon = bell(vm).icon
    assert isinstance(icon, ft.Icon) and isinstance(icon.badge, ft.Badge) and icon.badge.label == "2"


async def test_without_the_header_an_older_backends_count_is_asked_as_before() -> None:
    backend = FakeBackend()
    inbox = Inbox(backend)
    vm = await signed_in(backend, "citizen")
    assert vm.inbox is not None and vm.inbox.unread == 1
    inbox.items.insert(0, notification(3))
    await vm.poll()
    assert vm.inbox.unread == 2 and len(backend.calls("GET", "/me/notifications/unread-count")) == 2


async def test_the_deleted_accounts_ended_stream_does_not_replace_the_deletion_notice() -> None:
    """Deleting the account ends its live stream (account_closed), and the app asks GET /me when the server ends a
    stream (a role may have changed). That answer, 401 for an account that is gone, may arrive after the deletion's
    sign-out: the sign-in screen must still say the account was deleted, not "please sign in"."""
    backend = FakeBackend()
    Inbox(backend)
    backend.overrides[("DELETE", "/me")] = lambda r: httpx.Response(204)
    vm = await signed_in(backend, "citizen")
    await vm.open_route("/account")
    account = vm.account
    assert account is not None
    answer_me = asyncio.Event()

    async def me_of_a_deleted_account() -> Any:
        await answer_me.wait()
        raise ApiError.from_catalog(401, "token_invalid")

    vm._api.me = me_of_a_deleted_account  # type: ignore[method-assign]
    asked = asyncio.create_task(vm.reread_profile())  # the stream ended: GET /me is on its way
    await asyncio.sleep(0)
    account.ask_delete()
    await account.delete_account()
    answer_me.set()
    await asked
    assert screen_of(vm) == Screen.LOGIN and vm.login.notice == "ลบบัญชีของคุณแล้ว"
