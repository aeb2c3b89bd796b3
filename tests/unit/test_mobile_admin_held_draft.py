"""A citizen who wrote a repair request, lost their sign-in as it was sent (the draft is held on the device) and was
made an admin meanwhile: an admin asks for no repairs (shared.roles.REQUESTER_ROLES), yet the draft is theirs and
is not lost. The admin's home shows it with a plain note that an admin account cannot send it, and Discard only."""

from mobile.outbox import ItemState, MemoryOutboxStorage, decode_items
from mobile.viewmodels.app import AppViewModel
from mobile.viewmodels.home import AdminHome
from mobile.views.frame import app_view
from shared.text import Locale, t
from tests.unit.mobile_fakes import MemoryStore, OnePersonPerPhone, texts
from tests.unit.mobile_screens import FILLED_ITEM, assert_accessible, click, held_as_the_session_ends, sign_in

ITEM = FILLED_ITEM


async def _held_then_made_admin(backend: OnePersonPerPhone, storage: MemoryOutboxStorage,
                                locale: Locale | None = None) -> tuple[AppViewModel, str]:
    app = AppViewModel(backend.client(), MemoryStore(locale=locale), outbox_storage=storage)
    await app.start()
    form = await held_as_the_session_ends(app, backend)
    assert [i.state for i in decode_items(storage.raw)] == [ItemState.HELD]
    backend.ids["admin"] = backend.ids["citizen"]  # the same person, made an admin by the operator meanwhile
    await sign_in(app, "admin")
    assert isinstance(app.home, AdminHome)
    return app, str(form.idempotency_key)


async def test_a_citizen_made_admin_finds_their_held_draft_with_discard_only() -> None:
    backend, storage = OnePersonPerPhone(), MemoryOutboxStorage()
    app, key = await _held_then_made_admin(backend, storage)
    home = app.home
    assert isinstance(home, AdminHome)
    assert [(i.key, i.state) for i in home.outbox_items] == [(key, ItemState.HELD)]
    tree = app_view(app)
    shown = texts(tree)
    assert ITEM in shown and t("outbox_admin_note", Locale.TH) in shown
    assert home.notice == t("outbox_admin_notice", Locale.TH)
    assert "ทิ้ง" in shown and "ส่งคำขอนี้" not in shown and "แก้ไข" not in shown
    assert_accessible(tree)
    posts = len(backend.posts())
    await home.send_outbox_item(key)  # nothing on the screen offers it; the home refuses it too
    assert len(backend.posts()) == posts and [i.key for i in home.outbox_items] == [key]

    await click(tree, "ทิ้ง")  # asks first (fixtaps16)
    assert [i.key for i in home.outbox_items] == [key]
    await click(app_view(app), "ยืนยันทิ้ง")
    assert home.outbox_items == [] and decode_items(storage.raw) == [] and len(backend.posts()) == posts
    assert ITEM not in texts(app_view(app))


async def test_the_admins_note_reads_in_english_and_an_admin_without_drafts_sees_none() -> None:
    backend, storage = OnePersonPerPhone(), MemoryOutboxStorage()
    app, _ = await _held_then_made_admin(backend, storage, Locale.EN)
    shown = texts(app_view(app))
    assert ITEM in shown and t("outbox_admin_note", Locale.EN) in shown and "Discard" in shown
    assert "Send this request" not in shown

    other = AppViewModel(OnePersonPerPhone().client(), MemoryStore(), outbox_storage=MemoryOutboxStorage())
    await other.start()
    await sign_in(other, "admin")
    assert isinstance(other.home, AdminHome) and other.home.outbox_items == [] and other.home.notice is None
    assert t("outbox_admin_note", Locale.TH) not in texts(app_view(other))
