"""The outbox: drafts survive a restart, retries reuse one key, photos resume, refusals are kept, backoff grows."""

import asyncio
import json
from uuid import uuid4

import httpx

from mobile.outbox import (
    OUTBOX_KEY,
    ItemState,
    MemoryOutboxStorage,
    Outbox,
    OutboxItem,
    OutboxPhoto,
    Outcome,
    backoff_delay,
    decode_items,
)
from mobile.storage import PreferencesOutboxStorage
from mobile.viewmodels.app import AppViewModel, Screen
from mobile.viewmodels.home import CitizenHome
from mobile.views.frame import app_view
from shared.text import error_text
from tests.unit.mobile_fakes import (
    DEV_CODE,
    PHONES,
    MemoryStore,
    RequestBackend,
    button_named,
    error_response,
    jpeg_with_exif,
    texts,
)
from tests.unit.mobile_screens import signed_in

OWNER = "owner-1"


def screen_of(app: AppViewModel) -> Screen:
    # Read through a call: mypy keeps an attribute narrowed across the awaits that change it.
    return app.screen


def body(item: str = "พัดลม") -> dict[str, object]:
    return {
        "idempotency_key": str(uuid4()),
        "category_code": "appliance",
        "item": item,
        "brand": "",
        "description": "ไม่หมุน",
        "lat": 18.79,
        "lon": 98.98,
        "address": "",
        "province": "",
        "district": "",
        "sub_district": "",
        "service_place": "centre",
        "preferred_days": [],
        "contact_phone": "+66812345678",
        "pdpa_consent": True,
    }


def photo(colour: tuple[int, int, int] = (1, 2, 3)) -> OutboxPhoto:
    data = jpeg_with_exif(colour, (32, 32))
    return OutboxPhoto(data, data, "image/jpeg", 32, 32, "a.jpg")


def signed_in_backend() -> tuple[RequestBackend, str]:
    backend = RequestBackend()
    return backend, backend.issue_token("citizen")


def outbox_for(backend: RequestBackend, token: str, storage: MemoryOutboxStorage, **kw: object) -> Outbox:
    api = backend.client()
    api.token = token
    return Outbox(api, storage, owner_id=OWNER, **kw)  # type: ignore[arg-type]


async def test_survives_a_restart_and_sends_with_the_same_key() -> None:
    backend, token = signed_in_backend()
    storage = MemoryOutboxStorage()
    first = outbox_for(backend, token, storage)
    draft = OutboxItem(body=body(), photos=[photo()])
    await first.add(draft)
    backend.offline = True
    assert await first.flush() == Outcome.RETRY_LATER
    assert first.items[0].attempts == 1

    # "Restart": a new Outbox over the same storage finds the draft, photos and all.
    restarted = outbox_for(backend, token, storage)
    await restarted.load()
    (item,) = restarted.items
    assert item.key == draft.key and item.photos[0].image == draft.photos[0].image
    backend.offline = False
    assert await restarted.flush() == Outcome.DONE
    assert restarted.items == [] and decode_items(storage.raw) == []
    posts = backend.calls("POST", "/requests")
    assert len(posts) == 2  # one that never arrived, one that did
    assert {json.loads(p.content)["idempotency_key"] for p in posts} == {draft.key}
    assert len(backend.created) == 1 and len(backend.photos) == 1


async def test_every_retry_reuses_the_key_and_the_backend_stores_it_once() -> None:
    backend, token = signed_in_backend()
    outbox = outbox_for(backend, token, MemoryOutboxStorage())
    await outbox.add(OutboxItem(body=body()))
    # The POST arrives but the answer is lost: the client sees a network error.
    answered: list[int] = []

    def lost_answer(request: httpx.Request) -> httpx.Response:
        response = backend._create(request)
        if not answered:
            answered.append(1)
            raise httpx.ReadError("connection dropped", request=request)
        return response

    backend.overrides[("POST", "/requests")] = lost_answer
    assert await outbox.flush() == Outcome.RETRY_LATER
    assert await outbox.flush() == Outcome.DONE
    assert len(backend.created) == 1
    assert outbox.items == []


async def test_photos_already_uploaded_are_not_sent_again_after_a_restart() -> None:
    backend, token = signed_in_backend()
    storage = MemoryOutboxStorage()
    outbox = outbox_for(backend, token, storage)
    await outbox.add(OutboxItem(body=body(), photos=[photo(), photo((9, 9, 9)), photo((5, 5, 5))]))
    backend.fail_photo_once = {2}
    assert await outbox.flush() == Outcome.RETRY_LATER
    restarted = outbox_for(backend, token, storage)
    await restarted.load()
    assert restarted.items[0].uploaded == [0, 1] and restarted.items[0].request_id is not None
    assert await restarted.flush() == Outcome.DONE
    puts = [r.url.path.rsplit("/", 1)[1] for r in backend.requests if r.method == "PUT"]
    assert puts == ["0", "1", "2", "2"]
    assert len(backend.calls("POST", "/requests")) == 1


