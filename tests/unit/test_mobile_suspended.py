"""An account an operator suspended: after its sign-in, or when any call answers 403 `account_suspended`, the app
shows one screen (why, whom to ask; download my data, delete my account, sign out) and nothing else of the app."""

import base64
import json
import uuid
from typing import Any

import flet as ft
import httpx

from mobile.api_client import ApiError
from mobile.models import SessionTokens
from mobile.viewmodels.app import AppViewModel, Screen
from mobile.viewmodels.session import StoredSession, token_subject
from mobile.views.account import delete_account_dialog
from mobile.views.frame import app_views
from shared.text import Locale, error_text, t
from tests.unit.mobile_fakes import FakeBackend, MemoryStore, button_named, exported, find, texts
from tests.unit.mobile_screens import app_at_login, current_screen, sign_in, signed_in


def shown(vm: AppViewModel) -> list[str]:
    return [text for view in app_views(vm) for text in texts(view)]


def assert_suspended_screen(vm: AppViewModel, locale: Locale = Locale.TH) -> None:
    assert current_screen(vm) == Screen.SUSPENDED and vm.account is not None
    views = app_views(vm)
    assert [v.route for v in views] == ["/"]  # nothing under it, nothing to go back to
    words = shown(vm)
    assert t("suspended_title", locale) in words and error_text("account_suspended").in_(locale) in words
    for label in ("download_my_data", "delete_account", "sign_out"):
        button_named(views[0], t(label, locale))
    # No bell, no account button, no home: the app bar holds the language switch only.
    assert not [b for b in find(views[0], ft.IconButton) if b.key in ("bell", "account")]
    assert vm.home is None and vm.inbox is None and vm.session.profile is None and not vm.session.signed_in


def test_account_suspended_is_its_own_case_of_a_session_that_cannot_go_on() -> None:
    suspended = ApiError.from_catalog(403, "account_suspended")
    assert suspended.is_suspended and suspended.is_auth_lost
    for other in (ApiError.from_catalog(403, "profile_missing"), ApiError.from_catalog(401, "session_expired"),
                  ApiError.from_catalog(403, "forbidden_role")):
        assert not other.is_suspended


async def test_a_suspended_person_signs_in_to_the_one_screen_and_goes_nowhere_else() -> None:
    backend = FakeBackend()
    backend.suspended.add("citizen")
    vm = await app_at_login(backend)
    await sign_in(vm, "citizen")
    assert_suspended_screen(vm)
    assert backend.paths() == ["POST /auth/otp/request", "POST /auth/otp/verify"]  # no home, inbox or push
    for route in ("/requests/new", "/account", "/inbox", "/"):
        await vm.open_route(route)
        assert current_screen(vm) == Screen.SUSPENDED
    await vm.go_back()
    assert current_screen(vm) == Screen.SUSPENDED and backend.paths()[2:] == []
    await vm.toggle_locale()  # the language still switches (no profile to tell)
    assert_suspended_screen(vm, Locale.EN)
    assert backend.paths()[2:] == []


async def test_download_then_delete_from_the_suspended_screen() -> None:
    backend = FakeBackend()
    backend.suspended.add("citizen")
    backend.overrides[("GET", "/me/export")] = exported
    backend.overrides[("DELETE", "/me")] = lambda r: httpx.Response(204)
    saved: list[tuple[str, bytes]] = []

    async def save_file(name: str, data: bytes) -> bool:
        saved.append((name, data))
        return True

    vm = AppViewModel(backend.client(), MemoryStore(), save_file=save_file)
    await vm.start()
    await sign_in(vm, "citizen")
    account = vm.account
    assert account is not None
    await account.download_data()
    assert saved == [("fixit-my-data.json", b'{"profile": {}}')] and account.notice in shown(vm)
    assert current_screen(vm) == Screen.SUSPENDED

    account.ask_delete()  # the account screen's own dialog asks first
    dialog = delete_account_dialog(vm.account, vm.locale)
    assert dialog is not None and backend.calls("DELETE", "/me") == []
    await account.delete_account()
    (call,) = backend.calls("DELETE", "/me")
    assert call.url.params["confirm"] == "true"
    assert current_screen(vm) == Screen.LOGIN and vm.login.notice == "ลบบัญชีของคุณแล้ว"


async def test_signing_out_of_the_suspended_screen() -> None:
    backend = FakeBackend()
    backend.suspended.add("technician")
    vm = await app_at_login(backend)
    await sign_in(vm, "technician")
    assert vm.account is not None
    await vm.account.sign_out()
    assert current_screen(vm) == Screen.LOGIN and vm.account is None and vm.session.token is None
    assert backend.calls("POST", "/auth/sign-out")


