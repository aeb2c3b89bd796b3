"""A request form whose send found the sign-in gone is held, not sent behind its writer's back.

Signed in again (maybe hours later, maybe after closing the app), the citizen sees the kept draft on the home (item,
category, photo count) with "ส่งคำขอนี้ / Send this request", "แก้ไข / Edit" and "ทิ้ง / Discard", and nothing is
sent until they choose. It is theirs: someone else signing in on the same phone neither sees nor sends it."""

from uuid import uuid4

import httpx

from mobile.outbox import ItemState, MemoryOutboxStorage, OutboxItem, OutboxPhoto, decode_items, encode_items
from mobile.viewmodels.app import AppViewModel, Screen
from mobile.viewmodels.home import CitizenHome
from mobile.viewmodels.request_form import RequestFormViewModel
from mobile.views.frame import app_view
from shared.text import Locale, error_text, t
from tests.unit.mobile_fakes import (
    MemoryStore,
    OnePersonPerPhone,
    RequestBackend,
    button_named,
    error_response,
    jpeg_with_exif,
    texts,
)
from tests.unit.mobile_screens import FILLED_ITEM, assert_accessible, click, current_screen, fill_valid, sign_in

ITEM = FILLED_ITEM


async def _app(backend: RequestBackend, storage: MemoryOutboxStorage, locale: Locale | None = None) -> AppViewModel:
    """The app opened on the phone (device storage `storage`), at the login."""
    app = AppViewModel(backend.client(), MemoryStore(locale=locale), outbox_storage=storage)
    await app.start()
    assert app.screen == Screen.LOGIN
    return app


async def _filled_form(app: AppViewModel) -> RequestFormViewModel:
    """The citizen signed in, the request form filled in with one photo, not sent yet."""
    await sign_in(app, "citizen")
    assert isinstance(app.home, CitizenHome)
    await app.home.new_request()
    form = app.request_form
    assert form is not None
    await form.load()
    fill_valid(form)
    form.add_photo("a.jpg", jpeg_with_exif())
    return form


async def _sent_as_the_session_ends(backend: RequestBackend, storage: MemoryOutboxStorage) -> tuple[AppViewModel, str]:
    """A citizen fills the form with a photo and sends it; the backend says the sign-in is gone."""
    app = await _app(backend, storage)
    form = await _filled_form(app)
    backend.overrides[("POST", "/requests")] = lambda r: error_response(401, "token_invalid")
    await form.submit()
    assert app.screen == Screen.LOGIN and app.login.notice == error_text("token_invalid").th
    del backend.overrides[("POST", "/requests")]
    return app, str(form.idempotency_key)


async def test_signed_in_again_the_draft_is_shown_and_sent_only_when_asked() -> None:
    backend, storage = OnePersonPerPhone(), MemoryOutboxStorage()
    app, key = await _sent_as_the_session_ends(backend, storage)
    posts = len(backend.posts())
    await sign_in(app, "citizen")
    assert app.outbox is not None
    await app.outbox.flush()  # what the background sender does right after the sign-in
    assert len(backend.posts()) == posts, "sent without asking"
    (held,) = app.outbox.items
    assert held.key == key and held.state == ItemState.HELD

    tree = app_view(app)
    shown = texts(tree)
    assert ITEM in shown and "ประเภท: เครื่องใช้ไฟฟ้า" in shown and "รูปภาพ 1 รูป" in shown
    assert t("outbox_held_hint", Locale.TH) in shown
    assert isinstance(app.home, CitizenHome) and app.home.notice == t("outbox_held_notice", Locale.TH)
    for name in ("ส่งคำขอนี้", "แก้ไข", "ทิ้ง"):
        button_named(tree, name)
    assert_accessible(tree)

    await click(tree, "ส่งคำขอนี้")
    await app.outbox.flush()
    assert [b["idempotency_key"] for b in backend.posts()][posts:] == [key]
    assert app.outbox.items == [] and decode_items(storage.raw) == []
    assert "ส่งคำขอนี้" not in texts(app_view(app))


