"""The app as a native (or desktop) Flet app: what the root main.py runs on a phone (`python -m mobile` serves it
in a browser instead, see mobile/server.py)."""

import os

import flet as ft

from mobile.app import main, main_with_uploads
from mobile.device import web_upload_dir
from mobile.settings import ASSETS_DIR

__all__ = ["main", "run"]


def run() -> None:
    # On a phone Flet's host sets FLET_ASSETS_DIR to the packaged assets/, which wins over this argument.
    # no_cdn only matters when Flet serves this entry as a web page (FLET_FORCE_WEB_SERVER): the engine and
    # fonts then come from flet-web, not from a CDN.
    # Served as a web page, picked photos travel over HTTP to an upload directory; on a phone they are read from
    # their paths and no directory is made.
    if os.environ.get("FLET_FORCE_WEB_SERVER", "").lower() in ("1", "true", "yes"):
        upload_dir = web_upload_dir()
        ft.run(main_with_uploads(upload_dir), assets_dir=str(ASSETS_DIR), no_cdn=True, upload_dir=str(upload_dir))
    else:
        ft.run(main, assets_dir=str(ASSETS_DIR), no_cdn=True)


if __name__ == "__main__":
    run()
