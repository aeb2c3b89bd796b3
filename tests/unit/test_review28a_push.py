"""review28a #1 (fixed): the web app created OneSignal's phone push service for a browser on a phone.

Flet's web client registers `platform` as Flutter's `defaultTargetPlatform`, which in a browser on Android is
`android` (on an iPhone `ios`), beside `web: true` (flet-dev/flet#6013 guards the client's own Android-only code with
`!kIsWeb` for that reason; Flet's own scrollbar theme reads `page.platform.is_mobile() and not page.web`).
`onesignal_push` looked at the platform alone, so a deployment whose flet.toml names a OneSignal app id (the phone
builds' setting, read by the web app's server from the same file) had the web app's server import flet_onesignal
and register its service on the page of every visitor on a phone: a control the web client has no extension for.
Each sign-in then asked it for the permission and a subscription, and each sign-out waited on its opt-out, with the
server's Python, not the visitor's phone, doing the asking. The module's own word: "the web app, the desktop and
the tests never load it"."""

import sys
from collections.abc import Iterator
from types import ModuleType, SimpleNamespace
from typing import Any, cast

import flet as ft
import pytest

from mobile.push import onesignal_push

APP_ID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def created() -> Iterator[list[str]]:
    """A stand-in for the extension (the real one registers a service with a live page): records its creation."""
    made: list[str] = []
    fake = ModuleType("flet_onesignal")

    class OneSignal:
        def __init__(self, app_id: str, **_handlers: Any) -> None:
            made.append(app_id)

    fake.OneSignal = OneSignal  # type: ignore[attr-defined]
    before = sys.modules.get("flet_onesignal")
    sys.modules["flet_onesignal"] = fake
    yield made
    if before is None:
        del sys.modules["flet_onesignal"]
    else:
        sys.modules["flet_onesignal"] = before


async def no_route(_route: str) -> None:
    return None


@pytest.mark.parametrize("platform", [ft.PagePlatform.ANDROID, ft.PagePlatform.IOS])
def test_a_browser_on_a_phone_gets_no_onesignal_service(created: list[str], platform: ft.PagePlatform) -> None:
    page = cast(ft.Page, SimpleNamespace(platform=platform, web=True))
    assert onesignal_push(page, APP_ID, no_route) is None
    assert created == []  # the extension's service never made on the web app's server


def test_a_phone_build_still_gets_its_push_service(created: list[str]) -> None:
    """The other side: the app on a phone (Flet's phone client: `web: false`) registers for pushes as before."""
    page = cast(ft.Page, SimpleNamespace(platform=ft.PagePlatform.ANDROID, web=False))
    assert onesignal_push(page, APP_ID, no_route) is not None
    assert created == [APP_ID]


def test_a_client_of_the_web_app_saying_it_is_a_phone_gets_no_onesignal_service(created: list[str]) -> None:
    """`web` and `platform` are the client's own page patch (audit28 #2): a hand-made client of the web app says
    `web: false, platform: android`. The server knows it serves the page (it holds the upload folder)."""
    page = cast(ft.Page, SimpleNamespace(platform=ft.PagePlatform.ANDROID, web=False))
    assert onesignal_push(page, APP_ID, no_route, served=True) is None
    assert created == []
