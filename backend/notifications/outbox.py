"""The outbox's Python writers, all the periodic tick's: "an offer is about to expire and nobody accepted", the
admins' undecided jobs, the high-risk jobs in hand whose college's last teacher left, and the reminders of a wait
on one person (every other notification is written by the database's triggers, migration 0016). Each once (per
offer round and supervisor, per wait and reader...), whichever backend copy's tick sees it first (a unique dedupe
key). Each statement inserts its rows in dedupe-key order: an insert waits on a key another transaction inserted and
has not committed, so two copies' turns writing overlapping keys in different orders (their plans may differ) could
each wait for the other (race27 #3); in one order, the second waits for the first and skips what it wrote."""

import uuid
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from psycopg.types.json import Jsonb

from backend.db import Conn
from backend.services.dispatch import _isolated  # one request's part of a turn of the clock, in its own savepoint
from backend.services.handover_rule import HANDED_OVER_SQL
from shared.credit import HANDOVER_FROM, presence_categories
from shared.reminders import (
    COLLECT_ESCALATE_AFTER,
    COLLECT_REMIND_AFTER,
    IN_HAND_DUE,
    REMIND_HORIZON,
    STALLED_GRACE,
)


async def notify_expiring_offers(conn: Conn, now: datetime, within: timedelta) -> int:
    """Tell the college's supervisors about jobs whose pending offers all expire within `within` and that nobody
    accepted yet. Returns how many notifications were written."""
    cur = await conn.execute(
        """insert into public.notifications (recipient_id, kind, params, request_id, offer_id, dedupe_key)
           select s.id, 'offer_expiring',
                  jsonb_build_object('item', r.item, 'expires_at', o.expires_at, 'waiting', o.n), r.id, o.first_offer,
                  'offer_expiring:' || r.id || ':' || extract(epoch from o.expires_at)::bigint || ':' || s.id
           from (select request_id, college_id, max(expires_at) as expires_at, count(*) as n,
                        (array_agg(id order by rank))[1] as first_offer
                 from public.offers where status = 'pending'
                 group by request_id, college_id) o
           join public.repair_requests r on r.id = o.request_id and r.status = 'offered'
           cross join lateral private.active_teachers(o.college_id) s(id)
           where o.expires_at > %(now)s and o.expires_at <= %(until)s
           order by 6  -- by dedupe key: two copies' turns insert overlapping keys in one order (race27 #3)
           on conflict (dedupe_key) do nothing
           returning id""",
        {"now": now, "until": now + within},
    )
    return len(await cur.fetchall())


