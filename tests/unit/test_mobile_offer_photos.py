"""Offer cards show the citizen's before photos as small thumbnails, fetched after the list shows."""

import flet as ft

from mobile.viewmodels.home import TechnicianHome
from mobile.views.frame import app_view
from shared.photos import MAX_PHOTOS_PER_REQUEST
from tests.unit.mobile_fakes import FakeBackend, find
from tests.unit.mobile_screens import assert_accessible, signed_in


def photo_labels(tree: ft.Control, kind: type[ft.Control]) -> list[str]:
    return [c.semantics_label for c in find(tree, kind, lambda c: (c.semantics_label or "").startswith("รูปก่อนซ่อม"))]


async def test_offer_card_shows_before_thumbnails_and_a_placeholder_for_a_failed_one() -> None:
    backend = FakeBackend()
    backend.offers[0]["photo_count"] = 3
    backend.broken_photos = {1}
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome)
    assert home.offers[0].photo_count == 3
    request_id = backend.offers[0]["request_id"]
    photo_calls = [r for r in backend.requests if "/photos/" in r.url.path]
    assert sorted(r.url.path for r in photo_calls) == [f"/requests/{request_id}/photos/before/{i}" for i in range(3)]
    assert all(r.url.params["thumb"] == "true" for r in photo_calls)
    assert all(r.headers["authorization"].startswith("Bearer ") for r in photo_calls)
    assert home.offer_photos(home.offers[0]) == [b"thumb-0", None, b"thumb-2"]

    tree = app_view(app)
    assert photo_labels(tree, ft.Image) == ["รูปก่อนซ่อมที่ 1", "รูปก่อนซ่อมที่ 3"]
    assert photo_labels(tree, ft.Icon) == ["รูปก่อนซ่อมที่ 2"]  # the placeholder, labelled the same way
    assert_accessible(tree)

    # A refresh asks again only for the one that failed.
    backend.broken_photos = set()
    await home.load()
    photo_calls = [r for r in backend.requests if "/photos/" in r.url.path]
    assert len(photo_calls) == 4 and photo_calls[-1].url.path.endswith("/before/1")
    assert home.offer_photos(home.offers[0]) == [b"thumb-0", b"thumb-1", b"thumb-2"]


async def test_offer_without_photo_count_parses_and_fetches_nothing() -> None:
    backend = FakeBackend()
    assert "photo_count" not in backend.offers[0]  # an older backend's payload
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome)
    assert home.offers[0].photo_count == 0 and home.offer_photos(home.offers[0]) == []
    assert not [r for r in backend.requests if "/photos/" in r.url.path]
    assert photo_labels(app_view(app), ft.Image) == []


async def test_photo_count_is_capped_at_what_a_request_can_hold() -> None:
    backend = FakeBackend()
    backend.offers[0]["photo_count"] = 99
    app = await signed_in("technician", backend)
    assert isinstance(app.home, TechnicianHome)
    assert len([r for r in backend.requests if "/photos/" in r.url.path]) == MAX_PHOTOS_PER_REQUEST
    assert len(app.home.offer_photos(app.home.offers[0])) == MAX_PHOTOS_PER_REQUEST
