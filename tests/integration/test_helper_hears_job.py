"""A student on a job's team hears the job live as its lead does (migration 0053), and hears when they stop helping
on it (taken off the team, handed off, the round ended by the owner's reopen), after which they hear nothing more of
it. A helper of another job hears nothing of this one. Real PostgreSQL, real streams (`GET /events` as the app
opens it), each read up to the listener's own notification sent after the changes (no sleeps).

Each test asks for `area` before `api`: the area's students are made by changing their role and college, which is
announced (`access_changed`, 0043) and ends the person's streams; made before the app's hub listens, no stream of
theirs opened here can be ended by it arriving late."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import psycopg

from backend.settings import Settings
from mobile.live import parse_stream
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import (
    Area,
    assigned_to_bee,
    backdate_acceptance,
    confirm_handover,
    record_work,
    step,
    submit,
    work_to_quality_check,
)
from tests.integration.live_streams import open_stream

Heard = list[tuple[str, str | None]]  # (request_id, status) of each `request` event, in order; None: no status


def _notify(database_url: str, person: str) -> int:
    """A notification of the person's own (its id): what they hear after every change made before it."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute("insert into public.notifications (recipient_id, kind, params) "
                           "values (%s, 'invite_accepted', '{}') returning id", [person]).fetchone()
    assert row is not None
    return int(row[0])


class Listener:
    """One person's open stream, read a piece at a time: each `heard()` returns what came since the last one."""

    def __init__(self, chunks: Any, person: str, database_url: str) -> None:
        self.chunks, self.person, self.database_url = chunks, person, database_url
        self.wire = b""

    async def heard(self) -> Heard:
        told = _notify(self.database_url, self.person)
        mark = f'"notification_id": {told},'.encode()
        seen = b""
        while mark not in seen:
            seen += bytes(await asyncio.wait_for(anext(self.chunks), 30))
        self.wire += seen
        return [(e.json()["request_id"], e.json().get("status")) for e in parse_stream(seen.decode())
                if e.event == "request"]


@contextlib.asynccontextmanager
async def listening(api: httpx.AsyncClient, settings: Settings, database_url: str, token: str, person: str
                    ) -> AsyncIterator[Listener]:
    app = api._transport.app  # type: ignore[attr-defined]
    await asyncio.wait_for(app.state.hub.listening.wait(), 10)
    chunks = await open_stream(app, settings, token)
    try:
        listener = Listener(chunks, person, database_url)
        # A change committed just before the stream opened may still reach it: the hub hears a NOTIFY after its
        # commit, on a later turn of the loop than the answer to the call that made it (a busy machine showed a job's
        # `accepted`, its assign's, on a stream opened after the assign returned). Read up to a notification of the
        # listener's own, committed now and so heard after anything committed before, and forget what came first.
        await listener.heard()
        listener.wire = b""
        yield listener
    finally:
        await chunks.aclose()


def of(heard: Heard, rid: str) -> list[str | None]:
    return [status for request_id, status in heard if request_id == rid]


async def add_helper(api: httpx.AsyncClient, lead: str, rid: str, helper: str) -> None:
    added = await api.post(f"/requests/{rid}/team", json={"technician_id": helper, "task": "ช่วยถอดฝา"},
                           headers=bearer(lead))
    assert added.status_code == 204, added.text


async def test_a_helper_hears_their_job_move_on_as_its_lead_does_and_nothing_of_another_job(
    area: Area, api: httpx.AsyncClient, database_url: str, settings: Settings,
) -> None:
    """Before 0053 cat, helping on bee's job A, heard none of its changes (the events named its citizen, lead and
    college only): cat's open job screen stood still while bee moved the job on. dan helps on bee's job B."""
    _, a = await submit(api)
    _, bee = await assigned_to_bee(api, area, a["id"])
    _, b = await submit(api)
    await assigned_to_bee(api, area, b["id"])
    rid_a, rid_b = a["id"], b["id"]
    (bee_id, _), (cat_id, cat_phone), (dan_id, dan_phone) = (area.students[n] for n in ("bee", "cat", "dan"))
    cat, _ = await sign_in(api, cat_phone)
    dan, _ = await sign_in(api, dan_phone)
    async with listening(api, settings, database_url, bee, bee_id) as lead, \
            listening(api, settings, database_url, cat, cat_id) as helper_a, \
            listening(api, settings, database_url, dan, dan_id) as helper_b:
        await add_helper(api, bee, rid_a, cat_id)
        await add_helper(api, bee, rid_b, dan_id)
        for to in ("diagnosing", "repairing"):
            assert (await step(api, bee, rid_a, to)).status_code == 200
        assert (await step(api, bee, rid_b, "diagnosing")).status_code == 200

        lead_heard, a_heard, b_heard = await lead.heard(), await helper_a.heard(), await helper_b.heard()
        # Each helper is told they joined (no status: read the job), then hears each move as the lead does.
        assert of(lead_heard, rid_a) == ["diagnosing", "repairing"]
        assert of(a_heard, rid_a) == [None, "diagnosing", "repairing"]
        assert of(b_heard, rid_b) == [None, "diagnosing"]
        # Only their own job: nothing of the other one, whose lead is the same student.
        assert of(a_heard, rid_b) == [] and of(b_heard, rid_a) == []
        assert rid_b.encode() not in helper_a.wire and rid_a.encode() not in helper_b.wire
        # Who else is on the job never goes over the wire.
        for wire in (helper_a.wire, helper_b.wire):
            assert b"helper_ids" not in wire and bee_id.encode() not in wire and b"citizen_id" not in wire

        # Handed off (a row kept for their hours, 0048, which reads nothing): told, and hears no more of the job.
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.job_team set handed_on_at = now() where request_id = %s "
                         "and technician_id = %s", [rid_a, cat_id])
        await record_work(api, bee, rid_a)
        assert (await step(api, bee, rid_a, "quality_check")).status_code == 200
        assert of(await lead.heard(), rid_a) == ["quality_check"]
        assert of(await helper_a.heard(), rid_a) == [None]
        assert (await api.get(f"/requests/{rid_a}", headers=bearer(cat))).status_code == 404


