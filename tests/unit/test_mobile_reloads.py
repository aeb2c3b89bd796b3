"""Reloads on a busy, flaky phone: a reload asked for while another is on its way, and what a list shows meanwhile."""

import asyncio
import json

import httpx

from mobile.live import ServerEvent
from mobile.viewmodels.home import TechnicianHome
from mobile.viewmodels.loadable import LoadState
from mobile.views.frame import app_view
from mobile.views.inbox import inbox_view
from mobile.views.supervisor_tools import technicians_view
from shared.text import Locale
from tests.unit.mobile_fakes import NOW, FakeBackend, WorkBackend, button_named, texts
from tests.unit.mobile_screens import signed_in


def _declining(backend: FakeBackend, offer_id: str) -> None:
    def decline(_: httpx.Request) -> httpx.Response:
        backend.offers = [o for o in backend.offers if o["offer_id"] != offer_id]
        return httpx.Response(204)

    backend.overrides[("POST", f"/offers/{offer_id}/decline")] = decline


async def test_an_offer_answered_during_a_live_reload_leaves_the_list() -> None:
    """A live event started a reload; the student declined the offer before that reload's answer came. The
    reload asked for after the decline must still happen: the first one's answer predates the decline."""
    backend = FakeBackend()
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome) and len(home.offers) == 1
    offer_id = backend.offers[0]["offer_id"]
    _declining(backend, offer_id)
    backend.hold_next("/technician/offers")
    event = ServerEvent("offer", json.dumps({"offer_id": str(offer_id), "status": "pending"}))
    live = asyncio.ensure_future(app.live_event(event))
    await backend.held.wait()
    home.ask_decline(home.offers[0].offer_id)  # a decline asks first (fixtaps16)
    await home.decline(home.offers[0].offer_id)
    backend.release.set()
    await live
    assert home.offers == []
    assert "ตู้เย็นไม่เย็น" not in texts(app_view(app))


async def test_a_home_keeps_its_list_while_it_reloads() -> None:
    """Every live event and poll reloads the home: the offers must stay where they are meanwhile, not give way to a
    loading line (a tap aimed at "รับงาน" landed on whatever moved under it, or on nothing)."""
    backend = FakeBackend()
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome)
    backend.hold_next("/technician/offers")
    reload = asyncio.ensure_future(home.load())
    await backend.held.wait()
    shown = texts(app_view(app))
    backend.release.set()
    await reload
    assert "ตู้เย็นไม่เย็น" in shown and "รับงาน" in shown
    assert "กำลังโหลด…" not in shown


def _notification(nid: int) -> dict[str, object]:
    return {"id": nid, "kind": "offer_new", "title": f"งานใหม่ {nid}", "body": "พัดลม", "link": "/inbox",
            "request_id": None, "created_at": NOW.isoformat(), "read": True}


async def test_the_inbox_error_goes_once_older_notifications_came() -> None:
    """"Older" tapped offline says there is no connection; tapped again once the network is back, the older ones
    show and the no-connection line must go (it stayed under the list)."""
    backend = FakeBackend()
    backend.overrides[("GET", "/me/notifications/unread-count")] = lambda r: httpx.Response(
        200, json={"unread_count": 0})

    def page(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("before_id") == "2":
            return httpx.Response(200, json={"items": [_notification(1)], "unread_count": 0, "next_before_id": None})
        return httpx.Response(200, json={"items": [_notification(2)], "unread_count": 0, "next_before_id": 2})

    backend.overrides[("GET", "/me/notifications")] = page
    app = await signed_in("technician", backend)
    await app.open_inbox()
    inbox = app.inbox
    assert inbox is not None and inbox.next_before_id == 2
    backend.offline = True
    await inbox.load_older()
    offline = "เชื่อมต่อเซิร์ฟเวอร์ไม่ได้ กรุณาตรวจสอบอินเทอร์เน็ต"
    assert offline in texts(inbox_view(inbox, Locale.TH))
    backend.offline = False
    await inbox.load_older()
    shown = texts(inbox_view(inbox, Locale.TH))
    assert "งานใหม่ 1" in shown
    assert offline not in shown and inbox.error is None


async def test_a_failed_reload_keeps_the_list_under_its_error() -> None:
    """Polling every few seconds on a flaky line: a reload that fails says so with a retry, above the offers the
    student was reading, which stay (they vanished behind the error until the next poll went through)."""
    backend = FakeBackend()
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome)
    backend.offline = True
    await home.load()
    tree = app_view(app)
    shown = texts(tree)
    assert "เชื่อมต่อเซิร์ฟเวอร์ไม่ได้ กรุณาตรวจสอบอินเทอร์เน็ต" in shown
    assert "ตู้เย็นไม่เย็น" in shown and "รับงาน" in shown
    button_named(tree, "ลองใหม่")
    backend.offline = False
    await home.load()
    shown = texts(app_view(app))
    assert "เชื่อมต่อเซิร์ฟเวอร์ไม่ได้ กรุณาตรวจสอบอินเทอร์เน็ต" not in shown and "ตู้เย็นไม่เย็น" in shown


