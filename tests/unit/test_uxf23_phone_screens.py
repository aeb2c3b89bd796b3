"""Session 22's last findings on the phone screens (look22, /tmp/p22/look22-findings.md), each as the view shows it:
the portfolio names its term once, one name for a request no college has taken, the notification kinds grouped by
topic for the reader's role, and the send-on picker read again without losing the admin's place."""

import json
from typing import Any
from uuid import UUID, uuid4

import flet as ft
import httpx
import pytest

from mobile.live import ServerEvent
from mobile.viewmodels.app import AppViewModel
from mobile.viewmodels.home import AdminHome
from mobile.views.account import account_view
from mobile.views.admin import admin_home_view
from mobile.views.credit import portfolio_view
from shared.notifications import AUDIENCE, TEXTS, TOPICS, Kind, Topic, allowed_prefs, by_topic
from shared.statuses import RequestStatus
from shared.text import APP_UI, STATUS_LABELS, Bilingual, Locale, t
from tests.unit.mobile_fakes import FakeBackend, button_named, find, icon_button_named, texts, waiting_request
from tests.unit.mobile_screens import assert_accessible, signed_in
from tests.unit.test_mobile_account_inbox import Preferences
from tests.unit.test_mobile_admin import AdminBackend
from tests.unit.test_uxd22_phone_screens import TermsBackend

TH, EN = Locale.TH, Locale.EN


# --- 2: the portfolio's term, said once ---------------------------------------------------------------------------

@pytest.mark.parametrize("locale", [TH, EN])
async def test_the_portfolio_names_its_term_once_in_its_picker_not_again_in_the_title(locale: Locale) -> None:
    """The title was "แฟ้มผลงาน ภาคเรียน 2569-2" above a picker showing "2569-2 (ภาคเรียนนี้)": the term twice, the
    title wrapped to two lines at 360 px. Now the title is the screen's name and the picker alone says the term, as
    it changes with a pick."""
    app = await signed_in("technician", TermsBackend("done"), locale)
    await app.open_portfolio()
    folio = app.portfolio
    assert folio is not None
    tree = portfolio_view(folio, locale)
    assert_accessible(tree)
    shown = texts(tree)
    assert t("portfolio_title", locale) in shown
    assert not [s for s in shown if "2569-2" in s]  # only the picker (its value and options) holds the term
    (picker,) = find(tree, ft.Dropdown)
    assert picker.value == "2569-2"
    await folio.show_term("2569-1")
    tree = portfolio_view(folio, locale)
    assert not [s for s in texts(tree) if "2569-1" in s]
    (picker,) = find(tree, ft.Dropdown)
    assert picker.value == "2569-1"



# --- 3: one name for a request no college has taken ----------------------------------------------------------------

def _no_centre_names() -> list[Bilingual]:
    """Every text that names the no_centre state to an admin: their home's heading and empty list, the notification
    kind's label on their account screen, the message they get. (The citizen's next step, "ยังไม่มีศูนย์ซ่อมในระยะ
    ให้บริการ…", names the service, Fixit's repair centres, and is left: tests/integration/test_citizen_record.py,
    not this branch's, asserts its words.)"""
    return [APP_UI["waiting_title"], APP_UI["waiting_empty"], APP_UI["kind_no_centre"], TEXTS[Kind.NO_CENTRE][0]]


@pytest.mark.parametrize("locale", [TH, EN])
def test_the_state_no_college_has_taken_is_named_for_a_college_everywhere(locale: Locale) -> None:
    """The admin's home said "Waiting for a centre" ("รอศูนย์รับงาน") above each request's chip "Waiting for a
    college" ("รอวิทยาลัยรับงาน"); the kind and the admins' message said "centre" too. One thing, one name: the
    status's own, a college."""
    assert APP_UI["waiting_title"] is STATUS_LABELS[RequestStatus.NO_CENTRE]  # the heading is the chip's words
    college, centre = ("วิทยาลัย", "ศูนย์") if locale == TH else ("college", "centre")
    for text in _no_centre_names():
        words = text.in_(locale)
        assert college in words.lower() and centre not in words.lower(), words


@pytest.mark.parametrize("locale", [TH, EN])
async def test_the_admins_waiting_list_heading_says_what_each_requests_chip_says(locale: Locale) -> None:
    app = await signed_in("admin", AdminBackend(), locale)
    home = app.home
    assert isinstance(home, AdminHome) and home.waiting
    shown = texts(admin_home_view(home, locale))
    name = STATUS_LABELS[RequestStatus.NO_CENTRE].in_(locale)
    assert shown.count(name) == 1 + len(home.waiting)  # the heading, then each card's chip
    assert not [s for s in shown if isinstance(s, str) and ("ศูนย์" in s or "centre" in s.lower())]


