"""Delivery workers: any number, in any number of backend copies, on one database.

Two steps, each a short owner transaction that claims rows with `for update skip locked`:
1. plan: a notification the database wrote becomes one delivery per channel and target the recipient allows
   (their preferences, quiet hours → a later `next_attempt_at`, SMS only for the kinds that need it);
2. send: due deliveries go to their channel with their idempotency key, concurrently; the row lock is held until
   the outcome is written, so no other worker sends it too. A failure is retried with exponential backoff; after
   `notify_max_attempts` (or at once when retrying cannot help) it is `failed` with the reason kept.
Then, the same way: deleted accounts' OneSignal users and subscriptions are deleted at OneSignal
(`erase_subscriptions`).
"""

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg_pool import AsyncConnectionPool

from backend.db import Conn, service_tx
from backend.notifications.channels import DEVICE_ADDRESSES, Channel, DeliveryError, Message, Target
from backend.notifications.channels.onesignal import KEY_REFUSED, OneSignalChannel
from backend.notifications.rendering import render_row
from backend.settings import Settings
from shared.notifications import (
    SMS_KINDS,
    Kind,
    Pref,
    QuietHours,
    chosen_prefs,
    is_push_service_url,
    offer_still_open,
    quiet_until,
)

log = logging.getLogger("fixit.notifications")

# This worker shares the event loop with the live-event streams: its batches (up to 500 plans, 100 sends) hand the
# loop back every this many rows, so no stream waits behind a whole batch (each row costs ~0.05-0.1 ms of Python;
# a batch in one go held the loop 5-15 ms, bench/live.py).
YIELD_EVERY = 10

_PLAN = """
select n.id, n.recipient_id, n.kind, p.phone, coalesce(pr.channels, '{}') as choices,
       coalesce(pr.quiet_hours, true) as quiet_hours, coalesce(pr.quiet_start, '21:00') as quiet_start,
       coalesce(pr.quiet_end, '07:00') as quiet_end, coalesce(pr.offers_in_quiet_hours, false) as offers_exempt,
       coalesce(pr.sms_fallback, true) as sms_fallback, p.is_active
from public.notifications n
join public.profiles p on p.id = n.recipient_id
left join private.notification_preferences pr on pr.user_id = n.recipient_id
where n.planned_at is null
order by n.id
limit %s
for update of n skip locked
"""


@dataclass(frozen=True)
class WorkerConfig:
    batch_size: int = 100
    max_attempts: int = 6
    retry_base_seconds: float = 30.0
    send_timeout_seconds: float = 15.0
    link_base: str = ""

    @classmethod
    def of(cls, settings: Settings) -> "WorkerConfig":
        return cls(settings.notify_batch_size, settings.notify_max_attempts, settings.notify_retry_base_seconds,
                   settings.notify_send_timeout_seconds, settings.notify_link_base.rstrip("/"))


def backoff(attempts: int, base_seconds: float) -> timedelta:
    """After the n-th failed attempt: base × 2^(n-1), at most an hour."""
    return timedelta(seconds=min(3600.0, base_seconds * 2 ** max(0, attempts - 1)))


async def _addresses(conn: Conn, people: list[Any]) -> dict[str, dict[Any, list[str]]]:
    """Everyone's registered targets, by kind of address: devices, LINE links."""
    found: dict[str, dict[Any, list[str]]] = {"fcm": {}, "webpush": {}, "onesignal": {}, "line": {}}
    rows = await (await conn.execute(
        """select user_id, channel as kind, token as address from private.notification_devices
           where user_id = any(%(people)s)
           union all
           select user_id, 'line', line_user_id from private.line_links where user_id = any(%(people)s)
           order by 1, 3""",
        {"people": people},
    )).fetchall()
    for row in rows:
        found[row["kind"]].setdefault(row["user_id"], []).append(row["address"])
    return found


# Notifications planned in one turn. A turn that plans a whole batch goes on at once (as one that sends a whole
# batch does): a backlog (a worker down for a while, or rows written with no worker running) is planned oldest
# first, so at one batch a turn the newest message waited behind it for minutes.
PLAN_BATCH = 500