async def test_older_notifications_stay_when_a_new_one_comes_in() -> None:
    """The person paged back to older notifications; a new one arrives while the inbox shows (or the 5-second poll
    reloads it): the list gets the new one on top and keeps the older ones (it went back to the first page)."""
    backend = FakeBackend()
    server = [3, 2, 1]  # newest first; a page holds two
    backend.overrides[("GET", "/me/notifications/unread-count")] = lambda r: httpx.Response(
        200, json={"unread_count": 0})

    def page(request: httpx.Request) -> httpx.Response:
        before = request.url.params.get("before_id")
        rows = [n for n in server if before is None or n < int(before)][:2]
        more = rows[-1] if rows and rows[-1] > min(server) else None
        return httpx.Response(200, json={"items": [_notification(n) for n in rows], "unread_count": 0,
                                         "next_before_id": more})

    backend.overrides[("GET", "/me/notifications")] = page
    app = await signed_in("technician", backend)
    await app.open_inbox()
    inbox = app.inbox
    assert inbox is not None
    await inbox.load_older()
    assert [n.id for n in inbox.items] == [3, 2, 1] and inbox.next_before_id is None
    server.insert(0, 4)
    await app.live_event(ServerEvent("notification", json.dumps({"kind": "notification", "notification_id": 4})))
    assert [n.id for n in inbox.items] == [4, 3, 2, 1] and inbox.next_before_id is None
    assert "งานใหม่ 1" in texts(inbox_view(inbox, Locale.TH))


async def test_the_students_page_keeps_its_rows_while_it_reloads() -> None:
    """After a student is added the page reloads: the rows (and the form just used) stay meanwhile."""
    backend = WorkBackend()
    app = await signed_in("supervisor", backend)
    await app.open_technicians()
    screen = app.technicians
    assert screen is not None and screen.rows
    screen.state = LoadState.LOADING  # a reload on its way, as after an add or an import
    shown = texts(technicians_view(screen, Locale.TH))
    assert "วิชัย" in shown and "กำลังโหลด…" not in shown


async def test_a_language_switch_in_the_inbox_drops_the_older_pages_in_the_old_language() -> None:
    """The backend writes each notification in the person's language: after a switch the list is fetched again,
    and older pages kept from before would stay in the old language; they go, to be paged in again."""
    backend = FakeBackend()
    backend.overrides[("GET", "/me/notifications/unread-count")] = lambda r: httpx.Response(
        200, json={"unread_count": 0})

    def page(request: httpx.Request) -> httpx.Response:
        english = backend.locales.get("technician") == "en"
        before = request.url.params.get("before_id")
        rows = [n for n in (3, 2, 1) if before is None or n < int(before)][:2]
        items = [{**_notification(n), "title": f"New job {n}" if english else f"งานใหม่ {n}"} for n in rows]
        return httpx.Response(200, json={"items": items, "unread_count": 0,
                                         "next_before_id": rows[-1] if rows[-1] > 1 else None})

    backend.overrides[("GET", "/me/notifications")] = page
    app = await signed_in("technician", backend)
    await app.open_inbox()
    inbox = app.inbox
    assert inbox is not None
    await inbox.load_older()
    assert [n.title for n in inbox.items] == ["งานใหม่ 3", "งานใหม่ 2", "งานใหม่ 1"]
    await app.toggle_locale()
    assert [n.title for n in inbox.items] == ["New job 3", "New job 2"] and inbox.next_before_id == 2
