"""Session 22 (uxe22): the frame, the account and the admin's screens on a 360x640 phone (ux21 findings 12, 2-3).

Driven without a browser: the routed views (`app_views`) the app renders, the screens' views and their view-models.
"""

import json
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import flet as ft
import flet_map as ftm
import httpx
import pytest

from mobile.strings import pref_label
from mobile.viewmodels.app import AppViewModel, Screen
from mobile.viewmodels.home import AdminHome, CitizenHome
from mobile.views.account import account_view
from mobile.views.admin import admin_home_view
from mobile.views.frame import app_views
from mobile.views.request_form import MAP_HEIGHT, MAP_TILE_HEIGHT
from shared.notifications import AUDIENCE, Kind, allowed_prefs, by_topic
from shared.text import Locale, t
from tests.unit.mobile_fakes import (
    DetailBackend,
    FakeBackend,
    RequestBackend,
    button_named,
    find,
    icon_button_named,
    texts,
    toggles,
    waiting_request,
    walk,
)
from tests.unit.mobile_screens import current_screen, signed_in

BACK = "ย้อนกลับ"


def named_back(control: object) -> list[Any]:
    """Everything a person could tap as "back" in a tree: text buttons and icon buttons named so."""
    return [c for c in walk(control)
            if (isinstance(c, ft.IconButton) and c.tooltip == BACK)
            or (isinstance(c, ft.Button | ft.TextButton | ft.OutlinedButton) and c.content == BACK)]


async def _inbox(app: AppViewModel) -> None:
    await app.open_inbox()


async def _account(app: AppViewModel) -> None:
    await app.open_account()


async def _detail(app: AppViewModel) -> None:
    home = app.home
    assert isinstance(home, CitizenHome)
    await home.open_request(home.requests[0].id)


async def _form(app: AppViewModel) -> None:
    await app.open_request_form()


async def _technicians(app: AppViewModel) -> None:
    await app.open_technicians()


async def _ledger(app: AppViewModel) -> None:
    await app.open_ledger()


async def _college_jobs(app: AppViewModel) -> None:
    await app.open_college_jobs()


async def _college_credit(app: AppViewModel) -> None:
    await app.open_college_credit()


async def _portfolio(app: AppViewModel) -> None:
    await app.open_portfolio()


async def _colleges(app: AppViewModel) -> None:
    await app.open_colleges_admin()


INNER: list[tuple[str, Callable[[AppViewModel], Awaitable[None]], Callable[[], FakeBackend]]] = [
    ("citizen", _inbox, FakeBackend),
    ("citizen", _account, FakeBackend),
    ("citizen", _detail, DetailBackend),
    ("citizen", _form, RequestBackend),
    ("supervisor", _technicians, FakeBackend),
    ("supervisor", _ledger, FakeBackend),
    ("supervisor", _college_jobs, FakeBackend),
    ("supervisor", _college_credit, FakeBackend),
    ("technician", _portfolio, FakeBackend),
    ("admin", _colleges, FakeBackend),
]


@pytest.mark.parametrize(("role", "open_it", "backend"), INNER,
                         ids=[f"{role}-{open_it.__name__.strip('_')}" for role, open_it, _ in INNER])
async def test_every_inner_screen_has_one_back_in_its_bar_and_no_cut_title(
        role: str, open_it: Callable[[AppViewModel], Awaitable[None]], backend: Callable[[], FakeBackend]) -> None:
    """ux21 finding 12: the app bar's title was cut to "ช่างพันธุ์…" on every inner screen, under it a second back
    ("ย้อนกลับ" from screen_header) took ~50 px. Now the bar holds the one back and no title (the screen's heading
    is just below), and that back goes where a phone's back goes: the home."""
    app = await signed_in(role, backend())
    home_bar = app_views(app)[0].appbar
    assert isinstance(home_bar, ft.AppBar) and home_bar.leading is None  # nothing under the home to go back to
    assert isinstance(home_bar.title, ft.Text) and home_bar.title.value == t("app_title_short", Locale.TH)
    await open_it(app)
    assert app.screen not in (Screen.HOME, Screen.LOGIN)
    top = app_views(app)[-1]
    bar = top.appbar
    assert isinstance(bar, ft.AppBar)
    assert bar.title is None and not bar.automatically_imply_leading  # Flutter's own arrow would be a second back
    assert named_back(top) == [bar.leading], "one back on the screen, in its app bar"
    await icon_button_named(top, BACK).on_click()
    assert current_screen(app) == Screen.HOME