async def test_a_call_answering_account_suspended_leaves_the_home_for_the_screen() -> None:
    backend = FakeBackend()
    vm = await signed_in("citizen", backend)
    assert vm.home is not None
    backend.suspended.add("citizen")  # the operator suspends the account while the app is open
    await vm.poll()
    assert_suspended_screen(vm)
    asked = len(backend.requests)
    await vm.poll()  # nothing of the home reloads behind it
    await vm.live_event(_event())
    assert len(backend.requests) == asked


async def test_a_stored_session_of_a_suspended_account_opens_on_the_screen() -> None:
    backend = FakeBackend()
    first = await signed_in("supervisor", backend)
    stored = await first._store.load()
    assert isinstance(stored, StoredSession)
    backend.suspended.add("supervisor")
    before = len(backend.requests)
    vm = AppViewModel(backend.client(), MemoryStore(stored))
    await vm.start()
    assert_suspended_screen(vm)
    assert backend.paths()[before:] == ["GET /me"]  # the college's screens are never asked for


def _event() -> Any:
    from mobile.live import ServerEvent

    return ServerEvent("offer", '{"request_id": "x"}')


async def test_the_suspended_screens_buttons_keep_their_ids_when_the_data_shows_above_them() -> None:
    """No file saving here: the data shows as text to copy above sign out and delete, which must keep their ids
    (an unkeyed panel would pass "delete my account" the id "sign out" had)."""
    from mobile.views.suspended import suspended_view
    from tests.unit.test_tap_identity import by_button, kept

    backend = FakeBackend()
    backend.suspended.add("citizen")
    backend.overrides[("GET", "/me/export")] = exported
    vm = await app_at_login(backend)
    await sign_in(vm, "citizen")
    account = vm.account
    assert account is not None
    before = suspended_view(account, Locale.TH)
    await account.download_data()
    after = suspended_view(account, Locale.TH)
    assert [f.value for f in find(after, ft.TextField)] == ['{"profile": {}}']
    assert kept(before, after, by_button(t("sign_out", Locale.TH)), by_button(t("delete_account", Locale.TH)),
                by_button(t("download_my_data", Locale.TH)))


async def test_the_stored_session_follows_a_refresh_made_on_the_suspended_screen() -> None:
    """Audit 11c: with no profile known there, the rotated tokens were not stored; the next start presented the
    used refresh token, which ends the whole session (a reuse), and the person had to sign in by SMS again."""
    backend = FakeBackend()
    vm = await signed_in("citizen", backend)
    before = await vm._store.load()
    assert before is not None
    backend.suspended.add("citizen")
    await vm.poll()
    assert vm.screen == Screen.SUSPENDED
    rotated = SessionTokens(access_token="access-2", refresh_token="refresh-2", expires_at=2e9)
    assert vm._api.on_tokens_changed is not None
    await vm._api.on_tokens_changed(rotated)  # what ApiClient reports after it refreshed (e.g. for the export)
    stored = await vm._store.load()
    assert stored is not None and (stored.token, stored.refresh_token) == ("access-2", "refresh-2")
    assert stored.profile == before.profile  # reopened, the app asks GET /me and lands on this screen again


async def test_a_suspended_sign_in_is_stored_and_reopens_on_the_suspended_screen() -> None:
    """Open item 1: the suspended sign-in (no profile) was not stored, and reopening the app asked for the SMS
    again. Stored like any session, it reopens (GET /me answers account_suspended) on the same screen, and the
    stored session follows a refresh made there."""
    backend = FakeBackend()
    backend.suspended.add("citizen")
    vm = await app_at_login(backend)
    await sign_in(vm, "citizen")
    assert_suspended_screen(vm)
    stored = await vm._store.load()
    assert stored is not None and stored.profile is None and stored.token == vm.session.token

    reopened = AppViewModel(backend.client(), MemoryStore(stored))
    before = len(backend.requests)
    await reopened.start()
    assert_suspended_screen(reopened)
    assert backend.paths()[before:] == ["GET /me"]

    assert vm._api.on_tokens_changed is not None
    await vm._api.on_tokens_changed(SessionTokens(access_token="a", refresh_token="r", expires_at=2e9))
    stored = await vm._store.load()
    assert stored is not None and (stored.token, stored.refresh_token, stored.profile) == ("a", "r", None)


async def test_a_stored_suspended_session_opens_the_home_once_restored_and_the_screen_when_offline() -> None:
    backend = FakeBackend()
    backend.suspended.add("technician")
    vm = await app_at_login(backend)
    await sign_in(vm, "technician")
    store = vm._store

    backend.offline = True  # no answer: the last word heard was "suspended", and there is no home to show
    offline = AppViewModel(backend.client(), store)
    await offline.start()
    assert_suspended_screen(offline)

    backend.offline = False
    backend.suspended.clear()  # the operator restored the account
    restored = AppViewModel(backend.client(), store)
    await restored.start()
    assert current_screen(restored) == Screen.HOME and restored.session.profile is not None
    assert restored.session.profile.role == "technician"
    stored = await store.load()
    assert stored is not None and stored.profile == restored.session.profile


