"""The phone's (or browser's) file picker and GPS behind two plain async calls.

The view-models never see Flet: they get (name, bytes) pairs and (lat, lon) floats from here. Create one
FletDevice inside `main`, where creating Flet services registers them with the page.
"""

from typing import Protocol

import flet as ft
from flet_geolocator import Geolocator


class LocationDenied(Exception):
    """The person (or the browser) refused location access."""


class LocationUnavailable(Exception):
    """No position: GPS off, a timeout, or a platform without location."""


class Device(Protocol):
    async def pick_images(self) -> list[tuple[str, bytes]]: ...

    async def current_position(self) -> tuple[float, float]:
        """(lat, lon); raises LocationDenied or LocationUnavailable."""
        ...

    async def launch_url(self, url: str) -> None:
        """Open a tel: link in the dialler, or a web address (directions) in the browser or maps app."""
        ...

    async def save_file(self, name: str, data: bytes) -> bool:
        """Offer bytes as a file: a download in the browser, a save dialog elsewhere; False if cancelled."""
        ...


class FletDevice:
    def __init__(self) -> None:
        self._picker = ft.FilePicker()
        self._geolocator = Geolocator()
        self._launcher = ft.UrlLauncher()

    async def pick_images(self) -> list[tuple[str, bytes]]:
        files = await self._picker.pick_files(
            allow_multiple=True, with_data=True, file_type=ft.FilePickerFileType.IMAGE
        )
        return [(f.name, bytes(f.bytes)) for f in files or [] if f.bytes is not None]

    async def pick_csv(self) -> list[tuple[str, bytes]]:
        """One CSV file (a college's student list): small, so its bytes come with it."""
        files = await self._picker.pick_files(
            allow_multiple=False, with_data=True, file_type=ft.FilePickerFileType.CUSTOM, allowed_extensions=["csv"]
        )
        return [(f.name, bytes(f.bytes)) for f in files or [] if f.bytes is not None]

    async def current_position(self) -> tuple[float, float]:
        try:
            position = await self._geolocator.get_current_position()
        except Exception as exc:  # the plugin reports refusals as plain errors with a message
            if "denied" in str(exc).lower() or "permission" in str(exc).lower():
                raise LocationDenied(str(exc)) from exc
            raise LocationUnavailable(str(exc)) from exc
        if position is None or position.latitude is None or position.longitude is None:
            raise LocationUnavailable("no position")
        return float(position.latitude), float(position.longitude)

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
