"""The app's view-model against the real backend, in-process: a session outlives its access token and an app restart
without a new code, the rotated refresh token is what the device keeps, and a session that ended lands at the
sign-in with a reason."""

import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from backend.app import create_app
from backend.auth.tokens import issue_token
from backend.settings import Settings
from mobile.api_client import ApiClient
from mobile.viewmodels.app import AppViewModel, Screen
from mobile.viewmodels.home import CitizenHome
from mobile.viewmodels.loadable import LoadState
from mobile.viewmodels.session import StoredSession, decode_session
from shared.text import Locale, error_text
from tests.helpers import fresh_phone
from tests.unit.mobile_fakes import MemoryStore


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Any]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


def client(app: Any) -> ApiClient:
    return ApiClient("http://fixit.test", transport=httpx.ASGITransport(app=app))


async def signed_in_app(app: Any, store: MemoryStore) -> AppViewModel:
    vm = AppViewModel(client(app), store)
    await vm.start()
    vm.login.set_phone_input(fresh_phone())
    await vm.login.request_code()
    assert vm.login.dev_code is not None
    vm.login.set_code_input(vm.login.dev_code)
    await vm.login.verify()
    assert vm.screen == Screen.HOME
    return vm


def stored_of(store: MemoryStore) -> StoredSession:
    decoded = decode_session(store.raw)
    assert decoded is not None
    return decoded


def expired(settings: Settings, stored: StoredSession) -> StoredSession:
    """The same session an hour and a half later: its access token's life is over."""
    profile = stored.profile
    assert profile is not None
    old = issue_token(settings, profile.id, profile.phone, now=time.time() - 5400)
    return replace(stored, token=old, expires_at=time.time() - 1800)


async def test_a_restarted_app_outlives_the_access_token_without_a_new_code(app: Any, settings: Settings) -> None:
    store = MemoryStore()
    first = await signed_in_app(app, store)
    at_sign_in = stored_of(store)
    assert at_sign_in.refresh_token and at_sign_in.expires_at is not None and at_sign_in.expires_at > time.time()
    first.stop()

    # The phone was off past the access token's life; the app starts again from device storage.
    store.raw = None
    await store.save(expired(settings, at_sign_in))
    again = AppViewModel(client(app), store)
    await again.start()

    assert again.screen == Screen.HOME, again.login.notice
    assert isinstance(again.home, CitizenHome) and again.home.state == LoadState.READY
    assert again.session.profile is not None and at_sign_in.profile is not None
    assert again.session.profile.id == at_sign_in.profile.id
    kept = stored_of(store)
    # The single-use refresh token was traded: the device keeps the new pair, which works on the next start too.
    assert kept.refresh_token not in (None, at_sign_in.refresh_token)
    assert kept.token == again.session.token and kept.expires_at is not None and kept.expires_at > time.time()
    third = AppViewModel(client(app), store)
    await third.start()
    assert third.screen == Screen.HOME and isinstance(third.home, CitizenHome)
    assert third.home.state == LoadState.READY


async def test_a_running_app_refreshes_before_the_token_expires(app: Any) -> None:
    store = MemoryStore()
    now = [time.time()]
    api = ApiClient("http://fixit.test", transport=httpx.ASGITransport(app=app), clock=lambda: now[0])
    vm = AppViewModel(api, store)
    await vm.start()
    vm.login.set_phone_input(fresh_phone())
    await vm.login.request_code()
    assert vm.login.dev_code is not None
    vm.login.set_code_input(vm.login.dev_code)
    await vm.login.verify()
    before = stored_of(store)
    assert isinstance(vm.home, CitizenHome) and before.expires_at is not None

    now[0] = before.expires_at - 10  # within the refresh margin: the next call trades the refresh token first
    await vm.home.load()
    assert vm.home.state == LoadState.READY
    after = stored_of(store)
    # (The access token may come out byte-identical: issued in the same second for the same session.)
    assert after.refresh_token not in (None, before.refresh_token) and after.expires_at is not None
    assert vm.session.token == after.token


async def test_a_session_that_ended_signs_out_to_the_login(app: Any, settings: Settings) -> None:
    store = MemoryStore()
    first = await signed_in_app(app, store)
    stored = stored_of(store)
    await first.sign_out()  # revokes the refresh token at the backend
    assert first.screen == Screen.LOGIN and store.raw is None

    # A copy of the old session (e.g. restored from a backup) cannot come back to life.
    await store.save(expired(settings, stored))
    again = AppViewModel(client(app), store)
    await again.start()
    assert again.screen == Screen.LOGIN
    assert again.login.notice == error_text("session_expired").in_(Locale.TH)
    assert store.raw is None and again.session.token is None
