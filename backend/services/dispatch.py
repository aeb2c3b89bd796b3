"""Dispatch: the one place that decides which college and which students get a job.

Nearest college whose service radius covers the request and that has active students with a fitting skill not asked
yet (a high-risk job: and an active teacher, `_teacher_ok`); its students ranked by `shared.matching` (jobs in hand
as `private.held_jobs` counts them; equals take turns, the one offered a job least recently first); offers to the top
N at once; the first accept wins (the request row lock and a unique index make that atomic); a decline offers the job
to the next student; no answer within the SLA escalates to the next nearest college; with nobody anywhere the request
waits as `no_centre` for an admin. The SLA counts from when the students hear of the offer: one made in the quiet
hours (21:00-07:00 in Bangkok) runs out the SLA after 07:00 (`DispatchPolicy.expires_at`,
shared.notifications.offer_expires_at).

Every function takes the clock as `now`, so tests can move time instead of waiting for it.

Row locks, the one order every transaction takes them in (so two of them wait for each other, never deadlock):
1. a person's profile (`public.profiles`): FOR NO KEY UPDATE where it is changed (a switch-off, a move or a role,
   an invitation's answer), FOR SHARE where a student's `is_active and takes_jobs` must hold until commit (an
   accept, an assign, a helper added to a team) and, for a high-risk job, that their college's active teachers
   stay so, and that the request's citizen can still answer for it (`roster_teacher_and_owner`: the student's,
   the teachers' and the owner's profiles in one statement, by id; an administrator's send-on and the owner's
   reopen (aftercare.reopen) share the owner's, `owner_active`, and a submit's dispatch too, its result unread
   (`dispatch_submitted`, audit21 #2: a request stored during its citizen's suspension is not among the requests
   the suspension locks); never FOR UPDATE, which would also block the FOR KEY SHARE of every foreign-key check on
   a row naming the person (repair_requests.technician_id, offers, notifications' about_id): those are taken later
   in the order, under a request's lock, and must not wait for a profile; several profiles in id order (the last-admin
   check locks every active admin, staff.lock_active_admins);
1b. a college (`public.colleges`): FOR SHARE where it must stay open until commit (an accept of an offer, after the
   student's profile; an accept of an invitation, after the person's profile and before the invitation: step 4), FOR
   KEY SHARE where it must only stay there (a decline, a withdrawal or a renewal or replacement of one of its
   invitations, the clock's close of expired ones, skip locked, before the invitation: its deletion, by SQL only,
   locks the college, then closes the invited cards and cascades to the invitations, 0108; race26), or closed (the
   tick ending the offers a dispatch that raced the close wrote there, `staff.end_offers_at_closed_colleges`, skip
   locked: the requests next), FOR NO KEY UPDATE where an admin changes or closes it (`staff.update_college`, which
   then ends its students' waiting offers: the requests next); never FOR UPDATE, which would block the FOR KEY SHARE
   of the foreign-key checks of offers written under a request's lock (dispatch takes none: the tick is its
   backstop);
2. the request (`repair_requests` FOR UPDATE, `lock_status`);
3. its offers, team and other rows of that request;
4. an invitation (`private.staff_invites`), after the person's profile, then their notifications.
5. a student's progression count (`credit.approve_hours`: a transaction advisory lock per team member, in id
   order), last: under it only the students' proposals are written. A teacher's decision of a proposal
   (`credit.decide_proposal`) takes the student's and the teacher's own profiles (FOR KEY SHARE, step 1, one
   statement by id: race27 #2), then the proposal and the skill. A roster import (`staff.import_students`) locks
   every account its file names in one statement by id before any row's work (race27 #1), then every job
   they hold a pending offer of, by id (review27c #3: its rows hand those jobs on); the people a teacher's file
   will refuse are only read, never locked, and only the students it moves have their jobs held (import28 #1).
A path that starts from a request and learns of a student only then (dispatch, the tick; a submit's dispatch shares
only its owner's profile, before the request) takes no profile lock (one exception, which never waits: the tick's
retry of a stranded submit, `dispatch_stranded`, shares the owner's profile after the request, skip locked, and
leaves the request for its next turn when a suspension holds it):
the foreign-key checks' FOR KEY SHARE conflicts with none of the above. The clock's revival of a `no_centre`
request (`revive_waiting`) is such a path: the request (FOR UPDATE skip locked), then its offers; so is its
resumption of one parked for a suspension whose citizen was switched back on outside the app
(`resume_restored_elsewhere`, audit24). The clock's
hand-on of a high-risk job offered at a college whose last teacher left (`end_offers_without_teacher`) is
another: the requests (skip locked), then their offers; it reads the teachers unlocked (the accept's check is the
one that holds); so is its hand-on of offers whose student left the offer's college (`end_offers_moved_away`,
gaps26: the requests skip locked, then their offers; the profiles read unlocked); the app's own move, switch-off or
suspension of a student hands such offers on in its transaction (`hand_on_from_leaving`, college27: the student's
profile, held by the move, then their offers' requests by id, then the offers). The clock's reminders of a job
past its days or an item not collected (backend/notifications/outbox.py
`remind_waiting`) lock nothing: they insert notifications once each (a unique dedupe key), as `notify_undecided`
does, and as its messages of a high-risk job in hand whose college's last teacher left (`notify_stranded`) do; each
statement in dedupe-key order (`order by`), since an insert waits on another's uncommitted row of the same key (two
copies' turns, race27 #3; the triggers' and a suspension's keys carry the writing transaction's own new event id,
which nobody else can write before it commits). Such a
job is moved on by an admin's take back (the step route: the request, then its offers, as a teacher's), which offers
it at the same college only where a teacher is (`_teacher_ok`), else at the nearest college with one.
A suspension (account.suspend) locks the person's profile FOR NO KEY UPDATE, then every open request they asked
for, every request they hold a pending offer of and every job in their hands (review27b #1), in one statement by id;
a citizen's own then end their pending
offers and wait as `no_centre` (`park_for_suspended_owner`, review18a #2: nobody may answer for them, so no student
is sent to them). An accept, an assign or a helper joining shares the owner's profile first, so a suspension
committing at that moment is waited for and seen (409 owner_suspended), or waits for the job to be given and then
leaves it with its student. A restore (account.restore) takes the same order: the profile FOR NO KEY UPDATE, then the
requests the suspension parked, in one statement by id, then their offers (`resume_for_restored_owner`).
An account's deletion is the one exclusive profile lock: `delete from auth.users` (DELETE /me, the operator's
command, Supabase's dashboard) cascades to the profile and locks it for good, which blocks those FOR KEY SHARE checks,
and the profile's trigger (private.forget_person) then writes the person's requests. So a trigger on auth.users
(private.lock_requests_before_deletion, 0040, 0045) first locks the person's profile FOR NO KEY UPDATE (an accept or
an assign under way, holding it FOR SHARE, finishes first), then every request they asked for or work on, or whose
offers or team name them (FOR UPDATE, by id, `private.requests_a_deletion_takes`, 0112: a request's holder, an
accept writing the citizen's or a withdrawn student's notification, finishes first; race26 #5), and refuses the
deletion while they hold a job in hand, from any path (Supabase's dashboard too). A student's own deletion
(account.delete) takes the same profile lock first and answers 409 account_has_jobs before that trigger runs. The
offers a deletion takes with it (offers.technician_id on delete cascade, from any path: Supabase's dashboard too)
leave requests `offered` with nobody to answer: the service paths (account.delete, which locks them with the
deletion's other requests in one statement by id) hand them on at once (`hand_on`), the tick those of any other
path (`hand_on_unanswerable`).
"""

import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from psycopg.types.json import Jsonb

from backend.db import Conn
from backend.errors import ApiError
from backend.services.transitions import Note, act_as, check_student_tier, lock_status, log_event, transition
from shared.credit import DEFAULT_TIER, TIER_MIN_LEVEL, needs_teacher_at_college, presence_categories, tier_levels
from shared.matching import Candidate, rank
from shared.notifications import offer_expires_at
from shared.roles import Actor
from shared.statuses import ASSIGNABLE, REASSIGNABLE, RequestStatus, Route

S = RequestStatus
log = logging.getLogger("fixit.dispatch")

# Great-circle km in plain SQL: works on any PostgreSQL (no extension needed) and is exact enough for a radius.
_KM = """6371.0 * 2 * asin(sqrt(power(sin(radians(c.lat - %(lat)s) / 2), 2)
         + cos(radians(%(lat)s)) * cos(radians(c.lat)) * power(sin(radians(c.lon - %(lon)s) / 2), 2)))"""
# The same km from request `r` to college `c`: every offer says how far its job is from the college it is made at
# (the plan's, a decline's next student, a reopened round's, a teacher's assign), the app sorting offers by it.
_KM_R = _KM.replace("%(lat)s", "r.lat").replace("%(lon)s", "r.lon")

# A student's level meets the category's own minimum and its safety tier's (shared/credit.py, one jsonb parameter).
_LEVEL_OK = ("ts.level >= greatest(cs.min_level, "
             "coalesce((%(tiers)s::jsonb ->> cs.category_code)::int, %(tier_default)s))")
_TIERS = {"tiers": Jsonb(tier_levels()), "tier_default": TIER_MIN_LEVEL[DEFAULT_TIER],
          "presence": presence_categories()}


def _teacher_ok(category: str, college: str) -> str:
    """SQL: a job of `category` may be offered at `college`. A high-tier job's diagnosing and repairing steps name a
    teacher of the college present (shared.credit.needs_teacher_present): only a college with an active teacher
    takes one, else its student could accept it and never start it (409 teacher_presence_required). Asked of
    `private.college_has_teacher` (0087: one probe of profiles_college_active_supervisors), the one definition the
    job screen and the clock's messages ask too, and only for those categories."""
    return f"({category} <> all(%(presence)s::text[]) or private.college_has_teacher({college}))"

# Dispatch's one rule of "asked before", a condition on an offer `o` of the request: every offer counts (the clock
# never asks a student twice: a decline is not pestered, a lapse would lapse again) but one its citizen's suspension
# withdrew (`park_for_suspended_owner`, migration 0094): that offer says nothing about its student, who could not
# answer for a request nobody may answer for, so once the account is restored the revival asks them again, in the
# usual rank order. `_PLAN` (the students and colleges tried), `candidates` (a decline's next student) and
# `_REVIVABLE` (whom the clock's revival may ask) all read it.
_ASKED = "not o.withdrawn_for_suspension"