@dataclass(frozen=True)
class Turn:
    planned: int
    attempted: int

    def __bool__(self) -> bool:
        """The turn did something (a loop of turns ends when one does nothing)."""
        return bool(self.planned or self.attempted)

    def full(self, config: "WorkerConfig") -> bool:
        """More may be waiting: the next turn goes on at once."""
        return self.planned >= PLAN_BATCH or self.attempted >= config.batch_size


async def plan(conn: Conn, channels: Sequence[Channel], now: datetime, limit: int = PLAN_BATCH) -> int:
    """Make the deliveries of notifications not planned yet; returns how many notifications were planned."""
    rows = await (await conn.execute(_PLAN, [limit])).fetchall()
    if not rows:
        return 0
    found = await _addresses(conn, list({r["recipient_id"] for r in rows}))
    ids: list[int] = []
    channel_names: list[str] = []
    targets: list[str] = []
    due: list[datetime] = []
    for i, row in enumerate(rows):
        if i and i % YIELD_EVERY == 0:
            await asyncio.sleep(0)
        if not row["is_active"]:
            continue
        kind = Kind(row["kind"])
        person = row["recipient_id"]
        prefs = chosen_prefs(kind, row["choices"])
        quiet = QuietHours(row["quiet_hours"], row["quiet_start"], row["quiet_end"], row["offers_exempt"])
        at = quiet_until(now, quiet, kind) or now
        reachable = any(person in found[k] for k in (*DEVICE_ADDRESSES, "line"))
        for channel in channels:
            wanted = channel.pref in prefs
            if channel.pref == Pref.SMS:  # SMS: chosen, or the fallback for the kinds that need it
                wanted = kind in SMS_KINDS and (wanted or (row["sms_fallback"] and not reachable))
            if not wanted:
                continue
            if channel.addresses == "person":
                addresses = [str(person)]
            elif channel.addresses == "phone":
                addresses = [row["phone"]] if row["phone"] else []
            else:
                addresses = found.get(channel.addresses, {}).get(person, [])
            for address in addresses:
                ids.append(row["id"])
                channel_names.append(channel.name)
                targets.append(address)
                due.append(at)
    if ids:
        await conn.execute(
            """insert into private.notification_deliveries (notification_id, channel, target, next_attempt_at)
               select * from unnest(%s::bigint[], %s::text[], %s::text[], %s::timestamptz[])
               on conflict (notification_id, channel, target) do nothing""",
            [ids, channel_names, targets, due],
        )
    await conn.execute("update public.notifications set planned_at = %s where id = any(%s)",
                       [now, [r["id"] for r in rows]])
    return len(rows)


_DUE = """
select d.id, d.channel, d.target, d.idempotency_key, d.attempts, d.last_error, d.next_attempt_at,
       n.id as notification_id, n.recipient_id, n.kind, n.params,
       n.request_id, p.locale, p.is_active, (to_jsonb(r) ->> 'ref_no')::bigint as ref_no, dev.keys,
       dev.token as device, line.line_user_id as line_link,
       -- an offer's notification asks for an answer only while its offer (for offer_expiring: any of the job's
       -- offers) still waits; null when the notification names no offer
       case when n.kind = 'offer_new' and n.offer_id is not null then
                exists (select 1 from public.offers o
                        where o.id = n.offer_id and o.status = 'pending' and o.expires_at > %(now)s)
            when n.kind = 'offer_expiring' and n.request_id is not null then
                exists (select 1 from public.offers o
                        where o.request_id = n.request_id and o.status = 'pending' and o.expires_at > %(now)s)
       end as offer_open
from private.notification_deliveries d
join public.notifications n on n.id = d.notification_id
join public.profiles p on p.id = n.recipient_id
left join public.repair_requests r on r.id = n.request_id
-- the target still the recipient's: a device token (or LINE account) someone else registered since, or one
-- signed out, no longer reaches the person the delivery was planned for
left join private.notification_devices dev
       on dev.token = d.target and dev.channel = d.channel and dev.user_id = n.recipient_id
left join private.line_links line on line.line_user_id = d.target and line.user_id = n.recipient_id
where d.status = 'pending' and d.next_attempt_at <= %(now)s and d.channel = any(%(channels)s)
  -- an older delivery to the same target put on a moment (its phone held elsewhere: HELD_ELSEWHERE_WAIT) goes
  -- first: a newer one due before it waits for it, so the phone gets its messages in order (review28c #1; migration
  -- 0130's index). One due now is picked before it in this order, as before; one on a longer retry wait holds
  -- nobody up; the console's shared '' target is no one's phone.
  and not exists (select 1 from private.notification_deliveries e
                  where e.channel = d.channel and e.target = d.target and d.target <> '' and e.status = 'pending'
                    and e.id < d.id and e.next_attempt_at > %(now)s
                    and e.next_attempt_at <= %(now)s + %(held_wait)s)
order by d.next_attempt_at, d.id
limit %(limit)s
for update of d skip locked
"""


