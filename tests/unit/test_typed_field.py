"""A redraw never sends a text field's older text back over what the person typed since (issue 9: lost keystrokes),
yet a text the view-model really sets (a cleared form) still reaches the screen. Checked with Flet's own diff, the
one the session runs when a component redraws."""

from dataclasses import dataclass
from typing import Any

import flet as ft
from flet.controls.object_patch import ObjectPatch
from flet.utils.object_model import patch_dataclass

from mobile.views.typed_field import TypedField


@dataclass
class Typed:
    control: ft.TextField


def handle(field: TypedField) -> Any:
    """The second half of a keystroke: the field's change handler runs, as the session calls it."""
    handler: Any = field.on_change
    return handler(Typed(field))


def redraw(before: ft.Control, after: ft.Control) -> list[Any]:
    """What Flet sends to the browser when a redraw replaces `before` (as it lives now) with `after`."""
    patch, _added, _removed = ObjectPatch.from_diff(
        {"_b": before}, {"_b": after}, control_cls=ft.BaseControl, frozen=True
    )
    return [op for op in patch.to_message()[1:] if op[2] == "value"]


def browser_types(field: TypedField, text: str) -> None:
    """The first half of a keystroke: the browser's text lands on the live control (the handler runs later), the
    way the session applies the browser's property patch."""
    patch_dataclass(field, {"value": text})


def test_a_redraw_before_the_handler_keeps_what_was_typed() -> None:
    shown: list[str] = []
    live = TypedField(label="item", value="", on_change=lambda e: shown.append(e.control.value))
    browser_types(live, "พัดล")
    # The view-model still holds "" (its handler has not run): the redraw must not send "" back.
    again = TypedField(label="item", value="", on_change=lambda e: shown.append(e.control.value))
    assert redraw(live, again) == []
    assert again.value == "พัดล"


def test_an_older_text_the_handler_reported_does_not_overwrite_newer_typing() -> None:
    seen: list[str] = []
    live = TypedField(label="item", value="", on_change=lambda e: seen.append(e.control.value))
    browser_types(live, "พั")
    handle(live)  # the handler copies "พั" into the view-model
    browser_types(live, "พัดลม")  # and the person has typed on before the redraw
    again = TypedField(label="item", value="พั", on_change=lambda e: seen.append(e.control.value))
    assert redraw(live, again) == []
    assert again.value == "พัดลม"
    assert seen == ["พั"]


def test_a_text_the_view_model_sets_reaches_the_screen() -> None:
    live = TypedField(label="item", value="พัดลม", on_change=lambda e: None)
    # The form was sent and cleared: "" was never typed, so it is the view-model's own change.
    cleared = TypedField(label="item", value="", on_change=lambda e: None)
    assert [op[-1] for op in redraw(live, cleared)] == [""]
    assert cleared.value == ""


def test_a_frozen_component_output_still_keeps_the_typed_text() -> None:
    live = TypedField(label="item", value="", on_change=lambda e: None)
    browser_types(live, "แอร์")
    again = TypedField(label="item", value="", on_change=lambda e: None)
    object.__setattr__(again, "_frozen", True)  # what a component does to what it returns
    assert redraw(live, again) == []
    assert again.value == "แอร์"


def test_once_in_step_a_deleted_text_can_still_be_cleared_later() -> None:
    live = TypedField(label="item", value="", on_change=lambda e: None)
    browser_types(live, "")
    handle(live)  # the person deleted everything: "" reported
    agreed = TypedField(label="item", value="", on_change=lambda e: None)
    redraw(live, agreed)
    browser_types(agreed, "ตู้เย็น")
    handle(agreed)
    in_step = TypedField(label="item", value="ตู้เย็น", on_change=lambda e: None)
    redraw(agreed, in_step)
    # Agreement forgets the reported texts: a later clear to "" is the view-model's, not an old keystroke.
    cleared = TypedField(label="item", value="", on_change=lambda e: None)
    assert [op[-1] for op in redraw(in_step, cleared)] == [""]
    assert cleared.value == ""


async def test_async_handlers_are_reported_and_awaited() -> None:
    seen: list[str] = []

    async def typed(e: ft.Event[ft.TextField]) -> None:
        seen.append(e.control.value or "")

    live = TypedField(label="item", value="", on_change=typed)
    browser_types(live, "ก")
    await handle(live)
    assert seen == ["ก"]
    assert live._reported == ["ก"]