# The students of college `n` who hold a skill of the request's category at the level it needs (`fit` below): an
# index range scan per needed skill, as `dispatch_college_id` is set only while the student is an active technician
# of that college (migration 0023). Only students this request may still be offered to (`req.offered`: not its
# owner, not one asked before): a college whose fitting students were all asked already, at another college before
# they moved there, has nobody to ask, and the job goes on to the next college.
_FITTING = """
    select 1 from req, fit
    join public.technician_skills ts
      on ts.dispatch_college_id = n.id and ts.skill_code = fit.skill_code and ts.level >= fit.min_level
    where ts.technician_id <> all(req.offered)
"""


@dataclass(frozen=True)
class DispatchPolicy:
    offer_count: int = 3
    sla: timedelta = timedelta(minutes=30)

    def expires_at(self, now: datetime) -> datetime:
        """When an offer made at `now` runs out: `sla` after its students hear of it (shared.notifications)."""
        return offer_expires_at(now, self.sla)


@dataclass
class DispatchResult:
    status: RequestStatus
    college_id: uuid.UUID | None = None
    offered_to: list[uuid.UUID] = field(default_factory=list)
    owner_suspended: bool = False  # offered to nobody: its citizen cannot answer for it (waits as no_centre)


async def _request(conn: Conn, request_id: uuid.UUID) -> dict[str, Any]:
    row = await (
        await conn.execute(
            "select id, status, category_code, lat, lon, college_id, citizen_id, technician_id "
            "from public.repair_requests where id = %s",
            [request_id],
        )
    ).fetchone()
    if row is None:
        raise ApiError(404, "not_found")
    return row


# The request, locked; the nearest active college in range not tried for it yet whose students fit (or the one
# college given); and that college's fitting students not offered this job before, with what ranking needs. One
# statement, so a dispatch waits for the database once before its writes.
# - The colleges and students this request was already offered to are read once, with the lock, from its own
#   offers (a few rows by index) instead of an anti-join the planner may turn into a scan of every offer.
# - The colleges in range come from an index walk over a latitude/longitude band as wide as the widest service
#   radius (1° of latitude ≈ 111 km; a degree of longitude shrinks with the cosine of the latitude, taken at the
#   band's edge nearest a pole so the band only over-covers), then the exact distance on those few rows, sorted in
#   a fenced subquery (`offset 0`); the fitting check runs on them in that order until one fits. The given-college
#   branch and the search branch are each gated by the parameter, so a cached generic plan keeps the index walk;
#   the given college's distance is the same great-circle km (a re-opened offer keeps its true distance).
# - The category's skills with the level each needs (its own minimum and its safety tier's) are worked out once
#   (`fit`), not per student and skill.
# - A college's fitting students are read from `technician_skills` by `dispatch_college_id` (one index range scan
#   per needed skill, migration 0023), not by a probe per student of the college.
# - `lazy_commit` (`dispatch_submitted`) turns off the commit's wait for the WAL flush for this transaction here,
#   with the lock, rather than in a statement of its own.
_KM_REQ = _KM.replace("%(lat)s", "req.lat").replace("%(lon)s", "req.lon")
_PLAN = f"""
with req as materialized (
    select r.id, r.status, r.category_code, r.lat, r.lon,
           (select max(service_radius_km) from public.colleges where is_active)::float8 / 111.0 as band,
           array(select o.college_id from public.offers o where o.request_id = r.id and {_ASKED}) as tried_colleges,
           -- The request's owner counts as offered already: a student is never offered their own request. An
           -- administrator's send-on (`again`) counts only the offers still open or taken: a student whose offer
           -- lapsed or who declined may be asked again when an administrator chose their college.
           array(select o.technician_id from public.offers o
                 where o.request_id = r.id and {_ASKED} and (not %(again)s or o.status in ('pending', 'accepted'))
                 union all select r.citizen_id where r.citizen_id is not null) as offered,
           case when %(lazy_commit)s then set_config('synchronous_commit', 'off', true) end as lazy_commit,
           -- its citizen can still answer for it (review18a #2): else it is offered to nobody (`dispatch`)
           exists (select 1 from public.profiles p where p.id = r.citizen_id and p.is_active) as owner_active
    from public.repair_requests r where r.id = %(request)s for update
),
fit as materialized (
    select cs.skill_code, {_LEVEL_OK.split(">=", 1)[1].strip()} as min_level
    from public.category_skills cs, req where cs.category_code = req.category_code
),
college as materialized (
    select n.id, n.km from (
        select c.id, {_KM_REQ} as km from req, public.colleges c
        where %(only_college)s::uuid is not null and c.id = %(only_college)s::uuid and c.is_active
        union all
        select c.id, {_KM_REQ} as km
        from req, public.colleges c
        where %(only_college)s::uuid is null and c.is_active
          and c.lat between req.lat - req.band and req.lat + req.band
          and c.lon between req.lon - req.band / cos(radians(abs(req.lat) + req.band))
                        and req.lon + req.band / cos(radians(abs(req.lat) + req.band))
          and {_KM_REQ} <= c.service_radius_km
          and c.id <> all(req.tried_colleges)
        order by km
        offset 0
    ) n
    where exists ({_FITTING}) and {_teacher_ok("(select req.category_code from req)", "n.id")}
    limit 1
)
select g.*, held.n as open_jobs, work.rating,
       -- when they were last offered any job (the fair turn among equals, shared.matching.rank): one index probe
       (select max(o.created_at) from public.offers o where o.technician_id = g.technician_id) as last_offered
from (
    -- `by_skill`: 1 + how many fit with a higher skill (ties share it). shared.matching.rank orders by skill first,
    -- so only those with fewer than %(keep)s (the policy's offer count) above them can be among the offered: the
    -- others are left out here, before the three per-student probes below (about three quarters of the college's
    -- fitting students, and of the plan's buffers, on bench.dispatch's data; disp24). Ties at the cut are all kept,
    -- for the later keys to decide. No student: the one row with nulls, rank 1, kept.
    select req.status, req.category_code, cardinality(req.tried_colleges) > 0 as had_offers, req.owner_active,
           college.id as college_id, college.km, ts.technician_id, max(ts.level) as skill,
           rank() over (order by max(ts.level) desc) as by_skill
    from req
    left join college on true
    left join (public.technician_skills ts
               join fit on fit.skill_code = ts.skill_code and ts.level >= fit.min_level)
        on ts.dispatch_college_id = college.id and ts.technician_id <> all(req.offered)
    group by req.status, req.category_code, req.tried_colleges, req.owner_active, college.id, college.km,
             ts.technician_id
) g
-- Jobs in hand as the project counts them (private.held_jobs, which private.jobs_in_hand asks: those they lead and
-- those they help on, this round; inlined here, migration 0080) and the average rating of the jobs they led (one
-- covering index).
left join lateral private.held_jobs(g.technician_id) held on g.technician_id is not null
left join lateral (
    select avg(r.rating)::float as rating from public.repair_requests r where r.technician_id = g.technician_id
) work on g.technician_id is not null
where g.by_skill <= greatest(%(keep)s, 1)
"""


@dataclass(frozen=True)
class _Plan:
    status: RequestStatus
    college_id: uuid.UUID | None
    people: list[Candidate]
    had_offers: bool = False  # students were offered it before (none has it now): not "no college in range"
    owner_active: bool = True  # its citizen can still answer for it (not suspended, not deleted)


async def _plan(conn: Conn, request_id: uuid.UUID, only_college: uuid.UUID | None, keep: int,
                lazy_commit: bool = False, again: bool = False) -> _Plan:
    """`keep`: how many students the caller offers it to (`DispatchPolicy.offer_count`); `people` then holds those
    the ranking could put among them (every student tied at the cut included), not all who fit."""
    rows = await (
        await conn.execute(_PLAN, {"request": request_id, "only_college": only_college, "lazy_commit": lazy_commit,
                                   "again": again, "keep": keep, **_TIERS})
    ).fetchall()
    if not rows:
        raise ApiError(404, "not_found")
    first = rows[0]
    km = float(first["km"]) if first["km"] is not None else 0.0
    people = [Candidate(str(r["technician_id"]), int(r["skill"]), int(r["open_jobs"]), r["rating"], km,
                        r["last_offered"])
              for r in rows if r["technician_id"] is not None]
    return _Plan(RequestStatus(first["status"]), first["college_id"], people, bool(first["had_offers"]),
                 bool(first["owner_active"]))


async def college_fit(conn: Conn, request_id: uuid.UUID) -> list[dict[str, Any]]:
    """For a request waiting for a college (no_centre), each active college: how many of its students fit the job
    by the rule the plan and a send-on ask (`_LEVEL_OK` here: the admin's picker and the send-on must agree), never
    the request's owner; whether the job needs a teacher present and whether the college has one. No rows when the
    request is not waiting. One statement, an index probe per college and needed skill."""
    rows: list[dict[str, Any]] = await (await conn.execute(
        f"""select c.id as college_id,
                   (select count(distinct ts.technician_id)
                    from public.category_skills cs
                    join public.technician_skills ts
                      on ts.dispatch_college_id = c.id and ts.skill_code = cs.skill_code and {_LEVEL_OK}
                    where cs.category_code = r.category_code
                      and ts.technician_id is distinct from r.citizen_id)::int as students,
                   r.category_code = any(%(presence)s::text[]) as needs_teacher,
                   private.college_has_teacher(c.id) as has_teacher
            from public.repair_requests r
            join public.colleges c on c.is_active
            where r.id = %(request)s and r.status = 'no_centre'
            order by c.id""",
        {"request": request_id, **_TIERS})).fetchall()
    return rows


async def teacher_missing(conn: Conn, request_id: uuid.UUID, college_id: uuid.UUID) -> bool:
    """The request's job needs a teacher present and `college_id` has no active teacher: why an administrator's
    chosen college cannot take it (409 no_teacher_at_college), whoever fits there."""
    row = await (await conn.execute(
        f"select not {_teacher_ok('r.category_code', '%(college)s')} as missing "
        "from public.repair_requests r where r.id = %(request)s",
        {"request": request_id, "college": college_id, **_TIERS})).fetchone()
    return bool(row and row["missing"])


