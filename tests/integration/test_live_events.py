"""LISTEN/NOTIFY → hub → subscriber: a change made through one backend reaches users connected to another
process's hub, and only the users who may see it."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest

from backend.live import EventHub, Viewer, may_see, public_part
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft


@pytest.fixture
async def other_process_hub(database_url: str) -> AsyncIterator[EventHub]:
    """A second hub on its own connection, as another backend copy would have."""
    hub = EventHub(database_url)
    task = asyncio.create_task(hub.run())
    await asyncio.wait_for(hub.listening.wait(), timeout=10)
    yield hub
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_events_cross_processes_and_respect_visibility(
    api: httpx.AsyncClient, other_process_hub: EventHub
) -> None:
    token, owner = await sign_in(api, fresh_phone())
    _, stranger = await sign_in(api, fresh_phone())
    with other_process_hub.subscribe(Viewer(owner["id"], "citizen", None)) as mine, \
            other_process_hub.subscribe(Viewer(stranger["id"], "citizen", None)) as theirs:
        created = (await api.post("/requests", json=draft(), headers=bearer(token))).json()
        seen = [await asyncio.wait_for(mine.queue.get(), timeout=5) for _ in range(2)]
        assert [(e.event["request_id"], e.event["status"]) for e in seen] == [
            (created["id"], "submitted"), (created["id"], "offered")]
        # ids of the people involved never go over the wire
        assert "citizen_id" not in seen[0].event and b"citizen_id" not in seen[0].wire
        await asyncio.sleep(0.3)
        assert theirs.queue.empty()


def test_visibility_rule_mirrors_rls() -> None:
    event = {"citizen_id": "c", "technician_id": "t", "college_id": "k"}
    assert may_see(Viewer("c", "citizen", None), event)
    assert may_see(Viewer("t", "technician", "k"), event)
    assert may_see(Viewer("s", "supervisor", "k"), event)
    assert not may_see(Viewer("s2", "supervisor", "other"), event)
    assert not may_see(Viewer("t2", "technician", "k"), event)  # a classmate does not see your job
    assert may_see(Viewer("a", "admin", None), event)


def test_a_notification_reaches_its_recipient_only() -> None:
    event = {"kind": "notification", "recipient_id": "r", "notification_id": 7, "request_id": "q",
             "college_id": "k"}
    assert may_see(Viewer("r", "citizen", None), event)
    assert not may_see(Viewer("a", "admin", None), event)  # someone's inbox is theirs alone
    assert not may_see(Viewer("s", "supervisor", "k"), event)
    assert public_part(event) == {"kind": "notification", "request_id": "q", "notification_id": 7}
