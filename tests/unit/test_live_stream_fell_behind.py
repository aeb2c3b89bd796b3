"""A live stream that falls behind (a slow network: its queue fills) ends rather than skip events, so its app
reconnects at once and reads anew what it shows (audit 16b, finding 13)."""

import uuid

from backend.live import EventHub, Viewer, sse_stream


def _accepted(citizen_id: str) -> dict[str, object]:
    return {"kind": "request", "request_id": str(uuid.uuid4()), "status": "accepted", "citizen_id": citizen_id}


def test_a_live_stream_that_fell_behind_ends_rather_than_skipping_events() -> None:
    """live.EventHub.deliver dropped an event for a stream whose queue (256) was full ("a stalled client loses events,
    not the server") and the stream went on: when the phone's network comes back it gets the 256 oldest events and
    never the newer ones (an offer made to them, the job they wait for now ready), and nothing tells the app to read
    anew. An admin's stream hears every event in the country, so a minute of a slow network in a busy hour is
    enough. The server should end such a stream (as it ends every stream when its listener was lost): the app
    reconnects at once and reads what it missed."""
    hub = EventHub("")
    viewer = Viewer(str(uuid.uuid4()), "citizen", None)
    with hub.subscribe(viewer) as sub:
        for _ in range(sub.queue.maxsize + 10):
            hub.deliver(_accepted(viewer.user_id))
        assert sub.closed, "10 events dropped, the stream still open: the app never learns it missed them"


async def test_the_stream_that_fell_behind_ends_and_the_others_hear_on() -> None:
    """What the ended stream still sends is its end (nothing of the older events queued: the app reads anew), and
    another person's stream, keeping up, hears every event."""
    hub = EventHub("")
    slow, quick = Viewer(str(uuid.uuid4()), "admin", None), Viewer(str(uuid.uuid4()), "citizen", None)
    with hub.subscribe(slow) as behind, hub.subscribe(quick) as keeping_up:
        stream = sse_stream(behind, ping_seconds=30)
        assert await anext(stream) == b": connected\n\n"
        for _ in range(behind.queue.maxsize + 1):
            hub.deliver(_accepted(quick.user_id))
            keeping_up.queue.get_nowait()  # read as it comes
        hub.deliver(_accepted(quick.user_id))  # after the end: not queued on the ended stream
        assert behind.closed and behind.queue.qsize() == 1  # its end, alone
        assert [chunk async for chunk in stream] == []
        assert keeping_up.queue.qsize() == 1 and not keeping_up.closed
