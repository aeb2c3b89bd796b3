"""Entry of the app for `flet build apk|ipa` and `flet run` (pyproject.toml [tool.flet.app]: path ".", module "main").

The packager runs this file as `__main__` with the packaged folder on sys.path, so `mobile` and `shared` import
from inside that folder, as they do from a checkout.
"""

from mobile.main import run

if __name__ == "__main__":
    run()
