"""The one notification mechanism between view-models and views: a list of callbacks."""

from collections.abc import Callable

Listener = Callable[[], None]


class Observable:
    def __init__(self) -> None:
        self.on_change: list[Listener] = []

    def _changed(self) -> None:
        # A copy, so a listener may subscribe or unsubscribe others while being called.
        for listener in list(self.on_change):
            listener()
