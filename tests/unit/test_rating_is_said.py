"""The citizen's star rating (request detail → "ให้คะแนน") says which rating is chosen, in words read out as it
changes, not only by filled star icons (audit16a finding 1)."""

from typing import Any

import flet as ft

from mobile.views.frame import app_view
from tests.unit.mobile_fakes import DetailBackend, button_named, find, walk
from tests.unit.mobile_screens import open_detail


def spoken(tree: ft.Control) -> list[str]:
    """Everything a screen reader can say about a tree: words (Text values, plain-string contents and labels,
    tooltips, semantics labels, Semantics labels, values and hints) and the states it announces (selected, checked,
    toggled, on a Semantics; selected on a Chip or an IconButton; a toggle's value)."""
    said: list[str] = []
    for c in walk(tree):
        for name in ("value", "content", "label", "tooltip", "semantics_label", "hint", "error"):
            value: Any = getattr(c, name, None)
            if isinstance(value, str) and value and not (isinstance(c, ft.TextField) and name == "value"):
                said.append(f"{name}:{value}")
        if isinstance(c, ft.Semantics):
            for flag in ("selected", "checked", "toggled"):
                if getattr(c, flag, None) is not None:
                    said.append(f"{flag}:{getattr(c, flag)}")
        if isinstance(c, ft.Chip | ft.IconButton) and getattr(c, "selected", None) is not None:
            said.append(f"selected:{c.selected}")
        if isinstance(c, ft.Checkbox | ft.Switch):
            said.append(f"checked:{c.value}")
    return said


async def test_the_chosen_rating_is_said_not_only_drawn() -> None:
    """Request detail (citizen) → "ให้คะแนน": five icon buttons "1 ดาว" … "5 ดาว". Tapping "4 ดาว" fills four stars,
    and that is all: nothing a screen reader says changes (no selected state, no "4 จาก 5" text), so a TalkBack user
    cannot tell which rating they are about to send, or whether their tap counted."""
    backend = DetailBackend()
    backend.actions = ["rate"]
    backend.my_requests[0]["status"] = "handed_back"
    app, detail = await open_detail(backend)
    await button_named(app_view(app), "ให้คะแนน").on_click()  # type: ignore[attr-defined]
    before = spoken(app_view(app))
    stars = [s for s in find(app_view(app), ft.IconButton) if (s.tooltip or "").endswith("ดาว")]
    assert len(stars) == 5
    await next(s for s in stars if s.tooltip == "4 ดาว").on_click()
    assert detail.rating == 4
    after = spoken(app_view(app))
    assert after != before, "choosing 4 stars changed nothing a screen reader can say"


async def test_the_chosen_rating_is_read_out_in_words_as_it_changes() -> None:
    """The words are a live region under the stars: "ยังไม่ได้เลือกคะแนน…" before a tap, "เลือกแล้ว 4 จาก 5 ดาว"
    after it, and they follow a change of mind."""
    backend = DetailBackend()
    backend.actions = ["rate"]
    backend.my_requests[0]["status"] = "handed_back"
    app, _detail = await open_detail(backend)
    await button_named(app_view(app), "ให้คะแนน").on_click()  # type: ignore[attr-defined]

    def announced() -> list[str]:
        return [t.value for s in find(app_view(app), ft.Semantics, lambda s: bool(s.live_region))
                for t in find(s, ft.Text)]

    assert "ยังไม่ได้เลือกคะแนน แตะดาวเพื่อให้คะแนน" in announced()
    for n in (4, 2):
        star = next(s for s in find(app_view(app), ft.IconButton) if s.tooltip == f"{n} ดาว")
        await star.on_click()
        assert f"เลือกแล้ว {n} จาก 5 ดาว" in announced()
