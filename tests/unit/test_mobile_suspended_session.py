"""The suspended screen's stored session: a refresh reported there saves the rotated tokens back only while the
session it was made for lasts (a sign-out during the storage read leaves nothing stored)."""

import asyncio

from mobile.models import SessionTokens
from mobile.viewmodels.app import AppViewModel, Screen
from mobile.viewmodels.session import StoredSession
from tests.unit.mobile_fakes import FakeBackend, MemoryStore
from tests.unit.mobile_screens import sign_in


class PausingStore(MemoryStore):
    """Device storage whose next read waits (a browser's storage answers over the page's websocket)."""

    def __init__(self) -> None:
        super().__init__()
        self.pause_next_load = False
        self.load_started = asyncio.Event()
        self.release_load = asyncio.Event()

    async def load(self) -> StoredSession | None:
        if self.pause_next_load:
            self.pause_next_load = False
            found = await super().load()  # read now, answered later
            self.load_started.set()
            await self.release_load.wait()
            return found
        return await super().load()


async def test_a_sign_out_during_a_refresh_on_the_suspended_screen_leaves_no_stored_session() -> None:
    backend = FakeBackend()
    backend.suspended.add("citizen")
    store = PausingStore()
    vm = AppViewModel(backend.client(), store)
    await vm.start()
    await sign_in(vm, "citizen")
    assert vm.screen == Screen.SUSPENDED and await store.load() is not None
    # The API client refreshed the session (the data download) and reports the rotated tokens ...
    store.pause_next_load = True
    assert vm._api.on_tokens_changed is not None
    on_tokens_changed = vm._api.on_tokens_changed
    rotated = SessionTokens(access_token="a-2", refresh_token="r-2", expires_at=2e9)

    async def report() -> None:
        await on_tokens_changed(rotated)

    reported = asyncio.create_task(report())
    await store.load_started.wait()
    # ... while the person taps "sign out" and hands the phone on.
    await vm.sign_out()
    assert not vm.session.signed_in and await store.load() is None
    store.release_load.set()
    await reported
    assert await store.load() is None  # an app opened now shows the sign-in, not the last person's account