# The admins' messages of a college decision nobody at the college can make now (migration 0071): its check, its
# hand back, or a job held by a suspended student, at a college whose teachers all left (deleted, suspended, moved)
# after the message went to them, or whose only teacher asked for the repair (or, for a check, worked on the job:
# migration 0074). Once per job, wait and admin (the dedupe key is the one the status trigger and the suspension
# write), whichever copy's clock sees it first.
# Every turn of every copy's clock reads every such job, and nearly all of them were told on an earlier turn: the
# message's parts (the deciders, the names) were built for each and then dropped by ON CONFLICT, most of a turn's
# time at 20,000 requests (session 23: 0.6 s of 0.8 s, bench.api's clock_turn_ms). `untold` keeps a job only while
# some active admin lacks its key; deciders() names active admins only, so a job every active admin holds has
# nothing to write, and an admin who joins later is still told on the next turn.
# review26b #6 (close27 #3): the jobs are read from the statement's snapshot, and a move of one (an approval, a hand
# back, a take back: transitions.py holds the job FOR UPDATE) committing before this insert did (its foreign key
# check of the job waited on that lock) closed the messages it could see, not these: one more message asked about a
# job already decided. So each job is held FOR SHARE while it is told of, and its wait checked again on the row as it
# is then (READ COMMITTED re-reads a row it locks): a job a move holds now is passed by (SKIP LOCKED: the clock never
# waits on a move; the next turn tells of it if it still waits), and a move that comes after waits for this commit,
# whose messages its trigger (0120) then sees and closes. Lock order (backend/services/dispatch.py): the clock's
# foreign key check already held these jobs FOR KEY SHARE to its commit; a FOR SHARE that skips what is locked adds
# no wait of the clock's own. A suspended holder's wait is their profile's, not the job's (review27b #3): a restore
# committing under the insert closed what it could see, not this; so the holder's profile is held FOR SHARE too (SKIP
# LOCKED: a restore under way passes the job by; one after waits for this commit and its trigger, 0120, closes it).
_UNDECIDED = """
    with waits as materialized (
        select u.request_id, u.holder_suspended, u.started,
               case when u.holder_suspended
                    then 'held:' || u.started || ':' || r.technician_id || ':'
                         || coalesce(private.switched_off_by(r.technician_id), 0)
                    else 'decide:' || u.started end as key
        from private.undecided_jobs() u
        join public.repair_requests r on r.id = u.request_id
        where u.started is not null
          and (r.status = any(private.college_decides())
               or (u.holder_suspended and r.status = any(private.reassignable())
                   and exists (select 1 from public.profiles s where s.id = r.technician_id and not s.is_active
                               for share skip locked)))
        for share of r skip locked
    ), admins as materialized (
        select p.id from public.profiles p where p.role = 'admin' and p.is_active
    ), untold as (
        select w.* from waits w
        where exists (select 1 from admins a
                      where not exists (select 1 from public.notifications n
                                        where n.dedupe_key = w.key || ':' || a.id))
    )
    insert into public.notifications (recipient_id, kind, params, request_id, about_id, dedupe_key)
    select d.id,
           case when u.holder_suspended then 'holder_suspended'
                when r.status = 'quality_check' then 'qc_waiting' else 'handback_waiting' end,
           jsonb_build_object('item', r.item, 'technician', coalesce(private.first_name(r.technician_id), ''),
                              'college_th', c.name_th, 'college_en', c.name_en, 'nobody_at_college', true,
                              'reason', coalesce((select e.note_params ->> 'reason' from public.status_events e
                                                  where e.id = u.started), '')),
           r.id,
           case when r.status <> 'unrepairable' and private.first_name(r.technician_id) <> ''
                then r.technician_id end,
           u.key || ':' || d.id
    from untold u
    join public.repair_requests r on r.id = u.request_id
    left join public.colleges c on c.id = r.college_id
    cross join lateral private.deciders(r.college_id, r.citizen_id,
                                        case when r.status = 'quality_check' then r.id end) d
    where d.admin
    order by 6  -- by dedupe key, as every clock insert of them (race27 #3)
    on conflict (dedupe_key) do nothing
    returning id"""


async def notify_undecided(conn: Conn) -> int:
    """Tell the admins of the jobs waiting on a college that has nobody to decide them (once each). Returns how many
    notifications were written."""
    return len(await (await conn.execute(_UNDECIDED)).fetchall())


# A high-risk job in a student's hands (accepted, diagnosing, repairing) at a college with no active teacher left (its
# last one's role changed, or they were suspended, moved or deleted, by any path: Supabase's dashboard too): its next
# hands-on steps need a teacher of the college present (shared.credit.needs_teacher_present), so its student cannot
# go on (stranded19). Its student hears why (`teacher_left`), the college's deciders (migration 0071
# `private.deciders`: its teachers, else the admins) that it needs a teacher or another college (`teacher_needed`:
# an admin takes it back, and dispatch sends it on to the nearest college whose teacher can be present; the admins'
# list shows it meanwhile, migration 0088), and its owner that it waits and why (`job_waits_for_teacher`, stranded20:
# the item and the college only, nothing of the student or the teachers). Once per step and reader: the dedupe key
# names the timeline event that began the job's present step (or a reassign), as the reminders' do, so several
# copies' clocks write each once and a new step or student starts anew. A teacher who joins the college while the
# job still waits in that step hears of it too (its student was told: the job stopped for want of one). A suspended
# holder's job is `holder_suspended`'s (notify_undecided), not this.
# `private.college_has_teacher` runs once per job in hand (the lateral `t`): the clock reads every high-risk job in
# hand on every turn, and the call was made twice, in the select list and in the filter. OFFSET 0 keeps the planner
# from pulling the lateral up into the query, which would copy the call back into both places.
_STRANDED = """
with stranded as materialized (
    select r.id, r.item, r.technician_id, r.citizen_id, r.college_id, c.name_th as college_th,
           c.name_en as college_en, e.id as started, t.has_teacher
    from public.repair_requests r
    join public.colleges c on c.id = r.college_id
    join public.profiles s on s.id = r.technician_id and s.is_active
    cross join lateral (
        select e.id from public.status_events e
        where e.request_id = r.id and e.to_status = r.status
          and (e.from_status is distinct from e.to_status or e.note_code = 'reassigned')
        order by e.id desc limit 1) e
    cross join lateral (select private.college_has_teacher(r.college_id) as has_teacher offset 0) t
    where r.status in ('accepted', 'diagnosing', 'repairing') and r.category_code = any(%(presence)s::text[])
      and (not t.has_teacher
           or exists (select 1 from public.notifications n
                      where n.dedupe_key = 'stranded:' || e.id || ':' || r.technician_id))
)
insert into public.notifications (recipient_id, kind, params, request_id, about_id, dedupe_key)
select s.technician_id, 'teacher_left',
       jsonb_build_object('item', s.item, 'college_th', s.college_th, 'college_en', s.college_en), s.id, null::uuid,
       'stranded:' || s.started || ':' || s.technician_id
from stranded s where not s.has_teacher
union all
select s.citizen_id, 'job_waits_for_teacher',
       jsonb_build_object('item', s.item, 'college_th', s.college_th, 'college_en', s.college_en), s.id, null,
       'stranded:' || s.started || ':' || s.citizen_id
from stranded s where not s.has_teacher and s.citizen_id is not null
union all
select d.id, 'teacher_needed',
       jsonb_build_object('item', s.item, 'technician', coalesce(private.first_name(s.technician_id), ''),
                          'college_th', s.college_th, 'college_en', s.college_en, 'nobody_at_college', d.admin),
       s.id, case when coalesce(private.first_name(s.technician_id), '') <> '' then s.technician_id end,
       'stranded:' || s.started || ':' || d.id
from stranded s cross join lateral private.deciders(s.college_id, s.citizen_id) d
order by 6  -- by dedupe key, as every clock insert of them (race27 #3)
on conflict (dedupe_key) do nothing
returning id"""