@dataclass
class _Outcome:
    id: int
    status: str  # sent | pending (retry) | failed | skipped
    attempts: int
    error: str | None
    next_at: datetime
    drop_device: str | None = None


# A delivery whose device another turn (another backend copy's send, up to its send timeout), a registration or a
# sign-out holds is due again this long after the turn that found it held: due at once, as it was, every copy's next
# turn picked those same oldest rows first (`order by next_attempt_at`) and sent nothing else until the hold ended
# (review27a #3, import28 #3). Put this far on, a copy's next turn takes the deliveries behind them, so two copies
# share the work; it is about one worker tick (notify_worker_seconds' default), so a second message to a phone
# whose first is under way waits at most about that much longer than the send itself.
HELD_ELSEWHERE_WAIT = timedelta(seconds=2)


async def _later(row: Mapping[str, Any], now: datetime) -> _Outcome:
    """Not attempted this turn (its device held elsewhere): due again HELD_ELSEWHERE_WAIT from now."""
    return _Outcome(row["id"], "pending", int(row["attempts"]), row["last_error"],
                    max(row["next_attempt_at"], now + HELD_ELSEWHERE_WAIT))


async def _send_one(channel: Channel, row: Mapping[str, Any], now: datetime, config: WorkerConfig) -> _Outcome:
    attempts = int(row["attempts"]) + 1
    if not row["is_active"]:  # suspended since it was planned (held for quiet hours, or for a retry): as `plan`
        return _Outcome(row["id"], "skipped", attempts - 1, "account suspended", now)
    # Held (quiet hours, a retry's backoff) since it was planned: the device or LINE account may have been signed
    # out, or registered by someone else (a shared phone) since. It goes to its recipient or nowhere.
    if channel.addresses in DEVICE_ADDRESSES and row["device"] is None:
        return _Outcome(row["id"], "skipped", attempts - 1, "device signed out or now another account's", now)
    if channel.addresses == "line" and row["line_link"] is None:
        return _Outcome(row["id"], "skipped", attempts - 1, "LINE unlinked or now another account's", now)
    if not offer_still_open(Kind(row["kind"]), row["params"] or {}, now, row["offer_open"]):
        # Held for quiet hours (or a retry) past the offer's answer or end: it would ask for an answer in 0 minutes
        # to a job that went to someone else hours ago. The inbox still has it.
        return _Outcome(row["id"], "skipped", attempts - 1, "the offer was answered, withdrawn or ran out", now)
    if channel.addresses == "webpush" and not is_push_service_url(row["target"]):
        # Registered before POST /me/devices checked the address: sending would be our own request to a host of
        # the registrant's choosing (inside the network too). Dropped like a subscription the service says is gone.
        return _Outcome(row["id"], "failed", attempts - 1, "not a browser's push service", now, row["target"])
    rendered = render_row(row, now)
    message = Message(Kind(row["kind"]), rendered.title, rendered.body, config.link_base + rendered.link,
                      int(row["notification_id"]), str(row["request_id"]) if row["request_id"] else None)
    target = Target(row["target"], row["keys"] or {})
    try:
        await asyncio.wait_for(channel.send(message, target, str(row["idempotency_key"])),
                               config.send_timeout_seconds)
    except DeliveryError as exc:
        error, permanent = exc.reason, exc.permanent
    except TimeoutError:
        error, permanent = f"no answer within {config.send_timeout_seconds:g} s", False
    except Exception as exc:  # a bug or an unexpected library error: kept as the reason, retried
        error, permanent = f"{type(exc).__name__}: {exc}", False
    else:
        return _Outcome(row["id"], "sent", attempts, None, now)
    if permanent or attempts >= config.max_attempts:
        drop = row["target"] if permanent and channel.addresses in DEVICE_ADDRESSES else None
        return _Outcome(row["id"], "failed", attempts, error, now, drop)
    return _Outcome(row["id"], "pending", attempts, error, now + backoff(attempts, config.retry_base_seconds))


