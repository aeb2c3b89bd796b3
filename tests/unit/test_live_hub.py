"""The hub's subscriber indexes: an event reaches exactly the streams `may_see` allows, encoded once for all."""

import asyncio
import contextlib
import itertools
import json
from collections.abc import Iterator

import pytest

from backend.live import PING, EventHub, Subscription, Viewer, may_see, sse_stream

USERS = ["u1", "u2", "u3"]
COLLEGES = ["k1", "k2", None]


def _viewers() -> list[Viewer]:
    roles = ["citizen", "technician", "supervisor", "admin"]
    return [Viewer(u, r, c) for u, r, c in itertools.product(USERS, roles, COLLEGES)]


def _events() -> list[dict[str, object]]:
    people = [*USERS, None]
    found: list[dict[str, object]] = []
    for citizen, technician, college in itertools.product(people, people, COLLEGES):
        found.append({"kind": "request", "request_id": "q", "status": "repairing", "citizen_id": citizen,
                      "technician_id": technician, "college_id": college})
        found.append({"kind": "offer", "request_id": "q", "offer_id": "o", "status": "pending",
                      "technician_id": technician, "college_id": college})
    found += [{"kind": "notification", "recipient_id": u, "notification_id": 1, "request_id": "q",
               "college_id": "k1"} for u in USERS]
    # A job's helpers (0053): named by a status event with its other people, or alone (a change of the team, told to
    # the member it concerns); students only, as RLS lets them read the job.
    for helpers, technician in itertools.product([[], ["u1"], ["u2", "u3"]], people):
        found.append({"kind": "request", "request_id": "q", "status": "repairing", "citizen_id": "u3",
                      "technician_id": technician, "college_id": "k1", "helper_ids": helpers})
    found += [{"kind": "request", "request_id": "q", "at": "t", "helper_ids": [u]} for u in USERS]
    # The lead a job just left (0056): named alone, told how; students only.
    found += [{"kind": "request", "request_id": "q", "at": "t", "lead_left": "reassigned", "kept": False,
               "former_technician_id": u} for u in USERS]
    return found


@contextlib.contextmanager
def subscribed(hub: EventHub, viewers: list[Viewer]) -> Iterator[list[Subscription]]:
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(hub.subscribe(v)) for v in viewers]


