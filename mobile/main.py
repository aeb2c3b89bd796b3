"""The app as a native (or desktop) Flet app: what the root main.py runs on a phone (`python -m mobile` serves it
in a browser instead, see mobile/server.py)."""

import flet as ft

from mobile.app import main
from mobile.settings import ASSETS_DIR

__all__ = ["main", "run"]


def run() -> None:
    # On a phone Flet's host sets FLET_ASSETS_DIR to the packaged assets/, which wins over this argument.
    # no_cdn only matters when Flet serves this entry as a web page (FLET_FORCE_WEB_SERVER): the engine and
    # fonts then come from flet-web, not from a CDN.
    ft.run(main, assets_dir=str(ASSETS_DIR), no_cdn=True)


if __name__ == "__main__":
    run()