async def candidates(
    conn: Conn, request_id: uuid.UUID, category: str, college_id: uuid.UUID, again: bool = False,
) -> list[Candidate]:
    """Active students of the college who fit the category and were not offered this job before (`again`: whether
    or not they were, for a new round of the job), each at the college's great-circle km from the job."""
    rows = await (
        await conn.execute(
            f"""
            select ts.technician_id as id, max(ts.level) as skill, place.km,
                   (select held.n from private.held_jobs(ts.technician_id) held) as open_jobs,
                   (select avg(r.rating)::float from public.repair_requests r
                    where r.technician_id = ts.technician_id and r.rating is not null) as rating,
                   (select max(o.created_at) from public.offers o
                    where o.technician_id = ts.technician_id) as last_offered
            -- a college an admin closed offers nothing more (its waiting offers ended with the close)
            from (select {_KM_R} as km, r.citizen_id from public.repair_requests r
                  join public.colleges c on c.id = %(college)s and c.is_active
                  where r.id = %(request)s and {_teacher_ok("%(category)s", "c.id")}) place
            join public.technician_skills ts on ts.dispatch_college_id = %(college)s
            join public.category_skills cs on cs.skill_code = ts.skill_code and {_LEVEL_OK}
            where cs.category_code = %(category)s
              and (%(again)s or not exists (select 1 from public.offers o where o.request_id = %(request)s
                                            and o.technician_id = ts.technician_id and {_ASKED}))
              -- never the request's own owner (a citizen made a student of this college)
              and ts.technician_id is distinct from place.citizen_id
            group by ts.technician_id, place.km
            """,
            {"college": college_id, "category": category, "request": request_id, "again": again,
             **_TIERS},
        )
    ).fetchall()
    return [Candidate(str(r["id"]), int(r["skill"]), int(r["open_jobs"]), r["rating"], float(r["km"]),
                      r["last_offered"]) for r in rows]


async def _make_offers(
    conn: Conn, request_id: uuid.UUID, college_id: uuid.UUID, people: list[Candidate], now: datetime,
    policy: DispatchPolicy, first_rank: int,
) -> list[uuid.UUID]:
    chosen = rank(people)[: policy.offer_count]
    # One statement for all of them; nothing is read back, so in pipeline mode it costs no wait.
    await conn.execute(
        """insert into public.offers (request_id, technician_id, college_id, rank, distance_km, created_at,
                                      expires_at)
           select %(request)s, t, %(college)s, r, %(km)s, %(now)s, %(expires)s
           from unnest(%(people)s::uuid[], %(ranks)s::int[]) as u(t, r)
           -- asked again (an administrator's send-on): the lapsed or declined offer is open anew
           on conflict (request_id, technician_id) do update set status = 'pending', college_id = excluded.college_id,
               rank = excluded.rank, distance_km = excluded.distance_km, created_at = excluded.created_at,
               expires_at = excluded.expires_at, responded_at = null""",
        {"request": request_id, "college": college_id, "km": round(chosen[0].distance_km, 2) if chosen else 0,
         "now": now, "expires": policy.expires_at(now), "people": [p.technician_id for p in chosen],
         "ranks": [first_rank + i for i in range(len(chosen))]},
    )
    return [uuid.UUID(p.technician_id) for p in chosen]


async def dispatch(
    conn: Conn, request_id: uuid.UUID, now: datetime, policy: DispatchPolicy, only_college: uuid.UUID | None = None,
    only_from: tuple[RequestStatus, ...] = (S.SUBMITTED, S.OFFERED, S.NO_CENTRE), onward: bool = False,
    lazy_commit: bool = False, again: bool = False, note: Note | None = None,
) -> DispatchResult:
    """Offer the job at the nearest fitting college not tried yet (or only at `only_college`: a reopened job, or an
    administrator's choice; with `onward`, at the next college when nobody is left there). Does nothing unless the
    request is in one of `only_from`. With `lazy_commit`, the transaction's commit does not wait for the WAL flush
    (`dispatch_submitted`). With `again` (an administrator's send-on to `only_college`), the college's fitting
    students whose offer of it lapsed, or who declined it, are asked again: the administrator chose that college,
    often after speaking to it. The automatic paths never ask a student twice: one who said no is not pestered, and
    a lapsed offer made again by the clock would lapse again every SLA, for ever. `note`: the timeline's note of a
    move to offered (the clock's revival, `revive_waiting`), or of a move on to the next college (in place of
    `escalated`: `end_offers_without_teacher`).

    `conn` is an owner transaction; the request row is locked for its length. The system is named the actor (for
    the status-log and audit triggers) just before the writes that need it: `transition` names it itself, so the
    usual path sends one statement fewer."""
    plan = await _plan(conn, request_id, only_college, policy.offer_count, lazy_commit,
                       again=again and only_college is not None)
    if onward and only_college is not None and not plan.people:
        # Nobody left at that college: on to the nearest college not tried yet, like an unanswered offer.
        only_college = None
        plan = await _plan(conn, request_id, None, policy.offer_count)
    status = plan.status
    if status not in only_from:
        return DispatchResult(status)
    if not plan.owner_active:
        # Nobody may answer for it (review18a #2): no student is sent to it, by any path that comes here (the
        # clock's, a take back's re-offer, an administrator's send-on, a stranded submit); it waits as no_centre,
        # its timeline saying why (`owner_suspended`, not "nobody took it": reinstate21), and the clock's revival
        # offers it again once the account is restored.
        if status != S.NO_CENTRE:
            await transition(conn, Actor.SYSTEM, request_id, S.NO_CENTRE, route=Route.DISPATCH, current=status,
                             note=Note(code="owner_suspended"))
        return DispatchResult(S.NO_CENTRE, owner_suspended=True)
    if plan.college_id is None or not plan.people:
        if status != S.NO_CENTRE:
            # Students were offered it before (their offers lapsed, they declined, or it was taken back): colleges
            # in range exist, so the note says nobody took it rather than that none is in range; the citizen is
            # told (migration 0070).
            await transition(conn, Actor.SYSTEM, request_id, S.NO_CENTRE, route=Route.DISPATCH, current=status,
                             note=Note(code="no_taker" if plan.had_offers else "no_centre"))
        return DispatchResult(S.NO_CENTRE)
    college_id, people = plan.college_id, plan.people
    offered = await _make_offers(conn, request_id, college_id, people, now, policy, first_rank=1)
    if status == S.OFFERED:
        await act_as(conn, Actor.SYSTEM, None)
        await conn.execute("update public.repair_requests set college_id = %s where id = %s",
                           [college_id, request_id])
        if only_college is None:  # taken back at the same college: that transition is already the event
            await log_event(conn, request_id, S.OFFERED, Actor.SYSTEM, None, note or Note(code="escalated"))
    else:
        await transition(conn, Actor.SYSTEM, request_id, S.OFFERED, route=Route.DISPATCH, current=status,
                         set_columns={"college_id": college_id}, note=note or "")
    return DispatchResult(S.OFFERED, college_id, offered)


# The request's citizen's profile, shared until commit (the lock order's step 1), and whether they can still answer
# for it: `owner_active` reads it, `dispatch_submitted` only takes the lock. By primary key, one probe; the owner is
# read from the request unlocked (a request's citizen changes only to null, by their deletion).
_SHARE_OWNER = """select p.is_active from public.profiles p
                  where p.id = (select r.citizen_id from public.repair_requests r where r.id = %s) for share"""


async def dispatch_submitted(conn: Conn, request_id: uuid.UUID, now: datetime, policy: DispatchPolicy, *,
                             share_owner: bool = True) -> DispatchResult:
    """A stored request's first dispatch, in an owner transaction of its own (a submit's second step, the tick's
    stranded requests), committed without waiting for the WAL flush: that wait was 3.4 ms of a 9 ms dispatch on
    this machine's disk (issue 15). A crash can lose the last moments' dispatches, never corrupt anything; a lost
    one leaves its request `submitted`, which the periodic tick dispatches again (`dispatch_stranded`).

    The submit shares the owner's profile first (`share_owner`, the lock order's step 1, before `_PLAN` locks the
    request; audit21 #2): a request stored while its citizen's suspension is under way was not committed when the
    suspension looked for their open requests, so the suspension neither waits for it nor parks it. Its dispatch
    waits for the suspension instead, and `_PLAN` (a statement of its own, so a snapshot taken after the wait) then
    reads the owner inactive and parks it (`dispatch`'s rule); or the suspension waits for this commit and parks
    the offers it made. The lock's result is not read: in the pipelined transaction (backend/db.py) it leaves with
    `_PLAN` and costs no wait of its own, one statement more (bench.dispatch). The tick's stranded requests pass
    `share_owner=False`: it holds the request already (a profile after a request would invert the lock order) and
    has shared the owner's profile itself without waiting (`_dispatch_stranded_one`)."""
    if share_owner:
        await conn.execute(_SHARE_OWNER, [request_id])
    return await dispatch(conn, request_id, now, policy, only_from=(S.SUBMITTED,), lazy_commit=True)


# The stranded request's owner's profile shared until commit, skip locked: `owner` is the citizen (null once they
# deleted their account), `shared` null when another transaction holds their profile FOR NO KEY UPDATE (a suspension
# under way, a switch-off, a move) or is deleting it. The request is held already (the tick's FOR UPDATE).
_SHARE_OWNER_SKIP = """select r.citizen_id as owner, p.id as shared from public.repair_requests r
                       left join lateral (select p.id from public.profiles p where p.id = r.citizen_id
                                          for share skip locked) p on true
                       where r.id = %s"""


