"""A suspended citizen's request, after the reinstatement, is whole again (reinstate21).

The operator's suspension (account.suspend) withdraws the pending offers of the citizen's requests and parks them as
no_centre (dispatch.park_for_suspended_owner); the operator's restore offers them again at once
(dispatch.resume_for_restored_owner), however long the suspension lasted; a suspension by another path is parked by
dispatch itself and revived by the clock (dispatch.revive_waiting). An offer the suspension withdrew says nothing
about its student: they are asked again, in the usual rank order, and told once (migration 0094, dispatch `_ASKED`).
The timeline says why the request waited (its owner's account was suspended, `owner_suspended`) and why it goes on
(`owner_restored`), never "nobody took it", to the citizen and the admin alike; the citizen is told it goes on and
why, and never that nobody took it. The operator's suspension and restore stay the operator's in the audit trail."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.dispatch_ticks import tick
from backend.settings import Settings
from shared.notifications import SENT_AGAIN_RESTORED, Kind, render
from shared.text import EVENT_NOTES, NO_TAKER_NEXT_STEP, Locale
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import (
    ADMIN_PHONE,
    AppClock,
    Area,
    assigned_by_teacher,
    by_operator,
    last_notification,
    offers_of,
    owner_of,
    request_status,
    set_owner_active,
    step,
    submit,
)

MINUTE = timedelta(minutes=1)


def _told(database_url: str, rid: str, since: int) -> list[dict[str, Any]]:
    """Every notification about the request written after `since`: whom, what and with which parameters."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return conn.execute(
            "select recipient_id::text as recipient, kind::text as kind, params from public.notifications "
            "where request_id = %s and id > %s order by id", [rid, since]).fetchall()


def _pending_by_rank(database_url: str, rid: str) -> list[str]:
    return [o["technician_id"] for o in sorted(offers_of(database_url, rid), key=lambda o: o["rank"])
            if o["status"] == "pending"]


async def _suspended_and_restored(api: Any, pool: AsyncConnectionPool[Any], database_url: str, now: datetime,
                                  meanwhile: Callable[[str], None] = lambda _: None,
                                  ) -> tuple[str, str, list[str], int]:
    """A request offered to the near college's three best students, its citizen suspended by the operator while
    the offers wait, `meanwhile(request id)` run during the suspension, then restored: (the citizen's token, the
    request, the students asked first by rank, the last notification before the restore)."""
    citizen, request = await submit(api)
    rid = request["id"]
    asked = _pending_by_rank(database_url, rid)
    assert len(asked) == 3 and request_status(database_url, rid) == "offered"
    owner = owner_of(database_url, rid)
    await by_operator(pool, owner, suspend=True, now=now)
    assert request_status(database_url, rid) == "no_centre"
    assert {o["status"] for o in offers_of(database_url, rid)} == {"withdrawn"}
    meanwhile(rid)
    before_restore = last_notification(database_url)
    await by_operator(pool, owner, suspend=False, now=now)
    return citizen, rid, asked, before_restore