async def test_the_held_draft_survives_closing_the_app_and_reads_in_english() -> None:
    backend, storage = OnePersonPerPhone(), MemoryOutboxStorage()
    await _sent_as_the_session_ends(backend, storage)
    posts = len(backend.posts())
    reopened = await _app(backend, storage, Locale.EN)  # the app closed and opened again: only device storage
    await sign_in(reopened, "citizen")
    assert reopened.outbox is not None
    await reopened.outbox.flush()
    assert len(backend.posts()) == posts
    tree = app_view(reopened)
    shown = texts(tree)
    assert ITEM in shown and "Category: Household appliances" in shown and "1 photo" in shown
    for name in ("Send this request", "Edit", "Discard"):
        button_named(tree, name)


async def test_edit_opens_the_draft_and_discard_drops_it() -> None:
    backend, storage = OnePersonPerPhone(), MemoryOutboxStorage()
    app, key = await _sent_as_the_session_ends(backend, storage)
    await sign_in(app, "citizen")
    await click(app_view(app), "แก้ไข")
    form = app.request_form
    assert app.screen == Screen.REQUEST_FORM and form is not None
    assert str(form.idempotency_key) == key and form.item == ITEM and len(form.photos) == 1
    await app.go_back()  # changed nothing, sent nothing: still held on the home
    assert current_screen(app) == Screen.HOME and app.outbox is not None
    assert [i.state for i in app.outbox.items] == [ItemState.HELD]
    posts = len(backend.posts())
    await click(app_view(app), "ทิ้ง")  # asks first (fixtaps16): nothing deleted yet
    assert [i.state for i in app.outbox.items] == [ItemState.HELD]
    await click(app_view(app), "ยืนยันทิ้ง")
    await app.outbox.flush()
    assert app.outbox.items == [] and decode_items(storage.raw) == [] and len(backend.posts()) == posts


async def test_another_person_on_the_same_phone_neither_sees_nor_sends_it() -> None:
    backend, storage = OnePersonPerPhone(), MemoryOutboxStorage()
    app, key = await _sent_as_the_session_ends(backend, storage)
    writer = backend.ids["citizen"]
    backend.ids["citizen"] = str(uuid4())  # someone else signs in with their own number on this phone
    posts = len(backend.posts())
    await sign_in(app, "citizen")
    assert app.outbox is not None and app.outbox.items == []
    assert isinstance(app.home, CitizenHome) and app.home.notice is None
    await app.outbox.flush()
    assert len(backend.posts()) == posts and ITEM not in texts(app_view(app))
    assert [i.key for i in decode_items(storage.raw)] == [key]  # kept on the phone for its writer
    await app.sign_out()
    backend.ids["citizen"] = writer
    await sign_in(app, "citizen")
    assert app.outbox is not None and [i.key for i in app.outbox.items] == [key]


async def test_drafts_waiting_for_the_network_are_held_when_the_sender_finds_the_sign_in_gone() -> None:
    backend, storage = OnePersonPerPhone(), MemoryOutboxStorage()
    app = await _app(backend, storage)
    await sign_in(app, "citizen")
    assert app.outbox is not None
    form_body = {"idempotency_key": str(uuid4()), "category_code": "appliance", "item": "พัดลม",
                 "description": "ไม่หมุน", "lat": 18.79, "lon": 98.98, "contact_phone": "+66812345678",
                 "pdpa_consent": True}
    backend.offline = True
    await app.outbox.add(OutboxItem(body=form_body))
    await app.outbox.flush()
    assert [i.state for i in app.outbox.items] == [ItemState.PENDING]
    backend.offline = False
    backend.overrides[("POST", "/requests")] = lambda r: error_response(401, "token_invalid")
    await app.outbox.flush()
    assert [i.state for i in app.outbox.items] == [ItemState.HELD]
    del backend.overrides[("POST", "/requests")]
    posts = len(backend.posts())
    await app.outbox.flush()
    assert len(backend.posts()) == posts