async def notify_stranded(conn: Conn) -> int:
    """Tell the students, the owners and the deciders of the high-risk jobs in hand at a college with no teacher
    left (once each, `_STRANDED`). Locks nothing (backend/services/dispatch.py's lock order). Returns how many
    notifications were written."""
    return len(await (await conn.execute(_STRANDED, {"presence": presence_categories()})).fetchall())


# The clock's reminders of a wait on one person (shared/reminders.py): a job in a student's hands past its step's
# days, its student once, then whoever decides for the college (a teacher, else the admins: migration 0071
# `private.deciders`) once `grace` later; an item not collected (repaired, or judged unrepairable: either waits to
# be handed back, shared.credit.HANDOVER_FROM), its owner once, then the deciders once (`unrepairable` in their
# params picks the messages' words: shared/notifications.py). A
# wait starts with the timeline event that moved the job into its status (or a teacher's reassign of it): each
# message's dedupe key names that event and its reader, so several copies' clocks write it once, a job that moves on
# starts a new wait (the old one's messages are not due again), and a reader added later (a new teacher) is told
# too. A student suspended while holding the job is neither reminded nor reported here (`holder_suspended` is that
# message); an item its owner confirmed receiving is not theirs to collect (backend/services/handover_rule.py).
_TO_HAND_BACK = ", ".join(f"'{status}'" for status in sorted(HANDOVER_FROM))
_IN_HAND = ", ".join(f"'{status}'" for status in sorted(IN_HAND_DUE))

