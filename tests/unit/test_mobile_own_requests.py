"""A student's or a teacher's own repair requests, app side: their home always has "คำขอซ่อมของฉัน" with "แจ้งซ่อม"
(the citizen's form), their requests open the owner's screen a citizen has (at /requests/{id}), where they act as the
owner, and their drafts waiting on the device (a citizen's held draft kept across accepting an invitation) show
there to send, edit or discard."""

from uuid import UUID

import flet as ft
import httpx

from mobile.models import RequestAction
from mobile.outbox import ItemState, MemoryOutboxStorage, decode_items
from mobile.viewmodels.app import NEW_REQUEST_ROUTE, AppViewModel, Screen
from mobile.viewmodels.home import SupervisorHome, TechnicianHome
from mobile.views.frame import app_view
from shared.text import Locale, t
from tests.unit.mobile_fakes import (
    COLLEGE,
    INVITED_UNTIL,
    NOW,
    DetailBackend,
    MemoryStore,
    OnePersonPerPhone,
    find,
    texts,
)
from tests.unit.mobile_screens import (
    FILLED_ITEM,
    assert_accessible,
    click,
    current_screen,
    fill_valid,
    held_as_the_session_ends,
    sign_in,
    signed_in,
)

ITEM = FILLED_ITEM


def _own(backend: DetailBackend, role: str) -> str:
    """The backend's offered request made `role`'s own; its id."""
    own = backend.my_requests[1]
    backend.staff_own_requests[role] = [own]
    return str(own["id"])


async def _tap_card(tree: ft.Control, item: str) -> None:
    """What a tap on the request card showing `item` does (the card's handler takes the event first)."""
    cards = [c for c in find(tree, ft.Card) if item in texts(c)]
    assert len(cards) == 1, texts(tree)
    tappable = find(cards[0], ft.Container, lambda c: c.on_click is not None)
    assert tappable, "the card opens its request"
    await tappable[0].on_click(None)


async def test_a_student_with_their_own_request_opens_the_owners_screen_and_cancels() -> None:
    backend = DetailBackend()
    request_id = _own(backend, "technician")
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome)
    assert [str(r.id) for r in home.own_requests] == [request_id]
    tree = app_view(app)
    assert "คำขอซ่อมของฉัน (1)" in texts(tree) and "พัดลม" in texts(tree)
    assert_accessible(tree)

    await _tap_card(tree, "พัดลม")
    assert app.screen == Screen.REQUEST_DETAIL and app.route == f"/requests/{request_id}"
    detail = app.request_detail
    assert detail is not None and detail.detail is not None and RequestAction.CANCEL in detail.actions
    detail.start_action(RequestAction.CANCEL)
    await detail.confirm()
    assert backend.calls("POST", f"/requests/{request_id}/cancel")
    assert detail.detail.status == "cancelled"


class StaffAsking(DetailBackend):
    """DetailBackend whose POST /requests also lands in the asking student's or teacher's GET /requests/mine."""

    def _create(self, request: httpx.Request) -> httpx.Response:
        response = super()._create(request)
        role = self._role(request)
        if role is not None and role != "citizen" and response.status_code == 201:
            self.staff_own_requests.setdefault(role, []).insert(0, self.my_requests[0])
        return response


class StaffAskingOnePerson(OnePersonPerPhone, StaffAsking):
    """A student or teacher who asks for repairs, one person per role across sign-ins."""


async def test_a_student_with_none_yet_asks_for_a_repair_with_the_citizens_form() -> None:
    backend = StaffAsking()
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome) and home.own_requests == []
    tree = app_view(app)
    assert "คำขอซ่อมของฉัน" in texts(tree)
    assert_accessible(tree)
    await click(tree, "แจ้งซ่อม")
    form = app.request_form
    assert app.screen == Screen.REQUEST_FORM and app.route == NEW_REQUEST_ROUTE and form is not None
    fill_valid(form)
    await form.submit()
    assert [p["item"] for p in backend.posts()] == [ITEM]
    assert current_screen(app) == Screen.HOME
    assert home.own_requests_title == "คำขอซ่อมของฉัน (1)" and ITEM in texts(app_view(app))


async def test_a_teacher_opens_the_form_by_its_address_and_reads_it_in_english() -> None:
    app = await signed_in("supervisor", StaffAsking(), Locale.EN)
    assert isinstance(app.home, SupervisorHome)
    shown = texts(app_view(app))
    assert "My repair requests" in shown and "Ask for a repair" in shown
    await app.open_route(NEW_REQUEST_ROUTE)
    assert app.screen == Screen.REQUEST_FORM and app.request_form is not None


