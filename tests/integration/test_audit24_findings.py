"""audit24: session 23's leftover (its note's "Still open" -> Suspensions, audit23 R2) and findings of a fresh-eyes
read of session 23's code (git diff edfaade 0571eda), each written as the behaviour the project's own rules promise
(README, the migrations' and modules' docstrings). Real PostgreSQL; the Data API's reads as PostgREST makes them
(`authenticated` with the caller's JWT claims, RLS and the column grants deciding)."""

import asyncio
from datetime import timedelta
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from backend.db import service_tx
from backend.dispatch_ticks import policy_of, tick
from backend.services.dispatch import expire_overdue
from backend.settings import Settings
from shared.notifications import KIND_NOT_YOURS, kind_label
from shared.text import error_text
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import (
    ADMIN_PHONE,
    AppClock,
    Area,
    by_operator,
    last_note_code,
    last_notification,
    owner_of,
    request_status,
    set_owner_active,
    submit,
    told_since,
)
from tests.integration.lock_waits import until_waiting_or_done

MINUTE = timedelta(minutes=1)


def _stored_prefs(database_url: str, person: str) -> Any:
    """The person's stored notification choices (private.notification_preferences), None when they have none."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select channels, quiet_hours, sms_fallback from private.notification_preferences "
                           "where user_id = %s", [person]).fetchone()
    return row




# --- R2. Switched off and on by SQL, a request a student can take: two messages within a minute --------------------

async def test_a_request_restored_by_sql_that_a_student_can_take_tells_its_citizen_once(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """A citizen switched off by SQL (Supabase's dashboard) while their request's offers wait; the offers lapse and
    the clock parks it (`owner_suspended`); switched back on by SQL, with the near college's students still there to
    take it. What is true is one thing: it is offered again, their account back. 0102's commit-time note said "no
    student has taken it yet, an administrator will send it on" (`no_taker`), and the clock's next turn offered it
    (`sent_again`, restored): two messages within a minute, the first untrue by the time it is read."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, request = await submit(api)
    rid = request["id"]
    owner = str(owner_of(database_url, rid))
    set_owner_active(database_url, rid, False)
    lapsed = clock.now + timedelta(minutes=settings.dispatch_sla_minutes + 1)
    await tick(pool, settings, lapsed)
    assert request_status(database_url, rid) == "no_centre"
    before = last_notification(database_url)
    set_owner_active(database_url, rid, True)
    await tick(pool, settings, lapsed + MINUTE)
    assert request_status(database_url, rid) == "offered"
    assert last_note_code(database_url, rid) == "owner_restored"
    # Before the fix: [('no_taker', None), ('sent_again', True)]
    assert told_since(database_url, rid, owner, before) == [("sent_again", True)]


async def test_a_parking_under_way_when_the_operator_restores_the_account_goes_on_at_the_next_turn(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """The operator's restore (account.restore) of a citizen switched off by SQL, while the clock parks their
    request (it read the owner inactive under the request's lock, not yet committed): the restore's `_PARKED` reads
    the request still offered in its snapshot and passes it by, and the parking then commits on an active account.
    0102's commit-time trigger waited for that parking and noted "nobody can take it" whoever could, and the revival
    said "offered again" a turn later. Now the clock's next turn resumes it: offered again to the students whose
    offers lapsed while nobody could answer, one message."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, request = await submit(api)
    rid = request["id"]
    owner = owner_of(database_url, rid)
    set_owner_active(database_url, rid, False)
    lapsed = clock.now + timedelta(minutes=settings.dispatch_sla_minutes + 1)
    before = last_notification(database_url)
    async with service_tx(pool) as clock_tx:  # the clock's turn, as dispatch_ticks.tick runs it
        await expire_overdue(clock_tx, lapsed, policy_of(settings))  # parks it, not yet committed
        restoring = asyncio.create_task(by_operator(pool, owner, suspend=False, now=lapsed))
        await until_waiting_or_done(database_url, restoring)
    await restoring
    assert request_status(database_url, rid) == "no_centre"  # the restore did not see it parked
    assert told_since(database_url, rid, str(owner), before) == []
    await tick(pool, settings, lapsed + MINUTE)
    assert request_status(database_url, rid) == "offered"
    assert last_note_code(database_url, rid) == "owner_restored"
    assert told_since(database_url, rid, str(owner), before) == [("sent_again", True)]

# --- B1. PUT /me/notification-settings stores a kind the caller's settings do not list -----------------------------

async def test_a_person_cannot_set_the_channels_of_a_kind_their_settings_do_not_list(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """GET /me/notification-settings lists a person's kinds (shared.notifications.settings_kinds: their role's, and a
    student's or a teacher's own requests'); NotificationSettingsIn says deciding which kinds a role may set is the
    service's. The PUT checked only that the kind exists: a citizen's "qc_waiting" (a teacher's), a teacher's
    "offer_new" (a student's), an admin's "accepted" were answered 200 and stored, silent choices that took effect the
    day the person's role changed (an invitation accepted, an admin's move), and never shown to them before. Bad input
    is a clear 4xx with a reason in Thai and English, nothing stored; the person's own kinds are still saved."""
    api, _ = app_and_clock
    citizen, _request = await submit(api)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    admin, _ = await sign_in(api, ADMIN_PHONE)
    for token, not_theirs in ((citizen, "qc_waiting"), (teacher, "offer_new"), (admin, "accepted")):
        me = (await api.get("/me", headers=bearer(token))).json()["id"]
        before = (await api.get("/me/notification-settings", headers=bearer(token))).json()
        stored_before = _stored_prefs(database_url, me)
        answer = await api.put("/me/notification-settings", headers=bearer(token),
                               json={"channels": {not_theirs: []}})
        # Before the fix: 200
        assert answer.status_code == 400, (not_theirs, answer.text)
        body = answer.json()["error"]
        assert body["code"] == "notification_kind_not_yours" and body["message_th"] and body["message_en"]
        # ux26: the kind by its name in the settings, in each language, never its code ("qc_waiting").
        said = error_text(KIND_NOT_YOURS, kind=kind_label(not_theirs))
        assert (body["message_th"], body["message_en"]) == (said.th, said.en)
        assert kind_label(not_theirs).th in said.th and not_theirs not in said.th
        assert (await api.get("/me/notification-settings", headers=bearer(token))).json() == before
        assert _stored_prefs(database_url, me) == stored_before, not_theirs  # nothing stored
    own = await api.put("/me/notification-settings", headers=bearer(teacher),
                        json={"channels": {"qc_waiting": ["line"], "ready": ["sms"]}})
    assert own.status_code == 200, own.text
    assert own.json()["channels"]["qc_waiting"] == ["line"] and own.json()["channels"]["ready"] == ["sms"]
