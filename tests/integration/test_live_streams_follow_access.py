"""An open live-event stream follows its person's role and college: a change of either ends it (announced as
`access_changed`, 0043, to every backend copy), and the stream the app opens again at once is scoped anew.
Moved here from the audit 12 findings (3)."""

import asyncio
import contextlib
import uuid
from typing import Any

import httpx
import psycopg

from backend.live import CHANNEL, CLOSED, EventHub, Viewer
from backend.settings import Settings
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft
from tests.integration.dispatch_area import AppClock, Area, submit
from tests.integration.live_streams import open_stream


def _college_of(database_url: str, request_id: str) -> Any:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select college_id from public.repair_requests where id = %s", [request_id]).fetchone()
    assert row is not None
    return row[0]


async def _chunks_until_notification(chunks: Any, notification_id: int) -> list[bytes]:
    """The stream's chunks up to its person's notification `notification_id` (or its end). Events queued together
    leave in one chunk (live.sse_stream): the notification may follow a request's event in the same chunk, so each
    event in a chunk is read (a chunk-start check waited through pings for ever on a busy machine). A stream that
    neither ends nor brings it within two minutes fails the test rather than hold the suite."""
    seen: list[bytes] = []
    mark = f'"notification_id": {notification_id},'.encode()
    async with asyncio.timeout(120):
        while True:
            try:
                chunk = bytes(await anext(chunks))
            except StopAsyncIteration:
                return seen
            seen.append(chunk)
            if any(event.startswith(b"event: notification") and mark in event for event in chunk.split(b"\n\n")):
                return seen


def _notify(database_url: str, person: str) -> int:
    """Something the person hears whatever their role: a notification of their own (its id)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute("insert into public.notifications (recipient_id, kind, params) "
                           "values (%s, 'invite_accepted', '{}') returning id", [person]).fetchone()
    assert row is not None
    return int(row[0])


async def _submit_at_the_far_college(api: httpx.AsyncClient, area: Area) -> dict[str, Any]:
    token, _ = await sign_in(api, fresh_phone())
    response = await api.post("/requests", json=draft(lat=19.1000, lon=97.9700), headers=bearer(token))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_a_supervisor_moved_away_stops_hearing_the_old_college(
    app_and_clock: AppClock, area: Area, database_url: str, settings: Settings
) -> None:
    """Only an account's suspension or deletion ended its streams (account_closed, 0040). An admin moving the
    teacher to the far college (or making them a citizen) changes what RLS lets them read at once, but the open
    stream still carried the near college's requests and offers (their ids and statuses) until the token it
    opened with expired (up to an hour). Here: the teacher's stream, opened at the near college, heard a request
    dispatched to that college after the admin moved them. Now it ends; the stream the app opens again hears the
    far college's requests and not the near one's."""
    api, _ = app_and_clock
    app = api._transport.app  # type: ignore[attr-defined]
    await asyncio.wait_for(app.state.hub.listening.wait(), 10)
    teacher_id, teacher_phone = area.students["teacher"]
    teacher, _ = await sign_in(api, teacher_phone)
    admin, _ = await sign_in(api, "0844444444")

    chunks: Any = await open_stream(app, settings, teacher)
    try:
        moved = await api.post(f"/admin/colleges/{area.far}/supervisors", json={"phone": teacher_phone},
                               headers=bearer(admin))
        assert moved.status_code == 201, moved.text
        me = await api.get("/me", headers=bearer(teacher))
        assert me.json()["college"]["id"] == str(area.far)  # RLS now shows them the far college only
        _, created = await submit(api)  # offered to the near college's students
        assert _college_of(database_url, created["id"]) == area.near
        told = _notify(database_url, teacher_id)
        heard = b"".join(await _chunks_until_notification(chunks, told))
    finally:
        await chunks.aclose()
    assert created["id"].encode() not in heard, heard.decode()

    # The app reconnects at once with the same token: the new stream is the far college's.
    again: Any = await open_stream(app, settings, teacher)
    try:
        _, near_request = await submit(api)
        far_request = await _submit_at_the_far_college(api, area)
        assert _college_of(database_url, far_request["id"]) == area.far
        told = _notify(database_url, teacher_id)
        heard = b"".join(await _chunks_until_notification(again, told))
    finally:
        await again.aclose()
    assert far_request["id"].encode() in heard, heard.decode()
    assert near_request["id"].encode() not in heard, heard.decode()



async def test_every_stream_ends_when_the_listener_is_lost_and_when_it_comes_back(database_url: str) -> None:
    """A backend copy hears `access_changed` and `account_closed` (and every event) on its one listening
    connection: while that connection is lost (the database restarted, a network cut), announcements go unheard,
    and streams would keep the scope they had and miss what changed. When the listener is lost every stream of that
    copy ends (the apps reconnect and read anew, through this copy or another), and when it is back every stream
    ends again (one opened meanwhile heard nothing either), and one that read its person before the loss ends as it
    subscribes."""
    hub = EventHub(database_url)
    task = asyncio.create_task(hub.run())
    try:
        await asyncio.wait_for(hub.listening.wait(), 10)
        since = hub.changes
        with hub.subscribe(Viewer(str(uuid.uuid4()), "supervisor", str(uuid.uuid4()))) as sub:
            with psycopg.connect(database_url, autocommit=True) as conn:
                ended = conn.execute("select pg_terminate_backend(pid) from pg_stat_activity "
                                     "where pid = %s and query = %s", [hub.listener_pid, f"listen {CHANNEL}"]
                                     ).fetchall()
            assert ended == [(True,)]  # this hub's listener, no other test's
            assert await asyncio.wait_for(sub.queue.get(), 30) is CLOSED
        assert not hub.listening.is_set()  # lost (the hub waits a second before it tries again)
        with hub.subscribe(Viewer(str(uuid.uuid4()), "citizen", None), hub.changes) as meanwhile:
            assert meanwhile.queue.empty()
            assert await asyncio.wait_for(meanwhile.queue.get(), 30) is CLOSED
        assert hub.listening.is_set()
        with hub.subscribe(Viewer(str(uuid.uuid4()), "citizen", None), since) as late:
            assert late.queue.get_nowait() is CLOSED
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
