"""audit17b: the app left open all day. Each test proves one finding and is marked xfail(strict=True) until it is
fixed: memory a signed-in session keeps growing with what it has seen, never given back while the app stays open."""

import asyncio
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from mobile.live import LiveEvents, ServerEvent
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


WAITS_IN_A_DAY = 17_280  # a day offline: one poll every 5 s (POLL_SECONDS)


@pytest.mark.xfail(strict=True, reason="audit17b: LiveEvents.delays appends every backoff and poll wait for the "
                                       "session's life: memory grows every 5 s while the backend is unreachable")
async def test_a_day_without_the_live_stream_keeps_no_growing_record_of_its_waits() -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route to host", request=request)

    waits = 0

    async def a_while(seconds: float) -> None:
        nonlocal waits
        waits += 1
        if waits >= WAITS_IN_A_DAY:
            raise asyncio.CancelledError  # the app closes at the end of the day

    polls = 0

    async def poll() -> None:
        nonlocal polls
        polls += 1

    async def no_event(event: ServerEvent) -> None:
        raise AssertionError(event)

    live = LiveEvents("http://backend.test", lambda: "token", no_event, on_poll=poll,
                      transport=httpx.MockTransport(unreachable), sleep=a_while)
    with pytest.raises(asyncio.CancelledError):
        await live.run()
    assert polls > WAITS_IN_A_DAY // 2  # it polled all day, as it should
    assert len(live.delays) <= 100, f"{len(live.delays)} waits kept in memory after a day"