@pytest.mark.parametrize("locale", list(Locale))
async def test_the_homes_bar_names_the_app_by_a_name_that_fits_beside_its_buttons(locale: Locale) -> None:
    """look22: on the home the bar's title was cut to "ช่างพันธุ์ R อาชีวะ…" at 360 px beside the bell, the account
    and the language switch (about 130 px are left for it). The bar says the short name, on one line; the sign-in
    screen, which has the width, keeps the full one."""
    app = await signed_in("citizen", FakeBackend(), locale)
    bar = app_views(app)[0].appbar
    assert isinstance(bar, ft.AppBar) and isinstance(bar.title, ft.Text)
    assert bar.title.value == t("app_title_short", locale) != t("app_title", locale)
    assert bar.title.no_wrap
    assert len(bar.title.value) <= 12, "about 130 px at 16 px a letter"


def citizen_settings() -> dict[str, Any]:
    """A citizen's preferences as the backend lists them: only the kinds a citizen receives (AUDIENCE)."""
    kinds = [k for k in Kind if AUDIENCE[k] == "citizen"]
    return {"channels": {k.value: ["push"] for k in kinds}, "quiet_hours": True, "quiet_start": "21:00",
            "quiet_end": "07:00", "offers_in_quiet_hours": False, "sms_fallback": True,
            "allowed": {k.value: [p.value for p in allowed_prefs(k)] for k in kinds},
            "line_linked": False, "devices": 0, "web_push_public_key": ""}


