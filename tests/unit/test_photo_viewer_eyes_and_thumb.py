"""The full-screen photo viewer for poor eyesight and one thumb (audit16a findings 6 and 13): its words are white on
its black background, and a photo zooms with the zoom buttons at the bottom or a double tap, not only a pinch."""

from typing import Any

import flet as ft
import httpx
import pytest

from mobile.views.photos import photo_viewer_view
from shared.text import Locale, t
from tests.unit.mobile_fakes import DetailBackend, error_response, find
from tests.unit.mobile_screens import open_detail

# --- 6. grey on black in the photo viewer -------------------------------------------------------------------------

# The light theme's text roles as Material 3 tones (tone = CIE L*, whatever the seed colour): onSurface 10,
# onSurfaceVariant 30 (ft.Colors.ON_SURFACE_VARIANT, what mobile/views/common.py::muted draws in).
THEME_TONES: dict[object, int] = {ft.Colors.ON_SURFACE: 10, ft.Colors.ON_SURFACE_VARIANT: 30}
PLAIN: dict[object, float] = {ft.Colors.WHITE: 1.0, ft.Colors.BLACK: 0.0}


def luminance(colour: object) -> float:
    """WCAG relative luminance of a colour the views use (a theme role by its tone, or plain black / white)."""
    if colour is None:
        colour = ft.Colors.ON_SURFACE
    if colour in PLAIN:
        return PLAIN[colour]
    tone = THEME_TONES[colour]  # a KeyError names a colour this test does not know yet
    return float(((tone + 16) / 116) ** 3)


def contrast(a: float, b: float) -> float:
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