async def _dispatch_stranded_one(conn: Conn, request_id: uuid.UUID, now: datetime, policy: DispatchPolicy) -> None:
    """The tick's retry of a submit a crash left `submitted` (suspend22 #1). A request stored in the instant before
    the crash, while its citizen's suspension was under way, is not among the requests that suspension locked and
    parks (it looked before this request committed), so this retry must see that suspension as the submit's own
    dispatch does (`_SHARE_OWNER`): it shares the owner's profile until commit. It holds the request already, so
    the profile comes after it here, against the lock order: skip locked, so it never waits and no deadlock can
    form. A profile held by anyone (the suspension, or another change of that person) leaves the request
    `submitted`, offered to nobody, for the next turn: by then the suspension has committed (`_PLAN` reads the owner
    inactive and parks it, `owner_suspended`) or rolled back. A request whose citizen is gone (deleted: no profile
    to share) is dispatched as before: `_PLAN` reads no active owner and parks it."""
    row = await (await conn.execute(_SHARE_OWNER_SKIP, [request_id])).fetchone()
    if row is not None and row["owner"] is not None and row["shared"] is None:
        log.debug("stranded request %s left for the next turn: its owner's profile is being changed", request_id)
        return
    await dispatch_submitted(conn, request_id, now, policy, share_owner=False)


async def reoffer_at_same_college(conn: Conn, request_id: uuid.UUID, now: datetime, policy: DispatchPolicy) -> None:
    """After a supervisor takes a job back: the accepted offer is withdrawn and the college's students who were not
    offered it yet get it; with none left it escalates like an unanswered offer. A suspended citizen's job asks
    nobody: it waits as no_centre (`dispatch`'s rule, review18a #2)."""
    req = await _request(conn, request_id)
    await conn.execute(
        "update public.offers set status = 'withdrawn', responded_at = %s "
        "where request_id = %s and status = 'accepted'",
        [now, request_id],
    )
    await dispatch(conn, request_id, now, policy, only_college=req["college_id"], onward=True)


async def offer_again_at_college(conn: Conn, request_id: uuid.UUID, college_id: uuid.UUID, now: datetime,
                                 policy: DispatchPolicy) -> bool:
    """A new round of a job (reopened) at the college that did it, when the student who did it cannot take it any
    more: its fitting students, whether or not they were offered the job before (those offers, declined or
    withdrawn, were for the earlier round and become open again). False when the college has nobody who fits.
    The caller holds the request's row lock and moves the request to offered."""
    req = await _request(conn, request_id)
    people = rank(await candidates(conn, request_id, req["category_code"], college_id, again=True))
    chosen = people[: policy.offer_count]
    if not chosen:
        return False
    await conn.execute(
        """insert into public.offers (request_id, technician_id, college_id, rank, distance_km, created_at,
                                      expires_at)
           select %(request)s, t, %(college)s, r + (select coalesce(max(rank), 0) from public.offers
                                                     where request_id = %(request)s),
                  %(km)s, %(now)s, %(expires)s
           from unnest(%(people)s::uuid[], %(ranks)s::int[]) as u(t, r)
           -- an earlier round's offer, maybe made at the college the student was at then: this round's, here
           on conflict (request_id, technician_id) do update set status = 'pending', rank = excluded.rank,
               college_id = excluded.college_id, distance_km = excluded.distance_km,
               created_at = excluded.created_at, expires_at = excluded.expires_at, responded_at = null""",
        {"request": request_id, "college": college_id, "km": round(chosen[0].distance_km, 2), "now": now,
         "expires": policy.expires_at(now), "people": [p.technician_id for p in chosen],
         "ranks": list(range(1, len(chosen) + 1))},
    )
    return True


async def withdraw_pending_offers(conn: Conn, request_id: uuid.UUID, keep: uuid.UUID | None = None) -> None:
    await conn.execute(
        "update public.offers set status = 'withdrawn', responded_at = now() "
        "where request_id = %s and status = 'pending' and id is distinct from %s",
        [request_id, keep],
    )


async def accept_offer(
    conn: Conn, offer_id: uuid.UUID, technician_id: uuid.UUID, claims: dict[str, Any], now: datetime
) -> uuid.UUID:
    """The first accept wins: the request row is locked first (as on every path that touches a request and its
    offers, so none of them can deadlock), a second accept waits and then finds the offer no longer open (409)."""
    offer = await (
        await conn.execute("select o.request_id, o.technician_id, r.category_code from public.offers o "
                           "join public.repair_requests r on r.id = o.request_id where o.id = %s", [offer_id])
    ).fetchone()
    if offer is None or offer["technician_id"] != technician_id:
        raise ApiError(404, "not_found")
    request_id: uuid.UUID = offer["request_id"]
    # On the roster until this commits (the profile before the request: the module's lock order). A dispatch that
    # read the roster while a switch-off was under way may have offered a student that switch-off never saw. A
    # high-risk job's: with the college's active teachers, shared until commit too; and the request's owner's, so a
    # suspension committing now is waited for and seen (`roster_teacher_and_owner`).
    hands = await roster_teacher_and_owner(conn, technician_id, needs_teacher_at_college(offer["category_code"]),
                                           request_id)
    college_id, teacher = hands.college_id, hands.teacher
    if college_id is None:
        raise ApiError(409, "offer_off_roster")
    # Then the college, shared until commit (the module's lock order): an admin closing it now is waited for and
    # read as closed (its offers ended with it), or waits for this accept to commit.
    college = await (await conn.execute(
        "select is_active from public.colleges where id = %s for share", [college_id])).fetchone()
    if college is None or not college["is_active"]:
        raise ApiError(409, "college_closed")
    # The shared rule checks, under the lock, that this student holds an open offer before anything is written.
    try:
        await transition(conn, Actor.TECHNICIAN, request_id, S.ACCEPTED, route=Route.ACCEPT_OFFER, claims=claims,
                         set_columns={"technician_id": technician_id}, now=now)
    except ApiError as refused:
        # The same student's accept again (a second tap, or a retry after the answer was lost on a bad network):
        # the job is already theirs, so the answer is the job, not "someone else took it". Nothing is written.
        if refused.code == "offer_not_open" and await _accepted_by(conn, offer_id, technician_id):
            return request_id
        raise
    if not teacher:
        # The offer was made while the college had a teacher; the last one left since (a role change, a deletion, a
        # suspension, a move). Nobody could be present at its diagnosing and repairing steps: refused (nothing is
        # written), and the clock ends the college's offers of it and hands the job on (`end_offers_without_teacher`).
        raise ApiError(409, "offer_no_teacher")
    if not hands.owner_active:
        # Its citizen was suspended after the offer was made (by any path: the suspension's own ends the offers,
        # `park_for_suspended_owner`; an accept that came first is waited for there). Nobody may answer for the
        # request (review18a #2): no student is given it, nor its owner's phone and address. Nothing is written; the
        # clock parks it as no_centre once its offers end.
        raise ApiError(409, "owner_suspended")
    taken = await (
        await conn.execute(
            "update public.offers set status = 'accepted', responded_at = %s "
            "where id = %s and status = 'pending' and expires_at > %s returning id",
            [now, offer_id, now],
        )
    ).fetchone()
    if taken is None:  # cannot happen under the lock; the transaction rolls back the status if it ever does
        raise ApiError(409, "offer_not_open")
    await withdraw_pending_offers(conn, request_id, keep=offer_id)
    return request_id


async def roster_college(conn: Conn, student_id: uuid.UUID) -> uuid.UUID | None:
    """The college of a student who takes its jobs now (a usable account, is_active, on the roster, takes_jobs);
    None for anyone else. Their profile stays locked FOR SHARE until commit: a switch-off (FOR NO KEY UPDATE) then
    waits for this transaction and counts the job it gives, or this waits for the switch-off and reads it. FOR KEY
    SHARE would not conflict with the switch-off's lock: it could commit unseen between this read and the commit.
    Taken before the request's lock (the module's lock order)."""
    row = await (await conn.execute(
        "select college_id from public.profiles where id = %s and role = 'technician' and is_active and takes_jobs "
        "for share", [student_id])).fetchone()
    college_id: uuid.UUID | None = row["college_id"] if row else None
    return college_id


@dataclass(frozen=True)
class Hands:
    """What a path that hands a job to a student reads of the people it depends on, locked until commit."""

    college_id: uuid.UUID | None  # the student's college, None unless they take its jobs now
    teacher: bool  # an active teacher of that college could be present (True for a job that needs none)
    owner_active: bool  # the request's citizen can still answer for it (True when no request was named)


async def roster_teacher_and_owner(conn: Conn, student_id: uuid.UUID, presence: bool,
                                   request_id: uuid.UUID | None = None) -> Hands:
    """`roster_college` for a path that hands a job to a student (an accept, an assign, a helper joining), whether
    the student's college has an active teacher who could be present at the job's hands-on steps (always True
    unless `presence`: a high-risk job, shared.credit.needs_teacher_at_college), and, with `request_id`, whether the
    request's citizen can still answer for it (review18a #2: a suspended or deleted citizen's request goes to no
    student; the caller refuses, 409 owner_suspended, once it has checked who is asking).
    The student's profile, those of the college's active teachers and the request's owner's are locked FOR SHARE in
    one statement, in id order (the module's lock order, 1; by primary key, one probe each: the teachers are found by
    the one rule, `private.active_teachers` (0121: the partial index profiles_college_active_supervisors), and only
    for a high-risk job): a teacher's role change,
    suspension, move or deletion, or the owner's suspension or deletion (FOR NO KEY UPDATE, or the deletion's
    exclusive lock) then waits for this path, or this waits for it and reads the person gone (the row as locked is
    checked here: its role, activity and college now; a deleted one is not returned). A teacher who joins meanwhile
    is not seen: refused as if they had not come yet. The owner is read from the request unlocked (a request's
    citizen changes only to null, by their deletion, which this then waits for or reads)."""
    rows = await (await conn.execute(
        """select p.id, p.role::text as role, p.college_id, p.is_active, p.takes_jobs, o.owner
           from (select r.citizen_id as owner from public.repair_requests r where r.id = %(request)s::uuid) o
           right join public.profiles p on true
           where p.id = any(array(
               select %(student)s::uuid
               union all
               select t.id from private.active_teachers(
                   (select s.college_id from public.profiles s where s.id = %(student)s)) t(id)
               where %(presence)s
               union all
               select r.citizen_id from public.repair_requests r
               where r.id = %(request)s::uuid and r.citizen_id is not null))
           order by p.id for share of p""",
        {"student": student_id, "presence": presence, "request": request_id})).fetchall()
    owner_active = request_id is None or any(r["owner"] is not None and r["id"] == r["owner"] and r["is_active"]
                                             for r in rows)
    student = next((r for r in rows if r["id"] == student_id), None)
    if (student is None or student["role"] != "technician" or not student["is_active"] or not student["takes_jobs"]
            or student["college_id"] is None):
        return Hands(None, False, owner_active)
    college_id: uuid.UUID = student["college_id"]
    teacher = not presence or any(r["id"] != student_id and r["role"] == "supervisor" and r["is_active"]
                                  and r["college_id"] == college_id for r in rows)
    return Hands(college_id, teacher, owner_active)