async def test_the_admin_has_no_entry_and_no_form() -> None:
    app = await signed_in("admin", StaffAsking())
    assert app.home is not None and app.home.own_requests_title is None and app.outbox is None
    assert "แจ้งซ่อม" not in texts(app_view(app))
    await app.open_route(NEW_REQUEST_ROUTE)
    assert app.screen == Screen.HOME


async def _held_then_made_a_student(backend: StaffAskingOnePerson, storage: MemoryOutboxStorage) -> tuple[
        AppViewModel, str]:
    """A citizen's send finds the sign-in gone (the draft is held); signed in again they accept a college's
    invitation: the same person, now a student."""
    app = AppViewModel(backend.client(), MemoryStore(), outbox_storage=storage)
    await app.start()
    form = await held_as_the_session_ends(app, backend)
    backend.ids["technician"] = backend.ids["citizen"]
    backend.invitation = {"role": "technician", "college": COLLEGE, "skills": {"electrical": 2},
                          "invited_at": NOW.isoformat(),
                          "expires_at": INVITED_UNTIL}

    def accepted(_: httpx.Request) -> httpx.Response:
        for token, role in list(backend.tokens.items()):
            if role == "citizen":
                backend.tokens[token] = "technician"
        return httpx.Response(200, json=backend.profile("technician"))

    backend.overrides[("POST", "/me/invitation/accept")] = accepted
    await sign_in(app, "citizen")
    await click(app_view(app), "ตอบรับ")
    assert isinstance(app.home, TechnicianHome)
    return app, str(form.idempotency_key)


async def test_a_held_draft_is_still_there_to_send_after_accepting_an_invitation() -> None:
    backend, storage = StaffAskingOnePerson(), MemoryOutboxStorage()
    app, key = await _held_then_made_a_student(backend, storage)
    home = app.home
    assert isinstance(home, TechnicianHome) and app.outbox is not None and home.outbox is app.outbox
    assert [(i.key, i.state) for i in app.outbox.items] == [(key, ItemState.HELD)]
    posts = len(backend.posts())
    await app.outbox.flush()
    assert len(backend.posts()) == posts, "sent without asking"
    tree = app_view(app)
    shown = texts(tree)
    assert ITEM in shown and home.notice == t("outbox_held_notice", Locale.TH)
    assert_accessible(tree)
    await click(tree, "ส่งคำขอนี้")
    await app.outbox.flush()
    assert [b["idempotency_key"] for b in backend.posts()][posts:] == [key]
    assert app.outbox.items == [] and decode_items(storage.raw) == []
    assert home.own_requests_title == "คำขอซ่อมของฉัน (1)"


async def test_a_held_draft_is_edited_or_discarded_from_the_students_home() -> None:
    backend, storage = StaffAskingOnePerson(), MemoryOutboxStorage()
    app, key = await _held_then_made_a_student(backend, storage)
    await click(app_view(app), "แก้ไข")
    form = app.request_form
    assert current_screen(app) == Screen.REQUEST_FORM and form is not None and str(form.idempotency_key) == key
    await app.go_back()
    assert current_screen(app) == Screen.HOME and app.outbox is not None
    assert [i.state for i in app.outbox.items] == [ItemState.HELD]
    posts = len(backend.posts())
    await click(app_view(app), "ทิ้ง")  # asks first (fixtaps16)
    await click(app_view(app), "ยืนยันทิ้ง")
    await app.outbox.flush()
    assert app.outbox.items == [] and decode_items(storage.raw) == [] and len(backend.posts()) == posts
    assert ITEM not in texts(app_view(app))


async def test_a_teacher_sees_their_own_requests_in_english_too() -> None:
    backend = DetailBackend()
    request_id = _own(backend, "supervisor")
    app = await signed_in("supervisor", backend)
    home = app.home
    assert isinstance(home, SupervisorHome)
    assert home.own_requests_title == "คำขอซ่อมของฉัน (1)"
    await app.toggle_locale()
    assert app.locale == Locale.EN
    assert "My repair requests (1)" in texts(app_view(app))
    await home.open_own_request(UUID(request_id))
    assert app.screen == Screen.REQUEST_DETAIL and app.request_detail is not None


async def test_a_link_to_their_own_request_opens_the_owners_screen_a_job_link_the_job() -> None:
    backend = DetailBackend()
    request_id = _own(backend, "technician")
    app = await signed_in("technician", backend)
    await app.open_route(f"/requests/{request_id}")  # e.g. the owner's notification "a part waits for you"
    assert app.screen == Screen.REQUEST_DETAIL and app.route == f"/requests/{request_id}"