async def test_the_photo_viewers_words_are_readable_on_its_black_background() -> None:
    """Request detail (citizen) → a photo, full screen on black: while it loads (and when it fails with no thumbnail)
    the only words are muted() text, the theme's ON_SURFACE_VARIANT, a dark grey made for a light background. On
    black it is about 2.2:1; someone with poor eyesight sees a black screen and does not know whether to wait."""
    backend = DetailBackend()
    app, detail = await open_detail(backend)
    request_id = detail.request_id
    seen: list[ft.View] = []

    def photo(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("thumb") is None:  # the viewer as it is while the full photo is on its way
            view = photo_viewer_view(app.photo_viewer, Locale.TH, "/photo")
            assert view is not None
            seen.append(view)
        return error_response(500, "internal")

    backend.overrides[("GET", f"/requests/{request_id}/photos/before/0")] = photo
    await detail.open_photo("before", 0)
    (loading,) = seen
    assert loading.bgcolor == ft.Colors.BLACK
    shown = [(c.value, c.color) for c in find(loading, ft.Text)]
    assert t("photo_viewer_loading", Locale.TH) in [value for value, _ in shown]
    low = [(value, round(contrast(luminance(colour), luminance(loading.bgcolor)), 1)) for value, colour in shown
           if contrast(luminance(colour), luminance(loading.bgcolor)) < 4.5]
    assert not low, f"text under 4.5:1 on black: {low}"


# --- 11. zooming a photo takes two fingers --------------------------------------------------------------------------


async def test_a_photo_can_be_zoomed_with_one_thumb() -> None:
    """Any role → a photo full screen (mobile/views/photos.py::photo_viewer_view): the README promises "photos open
    full screen with zoom in every role", but the only zoom is InteractiveViewer's pinch. Someone holding the phone
    in one hand (the other holds the broken appliance, or a stick) cannot enlarge the
    photo of their broken appliance, or the student the label on the part. Close, previous and next are buttons;
    zoom is not."""
    backend = DetailBackend()
    app, detail = await open_detail(backend)
    backend.overrides[("GET", f"/requests/{detail.request_id}/photos/before/0")] = lambda r: httpx.Response(
        200, content=b"full photo", headers={"content-type": "image/jpeg"})
    await detail.open_photo("before", 0)
    assert app.photo_viewer.image == b"full photo"
    view = photo_viewer_view(app.photo_viewer, Locale.TH, "/photo")
    assert view is not None and find(view, ft.InteractiveViewer)
    buttons = [c.tooltip for c in find(view, ft.IconButton)]
    assert buttons[:1] == [t("photo_viewer_close", Locale.TH)]
    double_tap = [c for c in find(view, ft.GestureDetector) if c.on_double_tap is not None]
    zoom_buttons = [b for b in buttons if b not in {t(k, Locale.TH) for k in (
        "photo_viewer_close", "photo_viewer_previous", "photo_viewer_next")}]
    assert double_tap or zoom_buttons, f"only {buttons} and a pinch"


async def _open_full_photo(backend: DetailBackend) -> Any:
    app, detail = await open_detail(backend)
    for kind in ("before", "after"):  # the request's photos, in the viewer's order
        backend.overrides[("GET", f"/requests/{detail.request_id}/photos/{kind}/0")] = lambda r: httpx.Response(
            200, content=b"full photo", headers={"content-type": "image/jpeg"})
    await detail.open_photo("before", 0)
    assert app.photo_viewer.image == b"full photo"
    return app


async def test_the_zoom_buttons_and_a_double_tap_zoom_the_photo(monkeypatch: pytest.MonkeyPatch) -> None:
    """"ขยายรูป" zooms in by a step, "ย่อรูป" back out; a double tap zooms in, and a second one back to the whole
    photo. The next photo opens unzoomed (its own zoom control)."""
    calls: list[tuple[str, float | None]] = []

    async def zoom(self: ft.InteractiveViewer, factor: float) -> None:
        calls.append(("zoom", factor))

    async def reset(self: ft.InteractiveViewer, animation_duration: object = None) -> None:
        calls.append(("reset", None))

    monkeypatch.setattr(ft.InteractiveViewer, "zoom", zoom)
    monkeypatch.setattr(ft.InteractiveViewer, "reset", reset)
    backend = DetailBackend()
    app = await _open_full_photo(backend)

    def view() -> ft.View:
        shown = photo_viewer_view(app.photo_viewer, Locale.TH, "/photo")
        assert shown is not None
        return shown

    def button(name: str) -> Any:
        (found,) = [b for b in find(view(), ft.IconButton) if b.tooltip == t(name, Locale.TH)]
        return found

    await button("photo_zoom_in").on_click()
    await button("photo_zoom_out").on_click()
    assert calls == [("zoom", 2.0), ("zoom", 0.5)]
    calls.clear()
    (detector,) = [g for g in find(view(), ft.GestureDetector) if g.on_double_tap is not None]
    await detector.on_double_tap(None)
    (detector,) = [g for g in find(view(), ft.GestureDetector) if g.on_double_tap is not None]
    await detector.on_double_tap(None)
    assert calls == [("zoom", 2.0), ("reset", None)]
    # Zoomed in, then on to the next photo: it opens whole, and a double tap zooms it in.
    calls.clear()
    await button("photo_zoom_in").on_click()
    before = find(view(), ft.InteractiveViewer)[0].key
    assert app.photo_viewer.has_next
    await app.photo_viewer.next()
    assert find(view(), ft.InteractiveViewer)[0].key != before
    (detector,) = [g for g in find(view(), ft.GestureDetector) if g.on_double_tap is not None]
    await detector.on_double_tap(None)
    assert calls == [("zoom", 2.0), ("zoom", 2.0)]


async def test_nothing_to_zoom_offers_no_zoom() -> None:
    """A photo that could not be loaded (and had no thumbnail) shows its words, white, and no zoom buttons."""
    backend = DetailBackend()
    # Neither its thumbnail nor the photo itself can be fetched.
    backend.overrides[("GET", f"/requests/{backend.my_requests[0]['id']}/photos/before/0")] = (
        lambda r: error_response(500, "internal"))
    app, detail = await open_detail(backend)
    await detail.open_photo("before", 0)
    view = photo_viewer_view(app.photo_viewer, Locale.TH, "/photo")
    assert view is not None and app.photo_viewer.failed
    words = {c.value: c.color for c in find(view, ft.Text)}
    assert words[t("photo_viewer_failed", Locale.TH)] == ft.Colors.WHITE
    assert not [b for b in find(view, ft.IconButton) if b.tooltip in {t("photo_zoom_in", Locale.TH),
                                                                       t("photo_zoom_out", Locale.TH)}]
    assert not [g for g in find(view, ft.GestureDetector) if g.on_double_tap is not None]
