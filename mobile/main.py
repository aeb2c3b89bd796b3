"""Entry module for `flet build` and `flet run` ([tool.flet.app] path="mobile", module="main")."""

import flet as ft

from mobile.app import main
from mobile.settings import ASSETS_DIR

__all__ = ["main"]

if __name__ == "__main__":
    ft.run(main, assets_dir=str(ASSETS_DIR))
