"""The phone's (or browser's) file picker and GPS behind plain async calls.

The view-models never see Flet: they get picked files (name and size first, bytes on request) and (lat, lon)
floats from here. Create one FletDevice inside `main`, where creating Flet services registers them with the page.

Picked files are never sent whole over the app's websocket (`pick_files(with_data=True)`): one message of a large
photo stalled the connection and the next picker call failed with "Timeout waiting for invoke method listener".
On a phone or desktop the file is read from its path; in the browser it is sent over HTTP to Flet's upload
endpoint (`ft.run(upload_dir=...)`) and read from the upload directory, then deleted.
"""

import asyncio
import atexit
import contextlib
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import flet as ft
from flet_geolocator import Geolocator, GeolocatorPermissionStatus

from shared.photos import MAX_PICKED_BYTES

# How long a signed upload URL is valid, and how long an upload may go without any progress event before it
# counts as failed (a closed tab, a dropped network): the person then sees a message, not an endless spinner.
UPLOAD_URL_SECONDS = 15 * 60
UPLOAD_STALL_SECONDS = 120.0
_UPLOAD_CHECK_SECONDS = 1.0


class AwaitedUploads:
    """The upload names this process's app sessions are waiting for, one at a time each (`FletDevice` reads one file
    at a time). Flet's upload endpoint writes any name a signed URL names, for the URL's whole life, and keeps what it
    wrote when an upload is cut at its cap or the browser goes mid-upload: the web server (mobile/server.py) takes a
    body only for a name awaited here, once, stops taking it as soon as the app gives up on it, and deletes whatever
    did not arrive whole and awaited. So one visitor's session holds at most one upload, of at most the cap, on disk
    at a time, and nothing is left once the session is done with it.

    One per process, like the upload folder: the sessions and the upload endpoint share the server's event loop."""

    def __init__(self) -> None:
        # Each name awaited, with the event set when the app is done with it: a body that stopped arriving (its PUT
        # waiting for the next chunk) is let go then too, not only when its next chunk comes (review27a #1).
        self._done: dict[str, asyncio.Event] = {}
        self._claimed: set[str] = set()

    def expect(self, name: str) -> None:
        self._done[name] = asyncio.Event()

    def forget(self, name: str) -> None:
        """The app is done with the name (read, failed or given up): any body still arriving for it is cut."""
        self._claimed.discard(name)
        done = self._done.pop(name, None)
        if done is not None:
            done.set()

    async def given_up(self, name: str) -> None:
        """Returns once the app is done with `name` (at once when it is not awaited)."""
        done = self._done.get(name)
        if done is not None:
            await done.wait()

    def claim(self, name: str) -> bool:
        """The first upload for an awaited name takes it; a second (a replayed URL) or one for a name nobody awaits
        is refused."""
        if name not in self._done or name in self._claimed:
            return False
        self._claimed.add(name)
        return True

    def awaited(self, name: str) -> bool:
        return name in self._done


AWAITED_UPLOADS = AwaitedUploads()