async def _held_devices(conn: Conn, channels: Mapping[str, Channel], rows: list[Any]) -> dict[str, Any]:
    """The device rows the batch sends to, each held until the turn commits, with their owner as of now.

    A device token moves to whoever registers it (POST /me/devices: a shared phone's next person) and is dropped at
    sign-out; the move and the drop wait for this hold, so no send to a device is under way once either returned
    (the app opts the phone's pushes back in only after its registration returned), and a stale-token refusal here
    deletes the token before the next person registers it again, never their registration.

    FOR NO KEY UPDATE, not FOR SHARE: two backend copies sending to one phone at once would both hold it shared and
    each wait for the other to delete it after a stale-token refusal (a deadlock); held by one turn alone, its own
    delete waits for nobody. SKIP LOCKED: a device another turn, a registration or a sign-out holds right now is left
    out of this turn (its delivery is due again HELD_ELSEWHERE_WAIT on), and the worker never waits while holding others
    (a registration may be deleting one of them: a person's oldest devices beyond DEVICES_PER_PERSON_MAX)."""
    tokens = [r["target"] for r in rows if channels[r["channel"]].addresses in DEVICE_ADDRESSES and r["device"]]
    if not tokens:
        return {}
    held = await (await conn.execute(
        """select token, user_id from private.notification_devices where token = any(%s)
           order by token for no key update skip locked""", [tokens])).fetchall()
    return {h["token"]: h["user_id"] for h in held}


async def send_due(conn: Conn, channels: Mapping[str, Channel], now: datetime, config: WorkerConfig) -> int:
    """Send one batch of due deliveries; returns how many were attempted."""
    rows = await (await conn.execute(
        _DUE, {"now": now, "channels": list(channels), "limit": config.batch_size,
               "held_wait": HELD_ELSEWHERE_WAIT})).fetchall()
    if not rows:
        return 0
    held = await _held_devices(conn, channels, rows)
    sends: list[asyncio.Future[_Outcome]] = []
    left = 0  # left for a later turn: not attempted, so not counted (review27a #3)
    try:
        for i, row in enumerate(rows):
            if i and i % YIELD_EVERY == 0:
                await asyncio.sleep(0)
            if channels[row["channel"]].addresses in DEVICE_ADDRESSES and row["device"]:
                if row["target"] not in held:  # sent to, registered or signed out right now: a later turn decides
                    sends.append(asyncio.ensure_future(_later(row, now)))
                    left += 1
                    continue
                if held[row["target"]] != row["recipient_id"]:  # moved since the turn's first read
                    row = {**row, "device": None}
            sends.append(asyncio.ensure_future(_send_one(channels[row["channel"]], row, now, config)))
    except BaseException:  # cancelled between starts: no send may outlive the row locks that guard it
        for send in sends:
            send.cancel()
        raise
    outcomes = await asyncio.gather(*sends)
    await conn.execute(
        """update private.notification_deliveries d
           set status = o.status, attempts = o.attempts, last_error = left(o.error, 1000),
               next_attempt_at = o.next_at, updated_at = %s,
               sent_at = case when o.status = 'sent' then %s end
           from unnest(%s::bigint[], %s::text[], %s::int[], %s::text[], %s::timestamptz[])
                as o(id, status, attempts, error, next_at)
           where d.id = o.id""",
        [now, now, [o.id for o in outcomes], [o.status for o in outcomes], [o.attempts for o in outcomes],
         [o.error for o in outcomes], [o.next_at for o in outcomes]],
    )
    dead = [o.drop_device for o in outcomes if o.drop_device]
    if dead:  # the service said this device is gone for good: stop sending to it
        await conn.execute("delete from private.notification_devices where token = any(%s)", [dead])
    for outcome in outcomes:
        if outcome.status == "failed":
            log.warning("notification delivery %s failed after %d attempt(s): %s", outcome.id, outcome.attempts,
                        outcome.error)
    # A batch left whole for later (its devices held by another copy's send, for up to its send timeout) is no
    # full batch: counted, the worker's loop went on at once and read, locked and rewrote it as fast as the
    # database answered until that send ended.
    return len(rows) - left


