"""The SLA clock: every backend copy periodically expires overdue offers and escalates their jobs, offers a young
`no_centre` request again when a fitting student came into range (first resuming those parked for a suspension
whose citizen was switched back on outside the app), and reminds of jobs and items waiting on someone
(shared/reminders.py). Copies do not step on each other (`for update skip locked` in the service, dedupe keys on the
messages), so no single scheduler is needed."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from psycopg_pool import AsyncConnectionPool

from backend.auth import sessions
from backend.db import Conn, service_tx
from backend.notifications.invitations import close_expired
from backend.notifications.outbox import notify_expiring_offers, notify_stranded, notify_undecided, remind_waiting
from backend.services import account, rate_limits
from backend.services.college_counts import fold_status_deltas
from backend.services.dispatch import (
    DispatchPolicy,
    dispatch_stranded,
    end_offers_moved_away,
    end_offers_without_teacher,
    expire_overdue,
    hand_on_unanswerable,
    resume_restored_elsewhere,
    revive_waiting,
)
from backend.services.staff import end_offers_at_closed_colleges
from backend.settings import Settings
from shared.reminders import RETRY_WINDOW

log = logging.getLogger("fixit.dispatch")


HAND_ON_BATCH = 100  # requests offered with nobody left to answer (or closed colleges) handled per transaction
HAND_ON_BATCHES = 20  # transactions of them per turn of the clock


def policy_of(settings: Settings) -> DispatchPolicy:
    return DispatchPolicy(offer_count=settings.dispatch_offer_count,
                          sla=timedelta(minutes=settings.dispatch_sla_minutes))


async def _in_batches(pool: AsyncConnectionPool[Conn], step: Callable[[Conn], Awaitable[int]]) -> int:
    """`step` in transactions of its own until it handles less than a batch (what it handled left its set), at most
    HAND_ON_BATCHES of them; returns how many it handled in all."""
    done = 0
    for _ in range(HAND_ON_BATCHES):
        async with service_tx(pool) as owner:
            handled = await step(owner)
        done += handled
        if handled < HAND_ON_BATCH:
            break
    return done


async def tick(pool: AsyncConnectionPool[Conn], settings: Settings, now: datetime | None = None) -> int:
    """One turn of the clock; returns how many offers expired. Each job runs in its own transaction so one
    failing step does not hold back the others."""
    now = now or datetime.now(UTC)
    policy = policy_of(settings)
    async with service_tx(pool) as owner:
        stranded = await dispatch_stranded(owner, now, policy)
    if stranded:
        log.info("dispatched %d request(s) left undispatched", stranded)
    # Offers a dispatch wrote at a college whose close it raced (staff.end_offers_at_closed_colleges) end first, as
    # of `now`, so expire_overdue below hands their jobs on in this same turn, as it does those of a close.
    ended_at_closed = await _in_batches(
        pool, lambda owner: end_offers_at_closed_colleges(owner, now, limit=HAND_ON_BATCH))
    if ended_at_closed:
        log.info("ended the offers left waiting at %d closed college(s)", ended_at_closed)
    # High-risk jobs offered at a college whose last teacher left since: handed on to a college with a teacher.
    teacherless = await _in_batches(
        pool, lambda owner: end_offers_without_teacher(owner, now, policy, limit=HAND_ON_BATCH))
    if teacherless:
        log.info("handed on %d high-risk job(s) offered at colleges with no teacher left", teacherless)
    # Offers whose student left the offer's college since (moved outside the app, or past a dispatch racing the
    # app's move): withdrawn, and the job offered to the college's next student as a decline would (gaps26 #1b).
    moved_away = await _in_batches(
        pool, lambda owner: end_offers_moved_away(owner, now, policy, limit=HAND_ON_BATCH))
    if moved_away:
        log.info("handed on %d job(s) offered to students who left the offer's college", moved_away)
    async with service_tx(pool) as owner:
        expired = await expire_overdue(owner, now, policy)
    # In batches of their own transactions until none is left (each handed on leaves the set: offered anew or
    # `no_centre`), so a backlog (requests left before this step existed) does not hold back the newest; bounded,
    # so one turn stays short whatever the backlog.
    unanswerable = await _in_batches(
        pool, lambda owner: hand_on_unanswerable(owner, now, policy, limit=HAND_ON_BATCH))
    if unanswerable:
        log.info("handed on %d offered request(s) nobody could answer any more", unanswerable)
    # Parked requests whose citizen was switched back on outside the app (SQL, Supabase's dashboard): resumed as the
    # operator's restore resumes them (offered again, or noted as waiting for an administrator), before the revival,
    # which would tell their citizens a second time (audit24 R2). In batches as above (each leaves the set).
    resumed = await _in_batches(
        pool, lambda owner: resume_restored_elsewhere(owner, now, policy, limit=HAND_ON_BATCH))
    if resumed:
        log.info("resumed %d parked request(s) of citizens switched back on outside the app", resumed)
    # Young requests waiting as `no_centre` that a student who came into range since could take: offered again (to
    # students never asked), their citizens told; in batches as above (each offered leaves the set).
    revived = await _in_batches(
        pool, lambda owner: revive_waiting(owner, now, policy, RETRY_WINDOW, limit=HAND_ON_BATCH))
    if revived:
        log.info("offered %d waiting request(s) again to students who came into range", revived)
    async with service_tx(pool) as owner:
        await notify_expiring_offers(owner, now, timedelta(minutes=settings.notify_offer_expiring_minutes))
    # The college decisions nobody at the college can make now (its last teacher left): the admins hear of them.
    async with service_tx(pool) as owner:
        undecided = await notify_undecided(owner)
    if undecided:
        log.info("told admins of %d job(s) no teacher of their college can decide", undecided)
    # High-risk jobs in a student's hands whose college's last teacher left: its student and its deciders hear why.
    async with service_tx(pool) as owner:
        stranded_told = await notify_stranded(owner)
    if stranded_told:
        log.info("told of %d high-risk job(s) in hand with no teacher of their college left", stranded_told)
    # A job in a student's hands past its step's days, a repaired item not collected (shared/reminders.py).
    # In batches as above: a request told leaves the set.
    reminded = await _in_batches(pool, lambda owner: remind_waiting(owner, now, limit=HAND_ON_BATCH))
    if reminded:
        log.info("reminded of %d job(s) and item(s) waiting on someone", reminded)
    async with service_tx(pool) as owner:
        await rate_limits.purge(owner, now)
        await sessions.purge(owner, settings)
    async with service_tx(pool) as owner:
        await fold_status_deltas(owner)
    # Last, and on its own: invitations are no part of the SLA clock nor the college counts, so a failure here is
    # logged and never keeps those from running. By the database's clock (not `now`), as expiry is enforced.
    try:
        async with service_tx(pool) as owner:
            await close_expired(owner)  # invitations that ran out stop asking (and a held push is not sent)
    except Exception as exc:
        log.warning("closing expired invitations failed: %s", exc)
    # Invitations that ended long enough ago are erased (PDPA: the phone and name are kept no longer than needed).
    try:
        async with service_tx(pool) as owner:
            erased = await account.erase_ended_invitations(owner)
        if erased:
            log.info("erased %d invitation(s) that ended long ago", erased)
    except Exception as exc:
        log.warning("erasing ended invitations failed: %s", exc)
    return expired


async def dispatch_ticks(pool: AsyncConnectionPool[Conn], settings: Settings) -> None:
    while True:
        await asyncio.sleep(settings.dispatch_tick_seconds)
        try:
            expired = await tick(pool, settings)
            if expired:
                log.info("expired %d overdue offers and escalated their jobs", expired)
        except Exception as exc:  # a database hiccup must not stop the clock
            log.warning("dispatch tick failed: %s", exc)