class PhotoMeetsTheEnd(OnePersonPerPhone):
    """The request is stored, then the sign-in ends before its photo is sent (`ended` while True)."""

    def __init__(self) -> None:
        super().__init__()
        self.ended = False

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.ended and request.method == "PUT" and "/photos/" in request.url.path:
            return error_response(401, "token_invalid")
        return super().handle(request)


async def test_a_request_already_stored_is_not_held_its_photos_follow_after_the_sign_in() -> None:
    """Held means "not sent": a request the backend already has is not offered for edit or discard (an edit would
    never reach it, a discard would leave it there without its photos); signed in again, its photos just go."""
    backend, storage = PhotoMeetsTheEnd(), MemoryOutboxStorage()
    app = await _app(backend, storage)
    form = await _filled_form(app)
    backend.ended = True
    await form.submit()
    assert current_screen(app) == Screen.LOGIN
    backend.ended = False
    assert len(backend.posts()) == 1 and backend.photos == {}

    await sign_in(app, "citizen")
    assert app.outbox is not None
    await app.outbox.flush()  # what the background sender does right after the sign-in
    assert len(backend.posts()) == 1 and len(backend.photos) == 1
    assert app.outbox.items == [] and decode_items(storage.raw) == []
    assert "ส่งคำขอนี้" not in texts(app_view(app))


async def test_the_sender_keeps_a_stored_requests_photos_pending_when_the_sign_in_ends() -> None:
    backend, storage = PhotoMeetsTheEnd(), MemoryOutboxStorage()
    app = await _app(backend, storage)
    await sign_in(app, "citizen")
    assert app.outbox is not None
    body = {"idempotency_key": str(uuid4()), "category_code": "appliance", "item": "พัดลม", "brand": "",
            "description": "ไม่หมุน", "lat": 18.79, "lon": 98.98, "address": "", "province": "", "district": "",
            "sub_district": "", "service_place": "centre", "preferred_days": [], "contact_phone": "+66812345678",
            "pdpa_consent": True}
    item = OutboxItem(body=body)
    item.photos = [OutboxPhoto(jpeg_with_exif(), b"", "image/jpeg", 1, 1, "a.jpg")]
    backend.ended = True
    await app.outbox.add(item)
    await app.outbox.flush()
    (waiting,) = app.outbox.items
    assert waiting.request_id is not None and waiting.state == ItemState.PENDING
    backend.ended = False
    await app.outbox.flush()
    assert app.outbox.items == [] and len(backend.posts()) == 1 and len(backend.photos) == 1


async def test_deleting_a_suspended_account_drops_its_drafts_from_the_device() -> None:
    """Audit 11c: a send that meets 403 account_suspended holds the draft, and the suspended screen shows no home;
    "delete my account" there left the draft (photos with GPS, address, phone) in device storage for good, under an
    account nobody can sign in to. The screen says the drafts are there; the deletion drops them."""
    other = OutboxItem(body={"idempotency_key": str(uuid4()), "item": "another person's"}, owner_id=str(uuid4()))
    backend, storage = OnePersonPerPhone(), MemoryOutboxStorage(encode_items([other]))  # stays: not theirs
    app = await _app(backend, storage)
    form = await _filled_form(app)
    backend.overrides[("POST", "/requests")] = lambda r: error_response(403, "account_suspended")
    await form.submit()
    assert current_screen(app) == Screen.SUSPENDED and app.account is not None
    held = next(i for i in decode_items(await storage.load()) if i.owner_id != other.owner_id)
    assert held.photos  # kept, with its photo
    assert t("suspended_drafts_held", Locale.TH, count=1) in texts(app_view(app))

    backend.overrides[("DELETE", "/me")] = lambda r: httpx.Response(204)
    await app.account.delete_account()
    assert current_screen(app) == Screen.LOGIN
    left = decode_items(await storage.load())
    assert [i.owner_id for i in left] == [other.owner_id], "the deleted account's draft stays on the device"
