"""A picker for unit tests: files that are "picked" as they would be on a phone (name, size, later the bytes)."""

from collections.abc import AsyncIterator, Callable

from mobile.device import PickedFile


class PickedFiles:
    """The picking half of a Device. `files` are what the person chooses next; None bytes is a file that cannot
    be read. A base class for test devices that also answer GPS and links."""

    def __init__(self, files: list[tuple[str, bytes | None]] | None = None, sizes: dict[str, int] | None = None):
        self.files = files or []
        # A size the picker reports that differs from the bytes (a huge file without making one).
        self.sizes = sizes or {}
        self.read: list[str] = []

    async def pick_image_files(self) -> list[PickedFile]:
        return [
            PickedFile(i, name, self.sizes.get(name, len(data or b"")), f"/picked/{name}")
            for i, (name, data) in enumerate(self.files)
        ]

    async def read_picked(
        self, files: list[PickedFile], on_progress: Callable[[PickedFile, float], None]
    ) -> AsyncIterator[tuple[PickedFile, bytes | None]]:
        # Last first, like the browser's uploads: the outcome must still keep the picked order.
        for f in reversed(files):
            self.read.append(f.name)
            on_progress(f, 0.0)
            on_progress(f, 1.0)
            yield f, self.files[f.id][1]
