"""Checkboxes and switches with their label beside them (mobile/views/common.py::labelled_toggle): Flet 1.0 draws a
toggle's own `label` on one line that runs off a 360 px phone in English (tests/e2e/test_narrow_phone_toggles.py
shows it in a browser). Here: the text wraps, tapping it toggles as Flet's own label did, and no view goes back to
a toggle's own label."""

import ast
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import flet as ft

from mobile.settings import PROJECT_ROOT
from mobile.views.account import account_view
from mobile.views.common import DISABLED_CONTENT, labelled_toggle
from mobile.views.frame import app_view
from tests.unit.mobile_fakes import FakeBackend, RequestBackend, find, toggles
from tests.unit.mobile_screens import open_form, signed_in
from tests.unit.test_mobile_account_inbox import Inbox, Preferences

CONSENT = "ยินยอมให้ใช้ข้อมูลส่วนบุคคลเพื่อการซ่อม"


def label_tap(tree: ft.BaseControl, label: str) -> Any:
    """The tap handler of the text drawn beside a toggle (None: the text does nothing)."""
    (text,) = [g for g in find(tree, ft.GestureDetector)
               if isinstance(g.content, ft.Text) and g.content.value == label]
    return text.on_tap


def test_the_label_is_a_text_that_takes_the_rest_of_the_line_and_wraps() -> None:
    merged = labelled_toggle(ft.Switch(value=False), "SMS when the app and LINE cannot reach me", lambda _: None,
                             key="sms")
    assert isinstance(merged, ft.MergeSemantics) and merged.key == "sms"  # one node: the switch named by its text
    row = merged.content
    assert isinstance(row, ft.Row)
    toggle, beside = row.controls
    assert isinstance(toggle, ft.Switch) and toggle.label is None
    # Flexible in the row: as wide as what the toggle leaves, so the text breaks onto a second line.
    assert isinstance(beside, ft.GestureDetector) and beside.expand and isinstance(beside.content, ft.Text)
    assert beside.content.max_lines is None and beside.content.no_wrap is not True


async def test_the_toggle_and_its_text_both_change_the_value_and_a_disabled_one_neither() -> None:
    seen: list[bool] = []
    merged = labelled_toggle(ft.Checkbox(value=False), "I agree", seen.append)
    await label_tap(merged, "I agree")()
    (_, box), = toggles(merged, ft.Checkbox)
    await box.on_change(SimpleNamespace(control=SimpleNamespace(value=False)))
    assert seen == [True, False]

    disabled = labelled_toggle(ft.Switch(value=True, disabled=True), "Taking requests", seen.append)
    assert label_tap(disabled, "Taking requests") is None


async def test_tapping_the_consent_text_ticks_the_box() -> None:
    app, form = await open_form(RequestBackend())
    await label_tap(app_view(app), CONSENT)()
    assert form.pdpa_consent
    ((_, box),) = toggles(app_view(app), ft.Checkbox)
    assert box.value is True
    await label_tap(app_view(app), CONSENT)()  # and again: unticked
    assert not form.pdpa_consent


async def test_tapping_the_sms_text_saves_the_sms_fallback() -> None:
    backend = FakeBackend()
    Inbox(backend)
    puts = Preferences(backend, {"channels": {"accepted": ["push"]}, "quiet_hours": False, "quiet_start": "21:00",
                                 "quiet_end": "07:00", "allowed": {"accepted": ["push", "sms"]}, "sms_fallback": False})
    app = await signed_in("citizen", backend)
    await app.open_account()
    account = app.account
    assert account is not None
    await label_tap(account_view(account, app.locale), "ส่ง SMS เมื่อแอปและ LINE ติดต่อไม่ได้")()
    assert [put["sms_fallback"] for put in puts.puts] == [True]


def test_no_view_draws_a_toggle_with_its_own_label() -> None:
    """A `label=` on ft.Checkbox / ft.Switch is drawn on one line again: every toggle goes through labelled_toggle."""
    found = []
    for path in sorted(Path(PROJECT_ROOT, "mobile").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("Checkbox", "Switch", "CupertinoCheckbox", "CupertinoSwitch")
                    and any(k.arg == "label" for k in node.keywords)):
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert not found, found


def label_colour(tree: ft.BaseControl, label: str) -> Any:
    ((_, toggle),) = [(text, toggle) for text, toggle in toggles(tree, ft.Checkbox) + toggles(tree, ft.Switch)
                      if text == label]
    (text,) = [t for t in find(tree, ft.Text) if t.value == label]
    return toggle.disabled, text.color


def test_a_disabled_toggles_text_is_greyed_as_the_theme_greys_the_toggle() -> None:
    """mobile/views/common.py::labelled_toggle drew a disabled toggle's text in the normal colour: the switch was grey,
    its words looked usable. Now they take the one disabled colour (Material's on-surface at 38 %); an enabled
    toggle's text keeps the theme's own colour."""
    enabled = labelled_toggle(ft.Switch(value=True), "Taking requests", lambda _: None)
    disabled = labelled_toggle(ft.Switch(value=True, disabled=True), "Taking requests", lambda _: None)
    assert label_colour(enabled, "Taking requests") == (False, None)
    assert label_colour(disabled, "Taking requests") == (True, DISABLED_CONTENT)
    assert ft.Colors.with_opacity(0.38, ft.Colors.ON_SURFACE) == DISABLED_CONTENT


async def test_the_preferences_toggles_are_greyed_while_they_save() -> None:
    backend = FakeBackend()
    Inbox(backend)
    Preferences(backend, {"channels": {"accepted": ["push"]}, "quiet_hours": False, "quiet_start": "21:00",
                          "quiet_end": "07:00", "allowed": {"accepted": ["push", "sms"]}, "sms_fallback": False})
    app = await signed_in("citizen", backend)
    await app.open_account()
    account = app.account
    assert account is not None
    sms = "ส่ง SMS เมื่อแอปและ LINE ติดต่อไม่ได้"
    assert label_colour(account_view(account, app.locale), sms) == (False, None)
    account.saving_settings = True  # a change on its way: every toggle waits for it
    assert label_colour(account_view(account, app.locale), sms) == (True, DISABLED_CONTENT)
