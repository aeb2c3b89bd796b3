"""A student's or a teacher's own repair requests, app side: their home has "งานซ่อมของฉัน" only when they have
any, and it opens the owner's screen a citizen has (at /requests/{id}), where they act as the owner."""

from uuid import UUID

import flet as ft

from mobile.models import RequestAction
from mobile.viewmodels.app import Screen
from mobile.viewmodels.home import SupervisorHome, TechnicianHome
from mobile.views.frame import app_view
from shared.text import Locale
from tests.unit.mobile_fakes import DetailBackend, find, texts
from tests.unit.mobile_screens import assert_accessible, signed_in


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
    assert "งานซ่อมของฉัน (1)" in texts(tree) and "พัดลม" in texts(tree)
    assert_accessible(tree)

    await _tap_card(tree, "พัดลม")
    assert app.screen == Screen.REQUEST_DETAIL and app.route == f"/requests/{request_id}"
    detail = app.request_detail
    assert detail is not None and detail.detail is not None and RequestAction.CANCEL in detail.actions
    detail.start_action(RequestAction.CANCEL)
    await detail.confirm()
    assert backend.calls("POST", f"/requests/{request_id}/cancel")
    assert detail.detail.status == "cancelled"


async def test_the_entry_shows_only_for_someone_who_has_requests() -> None:
    app = await signed_in("technician", DetailBackend())
    assert isinstance(app.home, TechnicianHome) and app.home.own_requests_title is None
    assert not [s for s in texts(app_view(app)) if s.startswith("งานซ่อมของฉัน")]


async def test_a_teacher_sees_their_own_requests_in_english_too() -> None:
    backend = DetailBackend()
    request_id = _own(backend, "supervisor")
    app = await signed_in("supervisor", backend)
    home = app.home
    assert isinstance(home, SupervisorHome)
    assert home.own_requests_title == "งานซ่อมของฉัน (1)"
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
