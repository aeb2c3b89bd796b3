"""The one state machine of a repair request: statuses, who may move a request where, and by which path.

`decide_move` is the single rule every status change goes through (the backend calls it before it writes
anything): the actor's role, their relation to the request (owner, the student on the job, an open offer, staff
of the request's college) and the path the move is asked through. Accepting, for example, is legal only through
accepting an open offer or a supervisor naming a student, never through the generic step endpoint.
"""

from dataclasses import dataclass
from enum import StrEnum

from shared.roles import Actor


class RequestStatus(StrEnum):
    SUBMITTED = "submitted"  # stored, waiting for dispatch
    NO_CENTRE = "no_centre"  # no college in range has fitting technicians: an admin must act
    OFFERED = "offered"  # offers are out to technicians of one college
    ACCEPTED = "accepted"  # a technician took the job
    DIAGNOSING = "diagnosing"
    REPAIRING = "repairing"
    QUALITY_CHECK = "quality_check"  # waiting for the supervisor's check
    UNREPAIRABLE = "unrepairable"  # with a reason; the supervisor hands it back
    DONE = "done"  # approved by a supervisor
    HANDED_BACK = "handed_back"  # back with its owner
    CANCELLED = "cancelled"


class OfferStatus(StrEnum):
    """An offer of a request to one student (the database's `offer_status` enum, the API's `offer_status`)."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class OfferGone(StrEnum):
    """Why a student who had an offer of a job reads it no more (GET /requests/{id} answers 410 with this code, not a
    bare 404 "not found"; migration 0058's private.offer_gone decides, for the student the offer was made to only)."""

    TAKEN = "offer_taken"  # another student has the job
    ENDED = "offer_ended"  # nobody has it: the offer was declined, expired or withdrawn


class Route(StrEnum):
    """The path a move is asked through: some moves have exactly one proper path."""

    STEP = "step"  # a work step or a supervisor's check
    ACCEPT_OFFER = "accept_offer"  # a student accepting an offer they hold
    ASSIGN = "assign"  # a supervisor naming a student
    DISPATCH = "dispatch"  # the dispatcher (or an admin sending a waiting request on through it)
    CANCEL = "cancel"
    REOPEN = "reopen"  # "ยังไม่หาย"


S = RequestStatus
A = Actor
R = Route


@dataclass(frozen=True)
class Move:
    actors: frozenset[Actor]
    routes: frozenset[Route] = frozenset({R.STEP})


def _m(*actors: Actor, via: tuple[Route, ...] = (R.STEP,)) -> Move:
    return Move(frozenset(actors), frozenset(via))


# (from, to) -> who may make that move and through which path. Admins may do what supervisors may.
_MOVES: dict[tuple[RequestStatus, RequestStatus], Move] = {
    (S.SUBMITTED, S.OFFERED): _m(A.SYSTEM, via=(R.DISPATCH,)),
    (S.SUBMITTED, S.NO_CENTRE): _m(A.SYSTEM, via=(R.DISPATCH,)),
    (S.SUBMITTED, S.CANCELLED): _m(A.CITIZEN, A.ADMIN, via=(R.CANCEL,)),
    (S.NO_CENTRE, S.OFFERED): _m(A.SYSTEM, A.ADMIN, via=(R.DISPATCH,)),
    (S.NO_CENTRE, S.CANCELLED): _m(A.CITIZEN, A.ADMIN, via=(R.CANCEL,)),
    (S.OFFERED, S.ACCEPTED): _m(A.TECHNICIAN, A.SUPERVISOR, A.ADMIN, via=(R.ACCEPT_OFFER, R.ASSIGN)),
    (S.OFFERED, S.NO_CENTRE): _m(A.SYSTEM, via=(R.DISPATCH,)),
    (S.OFFERED, S.CANCELLED): _m(A.CITIZEN, A.ADMIN, via=(R.CANCEL,)),
    (S.ACCEPTED, S.DIAGNOSING): _m(A.TECHNICIAN),
    (S.ACCEPTED, S.OFFERED): _m(A.SUPERVISOR, A.ADMIN),  # taken back to offer again
    (S.ACCEPTED, S.CANCELLED): _m(A.CITIZEN, A.ADMIN, via=(R.CANCEL,)),
    (S.DIAGNOSING, S.REPAIRING): _m(A.TECHNICIAN),
    # A job under way whose student cannot go on (left, suspended, ill) with nobody else of the skill to give it to:
    # the college takes it back to offer again (its record, parts and photos stay with it; the citizen is told),
    # or ends it as unrepairable with a reason and hands the item back. Without these it could wait for good.
    (S.DIAGNOSING, S.OFFERED): _m(A.SUPERVISOR, A.ADMIN),
    (S.DIAGNOSING, S.UNREPAIRABLE): _m(A.TECHNICIAN, A.SUPERVISOR, A.ADMIN),
    (S.REPAIRING, S.OFFERED): _m(A.SUPERVISOR, A.ADMIN),
    (S.REPAIRING, S.QUALITY_CHECK): _m(A.TECHNICIAN),
    (S.REPAIRING, S.UNREPAIRABLE): _m(A.TECHNICIAN, A.SUPERVISOR, A.ADMIN),
    (S.QUALITY_CHECK, S.DONE): _m(A.SUPERVISOR, A.ADMIN),
    (S.QUALITY_CHECK, S.REPAIRING): _m(A.SUPERVISOR, A.ADMIN),  # sent back for rework
    # An admin's take back from the check (flow25 #4): where the admins decide a check (private.deciders: the
    # college's teachers left, or the only one asked for the repair or worked on it), a high-risk job's rework needs
    # a teacher of the college present whom nobody can name (decide_move, `presence_no_teacher`). Taken back, it is
    # offered again as from a student's hands: at its college if it can take it, else on to the nearest college
    # that can (one with a teacher for a high-risk job). A teacher of the college sends it back for rework instead,
    # present at it, and takes it back from there if need be.
    (S.QUALITY_CHECK, S.OFFERED): _m(A.ADMIN),
    (S.UNREPAIRABLE, S.HANDED_BACK): _m(A.SUPERVISOR, A.ADMIN),
    (S.DONE, S.HANDED_BACK): _m(A.TECHNICIAN, A.SUPERVISOR, A.ADMIN),
    (S.HANDED_BACK, S.SUBMITTED): _m(A.CITIZEN, via=(R.REOPEN,)),
}

# Who may use a path at all, whatever the statuses.
_ROUTE_ACTORS: dict[Route, frozenset[Actor]] = {
    R.STEP: frozenset({A.TECHNICIAN, A.SUPERVISOR, A.ADMIN}),
    R.ACCEPT_OFFER: frozenset({A.TECHNICIAN}),
    R.ASSIGN: frozenset({A.SUPERVISOR, A.ADMIN}),
    R.DISPATCH: frozenset({A.SYSTEM, A.ADMIN}),
    R.CANCEL: frozenset({A.CITIZEN, A.ADMIN}),
    R.REOPEN: frozenset({A.CITIZEN}),
}

OPEN_STATUSES: frozenset[RequestStatus] = frozenset(
    {S.SUBMITTED, S.NO_CENTRE, S.OFFERED, S.ACCEPTED, S.DIAGNOSING, S.REPAIRING, S.QUALITY_CHECK}
)
TERMINAL_STATUSES: frozenset[RequestStatus] = frozenset({S.CANCELLED})
# The student on the job may still add after photos and edit the report (not while the teacher checks it).
WORK_EDITABLE: frozenset[RequestStatus] = frozenset({S.ACCEPTED, S.DIAGNOSING, S.REPAIRING})
# A student has the job in hand: it counts against their load when new offers are ranked.
WORK_IN_HAND: frozenset[RequestStatus] = frozenset({S.ACCEPTED, S.DIAGNOSING, S.REPAIRING, S.QUALITY_CHECK})
# The student on a job (its lead or a helper) is given the owner's phone and exact address from accepting it until
# the item is back with its owner: while the work goes on and while the hand back is arranged (done, unrepairable).
# Handed back or cancelled, nothing is left to arrange: their record of the work stays, the owner's contact does not
# (migration 0060 `private.contact_open()`, which a test keeps equal to this set; a reopen gives the next lead it).
CONTACT_OPEN: frozenset[RequestStatus] = WORK_IN_HAND | {S.DONE, S.UNREPAIRABLE}


@dataclass(frozen=True)
class Mover:
    """Who asks for a move and how they stand to the request (facts the backend reads under the row lock)."""

    actor: Actor
    route: Route = R.STEP
    owns_request: bool = False  # the citizen who asked for the repair
    on_the_job: bool = False  # the student the job is assigned to
    on_the_team: bool = False  # a helper on the job's team (any round): their hands were on the work too
    holds_open_offer: bool = False  # a pending, unexpired offer of this job to this student
    staff_of_college: bool = False  # a supervisor of the college the request is at
    # Issue 14 (shared/credit.py), read by the backend under the same row lock; True where the rule does not apply.
    meets_safety_tier: bool = True  # the student taking the job has the level its category's tier needs
    teacher_present: bool = True  # a high-tier work step names a teacher of the college present
    # Whether the request's college has an active teacher at all: an admin who names none at a high-tier step of a
    # college with none is told so (nobody could be named: the job moves on by a take back instead).
    college_has_teacher: bool = True
    handover_settled: bool = True  # the owner confirmed receipt, or the teacher recorded why not


# Exceptions are plain dataclasses: contextlib assigns `__traceback__` on an exception leaving an
# @asynccontextmanager, which a frozen dataclass refuses (FrozenInstanceError instead of the real error).
@dataclass
class MoveRefused(Exception):
    """`code` is an error code of shared.text; `forbidden` means the actor may never do this to this request
    (403) rather than not from where it is now (409); `hidden` means answer as if the request did not exist."""

    code: str
    from_status: RequestStatus
    to_status: RequestStatus
    forbidden: bool = False
    hidden: bool = False

    def __str__(self) -> str:
        return f"{self.code}: {self.from_status} -> {self.to_status}"


@dataclass
class IllegalTransition(Exception):
    from_status: RequestStatus
    to_status: RequestStatus
    actor: Actor

    def __str__(self) -> str:
        return f"{self.actor} may not move a request from {self.from_status} to {self.to_status}"


def allowed_actors(from_status: RequestStatus, to_status: RequestStatus) -> frozenset[Actor]:
    move = _MOVES.get((from_status, to_status))
    return move.actors if move else frozenset()


def can_transition(from_status: RequestStatus, to_status: RequestStatus, actor: Actor) -> bool:
    """Whether the role may make this move through some path (see `decide_move` for the full rule)."""
    return actor in allowed_actors(from_status, to_status)


def can_move(from_status: RequestStatus, to_status: RequestStatus, actor: Actor, route: Route) -> bool:
    move = _MOVES.get((from_status, to_status))
    return move is not None and actor in move.actors and route in move.routes and actor in _ROUTE_ACTORS[route]


def check_transition(from_status: RequestStatus, to_status: RequestStatus, actor: Actor) -> None:
    """Raise IllegalTransition unless `actor` may move a request from `from_status` to `to_status`."""
    if not can_transition(from_status, to_status, actor):
        raise IllegalTransition(from_status, to_status, actor)


def decide_move(from_status: RequestStatus, to_status: RequestStatus, mover: Mover) -> None:
    """The whole rule for one status change; raises MoveRefused, returns None when the move may happen."""

    def refuse(code: str, *, forbidden: bool = False, hidden: bool = False) -> MoveRefused:
        return MoveRefused(code, from_status, to_status, forbidden=forbidden, hidden=hidden)

    actor = mover.actor
    if actor == A.CITIZEN and not mover.owns_request:
        raise refuse("not_found", forbidden=True, hidden=True)
    if actor == A.TECHNICIAN and mover.owns_request:
        # A student who asked for this repair is its owner (their owner's actions come as the citizen), never the
        # student who takes or works on it.
        raise refuse("own_request")
    if actor == A.SUPERVISOR and not mover.staff_of_college:
        raise refuse("not_your_college", forbidden=True)
    if actor == A.TECHNICIAN and mover.route == R.ACCEPT_OFFER and not mover.holds_open_offer:
        raise refuse("offer_not_open")  # taken, expired or withdrawn: whatever the request's status is now
    if not can_move(from_status, to_status, actor, mover.route):
        if to_status == S.ACCEPTED and mover.route == R.STEP and from_status == S.OFFERED:
            raise refuse("accept_through_offer")
        raise refuse("illegal_transition")
    if actor == A.TECHNICIAN and mover.route != R.ACCEPT_OFFER and not mover.on_the_job:
        raise refuse("not_assigned", forbidden=True)
    if to_status == S.DONE and (mover.on_the_job or mover.on_the_team):
        # A student named a teacher while a job they worked on waits for its check: it is still theirs to have
        # checked, by someone else.
        raise refuse("own_work_check", forbidden=True)
    if from_status == S.QUALITY_CHECK and mover.owns_request and actor in (A.SUPERVISOR, A.ADMIN):
        # The teacher's check of a repair they asked for themselves is another teacher's (approve or rework alike).
        raise refuse("own_request_check", forbidden=True)
    if mover.owns_request and actor in (A.SUPERVISOR, A.ADMIN) and mover.route in (R.STEP, R.ASSIGN):
        # Giving the job out, taking it back and handing the item back are the college deciding about someone's
        # repair: for their own, the owner is on the citizen's side (cancel, confirm, reopen), never the staff's.
        raise refuse("own_request_staff", forbidden=True)
    if to_status == S.ACCEPTED and not mover.meets_safety_tier:
        raise refuse("below_safety_tier", forbidden=True)
    if not mover.teacher_present:
        # Who is present at a step is shared.credit.teacher_named_present's: a teacher's own send-back for rework
        # names them, so only a student's step or an admin's names nobody here.
        if actor == A.ADMIN and not mover.college_has_teacher:
            raise refuse("presence_no_teacher")
        raise refuse("teacher_presence_required")
    if to_status == S.HANDED_BACK and not mover.handover_settled:
        raise refuse("handover_unconfirmed")


def next_statuses(from_status: RequestStatus, actor: Actor, route: Route = R.STEP) -> list[RequestStatus]:
    """Where `actor` may move a request next through `route`, in the order of the enum (buttons in the app)."""
    return [to for to in RequestStatus if can_move(from_status, to, actor, route)]


def all_transitions() -> list[tuple[RequestStatus, RequestStatus]]:
    """Every legal (from, to) pair."""
    return sorted(_MOVES, key=lambda pair: (list(S).index(pair[0]), list(S).index(pair[1])))


# --- Groups of statuses: the filters of a college's job list (and its counts) ----------------------------------


class StatusGroup(StrEnum):
    """A filter of the teacher's job list: one or more statuses that read as one stage of a job."""

    OFFERED = "offered"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"  # diagnosing or repairing
    QUALITY_CHECK = "quality_check"
    DONE = "done"
    HANDED_BACK = "handed_back"
    UNREPAIRABLE = "unrepairable"
    CANCELLED = "cancelled"


STATUS_GROUPS: dict[StatusGroup, frozenset[RequestStatus]] = {
    StatusGroup.OFFERED: frozenset({S.OFFERED}),
    StatusGroup.ACCEPTED: frozenset({S.ACCEPTED}),
    StatusGroup.IN_PROGRESS: frozenset({S.DIAGNOSING, S.REPAIRING}),
    StatusGroup.QUALITY_CHECK: frozenset({S.QUALITY_CHECK}),
    StatusGroup.DONE: frozenset({S.DONE}),
    StatusGroup.HANDED_BACK: frozenset({S.HANDED_BACK}),
    StatusGroup.UNREPAIRABLE: frozenset({S.UNREPAIRABLE}),
    StatusGroup.CANCELLED: frozenset({S.CANCELLED}),
}


def group_of(status: RequestStatus) -> StatusGroup | None:
    """The job-list filter a status falls under (submitted and no_centre jobs are at no college's list stage)."""
    return next((group for group, members in STATUS_GROUPS.items() if status in members), None)


# A supervisor may give the job to another of the college's students while nobody has checked the work yet
# (backend/services/dispatch.py `assign`): from an open offer (assign) or from a student's hands (reassign).
ASSIGNABLE: frozenset[RequestStatus] = frozenset({S.OFFERED})
REASSIGNABLE: frozenset[RequestStatus] = frozenset({S.ACCEPTED, S.DIAGNOSING, S.REPAIRING})
# A job in these waits for the college's decision, which only a teacher of the college (not its owner) or an admin
# may make: the check (approve or send back) and the hand back of an item found unrepairable. Who hears of it and
# who lists it: the college's active teachers but the owner, the admins when none is left (migration 0071
# `private.deciders`; the database's copy of this set, `private.college_decides()`, is kept equal by a test). A job
# still in the hands (REASSIGNABLE) of a student the operator suspended waits on the same people.
COLLEGE_DECIDES: frozenset[RequestStatus] = frozenset({S.QUALITY_CHECK, S.UNREPAIRABLE})
