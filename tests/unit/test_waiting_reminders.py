"""The clock's messages of a wait on someone (shared/reminders.py): each new kind reads in Thai and English, leads to
the reader's screen, is named in the reader's settings, and the app's inbox parses and shows it as the backend
renders it. The reminders' days are the ones the citizen reads on their request (shared.text.NEXT_STEPS)."""

import re
from typing import Any

import httpx

from mobile.views.inbox import inbox_view
from shared.notifications import AUDIENCE, Kind, render
from shared.reminders import COLLECT_ESCALATE_DAYS, COLLECT_REMIND_DAYS, IN_HAND_DUE_DAYS
from shared.roles import Actor
from shared.statuses import RequestStatus, Route, can_move, next_statuses
from shared.text import EVENT_NOTES, NEXT_STEPS, Locale, t
from shared.wire import NotificationItem
from tests.unit.mobile_fakes import NOW, FakeBackend, texts
from tests.unit.mobile_screens import signed_in

COLLEGE = {"college_th": "วิทยาลัยเทคนิคลำพูน", "college_en": "Lamphun Technical College"}
NEW_KINDS: dict[Kind, tuple[str, dict[str, Any]]] = {
    Kind.SENT_AGAIN: ("citizen", {"item": "พัดลม", **COLLEGE}),
    Kind.COLLECT_REMINDER: ("citizen", {"item": "พัดลม", "place": "centre", **COLLEGE}),
    Kind.WORK_OVERDUE: ("technician", {"item": "พัดลม", **COLLEGE}),
    Kind.WORK_STALLED: ("supervisor", {"item": "พัดลม", "technician": "เอ", "nobody_at_college": False, **COLLEGE}),
    Kind.UNCOLLECTED: ("supervisor", {"item": "พัดลม", "days": 8, "nobody_at_college": False, **COLLEGE}),
}


def test_each_new_kind_reads_in_both_languages_for_its_reader() -> None:
    for kind, (reader, params) in NEW_KINDS.items():
        assert AUDIENCE[kind] == reader
        assert t(f"kind_{kind.value}", Locale.TH) != t("kind_other", Locale.TH, kind=kind.value)
        th = render(kind, params, Locale.TH, NOW, ref_no=690001, request_id="r1")
        en = render(kind, params, Locale.EN, NOW, ref_no=690001, request_id="r1")
        assert "FX-690001" in th.title and "FX-690001" in en.title
        assert th.body.startswith("พัดลม") and re.search("[ก-๙]", th.body) and not re.search("[ก-๙]", en.title)
        assert "{" not in th.body + en.body + th.title + en.title
        assert th.link == ("/requests/r1" if reader == "citizen" else "/jobs/r1")
    assert "8 days" in render(Kind.UNCOLLECTED, NEW_KINDS[Kind.UNCOLLECTED][1], Locale.EN, NOW).body
    assert "Lamphun Technical College" in render(Kind.COLLECT_REMINDER, NEW_KINDS[Kind.COLLECT_REMINDER][1],
                                                 Locale.EN, NOW).body
    assert "sent_again" in EVENT_NOTES


def test_an_admin_told_of_a_stalled_job_reads_that_no_teacher_can_decide() -> None:
    params = {**NEW_KINDS[Kind.WORK_STALLED][1], "nobody_at_college": True}
    said = render(Kind.WORK_STALLED, params, Locale.EN, NOW, ref_no=690002, request_id="r2").body
    assert said.endswith("(no teacher of Lamphun Technical College can decide it now)")


def test_the_reminders_days_are_the_ones_the_citizen_was_told() -> None:
    def upper_days(status: RequestStatus) -> int:
        wait = NEXT_STEPS[status][1]
        assert wait is not None
        return int(re.findall(r"\d+", wait.en)[-1])

    for status, days in IN_HAND_DUE_DAYS.items():
        assert days == upper_days(status), status
    assert COLLECT_REMIND_DAYS == upper_days(RequestStatus.DONE) < COLLECT_ESCALATE_DAYS


async def test_the_apps_inbox_parses_and_shows_each_new_kind() -> None:
    for kind, (reader, params) in NEW_KINDS.items():
        shown = render(kind, params, Locale.TH, NOW, ref_no=690001, request_id="8d3c1f44-0b1e-4f57-9c1a-5b6f8f0a1b2c")
        row = {"id": 1, "kind": kind.value, "title": shown.title, "body": shown.body, "link": shown.link,
               "request_id": "8d3c1f44-0b1e-4f57-9c1a-5b6f8f0a1b2c", "created_at": NOW.isoformat(), "read": False}
        assert NotificationItem.model_validate(row).kind == kind.value
        backend = FakeBackend()
        backend.overrides[("GET", "/me/notifications/unread-count")] = lambda _: httpx.Response(
            200, json={"unread_count": 1})

        def page(_: httpx.Request, row: dict[str, Any] = row) -> httpx.Response:
            return httpx.Response(200, json={"items": [row], "unread_count": 1, "next_before_id": None})

        backend.overrides[("GET", "/me/notifications")] = page
        app = await signed_in(reader, backend)
        await app.open_route("/inbox")
        assert app.inbox is not None, kind
        on_screen = texts(inbox_view(app.inbox, app.locale))
        assert shown.title in on_screen and shown.body in on_screen, kind


def test_the_clocks_revival_is_a_move_the_one_rule_already_allows_and_a_cancel_is_final() -> None:
    """No new move: the clock offers a waiting request again as the dispatcher (shared.statuses `_MOVES`); nothing,
    the clock included, moves a cancelled request."""
    assert can_move(RequestStatus.NO_CENTRE, RequestStatus.OFFERED, Actor.SYSTEM, Route.DISPATCH)
    for actor in Actor:
        for route in Route:
            assert next_statuses(RequestStatus.CANCELLED, actor, route) == []
