"""AppViewModel: sign-in to a role's home, staying signed in, losing the session, switching language."""

import json

import flet as ft
import httpx
import pytest

from mobile.models import Profile
from mobile.viewmodels.app import AppViewModel, Screen
from mobile.viewmodels.home import (
    AdminHome,
    CitizenHome,
    HomeViewModel,
    SupervisorHome,
    TechnicianHome,
)
from mobile.viewmodels.loadable import LoadState
from mobile.viewmodels.login import LoginStep
from mobile.viewmodels.session import StoredSession
from mobile.views.frame import app_view
from shared.roles import AppRole
from shared.statuses import RequestStatus
from shared.text import Locale
from tests.unit.mobile_fakes import FakeBackend, MemoryStore, error_response, find, texts
from tests.unit.mobile_screens import sign_in

TOKEN_INVALID_TH = "การเข้าสู่ระบบไม่ถูกต้องหรือหมดอายุ กรุณาเข้าสู่ระบบใหม่"
NETWORK_TH = "เชื่อมต่อเซิร์ฟเวอร์ไม่ได้ กรุณาตรวจสอบอินเทอร์เน็ต"


# Read through a call: mypy keeps an attribute narrowed across the awaits that change it.
def state_of(home: HomeViewModel) -> LoadState:
    return home.state


def locale_of(vm: AppViewModel) -> Locale:
    return vm.locale


async def started(backend: FakeBackend, store: MemoryStore | None = None) -> tuple[AppViewModel, MemoryStore]:
    store = store or MemoryStore()
    vm = AppViewModel(backend.client(), store)
    await vm.start()
    return vm, store


async def test_fresh_start_shows_login_in_thai() -> None:
    vm, _ = await started(FakeBackend())
    assert vm.screen == Screen.LOGIN
    assert vm.locale == Locale.TH


async def test_sign_in_opens_the_citizen_home_with_its_requests() -> None:
    backend = FakeBackend()
    vm, store = await started(backend)
    renders: list[Screen] = []
    vm.on_change.append(lambda: renders.append(vm.screen))
    await sign_in(vm, "citizen")

    assert vm.screen == Screen.HOME and renders[-1] == Screen.HOME
    assert vm.session.token is not None and vm.session.token.startswith("token-citizen")
    assert vm.session.profile is not None and vm.session.profile.role == AppRole.CITIZEN
    assert isinstance(vm.home, CitizenHome)
    assert vm.home.state == LoadState.READY
    assert [r.item for r in vm.home.requests] == ["หม้อหุงข้าว", "พัดลม"]  # newest first
    assert vm.home.greeting == "สวัสดี สมชาย ใจดี"
    assert vm.home.role_text == "ประชาชน"
    (call,) = backend.calls("GET", "/requests/mine")
    assert call.headers["authorization"] == f"Bearer {vm.session.token}"
    stored = await store.load()
    assert stored is not None and stored.token == vm.session.token


@pytest.mark.parametrize(
    ("role", "home_type", "paths"),
    [
        # A student's and a teacher's own repair requests too (the entry shows only when they have some).
        ("technician", TechnicianHome, {"GET /technician/offers", "GET /technician/jobs", "GET /categories",
                                        "GET /requests/mine"}),
        ("supervisor", SupervisorHome, {"GET /supervisor/dashboard", "GET /categories", "GET /requests/mine"}),
        ("admin", AdminHome, {"GET /colleges", "GET /admin/waiting"}),
    ],
)
async def test_each_role_gets_its_own_home(role: str, home_type: type, paths: set[str]) -> None:
    backend = FakeBackend()
    vm, _ = await started(backend)
    await sign_in(vm, role)
    assert isinstance(vm.home, home_type) and vm.home is not None
    assert vm.home.state == LoadState.READY, vm.home.error
    assert paths <= set(backend.paths())
    assert ("GET /requests/mine" in backend.paths()) == ("GET /requests/mine" in paths)


async def test_technician_home_holds_offers_and_jobs() -> None:
    backend = FakeBackend()
    vm, _ = await started(backend)
    await sign_in(vm, "technician")
    home = vm.home
    assert isinstance(home, TechnicianHome)
    assert [o.item for o in home.offers] == ["ตู้เย็นไม่เย็น"]
    assert [j.status for j in home.jobs] == [RequestStatus.DIAGNOSING]
    assert home.categories["appliance"].icon == "KITCHEN"


async def test_supervisor_home_counts_in_state_machine_order() -> None:
    backend = FakeBackend()
    backend.queue_counts = {"done": 2, "repairing": 1, "offered": 3, "submitted": 0, "from_the_future": 9}
    vm, _ = await started(backend)
    await sign_in(vm, "supervisor")
    home = vm.home
    assert isinstance(home, SupervisorHome) and home.dashboard is not None
    assert home.dashboard.status_counts() == [
        (RequestStatus.OFFERED, 3), (RequestStatus.REPAIRING, 1), (RequestStatus.DONE, 2)
    ]
    assert home.college_name == "วิทยาลัยเทคนิคเชียงใหม่"


async def test_401_while_loading_the_home_goes_back_to_login() -> None:
    backend = FakeBackend()
    backend.overrides[("GET", "/requests/mine")] = lambda r: error_response(401, "token_invalid")
    vm, store = await started(backend)
    await sign_in(vm, "citizen")
    assert vm.screen == Screen.LOGIN
    assert vm.home is None and not vm.session.signed_in
    assert vm.login.notice == TOKEN_INVALID_TH
    assert await store.load() is None


