"""A tap is not lost when something appears above what it was aimed at. Flet 1.0 re-renders the app's component and
reconciles the new control tree with the last one (ObjectPatch.from_diff, frozen trees); a control keeps its id
(`_i`, which a tap names) only when the diff pairs it with its predecessor. Unkeyed siblings are paired by their
place among the unkeyed ones, so a banner or panel that appears above a button shifts the button onto another
control's slot: it gets a new id, and a tap on the old one is dropped (or reaches whatever took that slot).
Keyed siblings are paired by key (flet/controls/object_patch.py, DiffBuilder._compare_lists)."""

import dataclasses
from typing import Any
from uuid import uuid4

import flet as ft
import httpx
from flet.controls.object_patch import ObjectPatch

from mobile.viewmodels.home import CitizenHome, TechnicianHome
from mobile.views.citizen import citizen_home_view
from mobile.views.frame import app_views
from mobile.views.inbox import inbox_view
from mobile.views.job import job_view
from mobile.views.request_detail import request_detail_view
from mobile.views.technician import technician_home_view
from shared.text import Locale, t
from tests.unit.mobile_fakes import (
    COLLEGE,
    INVITED_UNTIL,
    NOW,
    DetailBackend,
    FakeBackend,
    button_named,
    request_summary,
    texts,
    walk,
)
from tests.unit.mobile_screens import open_detail, signed_in, technician_job

TH = Locale.TH


def reconcile(before: ft.BaseControl, after: ft.BaseControl) -> None:
    """What the session does when the app re-renders: diff the new tree against the old one as frozen trees;
    every control the diff pairs with an old one takes over the old one's id."""
    ObjectPatch.from_diff(before, after, control_cls=ft.BaseControl, frozen=True)


def tappable(tree: ft.BaseControl, label: str) -> ft.BaseControl:
    """The tap target inside the Semantics that names it (a request card, a photo thumbnail)."""
    (found,) = [c for c in walk(tree) if isinstance(c, ft.Semantics) and c.label == label]
    assert isinstance(found.content, ft.BaseControl)
    return found.content


def ids(tree: ft.BaseControl, *targets: Any) -> list[int]:
    return [target(tree)._i for target in targets]


def by_button(name: str) -> Any:
    return lambda tree: button_named(tree, name)


def by_label(label: str) -> Any:
    return lambda tree: tappable(tree, label)


def siblings_keyed_once(tree: ft.BaseControl) -> None:
    """No two siblings share a key: Flutter refuses duplicate keys in one list, and the diff would pair wrongly."""
    for control in walk(tree):
        for field in dataclasses.fields(control):
            value = getattr(control, field.name, None)
            if field.name.startswith("_") or not isinstance(value, list):
                continue
            keys = [c.key for c in value if isinstance(c, ft.BaseControl) and c.key is not None]
            assert len(keys) == len(set(keys)), (control, keys)


def kept(before: ft.BaseControl, after: ft.BaseControl, *targets: Any) -> bool:
    """Whether every target (found in each tree) has the same id after the re-render as before it."""
    siblings_keyed_once(before)
    siblings_keyed_once(after)
    old = ids(before, *targets)
    reconcile(before, after)
    return ids(after, *targets) == old


def with_banner(banner: bool, *, key: str | None = None) -> ft.Column:
    controls: list[ft.Control] = [ft.Text("หัวข้อ")]
    if banner:
        controls.append(ft.Text("บันทึกแล้ว", key=key))
    controls.append(ft.Row([ft.FilledButton("บันทึก")]))
    return ft.Column(controls)


def test_flet_gives_a_button_a_new_id_when_an_unkeyed_control_appears_above_it() -> None:
    # The evidence, in Flet alone: the same tree again keeps the id; an unkeyed banner above changes it;
    # the banner keyed leaves it.
    assert kept(with_banner(False), with_banner(False), by_button("บันทึก"))
    assert not kept(with_banner(False), with_banner(True), by_button("บันทึก"))
    assert kept(with_banner(False), with_banner(True, key="notice"), by_button("บันทึก"))
    assert kept(with_banner(True, key="notice"), with_banner(False), by_button("บันทึก"))


async def test_job_buttons_keep_their_ids_when_the_step_panel_opens_and_closes() -> None:
    _, _app, job = await technician_job()
    targets = (by_button(t("save_report", TH)), by_button(t("add_part", TH)))
    before = job_view(job, TH)
    job.start_step(job.steps[0].to_status)
    opened = job_view(job, TH)
    assert t("step_confirm", TH) in texts(opened)
    assert kept(before, opened, *targets)
    job.dismiss_step()
    closed = job_view(job, TH)
    assert kept(opened, closed, *targets)


async def test_job_save_keeps_its_id_when_a_part_row_is_added_above_it() -> None:
    _, _app, job = await technician_job()
    before = job_view(job, TH)
    job.add_part()
    after = job_view(job, TH)
    assert t("part_name", TH, n=1) in texts(after)
    assert kept(before, after, by_button(t("save_report", TH)))


async def test_request_detail_photo_keeps_its_id_when_the_action_panel_opens() -> None:
    _app, detail = await open_detail(DetailBackend())
    photo = by_label(t("photo_open", TH, label=t("photo_before_alt", TH, n=1)))
    before = request_detail_view(detail, TH)
    detail.start_action(detail.actions[0])
    after = request_detail_view(detail, TH)
    assert t("confirm_cancel", TH) in texts(after)
    assert kept(before, after, photo)