async def test_the_students_whose_offers_the_suspension_withdrew_are_asked_again_after_the_restore(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, rid, asked, before = await _suspended_and_restored(api, pool, database_url, clock.now)
    assert asked == [area.students[name][0] for name in ("ace", "bee", "cat")]  # the best ranked, in order

    # At once, by the restore: the same three, in the same rank order, not the fourth (dan) they were skipped for
    # before; the clock's next turn asks nobody more.
    assert request_status(database_url, rid) == "offered"
    assert _pending_by_rank(database_url, rid) == asked
    await tick(pool, settings, clock.now + MINUTE)
    assert _pending_by_rank(database_url, rid) == asked
    # Each told of the new offer once.
    told = [(n["recipient"], n["kind"]) for n in _told(database_url, rid, before) if n["kind"] == "offer_new"]
    assert sorted(told) == sorted((student, "offer_new") for student in asked)
    # The offer is theirs again to take (by its id: the feed hides an offer past its SLA by the database's own
    # clock, and this test's clock is 10:00 in Bangkok today, which the real time may be past).
    ace, _ = await sign_in(api, area.students["ace"][1])
    offer = next(o for o in offers_of(database_url, rid)
                 if o["technician_id"] == area.students["ace"][0] and o["status"] == "pending")
    taken = await api.post(f"/offers/{offer['id']}/accept", headers=bearer(ace))
    assert taken.status_code == 200, taken.text
    assert request_status(database_url, rid) == "accepted"


async def test_an_offer_asked_again_that_lapses_counts_as_asked_like_any_other(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """The suspension's mark holds only while the offer stays so withdrawn: asked again and let lapse, its student
    is not asked a third time by the clock; the job goes on to the next college as any unanswered offer does."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, rid, asked, _ = await _suspended_and_restored(api, pool, database_url, clock.now)
    assert _pending_by_rank(database_url, rid) == asked
    with psycopg.connect(database_url) as conn:
        marked = conn.execute("select count(*) from public.offers where request_id = %s "
                              "and withdrawn_for_suspension", [rid]).fetchone()
    assert marked is not None and marked[0] == 0  # asked again: the mark went with the withdrawal

    later = clock.now + MINUTE + timedelta(minutes=settings.dispatch_sla_minutes + 1)
    await tick(pool, settings, later)  # nobody answered: on to the far college
    assert request_status(database_url, rid) == "offered"
    assert _pending_by_rank(database_url, rid) == [area.students["far1"][0]]
    assert {o["status"] for o in offers_of(database_url, rid) if o["technician_id"] in asked} == {"expired"}


async def test_the_timeline_says_the_request_waited_for_its_owners_account_not_that_nobody_took_it(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    api, clock = app_and_clock
    clock.to_plain_hours()
    citizen, rid, _, before = await _suspended_and_restored(api, pool, database_url, clock.now)
    admin, _ = await sign_in(api, ADMIN_PHONE)

    # The owner reads why it waited and why it goes on, in Thai first (their profile's language); never "nobody
    # took it", nor "a student came into range".
    mine = await api.get(f"/requests/{rid}", headers=bearer(citizen))
    assert mine.status_code == 200, mine.text
    timeline = mine.json()["timeline"]
    codes = [e["note_code"] for e in timeline]
    assert "no_taker" not in codes and "sent_again" not in codes, codes
    assert [(e["to_status"], e["note_code"], e["note"]) for e in timeline[-2:]] == [
        ("no_centre", "owner_suspended", EVENT_NOTES["owner_suspended"].th),
        ("offered", "owner_restored", EVENT_NOTES["owner_restored"].th)]
    # The admin reads the same events as the same reasons.
    as_admin = (await api.get(f"/requests/{rid}", headers=bearer(admin))).json()
    assert [(e["note_code"], e["note"]) for e in as_admin["timeline"][-2:]] == [
        ("owner_suspended", EVENT_NOTES["owner_suspended"].th), ("owner_restored", EVENT_NOTES["owner_restored"].th)]

    # The citizen was never told that nobody took it; after the restore, once, that it goes on and why.
    owner = str(owner_of(database_url, rid))
    with psycopg.connect(database_url) as conn:
        stalls = conn.execute("select count(*) from public.notifications where request_id = %s "
                              "and recipient_id = %s and kind = 'no_taker'", [rid, owner]).fetchone()
    assert stalls is not None and stalls[0] == 0
    await tick(pool, settings, clock.now + MINUTE)
    theirs = [n for n in _told(database_url, rid, before) if n["recipient"] == owner]
    assert [(n["kind"], n["params"].get("restored")) for n in theirs] == [("sent_again", True)]
    said = render(Kind.SENT_AGAIN, theirs[0]["params"], Locale.TH, clock.now)
    assert said.body == SENT_AGAIN_RESTORED[1].format(
        item=theirs[0]["params"]["item"], college=theirs[0]["params"]["college_th"]).th


async def test_the_restore_offers_a_parked_request_again_however_long_the_suspension_lasted(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """The clock's revival offers only a young request (shared.reminders.RETRY_WINDOW, from its submission): a
    suspension longer than that would leave it waiting for an administrator, nobody told. The restore offers it
    itself. And the operator's suspension and restore are the operator's in the audit trail, not the system's (the
    parking's and the resumption's moves are the system's, on the timeline)."""
    api, clock = app_and_clock
    clock.to_plain_hours()

    def twenty_days_ago(rid: str) -> None:  # submitted, and suspended, 20 days ago
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.status_events set created_at = created_at - interval '20 days' "
                         "where request_id = %s", [rid])
            conn.execute("update public.repair_requests set created_at = created_at - interval '20 days' "
                         "where id = %s", [rid])

    _, rid, asked, _ = await _suspended_and_restored(api, pool, database_url, clock.now, meanwhile=twenty_days_ago)
    owner = owner_of(database_url, rid)
    assert request_status(database_url, rid) == "offered"
    assert _pending_by_rank(database_url, rid) == asked
    with psycopg.connect(database_url) as conn:
        trail = conn.execute("select action, actor::text from public.audit_events where target_id = %s "
                             "and action in ('profile.active', 'account.suspend') order by id", [owner]).fetchall()
    assert trail == [("profile.active", "operator"), ("account.suspend", "operator"), ("profile.active", "operator")]


async def test_a_request_parked_by_the_clock_for_a_suspended_owner_says_why_too(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """A suspension by another path (an operator's SQL, Supabase's dashboard) leaves the offers standing; when they
    lapse, dispatch parks the request itself (its `owner_active` check): the same reason on its timeline, and the
    owner's next step says it waited for their account. Restored by that path too, the clock's next turn resumes it
    as the operator's restore would (audit24 R2, migration 0103): offered again, saying why, its citizen told that
    once (0102 first told them at the switch that nobody could take it, a turn before it was offered)."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, rid, asked = await _lapsed_while_suspended_by_sql(api, area, database_url, settings, pool)
    lapsed = clock.now + timedelta(minutes=settings.dispatch_sla_minutes + 1)
    owner = owner_of(database_url, rid)
    before = last_notification(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set is_active = true where id = %s", [owner])
    assert _told(database_url, rid, before) == []  # the switch itself says nothing yet

    await tick(pool, settings, lapsed + MINUTE)
    assert request_status(database_url, rid) == "offered"
    with psycopg.connect(database_url) as conn:
        last = conn.execute("select note_code from public.status_events where request_id = %s "
                            "order by id desc limit 1", [rid]).fetchone()
    assert last is not None and last[0] == "owner_restored"
    assert [(n["kind"], n["params"].get("restored")) for n in _told(database_url, rid, before)
            if n["recipient"] == str(owner)] == [("sent_again", True)]
    # Their offers lapsed while nobody could answer for it: asked again, as after the app's suspension (#3).
    assert _pending_by_rank(database_url, rid) == asked


async def _lapsed_while_suspended_by_sql(api: Any, area: Area, database_url: str, settings: Settings,
                                         pool: AsyncConnectionPool[Any]) -> tuple[str, str, list[str]]:
    """A request offered to the near college's three best students whose citizen is suspended by a path that does
    nothing else (an operator's SQL, Supabase's dashboard) while the offers wait; the offers lapse and the clock
    parks it: (the citizen's token, the request, the students asked first by rank). suspend22 #3: those offers end
    as the app's suspension ends them (withdrawn, marked the suspension's, each student told), not as lapsed."""
    citizen, request = await submit(api)
    rid = request["id"]
    asked = _pending_by_rank(database_url, rid)
    assert asked == [area.students[name][0] for name in ("ace", "bee", "cat")]
    before = last_notification(database_url)
    set_owner_active(database_url, rid, False)
    with psycopg.connect(database_url) as conn:
        clock_now = conn.execute("select max(expires_at) from public.offers where request_id = %s",
                                 [rid]).fetchone()
    assert clock_now is not None
    await tick(pool, settings, clock_now[0] + MINUTE)
    assert request_status(database_url, rid) == "no_centre"
    assert {(o["technician_id"], o["status"]) for o in offers_of(database_url, rid)} == {
        (student, "withdrawn") for student in asked}
    with psycopg.connect(database_url) as conn:
        marked = conn.execute("select count(*) from public.offers where request_id = %s "
                              "and withdrawn_for_suspension", [rid]).fetchone()
    assert marked == (3,)
    told = {n["recipient"] for n in _told(database_url, rid, before) if n["kind"] == "offer_withdrawn"}
    assert told == set(asked)
    return citizen, rid, asked


async def test_offers_that_lapsed_during_a_suspension_by_sql_are_asked_again_by_the_operators_restore(
        app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
        pool: AsyncConnectionPool[Any]) -> None:
    """suspend22 #3: suspended by SQL, restored by the operator's command: the same three, in rank order, at once."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, rid, asked = await _lapsed_while_suspended_by_sql(api, area, database_url, settings, pool)
    await by_operator(pool, owner_of(database_url, rid), suspend=False, now=clock.now + 2 * MINUTE)
    assert request_status(database_url, rid) == "offered"
    assert _pending_by_rank(database_url, rid) == asked


async def test_a_job_taken_back_while_its_owner_was_suspended_goes_on_at_its_college_after_the_restore(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """bee repairs the job; its citizen is suspended; the teacher takes it back (bee cannot go on): it waits for the
    owner's account (test_audit20_findings). Restored, it goes on where it was, as any take back does
    (dispatch.reoffer_at_same_college): to the college's other fitting students, not to the next college."""
    api, clock = app_and_clock
    _, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    for to in ("diagnosing", "repairing"):
        assert (await step(api, bee, rid, to)).status_code == 200
    owner = owner_of(database_url, rid)
    await by_operator(pool, owner, suspend=True, now=clock.now)
    taken = await step(api, teacher, rid, "offered", note="บีไม่ว่าง")
    assert taken.status_code == 200, taken.text
    assert request_status(database_url, rid) == "no_centre"

    await by_operator(pool, owner, suspend=False, now=clock.now)
    assert request_status(database_url, rid) == "offered"
    # ace and cat were asked when it was submitted (their offers ended with the teacher's assign): dan is the one
    # fitting student of the college not asked yet; far1, at the next college, is not asked.
    assert _pending_by_rank(database_url, rid) == [area.students["dan"][0]]


def _as_parked_before_0094(database_url: str, rid: str, earlier: timedelta = timedelta(0)) -> None:
    """The request's parking rewritten as a suspension before migration 0094 wrote it: the note `no_taker`, its
    offers unmarked (nothing said why they were withdrawn); `earlier`: the move made that long before the
    suspension, while the account still worked (nobody took it then)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.offers set withdrawn_for_suspension = false where request_id = %s", [rid])
        conn.execute("update public.status_events set note_code = 'no_taker', created_at = created_at - %s "
                     "where id = (select max(id) from public.status_events where request_id = %s)", [earlier, rid])


async def test_a_request_parked_by_a_suspension_before_0094_is_offered_again_by_the_restore(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """suspend22 #4: its move to no_centre (`no_taker`) was made while the account was switched off (in the
    suspension's own transaction), so it is the suspension's: the restore offers it again, saying why. Its
    students were asked before (their offers unmarked): the college's next fitting student is asked."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, rid, asked, _ = await _suspended_and_restored(
        api, pool, database_url, clock.now, meanwhile=lambda rid: _as_parked_before_0094(database_url, rid))
    assert request_status(database_url, rid) == "offered"
    assert _pending_by_rank(database_url, rid) == [area.students["dan"][0]]  # not again those in `asked`
    assert area.students["dan"][0] not in asked
    with psycopg.connect(database_url) as conn:
        last = conn.execute("select note_code from public.status_events where request_id = %s "
                            "order by id desc limit 1", [rid]).fetchone()
    assert last == ("owner_restored",)


async def test_a_request_nobody_took_before_the_suspension_is_left_to_the_clock_by_the_restore(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """The same request, its move to no_centre made before the account was switched off: not the suspension's
    (nobody took it while the account worked): the restore leaves it waiting, as it was."""
    api, clock = app_and_clock
    clock.to_plain_hours()
    _, rid, _, _ = await _suspended_and_restored(
        api, pool, database_url, clock.now,
        meanwhile=lambda rid: _as_parked_before_0094(database_url, rid, earlier=timedelta(hours=1)))
    assert request_status(database_url, rid) == "no_centre"
    assert [o["status"] for o in offers_of(database_url, rid) if o["status"] == "pending"] == []


async def test_a_restored_request_nobody_can_take_now_says_so_and_asks_the_administrators(
        app_and_clock: AppClock, area: Area, database_url: str, pool: AsyncConnectionPool[Any]) -> None:
    """suspend22 #5: every student who could take it left the roster during the suspension: the restore cannot
    offer it. Its timeline says nobody can take it now (not that it waits for the account), its citizen reads the
    next step and is told once, and the administrators, who can send it on from now, are asked to (the parking
    asked none: 0098)."""
    api, clock = app_and_clock
    clock.to_plain_hours()

    def roster_empties(_: str) -> None:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.profiles set takes_jobs = false where id = any(%s::uuid[])",
                         [[student for student, _ in area.students.values()]])

    citizen, rid, _, before = await _suspended_and_restored(api, pool, database_url, clock.now,
                                                            meanwhile=roster_empties)
    assert request_status(database_url, rid) == "no_centre"
    detail = (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()
    assert [(e["to_status"], e["note_code"]) for e in detail["timeline"][-2:]] == [
        ("no_centre", "owner_suspended"), ("no_centre", "no_taker")]
    assert detail["next_step"] == NO_TAKER_NEXT_STEP.th
    owner = str(owner_of(database_url, rid))
    told = _told(database_url, rid, before)
    assert [n["kind"] for n in told if n["recipient"] == str(owner)] == ["no_taker"]
    with psycopg.connect(database_url) as conn:
        admins = {str(r[0]) for r in conn.execute(
            "select id from public.profiles where role = 'admin' and is_active").fetchall()}
    assert admins and {n["recipient"] for n in told if n["kind"] == "no_centre"} == admins
