"""FletDevice reads picked files without sending them over the websocket: from the file's path on a phone or
desktop, or, in the browser, after Flet's client has uploaded them over HTTP into the upload folder (deleted once
read). The client is played here by a fake FilePicker that writes the upload and reports progress as Flet's does."""

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import flet as ft

from mobile.device import FletDevice, PickedFile


async def read_all(device: FletDevice, files: list[PickedFile]) -> tuple[dict[str, bytes | None], list[float]]:
    progress: list[float] = []
    out: dict[str, bytes | None] = {}
    async for f, data in device.read_picked(files, lambda _f, fraction: progress.append(fraction)):
        out[f.name] = data
    return out, progress


async def test_on_a_phone_the_file_is_read_from_its_path(tmp_path: Path) -> None:
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"jpeg bytes")
    device = FletDevice()
    files = [PickedFile(0, "a.jpg", 10, str(photo)), PickedFile(1, "b.jpg", 5, None),
             PickedFile(2, "gone.jpg", 5, str(tmp_path / "gone.jpg"))]
    read, _ = await read_all(device, files)
    assert read == {"a.jpg": b"jpeg bytes", "b.jpg": None, "gone.jpg": None}
    assert photo.exists()  # the person's own file is never touched


class FakeBrowserPicker:
    """Flet's web client: uploads one picked file (found by its index in the remaining selection) to the URL."""

    def __init__(self, device: FletDevice, upload_dir: Path, selection: dict[int, bytes], fail: set[int]) -> None:
        self.device, self.upload_dir, self.fail = device, upload_dir, fail
        self.remaining = sorted(selection.items())
        self.page = SimpleNamespace(web=True, get_upload_url=lambda name, _expires: f"/upload?f={name}")
        self.uploaded: list[int] = []

    def event(self, progress: float | None = None, error: str | None = None) -> None:
        self.device._upload_event(cast(ft.FilePickerUploadEvent, SimpleNamespace(progress=progress, error=error)))

    async def upload(self, files: list[ft.FilePickerUploadFile]) -> None:
        (upload,) = files
        index = upload.id
        assert index is not None
        picked_id, data = self.remaining[index]  # by index, as the client looks it up
        self.uploaded.append(picked_id)
        name = upload.upload_url.split("f=", 1)[1]

        async def send() -> None:
            self.event(0.0)
            if picked_id in self.fail:
                self.event(error="Upload endpoint returned code 413")
                return
            (self.upload_dir / name).write_bytes(data)
            del self.remaining[index]  # the client forgets an uploaded file
            self.event(0.5)
            self.event(1.0)

        asyncio.get_running_loop().call_soon(lambda: asyncio.ensure_future(send()))


async def test_in_the_browser_files_are_uploaded_last_first_read_and_deleted(tmp_path: Path) -> None:
    device = FletDevice(tmp_path)
    selection = {0: b"first", 1: b"second", 2: b"third"}
    picker = FakeBrowserPicker(device, tmp_path, selection, fail={1})
    device._picker = cast(Any, picker)
    files = [PickedFile(i, f"{i}.jpg", len(data)) for i, data in selection.items()]
    read, progress = await read_all(device, files)
    # Highest index first, so the client's indexes of the others still hold after it forgets one.
    assert picker.uploaded == [2, 1, 0]
    assert read == {"0.jpg": b"first", "1.jpg": None, "2.jpg": b"third"}
    assert progress.count(1.0) == 2 and 0.5 in progress
    assert list(tmp_path.iterdir()) == []  # nothing left in the upload folder


async def test_in_a_browser_app_without_an_upload_folder_nothing_is_read(tmp_path: Path) -> None:
    device = FletDevice()
    picker = FakeBrowserPicker(device, tmp_path, {0: b"x"}, fail=set())
    device._picker = cast(Any, picker)
    read, _ = await read_all(device, [PickedFile(0, "0.jpg", 1)])
    assert read == {"0.jpg": None} and picker.uploaded == []
