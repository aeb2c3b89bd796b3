"""The web app as `python -m mobile` serves it, with Flet's upload variables of the test's own (its signing secret and
upload cap): for the tests of the upload endpoint's guard (edges27, review27a)."""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from mobile.server import RemovedAtShutdown, create_app
from mobile.settings import AppSettings


@contextmanager
def served_web_app(monkeypatch: pytest.MonkeyPatch, secret: str, cap: int) -> Iterator[RemovedAtShutdown]:
    # Serving sets Flet's upload variables when unset: set here, they are this test's only.
    monkeypatch.setenv("FLET_SECRET_KEY", secret)
    monkeypatch.setenv("FLET_MAX_UPLOAD_SIZE", str(cap))
    app = create_app(AppSettings())
    assert isinstance(app, RemovedAtShutdown)
    try:
        yield app
    finally:
        shutil.rmtree(app.folder, ignore_errors=True)