async def _handed_back_with_helper(api: httpx.AsyncClient, area: Area, listener_token: str, cat_id: str,
                                   cat: Listener) -> tuple[str, str, str, str]:
    """bee's job with cat on its team, checked and handed back while cat listens: (citizen, teacher, bee, id)."""
    citizen, request = await submit(api)
    rid = request["id"]
    teacher, bee = await assigned_to_bee(api, area, rid)
    await add_helper(api, bee, rid, cat_id)
    await work_to_quality_check(api, bee, rid)
    assert (await step(api, teacher, rid, "done")).status_code == 200
    await confirm_handover(api, citizen, rid)
    assert (await step(api, teacher, rid, "handed_back")).status_code == 200
    assert of(await cat.heard(), rid) == [None, "diagnosing", "repairing", "quality_check", "done", "handed_back"]
    assert (await api.get(f"/requests/{rid}", headers=bearer(listener_token))).status_code == 200
    return citizen, teacher, bee, rid


async def test_a_helper_the_teacher_credits_nothing_is_told_they_left_and_hears_no_more(
    area: Area, api: httpx.AsyncClient, database_url: str, settings: Settings,
) -> None:
    """0 hours at the approval takes a helper off the round's team (they no longer read the job): before 0053 their
    open job screen was not told and kept showing it."""
    cat_id, cat_phone = area.students["cat"]
    cat, _ = await sign_in(api, cat_phone)
    async with listening(api, settings, database_url, cat, cat_id) as listener:
        citizen, teacher, _, rid = await _handed_back_with_helper(api, area, cat, cat_id, listener)
        backdate_acceptance(database_url, rid, 2)  # the lead's 1.5 h fit the time the job was in hand
        approved = await api.post(f"/requests/{rid}/credit/approve", json={"hours": {cat_id: 0}},
                                  headers=bearer(teacher))
        assert approved.status_code == 200, approved.text
        assert of(await listener.heard(), rid) == [None]
        # (cat was offered the job before its lead took it: told only that, 0058.)
        gone = await api.get(f"/requests/{rid}", headers=bearer(cat))
        assert (gone.status_code, gone.json()["error"]["code"]) == (410, "offer_taken"), gone.text
        reopened = await api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่หาย"}, headers=bearer(citizen))
        assert reopened.status_code == 200, reopened.text
        assert of(await listener.heard(), rid) == []


async def test_a_helper_hears_the_owners_reopen_that_ends_their_round_and_nothing_after(
    area: Area, api: httpx.AsyncClient, database_url: str, settings: Settings,
) -> None:
    """The owner's reopen starts a new round: the last round's helpers read the job no more. They hear the reopen
    (their app reads the job again and finds it closed to them), and none of the new round's moves."""
    cat_id, cat_phone = area.students["cat"]
    cat, _ = await sign_in(api, cat_phone)
    async with listening(api, settings, database_url, cat, cat_id) as listener:
        citizen, _, _, rid = await _handed_back_with_helper(api, area, cat, cat_id, listener)
        reopened = await api.post(f"/requests/{rid}/reopen", json={"note": "ยังไม่หาย"}, headers=bearer(citizen))
        assert reopened.status_code == 200, reopened.text
        with psycopg.connect(database_url) as conn:
            after = [r[0] for r in conn.execute(
                "select to_status::text from public.status_events where request_id = %s and id > (select max(id) "
                "from public.status_events where request_id = %s and to_status = 'submitted' "
                "and from_status = 'handed_back')", [rid, rid]).fetchall()]
        assert after, "the reopen moves the job on (offered again): the helper must not hear those moves"
        assert of(await listener.heard(), rid) == ["submitted"]
        assert (await api.get(f"/requests/{rid}", headers=bearer(cat))).status_code == 404