def test_each_event_reaches_exactly_whom_may_see_allows(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each person here holds a stream in every role and college (12), past the cap on one person's streams.
    monkeypatch.setattr("backend.live.LIVE_STREAMS_PER_PERSON", len(_viewers()))
    hub = EventHub("postgresql://unused")
    viewers = _viewers()
    with subscribed(hub, viewers) as subs:
        for event in _events():
            hub.deliver(event)
            for viewer, sub in zip(viewers, subs, strict=True):
                got = [sub.queue.get_nowait() for _ in range(sub.queue.qsize())]
                assert len(got) == (1 if may_see(viewer, event) else 0), (viewer, event)
                for outgoing in got:
                    assert "citizen_id" not in outgoing.event and "recipient_id" not in outgoing.event
                    name, data = outgoing.wire.decode().split("\n")[:2]
                    assert name == f"event: {event['kind']}"
                    assert json.loads(data.removeprefix("data: ")) == outgoing.event
    assert not hub.audience({"kind": "request", "citizen_id": "u1"})  # unsubscribed: nothing left indexed


def test_a_jobs_helpers_hear_it_as_students_only_and_their_ids_stay_off_the_wire() -> None:
    """Before 0053 a status event named its citizen, its lead and its college: a student helping on the job (who
    reads it since 0050) heard none of its changes. The event names its helpers; a student among them hears it, the
    same person in another role does not (RLS shows a helper the job as a student only), nor does another student."""
    event = {"kind": "request", "request_id": "q", "status": "repairing", "citizen_id": "c", "technician_id": "t",
             "college_id": "k", "helper_ids": ["h"]}
    assert may_see(Viewer("h", "technician", "k"), event)
    assert not may_see(Viewer("h", "supervisor", "k2"), event) and not may_see(Viewer("h", "citizen", None), event)
    assert not may_see(Viewer("h2", "technician", "k"), event)
    hub = EventHub("postgresql://unused")
    with hub.subscribe(Viewer("h", "technician", "k")) as helper, \
            hub.subscribe(Viewer("h2", "technician", "k")) as other:
        hub.deliver(event)
        hub.deliver({"kind": "request", "request_id": "q", "at": "t", "helper_ids": ["h"]})  # off the team: told
        heard = [helper.queue.get_nowait() for _ in range(helper.queue.qsize())]
        assert [o.event for o in heard] == [{"kind": "request", "request_id": "q", "status": "repairing"},
                                            {"kind": "request", "request_id": "q", "at": "t"}]
        assert not any(b"helper_ids" in o.wire or b'"h"' in o.wire for o in heard)
        assert other.queue.empty()


def test_the_lead_a_job_left_hears_how_and_nobody_is_named_on_the_wire() -> None:
    """Before 0056 the change of a job's lead was heard by whom its events named: the new lead, never the one it was
    taken from. The event names them (`former_technician_id`); they hear how it left them, nobody else does (the
    same person in another role neither), and their id stays off the wire."""
    event = {"kind": "request", "request_id": "q", "at": "t", "lead_left": "taken_back", "kept": True,
             "former_technician_id": "f"}
    assert may_see(Viewer("f", "technician", "k"), event)
    assert not may_see(Viewer("f", "supervisor", "k"), event) and not may_see(Viewer("g", "technician", "k"), event)
    hub = EventHub("postgresql://unused")
    with hub.subscribe(Viewer("f", "technician", "k")) as former, \
            hub.subscribe(Viewer("g", "technician", "k")) as other:
        hub.deliver(event)
        heard = former.queue.get_nowait()
        assert heard.event == {"kind": "request", "request_id": "q", "at": "t", "lead_left": "taken_back",
                               "kept": True}
        assert b"former_technician_id" not in heard.wire and b'"f"' not in heard.wire
        assert former.queue.empty() and other.queue.empty()


def test_one_encoding_is_shared_by_every_stream() -> None:
    hub = EventHub("postgresql://unused")
    staff = [Viewer(f"s{i}", "supervisor", "k1") for i in range(3)]
    with subscribed(hub, staff) as subs:
        hub.deliver({"kind": "request", "request_id": "q", "status": "repairing", "college_id": "k1"})
        first, *others = [sub.queue.get_nowait() for sub in subs]
        assert all(o is first for o in others)


async def test_the_stream_sends_events_and_pings_when_quiet() -> None:
    hub = EventHub("postgresql://unused")
    with hub.subscribe(Viewer("u1", "citizen", None)) as sub:
        stream = sse_stream(sub, ping_seconds=0.05)
        assert await anext(stream) == b": connected\n\n"
        assert await asyncio.wait_for(anext(stream), 5) == PING
        hub.deliver({"kind": "request", "request_id": "q", "status": "offered", "citizen_id": "u1"})
        chunk = await asyncio.wait_for(anext(stream), 5)
        assert chunk.startswith(b"event: request\ndata: ") and b'"status": "offered"' in chunk
        await stream.aclose()


def test_a_change_of_role_or_college_ends_that_persons_streams() -> None:
    """`access_changed` (0043) ends the person's open streams, as `account_closed` does; the app reconnects and
    its new stream is scoped by what the person is now. Nobody else's stream ends."""
    hub = EventHub("postgresql://unused")
    with subscribed(hub, [Viewer("u1", "supervisor", "k1"), Viewer("u1", "citizen", None),
                          Viewer("u2", "supervisor", "k1")]) as (teacher, phone, other):
        hub.deliver({"kind": "request", "request_id": "q", "status": "submitted", "college_id": "k1"})
        hub.deliver({"kind": "access_changed", "user_id": "u1"})
        for sub in (teacher, phone):
            assert sub.queue.qsize() == 1 and sub.queue.get_nowait().wire == b""  # only the end: nothing queued
        assert other.queue.qsize() == 1 and other.queue.get_nowait().event["request_id"] == "q"


def test_a_change_between_reading_the_viewer_and_subscribing_ends_the_new_stream() -> None:
    """GET /events reads the viewer's role and college, then subscribes: an `access_changed` heard in between (the
    move committed just after the read) ends the new stream at once rather than leaving it on the old scope."""
    hub = EventHub("postgresql://unused")
    since = hub.changes  # before the read
    hub.deliver({"kind": "access_changed", "user_id": "u1"})
    with hub.subscribe(Viewer("u1", "supervisor", "k1"), since) as sub:
        assert sub.queue.qsize() == 1 and sub.queue.get_nowait().wire == b""
    with hub.subscribe(Viewer("u1", "supervisor", "k2"), hub.changes) as sub:  # read after the change: open
        assert sub.queue.empty()
    with hub.subscribe(Viewer("u2", "supervisor", "k1"), since) as sub:  # someone else's change
        assert sub.queue.empty()


def test_the_listener_back_after_a_loss_ends_every_stream() -> None:
    """Announcements made while the listener was lost went unheard: every stream ends, and one whose person was
    read before it ends as it subscribes."""
    hub = EventHub("postgresql://unused")
    since = hub.changes
    with subscribed(hub, [Viewer("u1", "admin", None), Viewer("u2", "supervisor", "k1")]) as subs:
        hub.end_every_stream()
        assert [s.queue.get_nowait().wire for s in subs] == [b"", b""]
    with hub.subscribe(Viewer("u3", "citizen", None), since) as late:
        assert late.queue.qsize() == 1
    with hub.subscribe(Viewer("u3", "citizen", None), hub.changes) as fresh:
        assert fresh.queue.empty()


async def test_events_queued_together_leave_in_one_chunk() -> None:
    """A commit's notifications are heard in one batch: a supervisor's `request` event and their own `notification`
    of the same change are queued before their stream runs, and go out in one write, in the order they came."""
    hub = EventHub("postgresql://unused")
    with hub.subscribe(Viewer("s1", "supervisor", "k1")) as sub:
        stream = sse_stream(sub, ping_seconds=30)
        assert await anext(stream) == b": connected\n\n"
        hub.deliver({"kind": "request", "request_id": "q", "status": "quality_check", "college_id": "k1"})
        hub.deliver({"kind": "notification", "recipient_id": "s1", "notification_id": 7, "request_id": "q"})
        chunk = await asyncio.wait_for(anext(stream), 5)
        assert [block.split("\n")[0] for block in chunk.decode().split("\n\n") if block] == [
            "event: request", "event: notification"]
        assert sub.queue.empty()
        hub.deliver({"kind": "request", "request_id": "q", "status": "repairing", "college_id": "k1"})
        alone = await asyncio.wait_for(anext(stream), 5)  # an event on its own still leaves at once, alone
        assert alone.startswith(b"event: request\n") and alone.count(b"\n\n") == 1
        await stream.aclose()

