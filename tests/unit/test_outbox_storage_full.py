"""A draft the device will not keep: in the browser the outbox (every draft with its photos, base64) is one
localStorage value, and Chromium keeps about 5 million characters a site. Five processed photos weigh up to ~2
million characters as base64 (MAX_PHOTO_BYTES a photo), so the third such draft is refused by the browser, and
Flet's SharedPreferences.set raises the browser's QuotaExceededError as a RuntimeError. The person is told and the
draft stays in the open form; the outbox and its sender go on with what the device did keep."""

import asyncio

from mobile.outbox import OUTBOX_KEY, ItemState, Outbox, OutboxItem, StorageRefused, decode_items
from mobile.storage import PreferencesOutboxStorage
from mobile.viewmodels.app import AppViewModel, Screen
from mobile.viewmodels.home import CitizenHome
from mobile.viewmodels.request_form import FormState, RequestFormViewModel
from mobile.views.frame import app_view
from shared.text import Locale, t
from tests.unit.mobile_fakes import MemoryStore, RequestBackend, jpeg_with_exif, texts
from tests.unit.mobile_screens import fill_valid, sign_in
from tests.unit.test_mobile_outbox import body


class QuotaPrefs:
    """Flet's SharedPreferences over a browser's localStorage with a quota of `limit` characters for all keys."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.values: dict[str, str] = {}

    async def get(self, key: str) -> object:
        return self.values.get(key)

    async def set(self, key: str, value: str) -> bool:
        others = sum(len(k) + len(v) for k, v in self.values.items() if k != key)
        if others + len(key) + len(value) > self.limit:
            # What Flet's Python side raises for the client's error (flet.messaging.session.invoke_method).
            raise RuntimeError("QuotaExceededError: Failed to execute 'setItem' on 'Storage': Setting the value of "
                               f"'flutter.{key}' exceeded the quota.")
        self.values[key] = value
        return True


def screen_of(app: AppViewModel) -> Screen:
    return app.screen


def state_of(form: RequestFormViewModel) -> FormState:
    return form.state


async def citizen_with(prefs: QuotaPrefs, backend: RequestBackend) -> AppViewModel:
    app = AppViewModel(backend.client(), MemoryStore(), outbox_storage=PreferencesOutboxStorage(prefs))  # type: ignore[arg-type]
    await app.start()
    await sign_in(app, "citizen")
    assert screen_of(app) == Screen.HOME
    return app


async def filled_form(app: AppViewModel, photos: int) -> RequestFormViewModel:
    assert isinstance(app.home, CitizenHome)
    await app.home.new_request()
    form = app.request_form
    assert form is not None
    fill_valid(form)
    for i in range(photos):
        assert form.add_photo(f"{i}.jpg", jpeg_with_exif((i * 40, 80, 40), (320, 240)))
    return form


async def test_a_draft_the_device_will_not_keep_stays_in_the_open_form_and_the_person_is_told() -> None:
    backend = RequestBackend()
    prefs = QuotaPrefs(limit=10_000_000)
    app = await citizen_with(prefs, backend)
    backend.offline = True
    first = await filled_form(app, photos=1)
    await first.submit()  # kept: the home lists it as waiting to send
    assert screen_of(app) == Screen.HOME and app.outbox is not None and len(app.outbox.items) == 1
    stored = prefs.values[OUTBOX_KEY]
    prefs.limit = len(OUTBOX_KEY) + len(stored) * 3 // 2  # room for a draft of one more photo, not of five

    second = await filled_form(app, photos=5)
    await second.submit()
    # Not kept: the form stays open with everything in it, says so, and can be sent again.
    assert screen_of(app) == Screen.REQUEST_FORM and app.request_form is second
    assert state_of(second) == FormState.FAILED and second.can_retry and len(second.photos) == 5
    assert second.form_error == t("draft_not_kept", Locale.TH)
    assert second.form_error in texts(app_view(app))
    # The outbox holds what the device holds: the first draft only.
    assert prefs.values[OUTBOX_KEY] == stored
    assert [i.key for i in app.outbox.items] == [i.key for i in decode_items(stored)]

    backend.offline = False
    await second.retry()
    assert screen_of(app) == Screen.HOME and len(backend.created) == 1


async def test_a_refused_write_does_not_stop_the_sender() -> None:
    """A write the device refuses while sending (the list a few characters longer: an attempt counted) leaves the
    list in memory as it is; the sender goes on and sends."""
    backend = RequestBackend()
    api = backend.client()
    api.token = backend.issue_token("citizen")
    prefs = QuotaPrefs(limit=10_000)
    outbox = Outbox(api, PreferencesOutboxStorage(prefs), owner_id="owner-1")  # type: ignore[arg-type]
    await outbox.add(OutboxItem(body=body("พัดลม")))
    prefs.limit = 0  # nothing more fits
    backend.offline = True
    task = asyncio.ensure_future(outbox.run())
    for _ in range(200):
        await asyncio.sleep(0.01)
        if outbox.delays:
            break
    assert not task.done() and outbox.delays == [2] and outbox.items[0].attempts == 1
    assert outbox.items[0].state == ItemState.PENDING
    backend.offline = False
    prefs.limit = 10_000
    outbox.wake()
    for _ in range(200):
        await asyncio.sleep(0.01)
        if not outbox.items:
            break
    assert outbox.items == [] and not task.done() and decode_items(prefs.values[OUTBOX_KEY]) == []
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_the_device_storage_reports_a_refused_write() -> None:
    prefs = QuotaPrefs(limit=10)
    storage = PreferencesOutboxStorage(prefs)  # type: ignore[arg-type]
    try:
        await storage.save("x" * 100)
    except StorageRefused as refused:
        assert "QuotaExceededError" in str(refused)
    else:
        raise AssertionError("a refused write went unnoticed")


async def test_a_half_written_form_the_device_will_not_hold_stays_open_when_the_role_changes() -> None:
    """An admin made the citizen a student while they write a request: the form would be held in their outbox for
    the new home, but the device will not keep it. It stays open and says so; the new home waits."""
    import httpx

    from mobile.viewmodels.home import TechnicianHome
    from tests.unit.test_mobile_access_changed import App

    backend = RequestBackend()
    app = App(backend)
    prefs = QuotaPrefs(limit=0)
    app.vm = AppViewModel(backend.client(), MemoryStore(), spawn=app.spawned, live_factory=app._factory,
                          outbox_storage=PreferencesOutboxStorage(prefs))  # type: ignore[arg-type]
    await app.start("citizen")
    vm = app.vm
    form = await filled_form(vm, photos=1)
    person = vm.session.profile
    assert person is not None and vm.session.token is not None
    backend.tokens[vm.session.token] = "technician"
    backend.overrides[("GET", "/me")] = lambda r: httpx.Response(
        200, json={**backend.profile("technician"), "id": str(person.id)})
    await app.stream_ended()
    assert screen_of(vm) == Screen.REQUEST_FORM and vm.request_form is form and len(form.photos) == 1
    assert form.form_error == t("draft_not_kept", Locale.TH) and form.form_error in texts(app_view(vm))
    assert vm.outbox is not None and vm.outbox.items == [] and OUTBOX_KEY not in prefs.values

    prefs.limit = 10_000_000  # room made (another draft sent or discarded): the next look holds it
    await app.stream_ended()
    assert screen_of(vm) == Screen.HOME and isinstance(vm.home, TechnicianHome)
    assert vm.outbox is not None and [i.state for i in vm.outbox.items] == [ItemState.HELD]