async def owner_active(conn: Conn, request_id: uuid.UUID) -> bool:
    """Whether the request's citizen can still answer for it, their profile shared until commit (the module's lock
    order, 1: before the request): an administrator's send-on (routes/admin.py) then waits for a suspension under
    way and reads it, or the suspension waits for the send-on and ends the offers it made
    (`park_for_suspended_owner`); the owner's reopen (aftercare.reopen) likewise."""
    row = await (await conn.execute(_SHARE_OWNER, [request_id])).fetchone()
    return bool(row and row["is_active"])


async def park_for_suspended_owner(conn: Conn, citizen_id: uuid.UUID, now: datetime) -> int:
    """A citizen's suspension (account.suspend, which holds their profile and has locked their open requests, by
    id): their requests still looking for a student (submitted, offered) are given to nobody any more (review18a
    #2): the pending offers are withdrawn (each student is told, `offer_withdrawn`, and their feed drops it: the
    live event of the offer's change), and the request waits as no_centre, as `dispatch` parks one on the clock's
    paths (the note `owner_suspended`: its timeline says why it waits, reinstate21). The operator's restore offers it
    again at once (`resume_for_restored_owner`), to the students whose offers this withdrew too (marked
    `withdrawn_for_suspension`, migration 0094, which `_ASKED` does not count: they said nothing). Returns how
    many."""
    rows = await (await conn.execute(
        "select id, status, current_setting('fixit.actor', true) as caller from public.repair_requests "
        "where citizen_id = %s and status = any(%s) order by id",
        [citizen_id, [S.SUBMITTED.value, S.OFFERED.value]])).fetchall()
    for row in rows:
        # Marked as the suspension's (migration 0094): not "asked before" (`_ASKED`), so the revival asks them again.
        await conn.execute(
            "update public.offers set status = 'withdrawn', responded_at = %s, withdrawn_for_suspension = true "
            "where request_id = %s and status = 'pending'", [now, row["id"]])
        await transition(conn, Actor.SYSTEM, row["id"], S.NO_CENTRE, route=Route.DISPATCH,
                         current=RequestStatus(row["status"]), note=Note(code="owner_suspended"))
    if rows:
        await _as_caller_again(conn, rows[0]["caller"])
    return len(rows)


async def _as_caller_again(conn: Conn, caller: str | None) -> None:
    """After the system's moves made inside a caller's transaction (`transition` names the system for the rest of
    it): what the caller writes next is theirs again in the audit trail. The operator's suspension and restore are
    audited as the operator's (`profile.active`, `account.suspend`: migration 0035 tells an operator's suspension
    by it), not the system's (reinstate21)."""
    await conn.execute("select set_config('fixit.actor', %s, true)", [caller or ""])


# The requests of a restored citizen that their suspension parked (`park_for_suspended_owner`, or dispatch's own
# check on the clock's paths) and that still wait so: `no_centre`, the latest event on their timeline the parking.
# Those parked before 0094 too (suspend22 #4), whose parking's note was `no_taker` (or `no_centre` on the clock's
# path): nothing in the note tells them apart, but the time does. The latest switch-off of the account (its latest
# `profile.active` audit event to inactive, written by the profiles trigger on every path, Supabase's dashboard too)
# began the suspension this restore ends; the account stayed inactive from then until now, so a move into no_centre
# made since then is one no student could be offered for (nobody could answer for the request): the suspension's,
# whatever its note says. The app's suspension parks in the switch-off's own transaction (the same `now()` as the
# audit's); a move before it (nobody took it while the account worked) is left to the clock's revival and the
# administrators, as before. One probe of audit_events_target and one of status_events_request per request.
# Locked after the person's profile (the module's lock order), in one statement by id.
_PARKED = """
select r.id, r.college_id, current_setting('fixit.actor', true) as caller from public.repair_requests r
cross join lateral (select e.note_code, e.from_status, e.created_at from public.status_events e
                    where e.request_id = r.id order by e.id desc limit 1) last
where r.citizen_id = %(citizen)s and r.status = 'no_centre'
  and (last.note_code is not distinct from 'owner_suspended'
       or (last.from_status is distinct from 'no_centre' and last.created_at >= (
               select max(a.at) from public.audit_events a
               where a.target_id = %(citizen)s and a.action = 'profile.active'
                 and a.after ->> 'is_active' = 'false')))
order by r.id for update of r
"""


@dataclass(frozen=True)
class Resumed:
    """What a restore did with the requests the suspension parked: for the operator (`fixit-backend restore-person`)."""

    offered: int = 0  # offered to students again at once
    waiting: int = 0  # nobody can take them now: they stay no_centre (the clock's revival, or an administrator)


async def resume_for_restored_owner(conn: Conn, citizen_id: uuid.UUID, now: datetime,
                                    policy: DispatchPolicy) -> Resumed:
    """The operator's restore of a citizen's account (account.restore, which holds their profile): the requests
    their suspension parked (`_PARKED`: those parked before migration 0094 too) are offered again at once where they
    were (the college it was offered at, or whose
    student it was taken back from: its fitting students not asked, those whose offers the suspension withdrew
    among them, `_ASKED`; nobody left there, on to the nearest college not tried, as `reoffer_at_same_college`),
    their timeline saying why (`owner_restored`) and their citizen told (migration 0094). Not left to the
    clock's revival, which offers only a request still young (shared.reminders.RETRY_WINDOW) counted from its
    submission, the suspension's days included: a long suspension would leave the request waiting for an
    administrator, nobody told. One nobody can take now stays `no_centre`, its timeline saying so (`no_taker`, or
    `no_centre` if it was never offered), its citizen and the administrators told (migration 0101: the parking
    asked no administrator, 0098). Returns how many were offered again and how many still wait."""
    rows = await (await conn.execute(_PARKED, {"citizen": citizen_id})).fetchall()
    offered = 0
    for row in rows:
        offered += int(await _resume_one(conn, row["id"], row["college_id"], now, policy))
    if rows:
        await _as_caller_again(conn, rows[0]["caller"])
    return Resumed(offered, len(rows) - offered)


async def _resume_one(conn: Conn, request_id: uuid.UUID, college_id: uuid.UUID | None, now: datetime,
                      policy: DispatchPolicy) -> bool:
    """A parked request of a restored citizen, locked: offered again where it was (on to the nearest college not
    tried when nobody is left there), its timeline and its citizen's message saying the account is back
    (`owner_restored`, 0094); else its timeline says nobody can take it now as dispatch's would (it waited for the
    account until now), its citizen and the administrators told, who can send it on from now (migration 0101). One
    message either way, the true one. Returns whether it was offered."""
    result = await dispatch(conn, request_id, now, policy, only_college=college_id, onward=True,
                            only_from=(S.NO_CENTRE,), note=Note(code="owner_restored"))
    if result.status == S.OFFERED:
        return True
    if result.status == S.NO_CENTRE and not result.owner_suspended:
        # Nobody where it was nor at a college not tried: the revival's rule too (a college in range, tried before
        # or not, with a fitting student never asked: one joined, or a skill approved). Noted "nobody can take it",
        # such a request was offered by the same turn's revival, or the next: two messages, the first untrue
        # (audit25 F3).
        elsewhere = await (await conn.execute(_NEVER_ASKED_COLLEGE_OF, {"request": request_id, **_TIERS})).fetchone()
        if elsewhere is not None:
            result = await dispatch(conn, request_id, now, policy, only_college=elsewhere["college_id"],
                                    only_from=(S.NO_CENTRE,), note=Note(code="owner_restored"))
            if result.status == S.OFFERED:
                return True
    if result.status == S.NO_CENTRE and not result.owner_suspended:  # suspended again (by SQL): still parked
        await log_event(conn, request_id, S.NO_CENTRE, Actor.SYSTEM, None,
                        Note(code="no_taker" if college_id is not None else "no_centre"))
    return False


# audit24 R2: the requests still parked for their citizen's suspension (the latest event on their timeline the
# parking, `owner_suspended`) whose citizen is active again by a path that runs no restore (an operator's SQL,
# Supabase's dashboard). The clock resumes them as the operator's restore does (`_resume_one`): the switch's own
# commit cannot (dispatch's rule is here, not in SQL), and a note written there ("nobody can take it", 0102) was
# followed within a turn by the revival's "offered again" for every request a student could take. Also the parkings
# that committed across the switch back on (audit23 B3), whatever their order. The clock's path (this module's lock
# order): the requests skip locked, by id; the owner read unlocked (dispatch reads it again, and parks the request
# once more if they were switched off again meanwhile).
_PARKED_OF_THE_ACTIVE = """
select r.id, r.college_id from public.repair_requests r
where r.status = 'no_centre'
  and exists (select 1 from public.profiles p where p.id = r.citizen_id and p.is_active)
  and (select e.note_code from public.status_events e where e.request_id = r.id order by e.id desc limit 1)
      = 'owner_suspended'
order by r.id limit %(limit)s
for update of r skip locked
"""
# Read again under the request's lock in a statement of its own (a new snapshot under READ COMMITTED): another
# backend copy's turn may have resumed it (a note only, no change to the request's row) after this turn's snapshot.
_STILL_PARKED = """select (select e.note_code from public.status_events e where e.request_id = %s
                           order by e.id desc limit 1) = 'owner_suspended' as parked"""


async def resume_restored_elsewhere(conn: Conn, now: datetime, policy: DispatchPolicy, limit: int = 100) -> int:
    """The clock's turn for parked requests whose citizen was switched back on outside the app (`_PARKED_OF_THE_
    ACTIVE`): each offered again or noted as waiting for an administrator, in a savepoint of its own. Returns how
    many it handled (each leaves the set)."""
    rows = await (await conn.execute(_PARKED_OF_THE_ACTIVE, {"limit": limit})).fetchall()
    if not rows:
        return 0
    await act_as(conn, Actor.SYSTEM, None)

    async def step(request_id: uuid.UUID, college_id: uuid.UUID | None) -> None:
        still = await (await conn.execute(_STILL_PARKED, [request_id])).fetchone()
        if still and still["parked"]:
            await _resume_one(conn, request_id, college_id, now, policy)

    for row in rows:
        await _isolated(conn, row["id"], "resuming", partial(step, row["id"], row["college_id"]))
    return len(rows)


