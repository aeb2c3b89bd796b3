"""The app left open all day (audit17b, findings 5-8): a signed-in session neither keeps growing with what it has
seen nor works harder than what it shows needs, and what it shows moves on with the clock."""

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import flet as ft
import httpx
import pytest
from flet.controls.object_patch import ObjectPatch

from mobile.live import POLL_SECONDS, LiveEvents, ServerEvent
from mobile.outbox import MAX_DELAY_SECONDS, MemoryOutboxStorage, OutboxItem, backoff_delay
from mobile.viewmodels.app import AppViewModel
from mobile.viewmodels.home import AdminHome, TechnicianHome
from mobile.views.frame import app_view
from tests.unit.mobile_fakes import NOW, FakeBackend, MemoryStore, WorkBackend, texts, waiting_request
from tests.unit.mobile_screens import sign_in, signed_in
from tests.unit.test_mobile_outbox import body, outbox_for, signed_in_backend

EVENTS_IN_AN_HOUR = 300  # request changes across the country in a busy hour: an admin's stream hears every one


async def test_the_admin_home_reloads_only_for_events_that_change_what_it_shows() -> None:
    backend = FakeBackend()
    backend.waiting = [waiting_request("ปั๊มน้ำ", 18.57, 99.0)]
    app = await signed_in("admin", backend)
    assert isinstance(app.home, AdminHome)
    shown = backend.waiting[0]["id"]
    before = len(backend.requests)
    for n in range(EVENTS_IN_AN_HOUR):  # jobs elsewhere move on: accepted, repairing, done; none is waiting
        status = ("accepted", "repairing", "quality_check", "done")[n % 4]
        await app.live_event(ServerEvent("request", json.dumps({"request_id": str(uuid4()), "status": status})))
    reloads = backend.paths()[before:]
    assert reloads.count("GET /admin/waiting") == 0 and reloads.count("GET /colleges") == 0, \
        f"{len(reloads)} calls for {EVENTS_IN_AN_HOUR} events about requests the home does not show"
    # What it shows does follow: a request that comes to wait, and the shown one sent on.
    await app.live_event(ServerEvent("request", json.dumps({"request_id": str(uuid4()), "status": "no_centre"})))
    await app.live_event(ServerEvent("request", json.dumps({"request_id": shown, "status": "offered"})))
    assert backend.paths()[before:].count("GET /admin/waiting") == 2


async def test_an_offer_cards_time_left_runs_down_while_the_home_stays_open() -> None:
    backend = WorkBackend()
    backend.offers[0]["expires_at"] = (NOW + timedelta(minutes=25)).isoformat()
    now = [NOW]
    away = asyncio.Event()  # the clock stands still until the student steps away
    half_an_hour_on = asyncio.Event()

    async def time_passes(seconds: float) -> None:  # every wait of the app's background work lets the clock run
        await away.wait()
        now[0] += timedelta(seconds=seconds)
        if now[0] >= NOW + timedelta(minutes=30):
            half_an_hour_on.set()
            await asyncio.Event().wait()  # and stops there: the student is back
        await asyncio.sleep(0)

    tasks: list[asyncio.Task[None]] = []

    def spawn(work: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:  # page.run_task
        async def run() -> None:
            await work()

        tasks.append(asyncio.get_running_loop().create_task(run()))
        return tasks[-1]

    app = AppViewModel(backend.client(), MemoryStore(), spawn=spawn, sleep=time_passes)
    await app.start()
    drawn: list[tuple[timedelta, ft.Control]] = []  # each redraw while away: when, and what the app showed

    def redrawn() -> None:
        if isinstance(app.home, TechnicianHome) and away.is_set():
            drawn.append((now[0] - NOW, app_view(app)))

    app.on_change.append(redrawn)
    await sign_in(app, "technician")
    home = app.home
    assert isinstance(home, TechnicianHome)
    home.clock = lambda: now[0]
    shown = app_view(app)
    assert "เหลือเวลา 25 นาที" in texts(shown)
    away.set()
    try:
        # The student steps away from the tablet; no live event comes (nothing changed on the server). Guarded:
        # while nothing waits on the clock, it never runs.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(half_an_hour_on.wait(), timeout=2)
        app.stop()  # the app closes: its clock's tick ends with the rest of its background work
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=2)
    finally:
        for task in tasks:
            task.cancel()
    said = {minutes: texts(tree) for minutes, tree in drawn}
    assert "เหลือเวลา 5 นาที" in said.get(timedelta(minutes=20), []), "the card still says what it said 20 minutes ago"
    assert "หมดเวลาตอบรับ" in said.get(timedelta(minutes=25), []), "an offer whose time ran out does not say so"
    assert not any("เหลือเวลา 0 นาที" in texts_then for texts_then in said.values())
    # Drawn once a minute while its text changes, and not again once it says the time is up.
    assert [minutes for minutes, _ in drawn] == [timedelta(minutes=m) for m in range(1, 26)]
    # And what a minute's redraw sends to the screen is that text alone (Flet's diff of the app's re-render): the
    # page's scroll and the card's buttons stay as they were.
    patch, *_ = ObjectPatch.from_diff(shown, drawn[0][1], control_cls=ft.BaseControl, frozen=True)
    assert [operation[2:] for operation in patch.to_message()[1:]] == [["value", "เหลือเวลา 24 นาที"]]


