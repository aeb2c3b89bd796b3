"""The one state machine of a repair request: statuses, who may move a request where."""

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


S = RequestStatus
A = Actor

# (from, to) -> who may make that move. Admins may do what supervisors may.
_ALLOWED: dict[tuple[RequestStatus, RequestStatus], frozenset[Actor]] = {
    (S.SUBMITTED, S.OFFERED): frozenset({A.SYSTEM}),
    (S.SUBMITTED, S.NO_CENTRE): frozenset({A.SYSTEM}),
    (S.SUBMITTED, S.CANCELLED): frozenset({A.CITIZEN, A.ADMIN}),
    (S.NO_CENTRE, S.OFFERED): frozenset({A.SYSTEM, A.ADMIN}),
    (S.NO_CENTRE, S.CANCELLED): frozenset({A.CITIZEN, A.ADMIN}),
    (S.OFFERED, S.ACCEPTED): frozenset({A.TECHNICIAN, A.SUPERVISOR, A.ADMIN}),
    (S.OFFERED, S.NO_CENTRE): frozenset({A.SYSTEM}),
    (S.OFFERED, S.CANCELLED): frozenset({A.CITIZEN, A.ADMIN}),
    (S.ACCEPTED, S.DIAGNOSING): frozenset({A.TECHNICIAN}),
    (S.ACCEPTED, S.OFFERED): frozenset({A.SUPERVISOR, A.ADMIN}),  # taken back to offer again
    (S.ACCEPTED, S.CANCELLED): frozenset({A.CITIZEN, A.ADMIN}),
    (S.DIAGNOSING, S.REPAIRING): frozenset({A.TECHNICIAN}),
    (S.DIAGNOSING, S.UNREPAIRABLE): frozenset({A.TECHNICIAN}),
    (S.REPAIRING, S.QUALITY_CHECK): frozenset({A.TECHNICIAN}),
    (S.REPAIRING, S.UNREPAIRABLE): frozenset({A.TECHNICIAN}),
    (S.QUALITY_CHECK, S.DONE): frozenset({A.SUPERVISOR, A.ADMIN}),
    (S.QUALITY_CHECK, S.REPAIRING): frozenset({A.SUPERVISOR, A.ADMIN}),  # sent back for rework
    (S.UNREPAIRABLE, S.HANDED_BACK): frozenset({A.SUPERVISOR, A.ADMIN}),
    (S.DONE, S.HANDED_BACK): frozenset({A.TECHNICIAN, A.SUPERVISOR, A.ADMIN}),
    (S.HANDED_BACK, S.SUBMITTED): frozenset({A.CITIZEN}),  # reopened: "ยังไม่หาย"
}

OPEN_STATUSES: frozenset[RequestStatus] = frozenset(
    {S.SUBMITTED, S.NO_CENTRE, S.OFFERED, S.ACCEPTED, S.DIAGNOSING, S.REPAIRING, S.QUALITY_CHECK}
)
TERMINAL_STATUSES: frozenset[RequestStatus] = frozenset({S.CANCELLED})


@dataclass(frozen=True)
class IllegalTransition(Exception):
    from_status: RequestStatus
    to_status: RequestStatus
    actor: Actor

    def __str__(self) -> str:
        return f"{self.actor} may not move a request from {self.from_status} to {self.to_status}"


def allowed_actors(from_status: RequestStatus, to_status: RequestStatus) -> frozenset[Actor]:
    return _ALLOWED.get((from_status, to_status), frozenset())


def can_transition(from_status: RequestStatus, to_status: RequestStatus, actor: Actor) -> bool:
    return actor in allowed_actors(from_status, to_status)


def check_transition(from_status: RequestStatus, to_status: RequestStatus, actor: Actor) -> None:
    """Raise IllegalTransition unless `actor` may move a request from `from_status` to `to_status`."""
    if not can_transition(from_status, to_status, actor):
        raise IllegalTransition(from_status, to_status, actor)


def next_statuses(from_status: RequestStatus, actor: Actor) -> list[RequestStatus]:
    """Where `actor` may move a request next, in the order of the enum (for buttons in the app)."""
    return [to for to in RequestStatus if can_transition(from_status, to, actor)]


def all_transitions() -> list[tuple[RequestStatus, RequestStatus]]:
    """Every legal (from, to) pair; the SQL check on status events is generated from this."""
    return sorted(_ALLOWED, key=lambda pair: (list(S).index(pair[0]), list(S).index(pair[1])))