# A deleted person's OneSignal user and subscriptions are asked for at most this long after their deletion (OneSignal
# down, answering 5xx, or refusing a rotated key); then the row goes too, so the queue does not become a second home
# for the ids (migrations 0066, 0067).
ERASE_TRIED_FOR = timedelta(days=7)

_ERASURES_DUE = """
select e.kind, e.subscription_id, e.attempts, e.queued_at,
       -- registered again since (the app signed in on that phone again): the subscription is a living person's now
       e.kind = 'subscription' and exists (select 1 from private.notification_devices d
                                           where d.token = e.subscription_id) as registered
from private.onesignal_erasures e
where e.next_attempt_at <= %(now)s
order by e.next_attempt_at, e.kind, e.subscription_id
limit %(limit)s
for update of e skip locked
"""

Erasure = tuple[str, str]  # (kind, id): the queue's key


async def _erase_one(onesignal: OneSignalChannel, row: Mapping[str, Any], now: datetime,
                     config: WorkerConfig) -> tuple[Erasure, datetime | None, str]:
    """((kind, id), when to ask again or None when the row is done with, what to log)."""
    key: Erasure = (row["kind"], row["subscription_id"])
    if row["registered"]:
        return key, None, "registered again since: not the deleted account's any more"
    erase = onesignal.delete_user if row["kind"] == "user" else onesignal.delete_subscription
    try:
        await asyncio.wait_for(erase(row["subscription_id"]), config.send_timeout_seconds)
    except DeliveryError as exc:
        error, permanent = exc.reason, exc.permanent
    except TimeoutError:
        error, permanent = f"no answer within {config.send_timeout_seconds:g} s", False
    except Exception as exc:  # a bug or an unexpected library error: its kind only (its text may hold the id)
        error, permanent = type(exc).__name__, False
    else:
        return key, None, ""
    if permanent:
        return key, None, f"given up: {error}"
    if now - row["queued_at"] >= ERASE_TRIED_FOR:
        return key, None, f"given up after {ERASE_TRIED_FOR.days} days: {error}"
    return key, now + backoff(int(row["attempts"]) + 1, config.retry_base_seconds), error


