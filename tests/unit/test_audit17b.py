"""audit17b: the app left open all day. Each test proves one finding and is marked xfail(strict=True) until it is
fixed: memory a signed-in session keeps growing with what it has seen, never given back while the app stays open."""

from typing import Any
from uuid import UUID, uuid4

import pytest

from mobile.viewmodels.home import TechnicianHome
from mobile.views.frame import app_view
from tests.unit.mobile_fakes import NOW, WorkBackend, texts
from tests.unit.mobile_screens import signed_in

OFFERS_IN_A_DAY = 40  # a busy workshop: offers that come, are taken by others or expire, while the tablet shows home


def an_offer(n: int) -> dict[str, Any]:
    return {"offer_id": str(uuid4()), "request_id": str(uuid4()), "offer_status": "pending",
            "category_code": "appliance", "item": f"พัดลม {n}", "province": "เชียงใหม่", "district": "เมืองเชียงใหม่",
            "distance_km": 3.0, "created_at": NOW.isoformat(), "expires_at": NOW.isoformat(), "photo_count": 5}


@pytest.mark.xfail(strict=True, reason="audit17b: TechnicianHome.thumbnails keeps every offer's photos for the whole "
                                       "session: memory grows with each offer that came and went")
async def test_the_offer_photos_of_offers_gone_are_not_kept_while_the_home_stays_open() -> None:
    backend = WorkBackend()
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome)
    seen: list[UUID] = []
    for n in range(OFFERS_IN_A_DAY):
        offer = an_offer(n)
        backend.offers = [offer]  # the one before is gone: taken by another student, expired, withdrawn
        await home.load()  # what a live "offer" event does
        request_id = UUID(offer["request_id"])
        assert all(home.offer_photos(home.offers[0]))  # its card shows its five photos
        assert "พัดลม " + str(n) in texts(app_view(app))
        seen.append(request_id)
    kept = [rid for rid in seen[:-1] if any(home.thumbnails.get(rid, "before", i) is not None for i in range(5))]
    assert kept == [], f"the photos of {len(kept)} offers long gone are still held"
