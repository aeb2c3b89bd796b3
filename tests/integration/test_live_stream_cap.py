"""One person holds at most LIVE_STREAMS_PER_PERSON live streams on a backend copy: opening one more ends their
oldest, so a token opening stream after stream holds no more memory, tasks and sockets than that, and a person whose
phone changed networks (its old streams not yet noticed dead) still gets the new one at once."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from backend.app import create_app
from backend.live import EventHub
from backend.settings import Settings
from shared.notifications import LIVE_STREAMS_PER_PERSON
from tests.helpers import fresh_phone, sign_in
from tests.integration.live_streams import open_stream


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Any]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


async def test_opening_one_stream_too_many_ends_the_persons_oldest(app: Any, settings: Settings) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as api:
        token, me = await sign_in(api, fresh_phone())
        other_token, other = await sign_in(api, fresh_phone())
    hub: EventHub = app.state.hub
    opened: list[Any] = []  # this person's, oldest first
    someone_else = None
    try:
        for _ in range(LIVE_STREAMS_PER_PERSON):
            opened.append(await open_stream(app, settings, token))
        someone_else = await open_stream(app, settings, other_token)
        assert len(hub._by_user[str(me["id"])]) == LIVE_STREAMS_PER_PERSON

        # Ten more: each ends the oldest still open, in the order they were opened; the count never grows.
        for n in range(10):
            opened.append(await open_stream(app, settings, token))
            with pytest.raises(StopAsyncIteration):  # the oldest stream ends (its app reconnects if still there)
                await asyncio.wait_for(anext(opened[n]), 5)
            still = [s for s in hub._by_user[str(me["id"])] if not s.closed]
            assert len(still) == LIVE_STREAMS_PER_PERSON
        # Another person's stream is untouched, and the newest of theirs hears what is theirs.
        assert len(hub._by_user[str(other["id"])]) == 1 and not next(iter(hub._by_user[str(other["id"])])).closed
        hub.deliver({"kind": "notification", "recipient_id": me["id"], "id": 1})
        chunk = bytes(await asyncio.wait_for(anext(opened[-1]), 5))
        assert chunk.startswith(b"event: notification"), chunk
    finally:
        for chunks in [*opened, someone_else]:
            with contextlib.suppress(Exception):
                await chunks.aclose()
