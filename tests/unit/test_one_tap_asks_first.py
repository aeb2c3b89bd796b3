"""What cannot be taken back asks first, in the app's one confirm step (mobile/views/common.py::confirm_panel, as the
cancel of a request does): throwing away a request kept on the phone, the owner's answer on a part, "I have it back",
and a student's decline of an offer (audit16a findings 2, 7, 8 and 12)."""

import flet as ft

from mobile.outbox import ItemState, MemoryOutboxStorage, decode_items
from mobile.viewmodels.app import AppViewModel
from mobile.viewmodels.home import CitizenHome
from mobile.views.frame import app_view
from tests.unit.mobile_fakes import (
    MemoryStore,
    OnePersonPerPhone,
    error_response,
    find,
    jpeg_with_exif,
    texts,
)
from tests.unit.mobile_screens import click, fill_valid, sign_in


def announced(tree: ft.Control) -> list[str]:
    """The words of the live regions: what a screen reader reads out as it appears."""
    return [w for s in find(tree, ft.Semantics, lambda s: bool(s.live_region)) for w in texts(s) if w]


# --- a request kept on the phone ----------------------------------------------------------------------------------


async def test_discarding_a_kept_request_asks_first() -> None:
    """Citizen home, a request kept on the phone ("ส่งคำขอนี้" / "แก้ไข" / "ทิ้ง" side by side in one wrapping row):
    one tap on "ทิ้ง", a thumb slipping from "แก้ไข", and the item, description, address and photos an older citizen
    typed are gone from the phone for good. Nothing asks, nothing offers to undo."""
    backend, storage = OnePersonPerPhone(), MemoryOutboxStorage()
    app = AppViewModel(backend.client(), MemoryStore(), outbox_storage=storage)
    await app.start()
    await sign_in(app, "citizen")
    assert isinstance(app.home, CitizenHome)
    await app.home.new_request()
    form = app.request_form
    assert form is not None
    await form.load()
    fill_valid(form)
    form.add_photo("a.jpg", jpeg_with_exif())
    backend.overrides[("POST", "/requests")] = lambda r: error_response(401, "token_invalid")
    await form.submit()
    del backend.overrides[("POST", "/requests")]
    await sign_in(app, "citizen")
    assert app.outbox is not None and [i.state for i in app.outbox.items] == [ItemState.HELD]
    await click(app_view(app), "ทิ้ง")
    # After the one tap the request must still be on the phone (a question or an undo is showing).
    assert [i.state for i in app.outbox.items] == [ItemState.HELD], "one tap threw the whole request away"
    assert decode_items(storage.raw), "one tap threw the whole request away"


async def _held(backend: OnePersonPerPhone, storage: MemoryOutboxStorage) -> AppViewModel:
    """A citizen's request kept on the phone when the sign-in ran out as it was sent, and the citizen back on the
    home."""
    app = AppViewModel(backend.client(), MemoryStore(), outbox_storage=storage)
    await app.start()
    await sign_in(app, "citizen")
    assert isinstance(app.home, CitizenHome)
    await app.home.new_request()
    form = app.request_form
    assert form is not None
    await form.load()
    fill_valid(form)
    form.add_photo("a.jpg", jpeg_with_exif())
    backend.overrides[("POST", "/requests")] = lambda r: error_response(401, "token_invalid")
    await form.submit()
    del backend.overrides[("POST", "/requests")]
    await sign_in(app, "citizen")
    assert app.outbox is not None and [i.state for i in app.outbox.items] == [ItemState.HELD]
    return app


async def test_the_kept_request_asks_then_keeps_or_discards_it_and_says_so() -> None:
    """"ทิ้ง" turns the card into the question, read out ("ทิ้งคำขอซ่อม หม้อหุงข้าว ใช่ไหม") with what it does;
    "ไม่ทิ้ง" brings the card back as it was; "ยืนยันทิ้ง" deletes it and the home says it did."""
    backend, storage = OnePersonPerPhone(), MemoryOutboxStorage()
    app = await _held(backend, storage)
    assert app.outbox is not None
    item = app.outbox.items[0].item
    await click(app_view(app), "ทิ้ง")
    tree = app_view(app)
    assert f"ทิ้งคำขอซ่อม {item} ใช่ไหม" in announced(tree)
    assert "ข้อมูลที่คุณกรอกและรูปภาพของคำขอนี้จะถูกลบออกจากเครื่อง และนำกลับคืนไม่ได้" in texts(tree)
    assert "ส่งคำขอนี้" not in texts(tree)  # one question at a time on the card
    await click(tree, "ไม่ทิ้ง")
    tree = app_view(app)
    assert "ส่งคำขอนี้" in texts(tree) and "ยืนยันทิ้ง" not in texts(tree)
    assert [i.state for i in app.outbox.items] == [ItemState.HELD]
    await click(tree, "ทิ้ง")
    await click(app_view(app), "ยืนยันทิ้ง")
    assert app.outbox.items == [] and decode_items(storage.raw) == []
    assert f"ทิ้งคำขอซ่อม {item} แล้ว" in announced(app_view(app))