async def erase_subscriptions(conn: Conn, onesignal: OneSignalChannel | None, now: datetime,
                              config: WorkerConfig) -> int:
    """Ask OneSignal to forget one batch of the due deleted accounts (migrations 0066, 0067): each person's
    OneSignal user (external_id = their id) and push subscriptions; returns how many rows were handled. Each row is
    locked (`for update skip locked`) until its outcome is written, so two workers never send the same delete at
    once. Done (deleted, or 404: gone already), given up on (a 400/422: asking again cannot change it) or registered
    again since: the row goes. Otherwise (5xx, 429, a refused key, no answer) it is asked again after a backoff, for
    ERASE_TRIED_FOR. Logs never hold the id."""
    if onesignal is None:
        # The database queues at every deletion (it cannot know the backends' settings), but only OneSignal's keys
        # can erase at OneSignal. A copy without them leaves the rows to a copy that has them (a rolling change of
        # settings runs both at once) and drops only what is past ERASE_TRIED_FOR, as a configured copy would:
        # without OneSignal anywhere, no id is kept longer than that.
        dropped = await (await conn.execute(
            """delete from private.onesignal_erasures
               where (kind, subscription_id) in (select kind, subscription_id from private.onesignal_erasures
                                                 where queued_at <= %s for update skip locked)
               returning 1""", [now - ERASE_TRIED_FOR])).fetchall()
        if dropped:
            log.warning("dropped %d OneSignal erasure(s) of deleted accounts after %d days: OneSignal is not "
                        "configured here", len(dropped), ERASE_TRIED_FOR.days)
        return len(dropped)
    rows = await (await conn.execute(_ERASURES_DUE, {"now": now, "limit": config.batch_size})).fetchall()
    if not rows:
        return 0
    outcomes = await asyncio.gather(*(_erase_one(onesignal, row, now, config) for row in rows))
    done = [key for key, again, _ in outcomes if again is None]
    later = [(key, again) for key, again, _ in outcomes if again is not None]
    if done:
        await conn.execute(
            """delete from private.onesignal_erasures e using unnest(%s::text[], %s::text[]) as d(kind, id)
               where e.kind = d.kind and e.subscription_id = d.id""",
            [[kind for kind, _ in done], [sid for _, sid in done]])
    if later:
        await conn.execute(
            """update private.onesignal_erasures e set attempts = e.attempts + 1, next_attempt_at = l.at
               from unnest(%s::text[], %s::text[], %s::timestamptz[]) as l(kind, id, at)
               where e.kind = l.kind and e.subscription_id = l.id""",
            [[kind for (kind, _), _ in later], [sid for (_, sid), _ in later], [at for _, at in later]])
    for _, again, note in outcomes:
        if again is None and note.startswith("given up"):
            log.warning("a deleted account was not erased at OneSignal: %s", note)
    if later:
        notes = sorted({note for _, again, note in outcomes if again is not None})
        if any(KEY_REFUSED in note for note in notes):
            # Loud, once a turn, without ids: every erasure waits for the deployment's key to be fixed.
            log.error("OneSignal refuses the App API key (FIXIT_ONESIGNAL_API_KEY): %d erasure(s) of deleted "
                      "accounts wait for a working key (given up %d days after the deletion)", len(later),
                      ERASE_TRIED_FOR.days)
        else:
            log.warning("%d deleted account(s)' OneSignal erasure(s) to be asked again: %s", len(later), notes)
    return len(rows)


async def deliver_once(pool: AsyncConnectionPool[Conn], channels: Mapping[str, Channel], config: WorkerConfig,
                       now: datetime | None = None) -> Turn:
    """One turn: plan what is new, send one batch of what is due, then one batch of OneSignal erasures. Returns
    how many notifications it planned and deliveries it attempted."""
    now = now or datetime.now(UTC)
    async with service_tx(pool) as owner:
        planned = await plan(owner, list(channels.values()), now)
    attempted = 0
    if channels:
        async with service_tx(pool) as owner:
            attempted = await send_due(owner, channels, now, config)
    onesignal = channels.get("onesignal")
    # Last, and on its own: a failure here is logged and never holds back the deliveries.
    try:
        async with service_tx(pool) as owner:
            await erase_subscriptions(owner, onesignal if isinstance(onesignal, OneSignalChannel) else None, now,
                                      config)
    except Exception as exc:
        log.warning("erasing deleted accounts' OneSignal subscriptions failed: %s", exc)
    return Turn(planned, attempted)


async def delivery_worker(pool: AsyncConnectionPool[Conn], settings: Settings,
                          channels: Mapping[str, Channel] | None = None) -> None:
    """The background task of every backend copy (started from the app's lifespan)."""
    if settings.notify_worker_seconds <= 0:
        return
    from backend.notifications.channels.registry import make_channels

    channels = channels if channels is not None else make_channels(settings)
    config = WorkerConfig.of(settings)
    try:
        while True:
            try:
                turn = await deliver_once(pool, channels, config)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away: try again next turn
                log.warning("notification worker turn failed: %s", exc)
                turn = Turn(0, 0)
            task = asyncio.current_task()
            if task is not None and task.cancelling():  # a cancel swallowed on the way (3.11's wait_for, the pool)
                raise asyncio.CancelledError
            if not turn.full(config):  # a full batch (planned or sent): more may be waiting, go on at once
                await asyncio.sleep(settings.notify_worker_seconds)
    finally:
        for channel in channels.values():
            await channel.aclose()