async def test_the_citizens_channels_are_folded_so_sign_out_is_near() -> None:
    """ux21 finding 12: 13 kinds x App/LINE(/SMS) were ~1,400 px before "ออกจากระบบ". Folded behind one button that
    says how many kinds; the general switches (quiet hours, SMS fallback) stay in view; opened, one block a kind
    with its channels on one tight line (the SMS box wrapped to its own line with the row's default spacing)."""
    backend = FakeBackend()
    settings = citizen_settings()
    puts: list[dict[str, Any]] = []

    def put(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        puts.append(body)
        settings.update(body)
        return httpx.Response(200, json=settings)

    backend.overrides[("GET", "/me/notification-settings")] = lambda r: httpx.Response(200, json=settings)
    backend.overrides[("PUT", "/me/notification-settings")] = put
    app = await signed_in("citizen", backend)
    await app.open_account()
    account = app.account
    assert account is not None and account.settings is not None
    count = len(settings["allowed"])
    assert count >= 10  # the walk-through's 13: what made the screen long

    folded = account_view(account, Locale.TH)
    shown = texts(folded)
    assert not toggles(folded, ft.Checkbox), "no kind's checkboxes before they are asked for"
    assert not [c for c in walk(folded) if isinstance(c, ft.Control) and str(c.key or "").startswith("kind-")]
    assert t("prefs_channels_show", Locale.TH, count=count) in shown
    switches = [label for label, _ in toggles(folded, ft.Switch)]
    assert t("prefs_sms_fallback", Locale.TH) in switches  # the general switches stay in view
    assert "ออกจากระบบ" in shown

    button_named(folded, t("prefs_channels_show", Locale.TH, count=count)).on_click(None)  # type: ignore[attr-defined]
    opened = account_view(account, Locale.TH)
    kinds = [c for c in walk(opened) if isinstance(c, ft.Column) and str(c.key or "").startswith("kind-")]
    # Every kind listed, once, grouped by topic (uxf23: shared.notifications.by_topic orders them).
    assert [str(c.key).removeprefix("kind-") for c in kinds] == [
        kind for _, members in by_topic(settings["allowed"]) for kind in members]
    assert sorted(str(c.key).removeprefix("kind-") for c in kinds) == sorted(settings["allowed"])
    for block in kinds:
        (row,) = [c for c in block.controls if isinstance(c, ft.Row)]
        assert row.spacing == 0 and len(row.controls) == len(settings["allowed"][str(block.key)[5:]])
    assert t("prefs_channels_hide", Locale.TH) in texts(opened)
    # A channel ticked in the opened list is saved as before.
    ready = next(b for b in kinds if b.key == "kind-ready")
    (line,) = [box for n, box in toggles(ready, ft.Checkbox) if n == pref_label("line", Locale.TH)]
    await line.on_change(SimpleNamespace(control=SimpleNamespace(value=True)))
    assert puts and set(puts[-1]["channels"]["ready"]) == {"push", "line"}

    button_named(opened, t("prefs_channels_hide", Locale.TH)).on_click(None)  # type: ignore[attr-defined]
    assert not toggles(account_view(account, Locale.TH), ft.Checkbox)


THUMB_BYTES = b"first-photo-thumb"


async def test_the_admins_waiting_card_shows_the_description_and_the_first_photo() -> None:
    """ux21 finding 12 (admin-home-th.png): the waiting card named only the item. It shows what the citizen wrote,
    clipped to a few lines, and their first before photo's thumbnail (fetched after the list shows, as an offer
    card's), which opens the photo viewer; a request with neither shows neither."""
    backend = FakeBackend()
    described = {**waiting_request("ปั๊มน้ำ", 18.58, 99.01, days_ago=1),
                 "description": "มอเตอร์หมุนแต่ไม่ดูดน้ำ มีเสียงดังตอนเปิด " * 6, "photo_count": 2}
    bare = waiting_request("เครื่องซักผ้า", None, None, days_ago=2)
    backend.waiting = [described, bare]
    asked: list[str] = []

    def photo(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, content=THUMB_BYTES, headers={"content-type": "image/webp"})

    backend.overrides[("GET", f"/requests/{described['id']}/photos/before/0")] = photo
    app = await signed_in("admin", backend)
    home = app.home
    assert isinstance(home, AdminHome)
    assert len(asked) == 1 and "thumb=true" in asked[0]  # the first photo only, as a thumbnail, once

    tree = admin_home_view(home, Locale.TH)
    cards = {c.key: c for c in walk(tree) if isinstance(c, ft.Card) and str(c.key or "").startswith("waiting-")}
    card = cards[f"waiting-{described['id']}"]
    (text,) = [c for c in walk(card) if isinstance(c, ft.Text) and str(c.value or "").startswith("มอเตอร์")]
    assert text.max_lines == 3 and text.overflow == ft.TextOverflow.ELLIPSIS
    (image,) = find(card, ft.Image)
    assert image.src == THUMB_BYTES and image.semantics_label == "รูปก่อนซ่อมที่ 1"
    other = cards[f"waiting-{bare['id']}"]
    assert not find(other, ft.Image) and "มอเตอร์" not in " ".join(str(x) for x in texts(other))

    openers: list[Any] = [c for c in walk(card) if isinstance(c, ft.Container) and c.on_click is not None]
    (opener,) = openers
    await opener.on_click()
    assert app.photo_viewer.is_open


async def test_the_form_shows_a_small_tile_until_the_map_is_asked_for() -> None:
    """ux21 finding 12: a finger scrolling the form over its 240 px map panned the map. Until asked for, a small
    tile stands in its place ("แตะเพื่อเลือกตำแหน่งบนแผนที่"); tapped, the map shows (a tap on it places the pin, as
    before) with "ปิดแผนที่", which folds it back and keeps the pin."""
    app = await signed_in("citizen", RequestBackend())
    await app.open_request_form()
    form = app.request_form
    assert form is not None
    tree = app_views(app)[-1]
    assert not find(tree, ftm.Map)
    (tile,) = [c for c in walk(tree) if isinstance(c, ft.Semantics) and c.label == "แตะเพื่อเลือกตำแหน่งบนแผนที่"]
    assert tile.button and isinstance(tile.content, ft.Container) and tile.content.height == MAP_TILE_HEIGHT
    # Its words are shown, but out of its semantics (they are its label): a screen reader read them twice (look22).
    (words,) = [c for c in walk(tile.content) if isinstance(c, ft.Text)]
    (hidden,) = [c for c in walk(tile.content) if isinstance(c, ft.Semantics) and c.content is words]
    assert words.value == tile.label and hidden.exclude_semantics
    tap: Any = tile.content.on_click  # the view-model's handler (it takes the event and ignores it)
    tap(None)

    tree = app_views(app)[-1]
    (shown,) = find(tree, ftm.Map)
    assert shown.height == MAP_HEIGHT
    assert [c for c in walk(tree) if isinstance(c, ft.Semantics) and c.label == "แผนที่สำหรับปักหมุดตำแหน่ง"]
    await shown.on_tap(SimpleNamespace(coordinates=SimpleNamespace(latitude=18.79, longitude=98.98)))
    assert (form.lat, form.lon) == (18.79, 98.98)

    button_named(app_views(app)[-1], "ปิดแผนที่").on_click(None)  # type: ignore[attr-defined]
    tree = app_views(app)[-1]
    assert not find(tree, ftm.Map) and (form.lat, form.lon) == (18.79, 98.98)
    assert any("18.79000" in str(x) for x in texts(tree))  # where the pin is, said under the tile


async def test_the_send_on_picker_says_which_colleges_can_take_the_job() -> None:
    """ux21 finding 2-3: the picker did not say which colleges could take the job (a send-on to one that cannot
    answered 409 after the confirmation). Opened, it reads GET /admin/waiting/{id}/colleges once and says under
    each college how many of its students fit, or why it cannot take the job; the question says it again."""
    backend = FakeBackend()
    pump = waiting_request("ปั๊มน้ำ", 18.58, 99.01, days_ago=1)
    backend.waiting = [pump]
    colleges = backend.colleges
    assert len(colleges) >= 1
    fits = [{"college_id": c["id"], "students": 0 if n else 3, "needs_teacher": False, "has_teacher": True}
            for n, c in enumerate(colleges)]
    read: list[str] = []

    def fit(request: httpx.Request) -> httpx.Response:
        read.append(request.url.path)
        return httpx.Response(200, json=fits)

    backend.overrides[("GET", f"/admin/waiting/{pump['id']}/colleges")] = fit
    app = await signed_in("admin", backend)
    home = app.home
    assert isinstance(home, AdminHome)
    tree = admin_home_view(home, Locale.TH)
    send: Any = button_named(tree, "ส่งให้วิทยาลัย")
    await send.on_click()
    assert read == [f"/admin/waiting/{pump['id']}/colleges"]
    tree = admin_home_view(home, Locale.TH)
    shown = texts(tree)
    assert "มีนักศึกษาที่ทำงานนี้ได้ 3 คน" in shown
    if len(colleges) > 1:
        assert "ไม่มีนักศึกษาที่ทำงานนี้ได้" in shown
    first = colleges[0]
    (choice,) = [c for c in walk(tree) if isinstance(c, ft.Column) and c.key == f"choice-{first['id']}"]
    assert isinstance(choice.controls[0], ft.OutlinedButton)  # the button first: the word under it moves nothing
    ask: Any = choice.controls[0]
    await ask.on_click()
    assert "มีนักศึกษาที่ทำงานนี้ได้ 3 คน" in texts(admin_home_view(home, Locale.TH))  # in the question too
    home.close_picker()
    assert home.fits == {}
    # A job that needs a teacher, at a college with none: why it cannot take it.
    home.fits = {}
    fits[0] = {**fits[0], "needs_teacher": True, "has_teacher": False}
    home.open_picker(home.waiting[0].id)
    await home.fit_colleges(home.waiting[0].id)
    assert home.fit_text(UUID(str(first["id"]))) == "มีนักศึกษา 3 คน แต่ไม่มีครูควบคุม (งานนี้ต้องมีครู)"
    assert home.can_take(UUID(str(first["id"]))) is False