def web_upload_dir() -> Path:
    """A fresh private directory for Flet's upload endpoint (`ft.run(upload_dir=...)`), removed at exit.

    Flet signs upload URLs with FLET_SECRET_KEY and caps an upload's body at FLET_MAX_UPLOAD_SIZE, and reads both
    only from the environment when started through ft.run: a random key per process (unless the operator set one)
    and the app's own limit for picked files."""
    os.environ.setdefault("FLET_SECRET_KEY", secrets.token_urlsafe(32))
    os.environ.setdefault("FLET_MAX_UPLOAD_SIZE", str(MAX_PICKED_BYTES))
    path = Path(tempfile.mkdtemp(prefix="fixit-app-uploads-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


class LocationDenied(Exception):
    """The person (or the browser) refused location access."""


class LocationDeniedForever(LocationDenied):
    """Location access is refused for good on this phone ("don't ask again", or turned off in its settings): the
    phone shows no more dialogs, only its settings can allow it again."""


class LocationUnavailable(Exception):
    """No position: GPS off, a timeout, or a platform without location."""


class PhotoReadFailed(Exception):
    """A picked file could not be read (no path, an upload that failed or stalled)."""


@dataclass(frozen=True)
class PickedFile:
    """What the picker says about a file before any of its bytes are read."""

    id: int
    name: str
    size: int
    path: str | None = None


class PhotoSource(Protocol):
    """The picking half of a Device: all that picking photos needs."""

    async def pick_image_files(self) -> list[PickedFile]:
        """Open the picker for images; the chosen files' names and sizes only (empty when cancelled)."""
        ...

    def read_picked(
        self, files: list[PickedFile], on_progress: Callable[[PickedFile, float], None]
    ) -> AsyncIterator[tuple[PickedFile, bytes | None]]:
        """The bytes of some of the files just picked, one file at a time, so only one original is in memory at
        once (None for one that could not be read); on_progress(file, 0..1) while a file travels. The order may
        differ from the picked order."""
        ...


class Device(PhotoSource, Protocol):
    async def current_position(self) -> tuple[float, float]:
        """(lat, lon); raises LocationDenied or LocationUnavailable."""
        ...

    async def launch_url(self, url: str) -> None:
        """Open a tel: link in the dialler, or a web address (directions) in the browser or maps app."""
        ...

    async def save_file(self, name: str, data: bytes) -> bool:
        """Offer bytes as a file: a download in the browser, a save dialog elsewhere; False if cancelled."""
        ...


@dataclass
class _Upload:
    file: PickedFile
    on_progress: Callable[[PickedFile, float], None]
    done: asyncio.Future[None]
    last_event: float


class FletDevice:
    def __init__(self, upload_dir: Path | None = None, awaited: AwaitedUploads = AWAITED_UPLOADS) -> None:
        """upload_dir: where Flet's upload endpoint writes files (the web app's); None where there is none."""
        self._awaited = awaited
        self._picker = ft.FilePicker(on_upload=self._upload_event)
        self._geolocator = Geolocator()
        self._launcher = ft.UrlLauncher()
        self._upload_dir = upload_dir
        self._upload: _Upload | None = None

    def _is_web(self) -> bool:
        try:
            return bool(self._picker.page.web)
        except RuntimeError:
            return False

    async def pick_image_files(self) -> list[PickedFile]:
        # No data: only names and sizes come back, whatever the files weigh. A window blur is not a cancel: on a
        # slow machine the chooser's answer can come after the window regained focus.
        files = await self._picker.pick_files(
            allow_multiple=True, file_type=ft.FilePickerFileType.IMAGE, cancel_upload_on_window_blur=False
        )
        return [PickedFile(f.id, f.name, int(f.size), f.path) for f in files or []]

    async def read_picked(
        self, files: list[PickedFile], on_progress: Callable[[PickedFile, float], None]
    ) -> AsyncIterator[tuple[PickedFile, bytes | None]]:
        # From a path only in an app that runs on the person's own device (no upload folder: a phone or desktop
        # build). Served by the web app's server, the picker's paths are the client's words about a disk the server
        # does not share, and `page.web` is the client's own say (Flet applies the page patch its register message
        # carries): a hand-made client saying `web: false` named server paths here, /dev/zero or another person's
        # photo on the server's disk (audit28 #2). Only what the client uploads is read there.
        if self._upload_dir is None and not self._is_web():
            for f in files:
                yield f, await self._read_path(f)
            return
        # The client forgets a file once it is uploaded and finds the others by their index in its list: uploading
        # the highest index first keeps the lower indexes pointing at the same files.
        for f in sorted(files, key=lambda f: f.id, reverse=True):
            try:
                yield f, await self._read_uploaded(f, on_progress)
            except PhotoReadFailed:
                yield f, None

    async def _read_path(self, file: PickedFile) -> bytes | None:
        if file.path is None:
            return None
        try:
            return await asyncio.to_thread(Path(file.path).read_bytes)
        except OSError:
            return None

    async def _read_uploaded(self, file: PickedFile, on_progress: Callable[[PickedFile, float], None]) -> bytes:
        if self._upload_dir is None:
            raise PhotoReadFailed("this web app has no upload directory")
        # A random name on the server: the person's file name never becomes a path there.
        name = secrets.token_hex(16)
        target = self._upload_dir / name
        upload = _Upload(file, on_progress, asyncio.get_running_loop().create_future(), time.monotonic())
        self._upload = upload
        self._awaited.expect(name)
        try:
            url = self._picker.page.get_upload_url(name, UPLOAD_URL_SECONDS)
            await self._picker.upload([ft.FilePickerUploadFile(upload_url=url, id=file.id)])
            while not upload.done.done():
                await asyncio.wait({upload.done}, timeout=_UPLOAD_CHECK_SECONDS)
                if not upload.done.done() and time.monotonic() - upload.last_event > UPLOAD_STALL_SECONDS:
                    raise PhotoReadFailed("the upload stalled")
            upload.done.result()  # raises the upload's error
            return await asyncio.to_thread(target.read_bytes)
        except (OSError, RuntimeError) as exc:
            raise PhotoReadFailed(str(exc)) from exc
        finally:
            self._upload = None
            self._awaited.forget(name)  # before the unlink: a body still arriving is cut and deleted by the server
            with contextlib.suppress(OSError):
                target.unlink()

    def _upload_event(self, e: ft.FilePickerUploadEvent) -> None:
        # One upload at a time: every event belongs to the current one.
        upload = self._upload
        if upload is None or upload.done.done():
            return
        upload.last_event = time.monotonic()
        if e.error:
            upload.done.set_exception(PhotoReadFailed(e.error))
        elif e.progress is not None:
            upload.on_progress(upload.file, min(1.0, float(e.progress)))
            if e.progress >= 1.0:
                upload.done.set_result(None)

    async def pick_csv(self) -> list[tuple[str, bytes]]:
        """One CSV file (a college's student list): small, so its bytes come with it."""
        files = await self._picker.pick_files(
            allow_multiple=False, with_data=True, file_type=ft.FilePickerFileType.CUSTOM, allowed_extensions=["csv"]
        )
        return [(f.name, bytes(f.bytes)) for f in files or [] if f.bytes is not None]

    async def current_position(self) -> tuple[float, float]:
        await self._ask_for_location()
        try:
            position = await self._geolocator.get_current_position()
        except Exception as exc:  # the plugin reports refusals as plain errors with a message
            if "denied" in str(exc).lower() or "permission" in str(exc).lower():
                raise LocationDenied(str(exc)) from exc
            raise LocationUnavailable(str(exc)) from exc
        if position is None or position.latitude is None or position.longitude is None:
            raise LocationUnavailable("no position")
        return float(position.latitude), float(position.longitude)

    async def _ask_for_location(self) -> None:
        """On a phone, the permission first: asking for a position never asks the person (Android's geolocator
        answers "denied" while the app holds no permission), only `request_permission` shows the system's "Allow
        location?" dialog. In the browser, asking for the position is what shows the browser's own question (and
        geolocator's web `request_permission` asks for a position itself, reporting any failure as refused for
        good): nothing to do first there."""
        if self._is_web():
            return
        try:
            status = await self._geolocator.get_permission_status()
            if status == GeolocatorPermissionStatus.DENIED:
                status = await self._geolocator.request_permission()
        except Exception:  # a platform that cannot say: asking for the position finds out
            return
        if status == GeolocatorPermissionStatus.DENIED_FOREVER:
            raise LocationDeniedForever("location access is refused for good: only the phone's settings allow it")
        if status == GeolocatorPermissionStatus.DENIED:
            raise LocationDenied("the person did not allow location access")

    async def launch_url(self, url: str) -> None:
        await self._launcher.launch_url(url)

    async def save_file(self, name: str, data: bytes) -> bool:
        # Flet 1.0 web: FilePicker.save_file with src_bytes makes the browser download the bytes
        # (file_name is required there); on desktop it opens a save dialog and writes them.
        path = await self._picker.save_file(file_name=name, src_bytes=data)
        if path:
            return True
        try:
            return bool(self._picker.page.web)  # the browser downloaded it; no path comes back
        except RuntimeError:
            return False
