"""The web app as an ASGI app, served by uvicorn on the configured host and port.

`ft.run(..., export_asgi_app=True)` returns Flet's FastAPI app instead of starting a server or
opening a browser, so host and port come from our settings and nothing pops up on a server.
"""

from typing import Any

import flet as ft
import uvicorn

from mobile.app import main
from mobile.settings import ASSETS_DIR, AppSettings, get_settings


def create_app() -> Any:
    # no_cdn: the Flutter engine (canvaskit/skwasm) is loaded from flet-web, not from a CDN,
    # so the app also starts on a machine or phone network without internet.
    return ft.run(main, export_asgi_app=True, assets_dir=str(ASSETS_DIR), no_cdn=True)


def serve(settings: AppSettings | None = None) -> None:
    settings = settings or get_settings()
    # The websocket implementation Flet itself picks when it runs its own server.
    uvicorn.run(create_app(), host=settings.host, port=settings.port, ws="websockets-sansio")
