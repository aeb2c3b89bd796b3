"""Audit 16b, the findings no database is needed for: production mode starting on settings it should refuse.

Each test fails today and is marked `xfail(strict=True)` until its fix lands (then the mark goes)."""

import uuid
from typing import Any

import pytest
from pydantic import SecretStr

from backend.live import EventHub, Viewer
from backend.settings import AuthMode, Settings


def _production(**changes: Any) -> Settings:
    """Settings `serve` accepts today: Supabase Auth on https, the public address and the database set, not
    development mode (each test changes one thing)."""
    values: dict[str, Any] = {
        "dev_mode": False, "auth_mode": AuthMode.SUPABASE, "supabase_url": "https://abcdefgh.supabase.co",
        "supabase_anon_key": SecretStr("anon-key"), "supabase_service_role_key": SecretStr("service-role-key"),
        "public_url": "https://api.fixit.example",
        "database_url": "postgresql://postgres.abcdefgh@aws-0-ap-southeast-1.pooler.supabase.com:5432/postgres",
    }
    return Settings(_env_file=None, **{**values, **changes})  # type: ignore[call-arg]


def test_the_base_production_settings_are_accepted() -> None:
    """The tests below change one thing each from settings production accepts."""
    assert _production().production_problems() == []


@pytest.mark.xfail(strict=True, reason="audit16b: a live stream that falls behind loses events silently and stays open")
def test_a_live_stream_that_fell_behind_ends_rather_than_skipping_events() -> None:
    """live.EventHub.deliver drops an event for a stream whose queue (256) is full ("a stalled client loses events,
    not the server") and the stream goes on: when the phone's network comes back it gets the 256 oldest events and
    never the newer ones (an offer made to them, the job they wait for now ready), and nothing tells the app to read
    anew. An admin's stream hears every event in the country, so a minute of a slow network in a busy hour is
    enough. The server should end such a stream (as it ends every stream when its listener was lost): the app
    reconnects at once and reads what it missed."""
    hub = EventHub("")
    viewer = Viewer(str(uuid.uuid4()), "citizen", None)
    with hub.subscribe(viewer) as sub:
        for _ in range(sub.queue.maxsize + 10):
            hub.deliver({"kind": "request", "request_id": str(uuid.uuid4()), "status": "accepted",
                         "citizen_id": viewer.user_id})
        assert sub.closed, "10 events dropped, the stream still open: the app never learns it missed them"