async def test_a_call_that_keeps_its_error_to_itself_still_leaves_for_the_suspended_screen_at_once() -> None:
    """Open item 1: a thumbnail (or a draft's background send, a hint) swallows its error; the app reached the
    suspended screen only at the next poll. The API client reports every 403 account_suspended to the app."""
    from mobile.viewmodels.thumbnails import Thumbnails
    from tests.unit.test_mobile_account_inbox import Spawned

    backend = FakeBackend()
    spawned = Spawned()
    vm = AppViewModel(backend.client(), MemoryStore(), spawn=spawned)
    await vm.start()
    await sign_in(vm, "citizen")
    assert current_screen(vm) == Screen.HOME
    backend.suspended.add("citizen")
    asked, waiting = len(backend.requests), len(spawned.work)
    await Thumbnails(vm._api).fetch([(uuid.uuid4(), "before", 0)])
    (move,) = spawned.work[waiting:]
    await move()
    assert_suspended_screen(vm)
    assert len(backend.requests) == asked + 1  # the thumbnail only: nothing else was asked on the way
    await vm.poll()
    await Thumbnails(vm._api).fetch([(uuid.uuid4(), "before", 0)])  # there already: no second move
    assert spawned.work[waiting:] == [move]


async def test_a_send_refused_as_suspended_holds_the_draft_before_the_move() -> None:
    """The move waits for the caller: the form first holds its draft in the outbox (no home shows meanwhile),
    then the suspended screen says the draft is kept."""
    from tests.unit.mobile_screens import fill_valid
    from tests.unit.test_mobile_account_inbox import Spawned

    backend = FakeBackend()
    spawned = Spawned()
    vm = AppViewModel(backend.client(), MemoryStore(), spawn=spawned)
    await vm.start()
    await sign_in(vm, "citizen")
    await vm.open_request_form()
    form = vm.request_form
    assert form is not None
    fill_valid(form)
    backend.suspended.add("citizen")
    waiting = len(spawned.work)
    await form.submit()
    assert current_screen(vm) == Screen.REQUEST_FORM  # not the home, not the login
    (move,) = [w for w in spawned.work[waiting:] if getattr(w, "__name__", "") == "move"]
    await move()
    assert_suspended_screen(vm)
    assert vm.account is not None and vm.account.held_drafts == 1


async def test_the_live_stream_refused_as_suspended_moves_to_the_screen_in_a_task_of_its_own() -> None:
    """The stream the backend ends at a suspension reconnects and is refused 403 account_suspended: the app moves
    at once (it backed off three times, then polled), in a task of its own (the move cancels the live task)."""
    from mobile.live import LiveEvents
    from tests.unit.mobile_fakes import BASE_URL
    from tests.unit.test_mobile_account_inbox import Spawned

    backend = FakeBackend()
    lives: list[LiveEvents] = []

    def factory(token: Any, on_event: Any, on_poll: Any, on_refused: Any) -> LiveEvents:
        lives.append(LiveEvents(BASE_URL, token, on_event, on_poll=on_poll, on_refused=on_refused,
                                transport=httpx.MockTransport(backend.handle)))
        return lives[-1]

    spawned = Spawned()
    vm = AppViewModel(backend.client(), MemoryStore(), spawn=spawned, live_factory=factory)
    await vm.start()
    await sign_in(vm, "citizen")
    assert current_screen(vm) == Screen.HOME and len(lives) == 1
    backend.suspended.add("citizen")
    waiting = len(spawned.work)
    assert not await lives[0].stream_once()
    (move,) = spawned.work[waiting:]
    assert current_screen(vm) == Screen.HOME  # not inside the live task
    await move()
    assert_suspended_screen(vm)
    await vm._live_refused(403, "account_suspended")  # once there, nothing moves again
    assert spawned.work[waiting:] == [move]


async def test_a_refused_stream_for_another_reason_leaves_the_screen_alone() -> None:
    backend = FakeBackend()
    vm = await signed_in("citizen", backend)
    for status, code in ((401, "token_invalid"), (403, "profile_missing"), (429, "rate_limited")):
        await vm._live_refused(status, code)
        assert current_screen(vm) == Screen.HOME


def test_the_token_subject_names_the_person_of_a_jwt_only() -> None:
    """The suspended screen knows the person only by their token (the sign-in tells no profile)."""
    person = uuid.uuid4()

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    assert token_subject(f"{part({'alg': 'HS256'})}.{part({'sub': str(person)})}.sig") == str(person)
    for token in (None, "", "token-citizen-1234", f"x.{part({'sub': 'not-a-uuid'})}.y", "a.!!!.b",
                  f"x.{part({'role': 'authenticated'})}.y"):
        assert token_subject(token) is None, token