async def test_a_refusal_is_kept_as_failed_with_the_message_and_others_still_go() -> None:
    backend, token = signed_in_backend()
    outbox = outbox_for(backend, token, MemoryOutboxStorage())
    bad, good = OutboxItem(body=body("ตู้เย็น")), OutboxItem(body=body("พัดลม"))
    await outbox.add(bad)
    await outbox.add(good)

    def refuse_fridges(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content)["item"] == "ตู้เย็น":
            return error_response(400, "request_item_invalid")
        return backend._create(request)

    backend.overrides[("POST", "/requests")] = refuse_fridges
    assert await outbox.flush() == Outcome.DONE
    (kept,) = outbox.items
    assert kept.key == bad.key and kept.state == ItemState.FAILED
    assert kept.error is not None and kept.error.th == error_text("request_item_invalid").th
    assert outbox.pending == []
    # A failed item is not retried by itself: only the person can edit or discard it.
    before = len(backend.requests)
    await outbox.flush()
    assert len(backend.requests) == before
    await outbox.discard(kept.key)
    assert outbox.items == []


async def test_server_faults_are_retried_not_failed() -> None:
    backend, token = signed_in_backend()
    outbox = outbox_for(backend, token, MemoryOutboxStorage())
    await outbox.add(OutboxItem(body=body()))
    backend.overrides[("POST", "/requests")] = lambda r: error_response(503, "database_unavailable")
    assert await outbox.flush() == Outcome.RETRY_LATER
    assert outbox.items[0].state == ItemState.PENDING


async def test_other_peoples_drafts_stay_put() -> None:
    backend, token = signed_in_backend()
    storage = MemoryOutboxStorage()
    mine = outbox_for(backend, token, storage)
    await mine.add(OutboxItem(body=body("ของฉัน")))
    api = backend.client()
    api.token = token
    theirs = Outbox(api, storage, owner_id="someone-else")
    await theirs.load()
    assert theirs.items == []
    await theirs.flush()
    assert backend.calls("POST", "/requests") == []
    assert len(decode_items(storage.raw)) == 1


def test_backoff_doubles_from_two_seconds_to_thirty() -> None:
    assert [backoff_delay(n) for n in range(1, 7)] == [2, 4, 8, 16, 30, 30]


async def test_background_sender_backs_off_then_sends_and_waits() -> None:
    backend, token = signed_in_backend()
    backend.offline = True
    slept: list[float] = []
    sent: list[str] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 4:
            backend.offline = False  # the network comes back during the 4th wait
        await asyncio.sleep(0)

    async def on_sent(item: OutboxItem) -> None:
        sent.append(item.key)

    storage = MemoryOutboxStorage()
    seed = outbox_for(backend, token, storage)
    draft = OutboxItem(body=body())
    await seed.add(draft)
    outbox = outbox_for(backend, token, storage, sleep=fake_sleep, on_sent=on_sent)
    task = asyncio.ensure_future(outbox.run())
    for _ in range(200):
        await asyncio.sleep(0)
        if sent:
            break
    assert sent == [draft.key]
    assert slept == [2, 4, 8, 16]
    # Idle now: it waits for a wake-up, not a timer; a new item is sent at once.
    second = OutboxItem(body=body("ทีวี"))
    await outbox.add(second)
    for _ in range(200):
        await asyncio.sleep(0)
        if len(sent) == 2:
            break
    assert sent == [draft.key, second.key] and slept == [2, 4, 8, 16]
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert len(backend.created) == 2


async def test_wake_cuts_the_backoff_short() -> None:
    backend, token = signed_in_backend()
    backend.offline = True
    never = asyncio.Event()

    async def long_sleep(seconds: float) -> None:
        await never.wait()

    outbox = outbox_for(backend, token, MemoryOutboxStorage(), sleep=long_sleep)
    await outbox.add(OutboxItem(body=body()))
    task = asyncio.ensure_future(outbox.run())
    for _ in range(50):
        await asyncio.sleep(0)
    assert outbox.delays == [2]
    backend.offline = False
    outbox.wake()  # "refresh" on the home
    for _ in range(100):
        await asyncio.sleep(0)
        if not outbox.items:
            break
    assert outbox.items == []
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def test_unreadable_storage_loses_nothing_else() -> None:
    good = OutboxItem(body=body()).to_json()
    raw = json.dumps([good, {"nonsense": True}, "x"])
    assert [i.key for i in decode_items(raw)] == [good["body"]["idempotency_key"]]
    assert decode_items("not json") == [] and decode_items(None) == []


class FakePrefs:
    def __init__(self) -> None:
        self.values: dict[str, object] = {}

    async def get(self, key: str) -> object:
        return self.values.get(key)

    async def set(self, key: str, value: str) -> bool:
        self.values[key] = value
        return True


