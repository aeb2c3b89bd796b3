"""attack26 #7: an upload waiting for a decode slot holds its photo in memory. Starlette spools an upload's file to
disk past 1 MB, but the route read all of it (up to 20 MB) into memory first and only then waited for one of the
process's two decode slots: a hundred uploads at once (one person's hourly allowance, or a few accounts) held 2 GB
of memory while they queued. The bytes are read once a slot is free now."""

import asyncio
import threading

import pytest

from backend.services import photo_intake
from backend.services.photo_intake import PHOTO_DECODE_CONCURRENCY, clean_photo
from shared.photos import MAX_INPUT_BYTES, ProcessedPhoto


class Upload:
    """An UploadFile as take_photo reads it: what is read, and how much, is recorded."""

    def __init__(self) -> None:
        self.reads: list[int] = []

    async def read(self, size: int = -1) -> bytes:
        self.reads.append(size)
        return b"x"


async def test_an_upload_is_read_only_once_a_decode_slot_is_free(monkeypatch: pytest.MonkeyPatch) -> None:
    started = threading.Semaphore(0)
    release = threading.Event()

    def blocking_process(data: bytes) -> ProcessedPhoto:
        started.release()
        release.wait(30)
        return ProcessedPhoto(b"i", b"t", "image/webp", 1, 1, 1, 1, "PNG")

    monkeypatch.setattr(photo_intake, "process_photo", blocking_process)
    first = [Upload() for _ in range(PHOTO_DECODE_CONCURRENCY)]
    busy = [asyncio.create_task(clean_photo(u)) for u in first]
    for _ in first:  # both slots decoding
        await asyncio.to_thread(started.acquire)
    waiting = [Upload() for _ in range(5)]
    queued = [asyncio.create_task(clean_photo(u)) for u in waiting]
    for _ in range(20):  # let the queued ones run as far as they go without a slot
        await asyncio.sleep(0)
    try:
        assert [u.reads for u in first] == [[MAX_INPUT_BYTES + 1]] * PHOTO_DECODE_CONCURRENCY
        assert [u.reads for u in waiting] == [[]] * 5  # nothing read while they wait
    finally:
        release.set()
        await asyncio.gather(*busy, *queued)
    assert [u.reads for u in waiting] == [[MAX_INPUT_BYTES + 1]] * 5