OFFERS_IN_A_DAY = 40  # a busy workshop: offers that come, are taken by others or expire, while the tablet shows home


def an_offer(n: int) -> dict[str, Any]:
    return {"offer_id": str(uuid4()), "request_id": str(uuid4()), "offer_status": "pending",
            "category_code": "appliance", "item": f"พัดลม {n}", "province": "เชียงใหม่", "district": "เมืองเชียงใหม่",
            "distance_km": 3.0, "created_at": NOW.isoformat(), "expires_at": NOW.isoformat(), "photo_count": 5}


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
    # The offer still showing keeps its photos: reloaded (a poll), its card asks for none again.
    before = len(backend.requests)
    await home.load()
    assert all(home.offer_photos(home.offers[0]))
    assert not [path for path in backend.paths()[before:] if "/photos/" in path]


WAITS_IN_A_DAY = 17_280  # a day offline: one poll every 5 s (POLL_SECONDS)


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
    assert live.delays[-1] == POLL_SECONDS  # the last ones are still there to look at


SENDS_IN_A_DAY = 2_880  # a day offline: the outbox's sender tries a waiting draft every 30 s (MAX_DELAY_SECONDS)


async def test_a_day_without_the_network_keeps_no_growing_record_of_the_outboxs_waits() -> None:
    backend, token = signed_in_backend()
    backend.offline = True
    waits = 0
    evening = asyncio.Event()

    async def a_while(seconds: float) -> None:
        nonlocal waits
        waits += 1
        if waits >= SENDS_IN_A_DAY:
            evening.set()
            await asyncio.Event().wait()  # and the sender waits there until the app closes

    outbox = outbox_for(backend, token, MemoryOutboxStorage(), sleep=a_while)
    await outbox.add(OutboxItem(body=body()))
    task = asyncio.ensure_future(outbox.run())
    try:
        await asyncio.wait_for(evening.wait(), timeout=120)  # a guard against a sender that stopped, not a speed
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert outbox.items[0].attempts == SENDS_IN_A_DAY  # it tried all day, as it should
    assert len(outbox.delays) <= 100, f"{len(outbox.delays)} waits kept in memory after a day"
    assert outbox.delays[-1] == MAX_DELAY_SECONDS


NIGHT_OFFLINE = 1_100  # failed tries in a row: 9 hours without the network, one try every 30 s (MAX_DELAY_SECONDS)


async def test_the_outboxs_sender_still_sends_after_a_night_without_the_network() -> None:
    """The backoff (2 s doubled at each failure in a row) overflowed a float at the 1,025th failure: the sender's
    task died, and the drafts stayed "waiting to send" until the app was opened again."""
    assert backoff_delay(NIGHT_OFFLINE) == MAX_DELAY_SECONDS
    backend, token = signed_in_backend()
    backend.offline = True
    tries = 0

    async def a_while(seconds: float) -> None:
        nonlocal tries
        tries += 1
        if tries == NIGHT_OFFLINE:
            backend.offline = False  # the morning: the network is back

    morning = asyncio.Event()

    async def sent(item: OutboxItem) -> None:
        morning.set()

    outbox = outbox_for(backend, token, MemoryOutboxStorage(), sleep=a_while, on_sent=sent)
    await outbox.add(OutboxItem(body=body()))
    sender = asyncio.ensure_future(outbox.run())
    arrived = asyncio.ensure_future(morning.wait())
    try:
        # Whichever comes first: the draft sent, or the sender's end. Guarded against a hang, not timed.
        await asyncio.wait({sender, arrived}, timeout=120, return_when=asyncio.FIRST_COMPLETED)
        assert not sender.done(), f"the sender stopped: {sender.exception()!r}"
        assert morning.is_set() and outbox.items == [] and len(backend.created) == 1
    finally:
        sender.cancel()
        arrived.cancel()
        await asyncio.gather(sender, arrived, return_exceptions=True)