# --- 4: the notification kinds, grouped by topic --------------------------------------------------------------------

def test_every_kind_has_one_topic_and_an_unknown_kind_comes_last_under_other() -> None:
    placed = [kind for kinds in TOPICS.values() for kind in kinds]
    assert sorted(placed) == sorted(Kind) and len(placed) == len(set(placed))
    assert Topic.OTHER not in TOPICS
    assert by_topic(["rate", "brand_new", "offer_new", "accepted"]) == [
        (Topic.OFFERS, ["offer_new"]), (Topic.MY_REQUESTS, ["accepted", "rate"]), (Topic.OTHER, ["brand_new"])]


ROLE_TOPICS = {
    "citizen": [Topic.MY_REQUESTS, Topic.PARTS, Topic.ACCOUNT],
    "technician": [Topic.OFFERS, Topic.MY_JOBS, Topic.TEAM],
    "supervisor": [Topic.DECISIONS, Topic.COLLEGE_JOBS, Topic.ACCOUNT],
    "admin": [Topic.ADMIN],
}


@pytest.mark.parametrize("locale", [TH, EN])
@pytest.mark.parametrize("role", list(ROLE_TOPICS))
async def test_a_persons_kinds_are_grouped_under_their_roles_topics_in_order(role: str, locale: Locale) -> None:
    """The kinds were one folded list (12 for a citizen, in the backend's order): now, opened, each role's kinds
    stand under short topic headings, the role's own work first; a citizen, a student, a teacher and an admin each
    see only their own topics. Each kind keeps its three (or two) channel boxes as before."""
    kinds = [k for k in Kind if AUDIENCE[k] == role]  # what the backend lists for the role (routes/notifications)
    backend = FakeBackend()
    Preferences(backend, {"channels": {k.value: ["line", "push"] for k in kinds},
                          "quiet_hours": True, "quiet_start": "21:00", "quiet_end": "07:00",
                          "allowed": {k.value: [p.value for p in allowed_prefs(k)] for k in kinds}})
    app = await signed_in(role, backend, locale)
    await app.open_account()
    account = app.account
    assert account is not None and account.settings is not None
    assert not [c for c in find(account_view(account, locale), ft.Semantics) if str(c.key).startswith("topic-")]
    account.toggle_channels()  # still folded until asked for: "sign out" stays a short scroll away
    tree = account_view(account, locale)
    assert_accessible(tree)
    (card,) = [c for c in find(tree, ft.Column) if any(str(x.key).startswith("kind-") for x in c.controls)]
    order = [str(c.key) for c in card.controls if str(c.key).startswith(("topic-", "kind-"))]
    headings = [k.removeprefix("topic-") for k in order if k.startswith("topic-")]
    assert headings == [topic.value for topic in ROLE_TOPICS[role]]
    # Every kind of the role under its own topic's heading, in that topic's order, none twice, none of another role.
    expected: list[str] = []
    for topic in ROLE_TOPICS[role]:
        expected += [f"topic-{topic.value}"] + [f"kind-{k.value}" for k in TOPICS[topic] if k in kinds]
    assert order == expected and len(order) == len(kinds) + len(headings)
    for control in card.controls:
        key = str(control.key)
        if key.startswith("topic-"):
            assert isinstance(control, ft.Semantics) and control.header
            assert texts(control) == [t(f"topic_{key.removeprefix('topic-')}", locale)]
        elif key.startswith("kind-"):
            kind = Kind(key.removeprefix("kind-"))
            assert len(find(control, ft.Checkbox)) == len(allowed_prefs(kind))  # the channel boxes, as before


# --- 5: the send-on picker read again, the admin's place kept -------------------------------------------------------

class _Fits:
    """GET /admin/waiting/{id}/colleges on the fake backend: what it answers now, and each time it was read."""

    def __init__(self, backend: FakeBackend, request_id: str, colleges: list[dict[str, Any]]) -> None:
        self.answer = [{"college_id": c["id"], "students": 3, "needs_teacher": False, "has_teacher": True}
                       for c in colleges]
        self.read = 0
        backend.overrides[("GET", f"/admin/waiting/{request_id}/colleges")] = self._answer

    def _answer(self, _: httpx.Request) -> httpx.Response:
        self.read += 1
        return httpx.Response(200, json=self.answer)