async def test_preferences_storage_uses_the_outbox_key() -> None:
    prefs = FakePrefs()
    storage = PreferencesOutboxStorage(prefs)  # type: ignore[arg-type]
    assert await storage.load() is None
    await storage.save("[]")
    assert prefs.values == {OUTBOX_KEY: "[]"} and OUTBOX_KEY == "fixit.outbox"


# --- in the app ---------------------------------------------------------------------------------------


async def test_failed_draft_shows_its_message_and_can_be_edited_or_discarded() -> None:
    backend = RequestBackend()
    app = await signed_in("citizen", backend)
    assert app.outbox is not None
    await app.outbox.add(OutboxItem(body=body("ตู้เย็น"), photos=[photo()]))
    backend.overrides[("POST", "/requests")] = lambda r: error_response(400, "request_item_invalid")
    await app.outbox.flush()
    tree = app_view(app)
    shown = texts(tree)
    assert "ส่งไม่สำเร็จ" in shown and "ตู้เย็น" in shown
    assert error_text("request_item_invalid").th in shown
    edit = button_named(tree, "แก้ไขแล้วส่งใหม่")
    await edit.on_click()  # type: ignore[attr-defined]
    assert app.screen == Screen.REQUEST_FORM and app.request_form is not None
    form = app.request_form
    key = app.outbox.items[0].key
    assert str(form.idempotency_key) == key and form.item == "ตู้เย็น" and len(form.photos) == 1
    assert form.contact_phone == "081-234-5678"
    # Fixed and sent from the form: it leaves the outbox.
    del backend.overrides[("POST", "/requests")]
    form.set_item("ตู้เย็นสองประตู")
    await form.submit()
    assert screen_of(app) == Screen.HOME and app.outbox.items == []

    await app.outbox.add(OutboxItem(body=body("วิทยุ")))
    backend.overrides[("POST", "/requests")] = lambda r: error_response(400, "request_item_invalid")
    await app.outbox.flush()
    await button_named(app_view(app), "ทิ้งคำขอนี้").on_click()  # type: ignore[attr-defined]
    assert [i.item for i in app.outbox.items] == ["วิทยุ"]  # asks first (fixtaps16)
    await button_named(app_view(app), "ยืนยันทิ้ง").on_click()  # type: ignore[attr-defined]
    assert app.outbox.items == []


async def test_outbox_is_kept_across_sign_out_for_its_owner_only() -> None:
    backend = RequestBackend()
    storage = MemoryOutboxStorage()
    app = AppViewModel(backend.client(), MemoryStore(), outbox_storage=storage)
    await app.start()
    app.login.set_phone_input(PHONES["citizen"])
    await app.login.request_code()
    app.login.set_code_input(DEV_CODE)
    await app.login.verify()
    assert app.outbox is not None
    await app.outbox.add(OutboxItem(body=body("พัดลม")))
    await app.sign_out()
    assert app.outbox is None
    assert len(decode_items(storage.raw)) == 1


async def test_background_tasks_start_after_sign_in_and_stop_on_sign_out() -> None:
    backend = RequestBackend()
    started: list[str] = []
    cancelled: list[str] = []

    class FakeTask:
        def __init__(self, name: str) -> None:
            self.name = name

        def cancel(self) -> bool:
            cancelled.append(self.name)
            return True

    def spawn(work: object) -> FakeTask:
        name = getattr(work, "__qualname__", "?")
        started.append(name)
        return FakeTask(name)

    app = AppViewModel(backend.client(), MemoryStore(), spawn=spawn)
    await app.start()
    app.login.set_phone_input(PHONES["citizen"])
    await app.login.request_code()
    app.login.set_code_input(DEV_CODE)
    await app.login.verify()
    assert isinstance(app.home, CitizenHome)
    assert started == ["Outbox.run"]
    await app.sign_out()
    assert cancelled == ["Outbox.run"]


class UnansweredOnce(MemoryOutboxStorage):
    """Device storage whose next write is never answered, as in the browser while the page reloads."""

    def __init__(self) -> None:
        super().__init__()
        self.hang_next = False

    async def save(self, raw: str) -> None:
        if self.hang_next:
            self.hang_next = False
            await asyncio.Event().wait()
        await super().save(raw)


async def test_an_unanswered_storage_write_does_not_stop_the_sender() -> None:
    backend, token = signed_in_backend()
    backend.offline = True
    storage = UnansweredOnce()
    outbox = outbox_for(backend, token, storage, save_timeout=0.05)
    draft = OutboxItem(body=body())
    await outbox.add(draft)
    storage.hang_next = True  # the write after the failed attempt goes unanswered
    task = asyncio.ensure_future(outbox.run())
    for _ in range(100):
        await asyncio.sleep(0.01)
        if outbox.delays:
            break
    assert outbox.delays == [2] and not storage.hang_next
    backend.offline = False
    outbox.wake()  # "refresh": the sender is still alive and sends
    for _ in range(200):
        await asyncio.sleep(0.01)
        if not outbox.items:
            break
    assert outbox.items == [] and len(backend.created) == 1
    assert decode_items(storage.raw) == []  # and storage is right again
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
