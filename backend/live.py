"""Live events: PostgreSQL LISTEN/NOTIFY → this process → Server-Sent Events to each connected user.

One listening connection per backend process; the database fans out to every process, so a change made through
any copy reaches users connected to any other copy.
"""

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncGenerator, Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from shared.notifications import LIVE_PING_SECONDS, LIVE_STREAMS_PER_PERSON

log = logging.getLogger("fixit.live")
CHANNEL = "fixit_events"
# The listening connection's proof of life. A path that went silent (a NAT or load balancer dropping a flow idle for a
# night, a failover leaving the old address answering nothing) raises nothing: `notifies()` would wait for ever
# (libpq's TCP keepalive notices after the kernel's 2 h 11 min), and a proxy that still acknowledges every packet
# defeats TCP keepalives altogether. So after this many seconds without a notification the listener asks the
# database a round trip on that connection (which also keeps an idle flow from looking idle to the path)...
LISTENER_QUIET_SECONDS = 15.0
# ...and a round trip, the LISTEN itself or a new connection unanswered this long means the path is silent: the
# listener is lost (every stream ends, `live_events` goes false) and connects again.
LISTENER_ANSWER_SECONDS = 10.0


@dataclass(frozen=True)
class Viewer:
    user_id: str
    role: str
    college_id: str | None


def may_see(viewer: Viewer, event: dict[str, Any]) -> bool:
    """The same rule as the row level security policies, applied to an event's ids."""
    if event.get("kind") == "notification":  # someone's inbox: theirs alone, admins included
        return viewer.user_id == event.get("recipient_id")
    if viewer.role == "admin":
        return True
    if viewer.user_id in (event.get("citizen_id"), event.get("technician_id")):
        return True
    if viewer.role == "technician" and viewer.user_id == event.get("former_technician_id"):
        return True  # the lead the job just left (0056): told how, the one event about it they hear
    if viewer.role == "technician" and viewer.user_id in (event.get("helper_ids") or ()):
        return True  # a student on the job's team (0053), as RLS lets them read it (0050: students only)
    same_college = viewer.college_id is not None and viewer.college_id == event.get("college_id")
    return viewer.role == "supervisor" and same_college


def public_part(event: dict[str, Any]) -> dict[str, Any]:
    """What goes over the wire: which request changed and to what, never who else is involved."""
    return {k: event[k] for k in ("kind", "request_id", "offer_id", "notification_id", "status", "at",
                                 "lead_left", "kept", "closed") if k in event}


@dataclass(frozen=True)
class Outgoing:
    """One event as its viewers get it: the public part, and its SSE text encoded once for every stream."""
    event: dict[str, Any]
    wire: bytes


def encode(event: dict[str, Any]) -> Outgoing:
    public = public_part(event)
    text = f"event: {public.get('kind', 'request')}\ndata: {json.dumps(public, default=str)}\n\n"
    return Outgoing(public, text.encode())


# The end of a stream: its person's account was suspended or deleted (announced as `account_closed`, 0040), or
# their role or college changed (`access_changed`, 0043: the app reconnects at once, and its new stream is scoped
# by what the person is now).
CLOSED = Outgoing({}, b"")
ENDS_STREAMS = frozenset({"account_closed", "access_changed"})


@dataclass(eq=False)
class Subscription:
    viewer: Viewer
    queue: asyncio.Queue[Outgoing] = field(default_factory=lambda: asyncio.Queue(maxsize=256))
    opened: int = 0  # the hub's count of streams opened when this one was: the person's oldest has the lowest
    closed: bool = False

    def close(self) -> None:
        """Drop what is queued (it may no longer be theirs to hear) and end the stream."""
        self.closed = True
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(CLOSED)