async def _accepted_by(conn: Conn, offer_id: uuid.UUID, technician_id: uuid.UUID) -> bool:
    """This offer was accepted by this student and the job is theirs, untouched since (read under the request's
    row lock, which the refused transition holds)."""
    row = await (await conn.execute(
        """select 1 from public.offers o join public.repair_requests r on r.id = o.request_id
           where o.id = %s and o.status = 'accepted' and r.technician_id = %s and r.status = 'accepted'""",
        [offer_id, technician_id])).fetchone()
    return row is not None


async def decline_offer(
    conn: Conn, offer_id: uuid.UUID, technician_id: uuid.UUID, now: datetime, policy: DispatchPolicy
) -> None:
    """A decline moves the job to the next student of the same college, or on to the next college."""
    offer = await (
        await conn.execute("select request_id from public.offers where id = %s and technician_id = %s",
                           [offer_id, technician_id])
    ).fetchone()
    if offer is None:
        raise ApiError(409, "offer_not_open")
    await lock_status(conn, offer["request_id"], check_visible=False)  # request first, then its offers
    row = await (
        await conn.execute(
            "update public.offers set status = 'declined', responded_at = %s "
            "where id = %s and technician_id = %s and status = 'pending' returning request_id, college_id",
            [now, offer_id, technician_id],
        )
    ).fetchone()
    if row is None:
        raise ApiError(409, "offer_not_open")
    await _refill(conn, row["request_id"], row["college_id"], now, policy)


async def _pending_offers(conn: Conn, request_id: uuid.UUID) -> int:
    row = await (
        await conn.execute(
            "select count(*) as n from public.offers where request_id = %s and status = 'pending'", [request_id]
        )
    ).fetchone()
    return int(row["n"]) if row else 0


async def _refill(conn: Conn, request_id: uuid.UUID, college_id: uuid.UUID, now: datetime,
                  policy: DispatchPolicy) -> None:
    status = await lock_status(conn, request_id, check_visible=False)
    if status != S.OFFERED:
        return
    pending = await _pending_offers(conn, request_id)
    if pending > 0:
        return
    if await _parked_for_suspended_owner(conn, request_id, status):
        return
    req = await _request(conn, request_id)
    more = await candidates(conn, request_id, req["category_code"], college_id)
    if more:
        ranks = await (
            await conn.execute("select coalesce(max(rank), 0) as r from public.offers where request_id = %s",
                               [request_id])
        ).fetchone()
        next_rank = (ranks["r"] if ranks else 0) + 1
        # The next best-ranked student (not whichever the database listed first): rank, then take one.
        await _make_offers(conn, request_id, college_id, rank(more)[:1], now, policy, first_rank=next_rank)
        return
    await dispatch(conn, request_id, now, policy)


async def expire_overdue(conn: Conn, now: datetime, policy: DispatchPolicy) -> int:
    """Expire offers past their SLA and escalate the jobs left without a pending offer (those of a suspended
    citizen's request end as the suspension's, below). Safe to run from every backend copy at once: requests
    another copy (or an accept) holds are skipped and picked up next tick.

    Locks are taken request first, then its offers: the same order as accepting, declining and assigning, so
    the tick and a student's accept can never deadlock."""
    due = await (
        await conn.execute(
            "select distinct request_id from public.offers where status = 'pending' and expires_at <= %s",
            [now],
        )
    ).fetchall()
    if not due:
        return 0
    locked = await (
        await conn.execute(
            "select id from public.repair_requests where id = any(%s) order by id for update skip locked",
            [[r["request_id"] for r in due]],
        )
    ).fetchall()
    request_ids = [r["id"] for r in locked]
    if not request_ids:
        return 0
    await act_as(conn, Actor.SYSTEM, None)
    # An offer whose time ran out while its request's citizen is suspended by a path that does nothing else (an
    # operator's SQL, Supabase's dashboard: `update profiles set is_active = false`) says nothing about its student:
    # nobody could answer for the request, and their accept was refused (409 owner_suspended). It ends as the app's
    # suspension ends it (`park_for_suspended_owner`): withdrawn, its student told, and marked the suspension's
    # (0094), so once the account is restored, by any path, the restore or the clock's revival asks that student
    # again (`_ASKED`; suspend22 #3), rather than skipping them as one who let it lapse. The owner is read unlocked
    # (a suspension committing this instant is seen on the next turn's offers). Then `_escalate` parks the request
    # (`dispatch`'s rule, note `owner_suspended`).
    expired = await (
        await conn.execute(
            """update public.offers o
               set status = case when s.suspended then 'withdrawn' else 'expired' end::public.offer_status,
                   withdrawn_for_suspension = s.suspended, responded_at = %(now)s
               from (select r.id, exists (select 1 from public.profiles p
                                          where p.id = r.citizen_id and not p.is_active) as suspended
                     from public.repair_requests r where r.id = any(%(ids)s)) s
               where o.request_id = s.id and o.status = 'pending' and o.expires_at <= %(now)s
               returning o.request_id, o.college_id""",
            {"now": now, "ids": request_ids},
        )
    ).fetchall()
    for request_id, college_id in sorted({(r["request_id"], r["college_id"]) for r in expired}):
        await _isolated(conn, request_id, "escalating", partial(_escalate, conn, request_id, college_id, now, policy))
    return len(expired)


class _FailingSteps:
    """The requests whose clock step is failing, as this process saw them: each is logged at WARNING with its
    traceback the first time, then again (with how many turns failed since) at most once an hour, the turns between
    at DEBUG; a request whose step succeeds again is logged once as recovered and forgotten. One request failing on
    every 30-second turn must not write 2,880 warnings a day and drown the others. Bounded: past `limit` requests,
    the one unheard of longest is forgotten (logged afresh if it fails again)."""

    def __init__(self, limit: int = 1000, every: float = 3600.0) -> None:
        self.limit, self.every = limit, every
        self._seen: OrderedDict[uuid.UUID, tuple[float, int]] = OrderedDict()  # last warning's time, failures since

    def failed(self, request_id: uuid.UUID, what: str, exc: Exception) -> None:
        now = time.monotonic()
        last = self._seen.pop(request_id, None)
        if last is None or now - last[0] >= self.every:
            again = f" (failed {last[1] + 1} times since it was last logged)" if last is not None else ""
            log.warning("%s request %s failed, left for the next turn of the clock%s: %s", what, request_id, again,
                        exc, exc_info=exc)
            self._seen[request_id] = (now, 0)
        else:
            log.debug("%s request %s failed again, left for the next turn of the clock: %s", what, request_id, exc)
            self._seen[request_id] = (last[0], last[1] + 1)
        while len(self._seen) > self.limit:
            self._seen.popitem(last=False)

    def succeeded(self, request_id: uuid.UUID, what: str) -> None:
        if self._seen.pop(request_id, None) is not None:
            log.info("%s request %s succeeded again after failing on earlier turns of the clock", what, request_id)


_failing = _FailingSteps()


async def _isolated(conn: Conn, request_id: uuid.UUID, what: str, step: Callable[[], Awaitable[Any]]) -> bool:
    """One request's part of a turn of the clock, in a savepoint of its own: a request whose step fails (bad data,
    a bug) is logged (with its traceback, once and then hourly: `_FailingSteps`) and left as it was for the next
    turn, and the other requests' work in the same transaction goes on (one such request must not stop the SLA
    clock for all). An offer already ended stays ended: the
    request, `offered` with nobody to answer, is handed on by `hand_on_unanswerable` once the step succeeds."""
    # Savepoints spelled out, not psycopg's `transaction()`: the clock's transaction is service_tx's BEGIN inside a
    # pipeline, which psycopg does not count as a transaction of its own, so `transaction()` began and rolled back a
    # whole one, losing the turn's other work (the offers just expired) after the first failing request. The nested
    # pipeline blocks sync at their end, so the step's error is raised here and the rollback is not skipped.
    await conn.execute(b"savepoint clock_step", prepare=False)
    try:
        async with conn.pipeline():
            await step()
            await conn.execute(b"release savepoint clock_step", prepare=False)
    except Exception as exc:
        async with conn.pipeline():
            await conn.execute(b"rollback to savepoint clock_step", prepare=False)
        _failing.failed(request_id, what, exc)
        return False
    _failing.succeeded(request_id, what)
    return True


async def dispatch_stranded(conn: Conn, now: datetime, policy: DispatchPolicy, limit: int = 100) -> int:
    """Requests stored but never dispatched (the process died between the two steps of a submit): the tick
    dispatches them, in any backend copy, each once (skip locked, and dispatch itself acts only on `submitted`);
    one whose owner's profile another transaction holds waits for a later turn (`_dispatch_stranded_one`)."""
    rows = await (
        await conn.execute(
            "select id from public.repair_requests where status = 'submitted' "
            "order by created_at limit %s for update skip locked",
            [limit],
        )
    ).fetchall()
    for row in rows:
        await _isolated(conn, row["id"], "dispatching", partial(_dispatch_stranded_one, conn, row["id"], now, policy))
    return len(rows)


