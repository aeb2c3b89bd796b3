"""An invitation's notifications in the app's inbox: the invited citizen's opens the home where the invitation's
card is; the teacher's "accepted"/"declined" opens their students, the admin's their colleges. The links are the
ones the backend renders (shared/notifications.py), so they must be routes the app has."""

from typing import Any

import httpx

from mobile.viewmodels.app import COLLEGES_ROUTE, HOME_ROUTE, TECHNICIANS_ROUTE, AppViewModel, Screen
from mobile.viewmodels.home import CitizenHome
from mobile.views.frame import app_view
from mobile.views.inbox import inbox_view
from shared.notifications import HOME_LINK, STAFF_ADMIN_LINK, STUDENTS_LINK, Kind, render
from shared.text import Locale
from tests.unit.mobile_fakes import COLLEGE, INVITED_UNTIL, NOW, FakeBackend, texts
from tests.unit.mobile_screens import signed_in

PARAMS = {"person": "นาย ชวนมา", "role": "technician", "college_th": COLLEGE["name_th"],
          "college_en": COLLEGE["name_en"]}


def item(nid: int, kind: Kind, params: dict[str, Any]) -> dict[str, Any]:
    """An inbox row as GET /me/notifications renders it: no request, the link the kind leads to."""
    shown = render(kind, params, Locale.TH, NOW)
    return {"id": nid, "kind": kind.value, "title": shown.title, "body": shown.body, "link": shown.link,
            "request_id": None, "created_at": NOW.isoformat(), "read": False}


def with_inbox(backend: FakeBackend, rows: list[dict[str, Any]]) -> None:
    backend.overrides[("GET", "/me/notifications/unread-count")] = lambda _: httpx.Response(
        200, json={"unread_count": sum(1 for r in rows if not r["read"])})
    backend.overrides[("GET", "/me/notifications")] = lambda _: httpx.Response(
        200, json={"items": rows, "unread_count": sum(1 for r in rows if not r["read"]), "next_before_id": None})
    for row in rows:
        def read(_: httpx.Request, row: dict[str, Any] = row) -> httpx.Response:
            row["read"] = True
            return httpx.Response(200, json={"unread_count": sum(1 for r in rows if not r["read"])})
        backend.overrides[("POST", f"/me/notifications/{row['id']}/read")] = read


def screen_of(vm: AppViewModel) -> Screen:
    """Read through a call: mypy keeps an attribute narrowed across the awaits that change it."""
    return vm.screen


def test_the_links_are_routes_the_app_has() -> None:
    assert (HOME_LINK, STUDENTS_LINK, STAFF_ADMIN_LINK) == (HOME_ROUTE, TECHNICIANS_ROUTE, COLLEGES_ROUTE)


async def test_the_invited_citizen_taps_the_notification_and_finds_the_invitation_on_the_home() -> None:
    backend = FakeBackend()
    backend.invitation = {"role": "technician", "college": COLLEGE, "skills": {}, "invited_at": NOW.isoformat(),
                          "expires_at": INVITED_UNTIL}
    with_inbox(backend, [item(7, Kind.INVITED, {"role": "technician", **PARAMS})])
    app = await signed_in("citizen", backend)
    await app.open_route("/inbox")
    assert app.screen == Screen.INBOX and app.inbox is not None
    assert f"{COLLEGE['name_th']} เชิญคุณเป็นนักศึกษาช่าง" in texts(inbox_view(app.inbox, app.locale))

    await app.inbox.open(7)
    assert backend.calls("POST", "/me/notifications/7/read")
    assert screen_of(app) == Screen.HOME and app.route == HOME_ROUTE
    assert isinstance(app.home, CitizenHome) and app.home.invitation.visible
    assert "ตอบรับ" in texts(app_view(app)) and "ปฏิเสธ" in texts(app_view(app))


async def test_the_teacher_taps_the_answer_and_gets_the_students() -> None:
    backend = FakeBackend()
    with_inbox(backend, [item(8, Kind.INVITE_ACCEPTED, {**PARAMS, "by": "supervisor"}),
                         item(9, Kind.INVITE_DECLINED, {**PARAMS, "by": "supervisor"})])
    app = await signed_in("supervisor", backend)
    await app.open_route("/inbox")
    assert app.inbox is not None
    shown = texts(inbox_view(app.inbox, app.locale))
    assert "นาย ชวนมา ตอบรับคำเชิญแล้ว" in shown and "นาย ชวนมา ปฏิเสธคำเชิญ" in shown
    await app.inbox.open(9)
    assert screen_of(app) == Screen.TECHNICIANS and app.route == TECHNICIANS_ROUTE


async def test_the_admin_taps_the_answer_and_gets_the_colleges() -> None:
    backend = FakeBackend()
    with_inbox(backend, [item(10, Kind.INVITE_ACCEPTED, {**PARAMS, "role": "supervisor", "by": "admin"})])
    app = await signed_in("admin", backend)
    await app.open_route("/inbox")
    assert app.inbox is not None
    await app.inbox.open(10)
    assert screen_of(app) == Screen.COLLEGES and app.route == COLLEGES_ROUTE


async def test_a_tap_on_an_invitation_answered_elsewhere_shows_no_accept_on_the_home() -> None:
    """The home was loaded with the card; the person answered on another device (or an admin withdrew it) and the
    backend closed the notification. Tapping it leads home, which asks the backend again: no Accept for an
    invitation that is gone."""
    backend = FakeBackend()
    backend.invitation = {"role": "technician", "college": COLLEGE, "skills": {}, "invited_at": NOW.isoformat(),
                          "expires_at": INVITED_UNTIL}
    app = await signed_in("citizen", backend)
    assert isinstance(app.home, CitizenHome) and app.home.invitation.visible
    backend.invitation = None
    closed = item(7, Kind.INVITED, {"role": "technician", **PARAMS, "closed": "declined"})
    with_inbox(backend, [{**closed, "read": True}])
    await app.open_route("/inbox")
    assert app.inbox is not None
    shown = texts(inbox_view(app.inbox, app.locale))
    assert "คุณปฏิเสธคำเชิญนี้แล้ว" in shown and "ตอบรับหรือปฏิเสธได้ในแอป" not in " ".join(shown)
    assert app.inbox.unread == 0

    await app.inbox.open(7)
    assert not backend.calls("POST", "/me/notifications/7/read")  # read already: the backend closed it
    assert screen_of(app) == Screen.HOME and isinstance(app.home, CitizenHome)
    assert not app.home.invitation.visible
    assert "ตอบรับ" not in texts(app_view(app))
