"""Live events: PostgreSQL LISTEN/NOTIFY → this process → Server-Sent Events to each connected user.

One listening connection per backend process; the database fans out to every process, so a change made through
any copy reaches users connected to any other copy.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg

log = logging.getLogger("fixit.live")
CHANNEL = "fixit_events"


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
    same_college = viewer.college_id is not None and viewer.college_id == event.get("college_id")
    return viewer.role == "supervisor" and same_college


def public_part(event: dict[str, Any]) -> dict[str, Any]:
    """What goes over the wire: which request changed and to what, never who else is involved."""
    return {k: event[k] for k in ("kind", "request_id", "offer_id", "notification_id", "status", "at") if k in event}


@dataclass(eq=False)
class Subscription:
    viewer: Viewer
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=lambda: asyncio.Queue(maxsize=256))


class EventHub:
    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._subs: set[Subscription] = set()
        self.listening = asyncio.Event()

    @contextlib.contextmanager
    def subscribe(self, viewer: Viewer) -> Iterator[Subscription]:
        sub = Subscription(viewer)
        self._subs.add(sub)
        try:
            yield sub
        finally:
            self._subs.discard(sub)

    def deliver(self, event: dict[str, Any]) -> None:
        for sub in list(self._subs):
            if may_see(sub.viewer, event):
                with contextlib.suppress(asyncio.QueueFull):  # a stalled client loses events, not the server
                    sub.queue.put_nowait(public_part(event))

    async def run(self) -> None:
        """Listen until cancelled, reconnecting with backoff when the database goes away."""
        delay = 1.0
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self._url, autocommit=True) as conn:
                    await conn.execute(f"listen {CHANNEL}")
                    self.listening.set()
                    delay = 1.0
                    async for notify in conn.notifies():
                        with contextlib.suppress(ValueError):
                            self.deliver(json.loads(notify.payload))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away: keep trying, the service stays up
                self.listening.clear()
                log.warning("live events: listener lost (%s); retrying in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)


async def sse_stream(sub: Subscription, ping_seconds: float = 15.0) -> AsyncIterator[str]:
    yield ": connected\n\n"
    while True:
        try:
            event = await asyncio.wait_for(sub.queue.get(), timeout=ping_seconds)
        except TimeoutError:
            yield ": ping\n\n"  # keeps proxies from closing an idle stream
            continue
        yield f"event: {event.get('kind', 'request')}\ndata: {json.dumps(event, default=str)}\n\n"