# The young `no_centre` requests (their round, from their submission or reopening, began since %(since)s) of an
# active owner (review18a: not a suspended citizen's, whose chat, parts and hand back nobody can answer) that a
# college in range could take now: one with an active fitting student this request was never offered to (nor its
# owner), the nearest such college first. Read under each request's lock, skip locked (another copy's tick, an
# administrator's send-on, a cancel hold it: it is seen on a later turn, or no longer waits). The colleges in range
# are walked as `_PLAN` does (a latitude band as wide as the widest radius, then the exact distance).
# The nearest college in range of request `r` with a fitting student it was never offered to (`_ASKED`), tried
# before or not: the revival's rule (`_REVIVABLE`), which a restore's resumption asks too (`_resume_one`).
_NEVER_ASKED_COLLEGE = f"""\
cross join lateral (
    select (select max(service_radius_km) from public.colleges where is_active)::float8 / 111.0 as band) b
cross join lateral (
    select c.id from public.colleges c
    where c.is_active
      and c.lat between r.lat - b.band and r.lat + b.band
      and c.lon between r.lon - b.band / cos(radians(abs(r.lat) + b.band))
                    and r.lon + b.band / cos(radians(abs(r.lat) + b.band))
      and {_KM.replace("%(lat)s", "r.lat").replace("%(lon)s", "r.lon")} <= c.service_radius_km
      and exists (
          select 1 from public.category_skills cs
          join public.technician_skills ts on ts.skill_code = cs.skill_code and ts.dispatch_college_id = c.id
          where cs.category_code = r.category_code and {_LEVEL_OK}
            and ts.technician_id is distinct from r.citizen_id
            and not exists (select 1 from public.offers o
                            where o.request_id = r.id and o.technician_id = ts.technician_id and {_ASKED}))
      and {_teacher_ok("r.category_code", "c.id")}
    order by {_KM.replace("%(lat)s", "r.lat").replace("%(lon)s", "r.lon")}
    limit 1) n
"""
_REVIVABLE = f"""
select r.id, n.id as college_id,
       -- it waited for its owner's restored account (parked by the suspension, the latest event on its timeline):
       -- its revival says so, not that a student came into range (one probe of status_events_request). Its last
       -- event, not its last move (flow25 #1): a restore that found nobody to take it noted so without a move
       -- (`no_taker` / `no_centre`, `_resume_one`) and its citizen heard then that the account is back; a revival
       -- days later is a student come into range (`sent_again`), told once, not the restore again
       (select e.note_code from public.status_events e where e.request_id = r.id
        order by e.id desc limit 1) is not distinct from 'owner_suspended' as restored
from public.repair_requests r
{_NEVER_ASKED_COLLEGE}where r.status = 'no_centre'
  -- its owner may still answer for it (a suspended or deleted citizen's request waits: nobody would meet the student)
  and exists (select 1 from public.profiles p where p.id = r.citizen_id and p.is_active)
  and coalesce((select max(e.created_at) from public.status_events e
                where e.request_id = r.id and e.to_status = 'submitted'), r.created_at) >= %(since)s
order by r.created_at, r.id
limit %(limit)s
for update of r skip locked
"""
_NEVER_ASKED_COLLEGE_OF = f"""select n.id as college_id from public.repair_requests r
{_NEVER_ASKED_COLLEGE}where r.id = %(request)s"""


async def revive_waiting(conn: Conn, now: datetime, policy: DispatchPolicy, window: timedelta,
                         limit: int = 100) -> int:
    """Requests waiting as `no_centre` (nobody could take them, or nobody did) whose round began within `window`
    (shared.reminders.RETRY_WINDOW), offered again where a college in range now has a fitting student they were
    never offered to (a skill approved, a student joined or reinstated): only such students are asked (no student is
    asked twice by the clock, `_ASKED`), at the nearest such college; the citizen is told (`sent_again`, migration
    0076). One parked for its owner's suspension, now restored, is offered again to the students whose offers the
    suspension withdrew as well (`_ASKED`), its timeline saying why (`owner_restored`; its citizen told so, 0094).
    No new move: no_centre -> offered by the system through dispatch (shared.statuses). A cancelled request is
    never in the set. Any backend copy runs this, each request once (skip locked, and dispatch acts only on
    `no_centre`); each in a savepoint of its own (`_isolated`). Returns how many it handled (a request offered again
    leaves the set; one whose step failed is logged and tried on a later turn)."""
    rows = await (await conn.execute(
        _REVIVABLE, {"since": now - window, "limit": limit, **_TIERS})).fetchall()
    if not rows:
        return 0
    await act_as(conn, Actor.SYSTEM, None)
    for row in sorted(rows, key=lambda r: r["id"]):
        await _isolated(conn, row["id"], "offering again", partial(
            dispatch, conn, row["id"], now, policy, only_college=row["college_id"], only_from=(S.NO_CENTRE,),
            note=Note(code="owner_restored") if row["restored"] else Note(code="sent_again")))
    return len(rows)


# The high-risk requests offered at a college that has no active teacher any more (its last teacher's role changed,
# or they were suspended, moved or deleted, by any path: Supabase's dashboard too): their offers there still waiting.
_TEACHERLESS = """
select r.id from public.repair_requests r
where r.status = 'offered' and r.category_code = any(%(presence)s::text[])
  and exists (select 1 from public.offers o
              where o.request_id = r.id and o.status = 'pending' and o.expires_at > %(now)s
                and not private.college_has_teacher(o.college_id))
order by r.id limit %(limit)s
for update of r skip locked
"""


async def end_offers_without_teacher(conn: Conn, now: datetime, policy: DispatchPolicy, limit: int = 100) -> int:
    """The clock's turn for high-risk jobs offered at a college whose last teacher left after the offer was made:
    nobody there could be present at the job's diagnosing and repairing steps (an accept answers 409
    offer_no_teacher), so those offers are withdrawn and the job is handed on at once, as an unanswered offer would
    be: to the nearest college not tried yet that has a teacher (`_teacher_ok`), its timeline saying why
    (`no_teacher_left`), else `no_centre` for an administrator (the citizen is told, migration 0070, and the admins).
    Any backend copy runs this: requests locked first (skip locked: one an accept or another copy holds is seen on
    a later turn), then their offers (the module's lock order), each in a savepoint of its own (`_isolated`).
    Returns how many requests."""
    rows = await (await conn.execute(
        _TEACHERLESS, {"now": now, "limit": limit, "presence": _TIERS["presence"]})).fetchall()
    if not rows:
        return 0
    await act_as(conn, Actor.SYSTEM, None)
    for row in rows:
        await _isolated(conn, row["id"], "handing on from a college with no teacher",
                        partial(_hand_on_from_teacherless, conn, row["id"], now, policy))
    return len(rows)


async def _hand_on_from_teacherless(conn: Conn, request_id: uuid.UUID, now: datetime, policy: DispatchPolicy) -> None:
    await conn.execute(
        """update public.offers o set status = 'withdrawn', responded_at = %(now)s
           where o.request_id = %(request)s and o.status = 'pending'
             and not private.college_has_teacher(o.college_id)""",
        {"now": now, "request": request_id})
    if await _pending_offers(conn, request_id) > 0:
        return
    await dispatch(conn, request_id, now, policy, note=Note(code="no_teacher_left"))


# An offer `o`'s student `p` is still one who could accept it: a student of the offer's college, usable (is_active)
# and on its roster (takes_jobs): the one definition both of the clock's moved-away statements ask.
_STILL_ON_ROSTER = ("p.id = o.technician_id and p.role = 'technician' and p.college_id = o.college_id"
                    " and p.is_active and p.takes_jobs")

# The requests offered to a student who is no longer a student of the offer's college (moved to another, or made
# staff, by any path: the SQL editor or Supabase's dashboard too, or by the app's move while a dispatch that read the
# student's college just before it committed wrote the offer): their offers there still waiting (gaps26 #1b). So
# too a student off its roster, switched off (takes_jobs) or suspended (is_active) outside the app or past a
# dispatch racing the switch-off: the accept asks the roster as well (`roster_teacher_and_owner`; audit27 F3).
_MOVED_AWAY = """
select r.id, r.college_id from public.repair_requests r
where r.status = 'offered'
  and exists (select 1 from public.offers o
              where o.request_id = r.id and o.status = 'pending' and o.expires_at > %(now)s
                and not exists (select 1 from public.profiles p where """ + _STILL_ON_ROSTER + """))
order by r.id limit %(limit)s
for update of r skip locked
"""


async def end_offers_moved_away(conn: Conn, now: datetime, policy: DispatchPolicy, limit: int = 100) -> int:
    """The clock's turn for offers whose student left the offer's college since (`_MOVED_AWAY`): nobody can accept
    them (the accept asks the offer's college, transitions' `offer_open`), yet they held the job until they ran out.
    They are withdrawn (each student told the job no longer waits for them, which is true: the offer-withdrawn
    trigger) and the job is handed on as a decline would be: the college's next fitting student, else the next
    college (`_refill`, nothing when other offers still wait). Requests first (skip locked), then their offers (the
    module's lock order); the students' profiles are read unlocked (the accept's check is the one that holds), each
    request in a savepoint of its own (`_isolated`). Returns how many requests."""
    rows = await (await conn.execute(_MOVED_AWAY, {"now": now, "limit": limit})).fetchall()
    if not rows:
        return 0
    await act_as(conn, Actor.SYSTEM, None)
    for row in rows:
        await _isolated(conn, row["id"], "handing on from students moved away",
                        partial(_hand_on_from_moved_away, conn, row["id"], row["college_id"], now, policy))
    return len(rows)


async def _hand_on_from_moved_away(conn: Conn, request_id: uuid.UUID, college_id: uuid.UUID, now: datetime,
                                   policy: DispatchPolicy) -> None:
    await conn.execute(
        """update public.offers o set status = 'withdrawn', responded_at = %(now)s
           where o.request_id = %(request)s and o.status = 'pending'
             and not exists (select 1 from public.profiles p where """ + _STILL_ON_ROSTER + ")",
        {"now": now, "request": request_id})
    await _refill(conn, request_id, college_id, now, policy)


# What `act_as` sets, read so that the caller's own writes after a hand-on made inside their transaction are theirs
# again (the claims too: `auth.uid()` names them in the audit trail and in what they write next).
_CALLER_SETTINGS = ("request.jwt.claims", "fixit.actor", "fixit.note", "fixit.note_code", "fixit.note_params",
                    "fixit.client_ip")


