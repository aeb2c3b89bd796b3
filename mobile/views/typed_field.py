"""A text field whose text, once typed, belongs to the person typing it.

Why: the views are functions of the view-models, and a text field's value comes from its view-model. A keystroke
reaches the Python side in two steps: first the browser's new text is written onto the live control, then, in a task
of its own, the change handler copies it into the view-model. A redraw that runs between the two (a live event, the
outbox, a hint arriving, or the previous keystroke's own redraw on a busy machine) would build the field from the
view-model's older text, and Flet's diff would send that older text back: the letters typed meanwhile vanish.

So when a redraw replaces this field, the new one keeps the live text unless the view-model really set another one
(clearing a sent form, restoring a draft): a view-model value that is unchanged since the last redraw, or that is one
of the texts the handler itself reported, is only lagging behind the person and never overwrites what they typed.
"""

from collections.abc import Awaitable, Callable
from dataclasses import field
from inspect import iscoroutinefunction
from typing import Any

import flet as ft


@ft.control
class TypedField(ft.TextField):
    # What the view-model asked for in this render, and the texts the change handler reported since the view-model
    # and the field last agreed; neither is sent to the client.
    _wanted: str | None = field(default=None, metadata={"skip": True})
    _reported: list[str] = field(default_factory=list, metadata={"skip": True})

    def init(self) -> None:
        super().init()  # type: ignore[no-untyped-call]
        self._wanted = self.value
        handler: Callable[..., Any] | None = self.on_change
        if handler is None:
            return
        if iscoroutinefunction(handler):
            async_handler: Callable[[Any], Awaitable[Any]] = handler

            async def reported_async(e: Any) -> Any:
                _report(e)
                return await async_handler(e)

            self.on_change = reported_async
        else:

            def reported(e: Any) -> Any:
                _report(e)
                return handler(e)

            self.on_change = reported

    def _migrate_state(self, other: Any) -> None:
        super()._migrate_state(other)
        if not isinstance(other, TypedField):
            return
        live = other.value
        lagging = self.value == other._wanted or self.value in other._reported
        if self.value != live and lagging:
            # A component's output is frozen before the diff; this one change is the diff's own business.
            frozen = getattr(self, "_frozen", None)
            if frozen is not None:
                object.__delattr__(self, "_frozen")
            self.value = live
            if frozen is not None:
                object.__setattr__(self, "_frozen", frozen)
        self._reported = [] if self.value == self._wanted else other._reported


def _report(e: Any) -> None:
    control = e.control
    if isinstance(control, TypedField) and control.value is not None:
        control._reported.append(control.value)
        # Only the texts since the last agreement matter; a handler that never catches up must not grow this forever.
        del control._reported[:-_REPORTED_KEPT]


_REPORTED_KEPT = 64