async def _picker_open_with_a_place(locale: Locale) -> tuple[AppViewModel, AdminHome, _Fits, dict[str, Any]]:
    """The admin's picker for a waiting pump, opened from its card, searched, every college shown and one asked
    about: the place a refresh must keep."""
    backend = FakeBackend()
    pump = waiting_request("ปั๊มน้ำ", 18.58, 99.01, days_ago=1)
    backend.waiting = [pump]
    fits = _Fits(backend, pump["id"], backend.colleges)
    app = await signed_in("admin", backend, locale)
    home = app.home
    assert isinstance(home, AdminHome)
    send: Any = button_named(admin_home_view(home, locale), t("dispatch_to_college", locale))
    await send.on_click()
    assert fits.read == 1
    first = backend.colleges[0]
    home.set_pick_query(str(first["code"]))
    home.show_all_colleges()
    home.ask_dispatch(UUID(str(first["id"])))
    assert home.fit_text(UUID(str(first["id"]))) == t("college_fit_students", locale, students=3)
    return app, home, fits, first


def _place(home: AdminHome) -> tuple[object, ...]:
    return home.picking, home.pick_query, home.pick_all, home.confirming


@pytest.mark.parametrize("locale", [TH, EN])
async def test_the_pickers_refresh_reads_which_colleges_can_take_the_job_again_keeping_the_admins_place(
        locale: Locale) -> None:
    """The picker read GET /admin/waiting/{id}/colleges once, when it opened: a college whose students all left (or
    whose teacher did) kept saying "3 students can take it" until the admin closed and opened it again, losing their
    search and question. Its refresh reads it again; the search, "show all" and the question stay."""
    _app, home, fits, first = await _picker_open_with_a_place(locale)
    before = _place(home)
    fits.answer[0] = {**fits.answer[0], "students": 0}
    tree = admin_home_view(home, locale)
    refresh = icon_button_named(tree, t("pick_college_refresh", locale))
    await refresh.on_click()
    assert fits.read == 2 and _place(home) == before
    assert home.fit_text(UUID(str(first["id"]))) == t("college_fit_none", locale)
    shown = texts(admin_home_view(home, locale))
    assert home.confirm_question(home.waiting[0]) is not None and t("college_fit_none", locale) in shown
    assert_accessible(admin_home_view(home, locale))


async def test_a_live_event_about_the_waiting_request_reads_the_open_pickers_colleges_again() -> None:
    """The live event that the waiting request changed (here its details: still no_centre) reloads the home, and
    with it which colleges can take the job; the admin's place in the picker stays."""
    app, home, fits, first = await _picker_open_with_a_place(TH)
    before = _place(home)
    fits.answer[0] = {**fits.answer[0], "needs_teacher": True, "has_teacher": False}
    request_id = str(home.waiting[0].id)
    await app.live_event(ServerEvent("request", json.dumps({"request_id": request_id, "status": "no_centre"})))
    assert fits.read == 2 and _place(home) == before
    assert home.can_take(UUID(str(first["id"]))) is False
    # An event about a request this home neither lists nor waits for changes nothing here: nothing read again.
    await app.live_event(ServerEvent("request", json.dumps({"request_id": str(uuid4()), "status": "done"})))
    assert fits.read == 2 and _place(home) == before


@pytest.mark.parametrize("locale", [TH, EN])
async def test_the_pickers_title_shares_its_row_with_two_icons_only(locale: Locale) -> None:
    """Session 23's leftover: beside the new refresh icon, the worded "ปิด" / "Close" button left the title less than
    half of a 360 px row, and "เลือกวิทยาลัยสำหรับ ปั๊มน้ำ" wrapped to two lines. The row is now the title and two
    icons, each named for a screen reader; a tap on the close icon still closes the picker."""
    _app, home, _fits, _first = await _picker_open_with_a_place(locale)
    home.cancel_dispatch()
    tree = admin_home_view(home, locale)
    (top,) = [c for c in find(tree, ft.Row) if c.key == "picker-top"]
    assert not find(top, ft.TextButton)
    assert [b.tooltip for b in find(top, ft.IconButton)] == [t("pick_college_refresh", locale),
                                                             t("close_panel", locale)]
    icon_button_named(tree, t("close_panel", locale)).on_click()
    assert home.picking is None
    assert_accessible(admin_home_view(home, locale))
