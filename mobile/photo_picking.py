"""Picking photos, for the request form and the job screen alike: sizes checked before a byte is read, each file
read (from its path, or uploaded over HTTP in the browser) and shrunk one at a time with progress, and every
refusal turned into a message, never an exception.

Flet-free: it drives a `PhotoSource` (a Device's picker) and reports plain texts, so the view-models and
their tests need no page.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from mobile.device import PhotoSource, PickedFile
from shared.photos import (
    MAX_PICKED_BYTES,
    PhotoRejected,
    ProcessedPhoto,
    check_picked_size,
    process_picked_photo,
)
from shared.text import Bilingual, bilingual, error_text

_MB = 1024 * 1024

# What the screen shows while photos are read and prepared ("กำลังเตรียมรูป 1/2…"); None when it is over.
ShowProgress = Callable[[Bilingual | None], None]


@dataclass(frozen=True)
class PickedPhoto:
    name: str
    photo: ProcessedPhoto


@dataclass(frozen=True)
class PickOutcome:
    """The photos that were kept, in the order they were picked, and the last refusal (if any) to show."""

    photos: list[PickedPhoto] = field(default_factory=list)
    problem: Bilingual | None = None


# (room for how many more photos, progress) -> outcome: what a view-model is handed to pick with.
PickPhotos = Callable[[int, ShowProgress], Awaitable[PickOutcome]]


def prepare(name: str, data: bytes) -> PickedPhoto:
    """Check and shrink one picked file with the shared rules (raises PhotoRejected)."""
    return PickedPhoto(name, process_picked_photo(data))


def rejection_text(exc: PhotoRejected) -> Bilingual:
    return Bilingual(exc.message_th, exc.message_en)


def too_big_text(file: PickedFile) -> Bilingual:
    mb = f"{file.size / _MB:.0f}"
    return bilingual("photo_too_big_file", name=file.name, mb=mb, max=MAX_PICKED_BYTES // _MB)


class PhotoPicker:
    def __init__(self, device: PhotoSource) -> None:
        self._device = device

    async def __call__(self, room: int, show: ShowProgress) -> PickOutcome:
        try:
            files = await self._device.pick_image_files()
        except Exception:
            return PickOutcome(problem=bilingual("photo_pick_failed"))
        if not files:
            return PickOutcome()
        problem: Bilingual | None = None
        if len(files) > room:
            files = files[: max(room, 0)]
            problem = error_text("photo_too_many")
        wanted: list[PickedFile] = []
        for f in files:
            try:
                check_picked_size(f.size)
            except PhotoRejected:
                problem = too_big_text(f)
            else:
                wanted.append(f)
        if not wanted:
            return PickOutcome(problem=problem)

        total = len(wanted)
        numbers: dict[int, int] = {}

        def number(f: PickedFile) -> int:
            # Counted as files start, whatever order the device reads them in: "1/2" always comes first.
            return numbers.setdefault(f.id, len(numbers) + 1)

        def reading(f: PickedFile, fraction: float) -> None:
            show(bilingual("photo_uploading_to_app", n=number(f), total=total, percent=round(fraction * 100)))

        kept: dict[int, PickedPhoto] = {}
        try:
            async for f, data in self._device.read_picked(wanted, reading):
                n = number(f)
                if data is None:
                    problem = bilingual("photo_read_failed", name=f.name)
                    continue
                show(bilingual("photo_preparing", n=n, total=total))
                try:
                    # Off the event loop: a big photo takes a second or two, and the screen keeps answering.
                    kept[f.id] = await asyncio.to_thread(prepare, f.name, data)
                except PhotoRejected as exc:
                    problem = rejection_text(exc)
                del data
        except Exception:
            problem = bilingual("photo_pick_failed")
        finally:
            show(None)
        return PickOutcome([kept[f.id] for f in wanted if f.id in kept], problem)
