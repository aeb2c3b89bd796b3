import pytest

from shared.roles import Actor
from shared.statuses import (
    OPEN_STATUSES,
    IllegalTransition,
    RequestStatus,
    all_transitions,
    can_transition,
    check_transition,
    next_statuses,
)

S = RequestStatus


def test_happy_path_is_legal_step_by_step() -> None:
    path = [
        (S.SUBMITTED, S.OFFERED, Actor.SYSTEM),
        (S.OFFERED, S.ACCEPTED, Actor.TECHNICIAN),
        (S.ACCEPTED, S.DIAGNOSING, Actor.TECHNICIAN),
        (S.DIAGNOSING, S.REPAIRING, Actor.TECHNICIAN),
        (S.REPAIRING, S.QUALITY_CHECK, Actor.TECHNICIAN),
        (S.QUALITY_CHECK, S.DONE, Actor.SUPERVISOR),
        (S.DONE, S.HANDED_BACK, Actor.SUPERVISOR),
    ]
    for from_status, to_status, actor in path:
        check_transition(from_status, to_status, actor)


@pytest.mark.parametrize(
    ("from_status", "to_status", "actor"),
    [
        (S.QUALITY_CHECK, S.DONE, Actor.TECHNICIAN),  # a student cannot approve their own work
        (S.SUBMITTED, S.ACCEPTED, Actor.TECHNICIAN),  # nothing is accepted before it is offered
        (S.REPAIRING, S.CANCELLED, Actor.CITIZEN),  # cancelling is only before work starts
        (S.CANCELLED, S.SUBMITTED, Actor.CITIZEN),  # cancelled is final
        (S.DONE, S.DONE, Actor.SUPERVISOR),
    ],
)
def test_illegal_moves_are_refused(from_status: S, to_status: S, actor: Actor) -> None:
    assert not can_transition(from_status, to_status, actor)
    with pytest.raises(IllegalTransition) as raised:
        check_transition(from_status, to_status, actor)
    assert raised.value.from_status == from_status and raised.value.to_status == to_status


def test_cancel_only_before_work_starts() -> None:
    cancellable = {s for s in S if can_transition(s, S.CANCELLED, Actor.CITIZEN)}
    assert cancellable == {S.SUBMITTED, S.NO_CENTRE, S.OFFERED, S.ACCEPTED}


def test_supervisor_can_send_back_for_rework() -> None:
    assert next_statuses(S.QUALITY_CHECK, Actor.SUPERVISOR) == [S.REPAIRING, S.DONE]


def test_every_status_is_reachable_and_cancelled_is_terminal() -> None:
    targets = {to for _, to in all_transitions()}
    assert targets | {S.SUBMITTED} == set(S)
    assert not [pair for pair in all_transitions() if pair[0] == S.CANCELLED]
    assert S.DONE not in OPEN_STATUSES and S.QUALITY_CHECK in OPEN_STATUSES


def test_status_values_match_the_database_enum() -> None:
    import re
    from pathlib import Path

    sql = (Path(__file__).parents[2] / "backend/migrations/0001_core_schema.sql").read_text(encoding="utf-8")
    enum_sql = re.search(r"create type public\.request_status as enum \((.*?)\);", sql, re.S)
    assert enum_sql is not None
    assert re.findall(r"'([a-z_]+)'", enum_sql.group(1)) == [s.value for s in S]