async def test_a_stored_session_survives_a_restart() -> None:
    backend = FakeBackend()
    vm, store = await started(backend)
    await sign_in(vm, "citizen")
    backend.requests.clear()

    again, _ = await started(backend, store)
    assert again.screen == Screen.HOME and isinstance(again.home, CitizenHome)
    assert again.home.state == LoadState.READY
    # The profile, then the home's invitation card and list together.
    assert backend.paths()[:3] == ["GET /me", "GET /me/invitation", "GET /requests/mine"]
    assert "POST /auth/otp/verify" not in backend.paths()


async def test_a_stored_token_the_backend_rejects_leads_to_login() -> None:
    backend = FakeBackend()
    profile = Profile.model_validate(backend.profile("citizen"))
    store = MemoryStore(StoredSession("expired-token", profile))
    vm, _ = await started(backend, store)
    assert vm.screen == Screen.LOGIN
    assert vm.login.notice == TOKEN_INVALID_TH
    assert store.raw is None


async def test_garbage_in_storage_leads_to_login() -> None:
    store = MemoryStore()
    store.raw = '{"token": 1'
    vm, _ = await started(FakeBackend(), store)
    assert vm.screen == Screen.LOGIN and vm.login.notice is None


async def test_offline_start_opens_the_home_with_an_error_and_retry() -> None:
    backend = FakeBackend()
    token = backend.issue_token("citizen")
    profile = Profile.model_validate(backend.profile("citizen"))
    backend.offline = True
    vm, _ = await started(backend, MemoryStore(StoredSession(token, profile)))
    assert vm.screen == Screen.HOME and vm.home is not None
    assert vm.home.state == LoadState.FAILED
    assert vm.home.error == NETWORK_TH
    backend.offline = False
    await vm.home.retry()
    assert state_of(vm.home) == LoadState.READY and not vm.home.is_empty


async def test_sign_out_clears_everything() -> None:
    backend = FakeBackend()
    vm, store = await started(backend)
    await sign_in(vm, "citizen")
    assert vm.home is not None
    await vm.home.sign_out()
    assert vm.screen == Screen.LOGIN
    assert vm.session.token is None and vm.home is None
    assert store.raw is None
    assert vm.login.notice is None  # a chosen sign-out is no error


async def test_locale_toggle_changes_texts_persists_and_tells_the_backend() -> None:
    backend = FakeBackend()
    vm, store = await started(backend)
    await sign_in(vm, "citizen")
    assert vm.home is not None and vm.home.greeting == "สวัสดี สมชาย ใจดี"
    await vm.toggle_locale()
    assert vm.locale == Locale.EN
    assert vm.home.greeting == "Hello สมชาย ใจดี"
    assert vm.home.role_text == "Citizen"
    assert await store.load_locale() == Locale.EN
    (call,) = backend.calls("PATCH", "/me")
    assert json.loads(call.content) == {"locale": "en"}
    await vm.toggle_locale()
    assert locale_of(vm) == Locale.TH
    assert await store.load_locale() == Locale.TH


async def test_locale_toggle_before_sign_in_only_touches_the_device() -> None:
    backend = FakeBackend()
    vm, store = await started(backend)
    await vm.toggle_locale()
    assert vm.locale == Locale.EN and store.locale == Locale.EN
    assert backend.requests == []


async def test_sign_in_adopts_the_profile_language_when_the_device_has_none() -> None:
    backend = FakeBackend()
    backend.locales["citizen"] = "en"
    vm, _ = await started(backend)
    await sign_in(vm, "citizen")
    assert vm.locale == Locale.EN
    assert backend.calls("PATCH", "/me") == []


async def test_a_language_chosen_on_the_device_wins_and_is_sent() -> None:
    backend = FakeBackend()
    vm, _ = await started(backend, MemoryStore(locale=Locale.EN))
    assert vm.locale == Locale.EN
    await sign_in(vm, "citizen")
    assert vm.locale == Locale.EN
    assert backend.locales["citizen"] == "en"


async def test_failed_locale_update_does_not_block_the_switch() -> None:
    backend = FakeBackend()
    vm, _ = await started(backend)
    await sign_in(vm, "citizen")
    backend.overrides[("PATCH", "/me")] = lambda r: httpx.Response(503, json={})
    await vm.toggle_locale()
    assert vm.locale == Locale.EN and vm.screen == Screen.HOME


async def test_wrong_role_endpoint_shows_forbidden_text() -> None:
    backend = FakeBackend()
    backend.overrides[("GET", "/requests/mine")] = lambda r: error_response(403, "forbidden_role")
    vm, _ = await started(backend)
    await sign_in(vm, "citizen")
    assert vm.home is not None and vm.home.state == LoadState.FAILED
    assert vm.home.error == "บทบาทของคุณไม่มีสิทธิ์ทำรายการนี้"
    assert vm.screen == Screen.HOME


async def test_sign_out_leaves_an_empty_phone_field_and_no_code_for_the_next_person() -> None:
    backend = FakeBackend()
    vm, _ = await started(backend)
    await sign_in(vm, "citizen")
    assert vm.home is not None
    await vm.home.sign_out()
    assert vm.screen == Screen.LOGIN and vm.login.step == LoginStep.PHONE
    assert vm.login.phone_input == "" and vm.login.phone_preview is None
    assert vm.login.code_input == "" and vm.login.dev_hint is None and vm.login.code_sent is None
    tree = app_view(vm)
    (phone,) = find(tree, ft.TextField)
    assert phone.label == "เบอร์โทรศัพท์" and phone.value == ""
    assert not [s for s in texts(tree) if "081" in s or ("รหัส" in s and "ทดสอบ" in s)]