class EventHub:
    """Subscriptions are indexed by who they may see (the user, a supervisor's college, admins), so an event costs
    the streams it reaches, not one visibility check per connected user (500 listeners: `bench/live.py`). A job's
    helpers are named by the event itself (`helper_ids`, 0053: the database reads the team once per change) and
    found by user like its citizen and lead, and so is the lead a job just left (`former_technician_id`, 0056)."""

    def __init__(self, database_url: str, *, quiet_seconds: float = LISTENER_QUIET_SECONDS,
                 answer_seconds: float = LISTENER_ANSWER_SECONDS) -> None:
        self._url = database_url
        self.quiet_seconds = quiet_seconds
        self.answer_seconds = answer_seconds
        self._by_user: dict[str, set[Subscription]] = {}
        self._by_college: dict[str, set[Subscription]] = {}  # supervisors only
        self._admins: set[Subscription] = set()
        self.listening = asyncio.Event()
        # Streams-ending announcements heard so far, and the last one's number per person it was about: a stream
        # whose viewer was read before an announcement about them and subscribed after it ends at once (its scope
        # may be the old one). One small entry per person whose access changed while this copy ran.
        self.changes = 0
        self._changed_at: dict[str, int] = {}
        self._everyone_at = -1  # the last time the listener was lost or came back (`changes` then)
        self.listener_pid: int | None = None  # the listening connection's server process (pg_stat_activity)
        self._listened = False  # a connection listened before: announcements since went unheard
        self._opened = 0

    def _indexes(self, viewer: Viewer) -> list[tuple[dict[str, set[Subscription]], str]]:
        found = [(self._by_user, viewer.user_id)]
        if viewer.role == "supervisor" and viewer.college_id is not None:
            found.append((self._by_college, viewer.college_id))
        return found

    @contextlib.contextmanager
    def subscribe(self, viewer: Viewer, since: int | None = None) -> Iterator[Subscription]:
        """`since`: `changes` as it was before the viewer's role and college were read."""
        self._opened += 1
        sub = Subscription(viewer, opened=self._opened)
        open_ones = [held for held in self._by_user.get(viewer.user_id, ()) if not held.closed]
        if len(open_ones) >= LIVE_STREAMS_PER_PERSON:
            min(open_ones, key=lambda held: held.opened).close()  # the newest always works (LIVE_STREAMS_PER_PERSON)
        if since is not None and max(self._changed_at.get(viewer.user_id, -1), self._everyone_at) > since:
            sub.close()  # changed while the stream opened: the app reconnects and reads them anew
        indexes = self._indexes(viewer)
        for index, key in indexes:
            index.setdefault(key, set()).add(sub)
        if viewer.role == "admin":
            self._admins.add(sub)
        try:
            yield sub
        finally:
            for index, key in indexes:
                subs = index.get(key)
                if subs is not None:
                    subs.discard(sub)
                    if not subs:
                        del index[key]
            self._admins.discard(sub)

    def end_every_stream(self) -> None:
        """The listening connection was lost, or is back after a loss: what was announced meanwhile (a suspension, a
        change of role or college, any event) was not heard here, so every stream ends and each app reconnects, its
        person and what it shows read anew."""
        self.changes += 1
        self._everyone_at = self.changes
        for subs in list(self._by_user.values()):
            for sub in list(subs):
                sub.close()

    def audience(self, event: dict[str, Any]) -> set[Subscription]:
        """Every subscription that may see the event: `may_see`'s rule, looked up instead of tried on each."""
        if event.get("kind") == "notification":
            return set(self._by_user.get(str(event.get("recipient_id")), ()))
        found = set(self._admins)
        for key in ("citizen_id", "technician_id"):
            if event.get(key) is not None:
                found.update(self._by_user.get(str(event[key]), ()))
        if event.get("college_id") is not None:
            found.update(self._by_college.get(str(event["college_id"]), ()))
        if (former := event.get("former_technician_id")) is not None:  # the lead the job just left (0056)
            found.update(sub for sub in self._by_user.get(str(former), ()) if sub.viewer.role == "technician")
        for helper in event.get("helper_ids") or ():  # the job's helpers (0053): few, most jobs none
            found.update(sub for sub in self._by_user.get(str(helper), ()) if sub.viewer.role == "technician")
        return found

    def deliver(self, event: dict[str, Any]) -> None:
        """Queue the event for every stream that may see it. A stream whose queue is full fell behind (a slow
        network, a phone in a tunnel while an admin's stream hears the whole country): it ends rather than skip
        events, and its app reconnects and reads anew what it shows (mobile/live.py)."""
        if event.get("kind") in ENDS_STREAMS:  # that person's streams end, on every copy
            person = str(event.get("user_id"))
            self.changes += 1
            self._changed_at[person] = self.changes
            for sub in list(self._by_user.get(person, ())):
                sub.close()
            return
        audience = self.audience(event)
        if not audience:
            return
        outgoing = encode(event)
        for sub in audience:
            if sub.closed:
                continue  # ended, its stream not gone yet: nothing more is theirs to hear on it
            try:
                sub.queue.put_nowait(outgoing)
            except asyncio.QueueFull:  # fell behind: end it rather than skip this event and go on
                sub.close()
                log.info("live events: a stream fell %d events behind and was ended (its app reconnects)",
                         sub.queue.maxsize)

    async def run(self) -> None:
        """Listen until cancelled, reconnecting with backoff when the database goes away or the path to it goes
        silent. Every stream ends when the listener is lost (what is committed meanwhile is not heard here: each
        app reconnects and reads anew, through this copy or another) and again when it is back (streams opened
        meanwhile heard nothing either)."""
        delay = 1.0
        while True:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away or stopped answering: keep trying, the service stays up
                if self.listening.is_set():  # it was listening until now: the first try comes soon
                    self.listening.clear()
                    self.end_every_stream()
                    delay = 1.0
                log.warning("live events: listener lost (%s); retrying in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    async def _listen(self) -> None:
        """One listening connection, until it fails or stops answering (it never ends otherwise)."""
        options: dict[str, Any] = {"autocommit": True}
        if "connect_timeout" not in conninfo_to_dict(self._url):
            options["connect_timeout"] = max(1, round(self.answer_seconds))
        conn = await psycopg.AsyncConnection.connect(self._url, **options)
        try:
            await self._round_trip(conn, f"listen {CHANNEL}")
            if self._listened:  # announcements since the last connection went unheard
                self.end_every_stream()
            self._listened = True
            self.listener_pid = conn.info.backend_pid
            self.listening.set()
            heard = time.monotonic()  # the last proof the path carries: a notification or an answer
            while True:
                quiet_for = self.quiet_seconds - (time.monotonic() - heard)
                if quiet_for <= 0:
                    # The LISTEN again (a no-op on the server): a round trip, and pg_stat_activity keeps showing
                    # this connection as the listener.
                    await self._round_trip(conn, f"listen {CHANNEL}")
                    heard = time.monotonic()
                    continue
                async for notify in conn.notifies(timeout=quiet_for):
                    heard = time.monotonic()
                    with contextlib.suppress(ValueError):
                        self.deliver(json.loads(notify.payload))
        finally:
            await conn.close()

    async def _round_trip(self, conn: psycopg.AsyncConnection[Any], statement: str) -> None:
        """Run `statement` on the listening connection; no answer within `answer_seconds` raises `ListenerSilent`.
        The connection is closed first (no cancel request down a path that carries nothing; none waited for), so
        the unanswered statement ends at once."""
        trip = asyncio.ensure_future(conn.execute(statement))
        try:
            done, _ = await asyncio.wait({trip}, timeout=self.answer_seconds)
        finally:
            if not trip.done():
                await conn.close()
                trip.cancel()
                await asyncio.gather(trip, return_exceptions=True)
        if not done:
            raise ListenerSilent(f"no answer to {statement.split()[0]} in {self.answer_seconds:g} s")
        trip.result()


class ListenerSilent(Exception):
    """The listening connection's path carries nothing any more: a round trip went unanswered."""


PING = b": ping\n\n"


async def sse_stream(sub: Subscription, ping_seconds: float = LIVE_PING_SECONDS) -> AsyncGenerator[bytes]:
    """The stream's bytes; `b": ping"` every `ping_seconds` of quiet keeps proxies from closing it. It ends when
    the subscription is closed (the account suspended or deleted, its role or college changed).

    Events already queued when the stream wakes leave in one chunk: the notifications a commit sends are read in
    one batch (`deliver` runs for each before any stream does), so a supervisor hears a job's `request` event and
    their own `notification` of it together, in one write and one wake-up of their app, not two (bench/live.py)."""
    yield b": connected\n\n"
    while True:
        try:
            # asyncio.timeout, not wait_for: on 3.11 wait_for wraps every get in a task of its own.
            async with asyncio.timeout(ping_seconds):
                outgoing = await sub.queue.get()
        except TimeoutError:
            yield PING
            continue
        if outgoing is CLOSED:
            return
        if sub.queue.empty():
            yield outgoing.wire
            continue
        wires = [outgoing.wire]
        while not sub.queue.empty():
            more = sub.queue.get_nowait()
            if more is CLOSED:  # `close` empties the queue first: nothing queued before the end is theirs to hear
                return
            wires.append(more.wire)
        yield b"".join(wires)