async def test_citizen_card_keeps_its_id_when_a_new_request_arrives_at_the_top() -> None:
    backend = FakeBackend()
    app = await signed_in("citizen", backend)
    home = app.home
    assert isinstance(home, CitizenHome)
    fan = by_label(t("open_request", TH, item="พัดลม"))
    before = citizen_home_view(home, TH)
    backend.my_requests.insert(0, request_summary("ตู้เย็น", "submitted"))
    await home.load()
    after = citizen_home_view(home, TH)
    assert "ตู้เย็น" in texts(after)
    assert kept(before, after, fan, by_button(t("new_request", TH)))


async def test_technician_accept_and_job_keep_their_ids_when_a_new_offer_arrives_at_the_top() -> None:
    backend = FakeBackend()
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome)
    job_card = by_label(t("open_request", TH, item="โทรทัศน์"))

    def accept_on_old_offer(tree: ft.BaseControl) -> ft.BaseControl:
        (card,) = [c for c in walk(tree) if isinstance(c, ft.Card) and "ตู้เย็นไม่เย็น" in texts(c)]
        return button_named(card, t("accept_offer", TH))

    before = technician_home_view(home, TH)
    backend.offers.insert(0, {**backend.offers[0], "offer_id": str(uuid4()), "request_id": str(uuid4()),
                              "item": "พัดลมไม่หมุน"})
    await home.load()
    after = technician_home_view(home, TH)
    assert "พัดลมไม่หมุน" in texts(after)
    assert kept(before, after, job_card, accept_on_old_offer)


async def test_request_detail_confirm_keeps_its_id_when_the_refusal_appears_above_it() -> None:
    backend = DetailBackend()
    _app, detail = await open_detail(backend)
    detail.start_action(detail.actions[0])
    before = request_detail_view(detail, TH)
    backend.actions = []  # answered 409 illegal_transition: the panel stays open with the reason above its buttons
    await detail.confirm()
    after = request_detail_view(detail, TH)
    assert detail.action_error is not None and detail.action_error in texts(after)
    assert kept(before, after, by_button(t("confirm_cancel", TH)), by_button(t("keep_request", TH)))


async def test_citizen_cards_keep_their_ids_when_the_invitation_card_appears_above_them() -> None:
    backend = FakeBackend()
    app = await signed_in("citizen", backend)
    home = app.home
    assert isinstance(home, CitizenHome)
    cards = (by_label(t("open_request", TH, item="หม้อหุงข้าว")), by_label(t("open_request", TH, item="พัดลม")))
    before = citizen_home_view(home, TH)
    backend.invitation = {"role": "technician", "college": COLLEGE, "skills": {"electrical": 2},
                          "invited_at": NOW.isoformat(),
                          "expires_at": INVITED_UNTIL}
    await home.refresh_invitation()
    after = citizen_home_view(home, TH)
    assert t("invitation_accept", TH) in texts(after)
    assert kept(before, after, *cards)


def notification(nid: int, *, read: bool) -> dict[str, Any]:
    return {"id": nid, "kind": "offer_new", "title": f"งานใหม่ FX-69000{nid}", "body": "พัดลม: ตอบรับภายใน 30 นาที",
            "link": "/offers", "request_id": str(uuid4()), "created_at": NOW.isoformat(), "read": read}


async def test_inbox_item_and_older_keep_their_ids_when_an_unread_one_arrives_at_the_top() -> None:
    backend = FakeBackend()
    items = [notification(5, read=True)]
    backend.overrides[("GET", "/me/notifications/unread-count")] = lambda _: httpx.Response(
        200, json={"unread_count": sum(not n["read"] for n in items)})
    backend.overrides[("GET", "/me/notifications")] = lambda _: httpx.Response(
        200, json={"items": items, "unread_count": sum(not n["read"] for n in items), "next_before_id": 5})
    app = await signed_in("citizen", backend)
    inbox = app.inbox
    assert inbox is not None
    await inbox.load()

    def item_five(tree: ft.BaseControl) -> ft.BaseControl:
        (card,) = [c for c in walk(tree) if isinstance(c, ft.Card) and "งานใหม่ FX-690005" in texts(c)]
        return card

    before = inbox_view(inbox, TH)
    items.insert(0, notification(6, read=False))
    await inbox.load()
    after = inbox_view(inbox, TH)
    assert t("inbox_mark_all", TH) in texts(after)
    assert kept(before, after, item_five, by_button(t("inbox_older", TH)))


async def test_a_tap_on_one_offer_cannot_reach_the_offer_that_arrives_above_it() -> None:
    # Paired by place, the new card would take over the old card's ids: a tap on "รับงาน" aimed at the old offer
    # would accept the new one.
    backend = FakeBackend()
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome)

    def accept_on(item: str) -> Any:
        def find_it(tree: ft.BaseControl) -> ft.BaseControl:
            (card,) = [c for c in walk(tree) if isinstance(c, ft.Card) and item in texts(c)]
            return button_named(card, t("accept_offer", TH))
        return find_it

    before = technician_home_view(home, TH)
    (aimed_at,) = ids(before, accept_on("ตู้เย็นไม่เย็น"))
    backend.offers.insert(0, {**backend.offers[0], "offer_id": str(uuid4()), "request_id": str(uuid4()),
                              "item": "พัดลมไม่หมุน"})
    await home.load()
    after = technician_home_view(home, TH)
    reconcile(before, after)
    (new_offers_accept,) = ids(after, accept_on("พัดลมไม่หมุน"))
    assert new_offers_accept != aimed_at


async def test_no_two_siblings_share_a_key_on_any_roles_home_or_the_job() -> None:
    for role in ("citizen", "technician", "supervisor", "admin"):
        app = await signed_in(role, FakeBackend())
        for view in app_views(app):
            siblings_keyed_once(view)
    _, app, _job = await technician_job()
    for view in app_views(app):
        siblings_keyed_once(view)
