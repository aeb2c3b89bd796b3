"""The server's words in the screen's language (ux21 finding 1): the app says the language its screens show with
every call (`Accept-Language`), and its profile hears the device's chosen language at each start and, when a
switch was sent offline, once the network is back."""

import json

import httpx

from mobile.viewmodels.app import AppViewModel, Screen
from shared.text import Locale
from tests.unit.mobile_fakes import FakeBackend, MemoryStore, error_response
from tests.unit.mobile_screens import sign_in

TH, EN = Locale.TH, Locale.EN


def asked(request: httpx.Request) -> str | None:
    value: str | None = request.headers.get("accept-language")
    return value


async def signed_in_app(backend: FakeBackend, store: MemoryStore) -> AppViewModel:
    vm = AppViewModel(backend.client(), store)
    await vm.start()
    await sign_in(vm, "citizen")
    assert vm.screen == Screen.HOME
    return vm


async def test_every_call_says_the_language_the_screens_show_and_follows_a_switch() -> None:
    backend = FakeBackend()
    backend.locales["citizen"] = "en"  # the profile says English (another device): this one shows Thai
    vm = await signed_in_app(backend, MemoryStore(locale=TH))
    assert vm.locale == TH and backend.requests
    assert {asked(r) for r in backend.requests} == {"th"}  # sign-in, profile, home, bell: every one
    switched = len(backend.requests)
    await vm.toggle_locale()
    after = backend.requests[switched:]
    assert after and {asked(r) for r in after} == {"en"}
    await vm.home.load()  # type: ignore[union-attr]
    assert asked(backend.requests[-1]) == "en"


async def test_a_device_without_a_language_of_its_own_asks_for_the_profiles_also_after_a_restart() -> None:
    backend = FakeBackend()
    backend.locales["citizen"] = "en"
    store = MemoryStore()  # nothing chosen on this device
    first = await signed_in_app(backend, store)
    assert first.locale == EN and asked(backend.requests[-1]) == "en"
    first.stop()

    reopened = AppViewModel(backend.client(), store)
    started = len(backend.requests)
    await reopened.start()
    assert reopened.screen == Screen.HOME and reopened.locale == EN  # not the app's default Thai
    assert {asked(r) for r in backend.requests[started:]} == {"en"}
    assert backend.calls("PATCH", "/me") == []  # nothing to tell the profile: it holds this language


async def test_a_restart_tells_the_profile_the_devices_language_once() -> None:
    backend = FakeBackend()
    store = MemoryStore(locale=TH)
    first = await signed_in_app(backend, store)
    first.stop()
    backend.locales["citizen"] = "en"  # switched on the person's other phone

    reopened = AppViewModel(backend.client(), store)
    await reopened.start()
    assert [json.loads(c.content) for c in backend.calls("PATCH", "/me")] == [{"locale": "th"}]
    assert backend.locales["citizen"] == "th" and reopened.screen == Screen.HOME
    reopened.stop()

    again = AppViewModel(backend.client(), store)
    await again.start()
    assert len(backend.calls("PATCH", "/me")) == 1  # the profile already holds it: not sent again


async def test_a_switch_made_offline_reaches_the_profile_when_the_network_is_back() -> None:
    backend = FakeBackend()
    vm = await signed_in_app(backend, MemoryStore())
    backend.offline = True
    await vm.toggle_locale()
    assert vm.locale == EN and backend.locales.get("citizen", "th") == "th"  # the screen switched; the profile not

    await vm.poll()  # still offline: tried, not lost
    assert backend.locales.get("citizen", "th") == "th"
    backend.offline = False
    back = len(backend.requests)
    await vm.poll()  # the live stream reconnected (it polls as it does): the switch goes first, then the reload
    assert backend.locales["citizen"] == "en"
    polled = backend.paths()[back:]
    assert polled[0] == "PATCH /me" and "GET /requests/mine" in polled
    patches = len(backend.calls("PATCH", "/me"))
    await vm.poll()
    assert len(backend.calls("PATCH", "/me")) == patches  # sent once


async def test_what_was_sent_again_is_the_language_shown_now() -> None:
    backend = FakeBackend()
    vm = await signed_in_app(backend, MemoryStore())
    backend.offline = True
    await vm.toggle_locale()
    await vm.toggle_locale()  # back to Thai, still offline
    backend.locales["citizen"] = "en"  # meanwhile another device chose English
    backend.offline = False
    await vm.poll()
    assert json.loads(backend.calls("PATCH", "/me")[-1].content) == {"locale": "th"}
    assert backend.locales["citizen"] == "th"


async def test_a_start_offline_tells_the_profile_once_the_network_is_back() -> None:
    backend = FakeBackend()
    store = MemoryStore(locale=TH)
    first = await signed_in_app(backend, store)
    first.stop()
    backend.locales["citizen"] = "en"
    backend.offline = True
    reopened = AppViewModel(backend.client(), store)
    await reopened.start()
    assert reopened.screen == Screen.HOME and reopened.locale == TH  # the stored profile opens the home
    backend.offline = False
    await reopened.poll()
    assert backend.locales["citizen"] == "th"


async def test_a_refused_switch_is_not_sent_again_and_again() -> None:
    """A 4xx is the backend refusing what was sent: sending it again gets the same answer, so only a new switch
    or start sends one."""
    backend = FakeBackend()
    vm = await signed_in_app(backend, MemoryStore())
    backend.overrides[("PATCH", "/me")] = lambda _: error_response(400, "validation_failed")
    await vm.toggle_locale()
    assert vm.locale == EN and len(backend.calls("PATCH", "/me")) == 1
    await vm.poll()
    assert len(backend.calls("PATCH", "/me")) == 1


async def test_a_server_fault_on_the_switch_is_sent_again() -> None:
    backend = FakeBackend()
    vm = await signed_in_app(backend, MemoryStore())
    backend.overrides[("PATCH", "/me")] = lambda _: httpx.Response(503, json={})
    await vm.toggle_locale()
    del backend.overrides[("PATCH", "/me")]
    await vm.poll()
    assert backend.locales["citizen"] == "en"


async def test_a_sign_out_forgets_an_unsent_switch() -> None:
    """The next person signs in with their own profile: the last one's switch is not sent under their account."""
    backend = FakeBackend()
    vm = await signed_in_app(backend, MemoryStore())
    backend.offline = True
    await vm.toggle_locale()
    await vm.home.sign_out()  # type: ignore[union-attr]
    backend.offline = False
    await sign_in(vm, "technician")
    patches = len(backend.calls("PATCH", "/me"))
    await vm.poll()
    assert len(backend.calls("PATCH", "/me")) == patches
