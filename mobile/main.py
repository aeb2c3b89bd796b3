"""The app's entry as Flet runs it (the root main.py): drawn by the phone's or the desktop's Flet client, or served
as a web page through mobile/server.py when Flet would serve it as one (`flet run --web`)."""

from collections.abc import Callable

import flet as ft
from flet.utils import get_bool_env_var, is_linux_server

from mobile.app import main
from mobile.settings import ASSETS_DIR

__all__ = ["main", "run", "serves_web_page"]

_headless_linux: Callable[[], bool] = is_linux_server  # Flet's own check (untyped there)


def serves_web_page() -> bool:
    """Flet's own rule (ft.run) for serving the app as a web page rather than to a Flet client: forced
    (FLET_FORCE_WEB_SERVER, which `flet run --web` sets), or a Linux machine without a display. Never on a phone (its
    host sets FLET_PLATFORM)."""
    return bool(get_bool_env_var("FLET_FORCE_WEB_SERVER") or _headless_linux())


def run() -> None:
    if serves_web_page():
        # The same served app as `python -m mobile`: without Cross-Origin-Embedder-Policy (plain ft.run's server
        # sends it, and the page's multi-threaded renderer corrupts its heap: mobile/server.py), with the security
        # headers, the Thai fallback font and photo uploads over HTTP. Imported here: a phone has no uvicorn.
        from mobile.server import serve

        serve()
        return
    # On a phone Flet's host sets FLET_ASSETS_DIR to the packaged assets/, which wins over this argument; a picked
    # photo is read from its path there (no upload directory).
    ft.run(main, assets_dir=str(ASSETS_DIR), no_cdn=True)


if __name__ == "__main__":
    run()