_WAITS = f"""
with waits as materialized (
    select r.id, r.status, r.item, r.technician_id, r.citizen_id, r.college_id, r.service_place,
           c.name_th as college_th, c.name_en as college_en, e.id as started, e.created_at as since,
           case when r.status in ({_TO_HAND_BACK}) then {HANDED_OVER_SQL} else false end as handed_over
    from public.repair_requests r
    left join public.colleges c on c.id = r.college_id
    cross join lateral (
        select e.id, e.created_at from public.status_events e
        where e.request_id = r.id and e.to_status = r.status
          and (e.from_status is distinct from e.to_status or e.note_code = 'reassigned')
        order by e.id desc limit 1) e
    -- the statuses of migration 0093's partial index (a test holds them equal)
    where r.status in ({_IN_HAND}, {_TO_HAND_BACK})
      -- A young wait only (shared.reminders.REMIND_HORIZON): the event that began it changed the request in its
      -- transaction, so the request's last change is no older (the partial index on it, migration 0083, reads the
      -- recent ones only, never the old jobs left done), and then the event itself.
      and r.updated_at >= %(horizon)s and e.created_at >= %(horizon)s
      and (%(only)s::uuid is null or r.id = %(only)s::uuid)
), in_hand as (
    -- While a part waits for the owner's answer, the wait is the owner's: nobody is reminded; the step's days count
    -- from the owner's last answer when that came later than the move into the step.
    select w.*, private.first_name(w.technician_id) as named,
           greatest(w.since, p.answered)
               + make_interval(secs => (%(due)s::jsonb ->> w.status::text)::float8) as due_at
    from waits w join public.profiles s on s.id = w.technician_id and s.is_active
    cross join lateral (
        select max(jp.decided_at) filter (where jp.status in ('approved', 'declined')) as answered,
               count(*) filter (where jp.status = 'proposed') as waiting
        from public.job_parts jp where jp.request_id = w.id) p
    where w.status in ({_IN_HAND}) and p.waiting = 0
), due as (
    select i.id as request_id, i.technician_id as recipient, 'work_overdue' as kind,
           jsonb_build_object('item', i.item, 'college_th', i.college_th, 'college_en', i.college_en) as params,
           null::uuid as about, 'overdue:' || i.started || ':' || i.technician_id as dedupe_key
    from in_hand i where i.due_at <= %(now)s
    union all
    select i.id, d.id, 'work_stalled',
           jsonb_build_object('item', i.item, 'technician', coalesce(i.named, ''), 'college_th', i.college_th,
                              'college_en', i.college_en, 'nobody_at_college', d.admin),
           case when coalesce(i.named, '') <> '' then i.technician_id end,
           'stalled:' || i.started || ':' || d.id
    from in_hand i cross join lateral private.deciders(i.college_id, i.citizen_id) d
    where i.due_at + %(grace)s <= %(now)s
    union all
    select w.id, w.citizen_id, 'collect_reminder',
           jsonb_build_object('item', w.item, 'place', w.service_place, 'college_th', w.college_th,
                              'college_en', w.college_en, 'unrepairable', w.status = 'unrepairable'),
           null, 'collect:' || w.started || ':' || w.citizen_id
    from waits w
    where w.status in ({_TO_HAND_BACK}) and w.citizen_id is not null and not w.handed_over
      and w.since + %(remind)s <= %(now)s
    union all
    select w.id, d.id, 'uncollected',
           jsonb_build_object('item', w.item, 'days', floor(extract(epoch from %(now)s - w.since) / 86400)::int,
                              'college_th', w.college_th, 'college_en', w.college_en, 'nobody_at_college', d.admin,
                              'unrepairable', w.status = 'unrepairable'),
           null, 'uncollected:' || w.started || ':' || d.id
    from waits w cross join lateral private.deciders(w.college_id, w.citizen_id) d
    where w.status in ({_TO_HAND_BACK}) and w.college_id is not null and w.since + %(escalate)s <= %(now)s
)"""


def _waits_params(now: datetime, only: uuid.UUID | None) -> dict[str, Any]:
    return {"now": now, "only": only, "due": Jsonb({s.value: d.total_seconds() for s, d in IN_HAND_DUE.items()}),
            "grace": STALLED_GRACE, "remind": COLLECT_REMIND_AFTER, "escalate": COLLECT_ESCALATE_AFTER,
            "horizon": now - REMIND_HORIZON}


async def remind_waiting(conn: Conn, now: datetime, limit: int = 100) -> int:
    """Write the reminders due at `now` (`_WAITS`), each request's in a savepoint of its own (one failing request is
    logged and left for the next turn; the others are told). At most `limit` requests a turn: a request told leaves
    the set, so the next batch goes on with the rest. Returns how many requests it handled."""
    rows = await (await conn.execute(
        f"""{_WAITS}
            select due.request_id from due
            where not exists (select 1 from public.notifications n where n.dedupe_key = due.dedupe_key)
            group by due.request_id order by due.request_id limit %(limit)s""",
        {**_waits_params(now, None), "limit": limit})).fetchall()

    async def remind(request_id: uuid.UUID) -> None:
        await conn.execute(
            f"""{_WAITS}
                insert into public.notifications (recipient_id, kind, params, request_id, about_id, dedupe_key)
                select recipient, kind, params, request_id, about, dedupe_key from due
                order by dedupe_key  -- as every clock insert of them (race27 #3)
                on conflict (dedupe_key) do nothing""", _waits_params(now, request_id))

    for row in sorted(rows, key=lambda r: r["request_id"]):
        await _isolated(conn, row["request_id"], "reminding of", partial(remind, row["request_id"]))
    return len(rows)