async def hand_on_from_leaving(conn: Conn, technician_id: uuid.UUID, now: datetime, policy: DispatchPolicy) -> int:
    """A student leaving their offers' college by one of the app's own paths (an admin's move, or making them staff:
    staff.register_staff; their teacher's switch-off: college_admin.update_student; the operator's suspension:
    account.suspend), in that path's transaction, which holds the student's profile first (the module's lock order:
    the profile, then the requests by id, then their offers). Their offers still waiting are withdrawn (each student
    told the job no longer waits for them: the offer-withdrawn trigger) and each job is handed on as the clock's
    `end_offers_moved_away` hands on one whose student left by another path, and as a decline does: the offer's
    college's next fitting student, else the next college (`_refill`: nothing while other offers of it still wait).
    They used to lapse (`expires_at` set to now): the clock's next turn then counted the college's time as spent and
    escalated the job, skipping the college's fitting students never asked (college27 #1). An offer whose time ran
    out already is left to the clock (`expire_overdue`), as before. What the caller writes afterwards is theirs
    again (`_CALLER_SETTINGS`). Returns how many offers ended."""
    await conn.execute(
        """select r.id from public.repair_requests r
           where r.id in (select o.request_id from public.offers o
                          where o.technician_id = %s and o.status = 'pending')
           order by r.id for update""", [technician_id])
    ended = await (await conn.execute(
        """update public.offers set status = 'withdrawn', responded_at = %s
           where technician_id = %s and status = 'pending' and expires_at > %s
           returning request_id, college_id""", [now, technician_id, now])).fetchall()
    if not ended:
        return 0
    caller = await (await conn.execute(
        "select " + ", ".join(f"current_setting('{name}', true) as s{i}" for i, name in enumerate(_CALLER_SETTINGS))
    )).fetchone()
    await act_as(conn, Actor.SYSTEM, None)
    for request_id, college_id in sorted({(r["request_id"], r["college_id"]) for r in ended}):
        await _refill(conn, request_id, college_id, now, policy)
    assert caller is not None
    await conn.execute(
        "select " + ", ".join(f"set_config('{name}', %s, true)" for name in _CALLER_SETTINGS),
        [caller[f"s{i}"] or "" for i in range(len(_CALLER_SETTINGS))])
    return len(ended)


async def hand_on_unanswerable(conn: Conn, now: datetime, policy: DispatchPolicy, limit: int = 100) -> int:
    """Requests `offered` with no offer waiting for an answer: the students they were offered to are gone (an
    account's deletion takes its offers with it, offers.technician_id on delete cascade, whichever path deleted
    it). Nothing else would ever move them: the tick finds its work through pending offers. Each is handed on as a
    decline would be: the college's next fitting student, else the next college, else `no_centre`. Any backend copy
    runs this; a request another transaction holds is skipped (and re-checked under the lock by `_refill`)."""
    rows = await (
        await conn.execute(
            """select r.id, r.college_id from public.repair_requests r
               where r.status = 'offered'
                 and not exists (select 1 from public.offers o where o.request_id = r.id and o.status = 'pending')
               order by r.updated_at limit %s for update of r skip locked""",
            [limit],
        )
    ).fetchall()
    if not rows:
        return 0
    await act_as(conn, Actor.SYSTEM, None)
    for row in sorted(rows, key=lambda r: r["id"]):
        await _isolated(conn, row["id"], "handing on",
                        partial(_hand_on_one, conn, row["id"], row["college_id"], now, policy))
    return len(rows)


async def hand_on(conn: Conn, requests: list[tuple[uuid.UUID, uuid.UUID | None]], now: datetime,
                  policy: DispatchPolicy) -> None:
    """Requests (and their colleges) the caller holds locked, handed on by the system where they are `offered` with
    no offer waiting any more, as a decline would be: the college's next fitting student, else the next college,
    else `no_centre` (`_refill` re-checks both under the lock; any other request is left as it is)."""
    await act_as(conn, Actor.SYSTEM, None)
    for request_id, college_id in sorted(requests, key=lambda r: r[0]):
        await _hand_on_one(conn, request_id, college_id, now, policy)


async def _hand_on_one(conn: Conn, request_id: uuid.UUID, college_id: uuid.UUID | None, now: datetime,
                       policy: DispatchPolicy) -> None:
    if college_id is None:
        await dispatch(conn, request_id, now, policy)
    else:
        await _refill(conn, request_id, college_id, now, policy)


async def _escalate(conn: Conn, request_id: uuid.UUID, college_id: uuid.UUID, now: datetime,
                    policy: DispatchPolicy) -> None:
    status = await lock_status(conn, request_id, check_visible=False)
    pending = await _pending_offers(conn, request_id)
    if status == S.OFFERED and pending == 0:
        await dispatch(conn, request_id, now, policy)  # a suspended citizen's waits as no_centre (its rule)


async def _parked_for_suspended_owner(conn: Conn, request_id: uuid.UUID, status: S) -> bool:
    """A decline's refill (which offers the college's next student without `dispatch`): not offered to anyone else
    while nobody can answer for it (review18a): it waits as no_centre, as `dispatch` parks it on every other path;
    the clock's revival offers it again once its owner's account is restored. True when it was parked."""
    if not await _owner_suspended(conn, request_id):
        return False
    await transition(conn, Actor.SYSTEM, request_id, S.NO_CENTRE, route=Route.DISPATCH, current=status,
                     note=Note(code="owner_suspended"))
    return True


async def _owner_suspended(conn: Conn, request_id: uuid.UUID) -> bool:
    """The request's citizen can no longer answer for it: their account is suspended (or deleted)."""
    row = await (await conn.execute(
        "select not exists (select 1 from public.profiles p where p.id = r.citizen_id and p.is_active) as gone "
        "from public.repair_requests r where r.id = %s", [request_id])).fetchone()
    return bool(row and row["gone"])


# The timeline note of a reassign: a job moved from one student to another with no change of status. Like a take
# back, it starts the work the job's record must now evidence (credit.WORK_BEGAN_SQL reads this note).
REASSIGN_NOTE = "reassigned"


async def assign(
    conn: Conn, request_id: uuid.UUID, technician_id: uuid.UUID, claims: dict[str, Any], actor: Actor, now: datetime
) -> uuid.UUID | None:
    """A supervisor (or admin) gives the job to one of the college's students at any time before the work is
    checked: pending offers are withdrawn and the chosen student's offer is the accepted one. Returns the student a
    reassign took the job from (None for an offered job, or the same student again), the request still locked: the
    caller keeps what they did on the team (credit.keep_former_student)."""
    await act_as(conn, actor, claims)
    # The student's profile before the request (the module's lock order), checked below with the request's college;
    # a high-risk job's: with their college's active teachers; and the request's owner's (`roster_teacher_and_owner`).
    # The category, read before the lock: no path changes it.
    kind = await (await conn.execute("select category_code from public.repair_requests where id = %s",
                                     [request_id])).fetchone()
    hands = await roster_teacher_and_owner(
        conn, technician_id, kind is not None and needs_teacher_at_college(kind["category_code"]), request_id)
    student_college, teacher = hands.college_id, hands.teacher
    status = await lock_status(conn, request_id, check_visible=True)
    if status not in ASSIGNABLE | REASSIGNABLE:
        raise ApiError(409, "illegal_transition", from_status=status, to_status=S.ACCEPTED)
    req = await _request(conn, request_id)
    # Seeing the request is not running it: a teacher who asked for this repair themselves, or held the job as a
    # student before, sees it too. Only its college's teachers (and admins) give it away; an offered job's move
    # is refused the same way by the shared rule, a reassign changes no status and has only this check.
    staff = await (await conn.execute(
        "select private.my_role() = 'admin' or (private.my_role() = 'supervisor' "
        "and private.my_college() = %s) as ok, auth.uid() is not distinct from %s as owns",
        [req["college_id"], req["citizen_id"]])).fetchone()
    if staff is None or not staff["ok"]:
        raise ApiError(403, "not_your_college")
    if staff["owns"]:
        # Checked here too: a reassign changes no status, so the shared rule never hears of it.
        raise ApiError(403, "own_request_staff")
    if student_college is None or student_college != req["college_id"]:
        raise ApiError(400, "technician_not_in_college")
    if technician_id == req["citizen_id"]:
        raise ApiError(409, "own_request_assign")
    if not teacher:
        # An admin giving a high-risk job to a student of a college whose last teacher left: nobody could be present
        # at its hands-on steps (a teacher's own assign always has one: themselves).
        raise ApiError(409, "no_teacher_at_college")
    if status != S.OFFERED and req["technician_id"] == technician_id:
        # The student who has the job, picked again: nothing changes hands (no reassign on the timeline, which would
        # start new work and leave their own photos and report out of their check: credit.WORK_BEGAN_SQL).
        return None
    if not hands.owner_active:
        # A suspended citizen's job goes to no student (review18a #2): not an offered one, nor one in hand to another
        # student (a reassign sends them to the owner as surely). A teacher whose student cannot go on takes it back:
        # it then waits as no_centre until the account is restored (`dispatch`'s rule).
        raise ApiError(409, "owner_suspended")
    if status != S.OFFERED:  # a reassign changes no status: the tier rule is checked here, under the same lock
        await check_student_tier(conn, request_id, technician_id)
    if status == S.OFFERED:  # the shared rule decides (and writes the status) before the offers change
        await transition(conn, actor, request_id, S.ACCEPTED, route=Route.ASSIGN, claims=claims,
                         note=Note(code="assigned"), set_columns={"technician_id": technician_id}, now=now)
    await conn.execute(
        "update public.offers set status = 'withdrawn', responded_at = %s "
        "where request_id = %s and status in ('pending', 'accepted')",
        [now, request_id],
    )
    # The student's offer says how far the job is from the college (a reopened round offers it to them again as it
    # stands); one they were made at another college, before they moved, is now this college's.
    await conn.execute(
        f"""insert into public.offers (request_id, technician_id, college_id, status, rank, distance_km, created_at,
                                       expires_at, responded_at)
            select r.id, %(student)s, c.id, 'accepted', 1, round(({_KM_R})::numeric, 2), %(now)s, %(now)s, %(now)s
            from public.repair_requests r join public.colleges c on c.id = %(college)s where r.id = %(request)s
            on conflict (request_id, technician_id)
            do update set status = 'accepted', responded_at = excluded.responded_at, college_id = excluded.college_id,
                distance_km = excluded.distance_km""",
        {"request": request_id, "student": technician_id, "college": req["college_id"], "now": now},
    )
    if status == S.OFFERED:
        return None
    await conn.execute("update public.repair_requests set technician_id = %s where id = %s",
                       [technician_id, request_id])
    uid = await (await conn.execute("select auth.uid() as uid")).fetchone()
    await log_event(conn, request_id, status, actor, uid["uid"] if uid else None, Note(code=REASSIGN_NOTE))
    former: uuid.UUID | None = req["technician_id"]
    return former if former != technician_id else None
