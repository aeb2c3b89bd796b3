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


# --- decide_move: role, relation to the request and path together ------------------------------------------------
from shared.statuses import Mover, MoveRefused, Route, can_move, decide_move  # noqa: E402


def _refusal(from_status: S, to_status: S, mover: Mover) -> MoveRefused:
    with pytest.raises(MoveRefused) as raised:
        decide_move(from_status, to_status, mover)
    return raised.value


def test_a_student_with_an_open_offer_cannot_step_a_job_to_accepted() -> None:
    offered = Mover(Actor.TECHNICIAN, Route.STEP, holds_open_offer=True)
    assert _refusal(S.OFFERED, S.ACCEPTED, offered).code == "accept_through_offer"
    decide_move(S.OFFERED, S.ACCEPTED, Mover(Actor.TECHNICIAN, Route.ACCEPT_OFFER, holds_open_offer=True))
    assert _refusal(S.OFFERED, S.ACCEPTED, Mover(Actor.TECHNICIAN, Route.ACCEPT_OFFER)).code == "offer_not_open"


def test_work_steps_belong_to_the_student_on_the_job() -> None:
    for from_status, to_status in [(S.ACCEPTED, S.DIAGNOSING), (S.DIAGNOSING, S.REPAIRING),
                                   (S.REPAIRING, S.QUALITY_CHECK), (S.DONE, S.HANDED_BACK)]:
        refused = _refusal(from_status, to_status, Mover(Actor.TECHNICIAN, holds_open_offer=True))
        assert refused.code == "not_assigned" and refused.forbidden
        decide_move(from_status, to_status, Mover(Actor.TECHNICIAN, on_the_job=True))


def test_a_supervisor_assigns_only_through_assign_and_only_at_their_college() -> None:
    staff = Mover(Actor.SUPERVISOR, Route.STEP, staff_of_college=True)
    assert _refusal(S.OFFERED, S.ACCEPTED, staff).code == "accept_through_offer"
    decide_move(S.OFFERED, S.ACCEPTED, Mover(Actor.SUPERVISOR, Route.ASSIGN, staff_of_college=True))
    other = _refusal(S.QUALITY_CHECK, S.DONE, Mover(Actor.SUPERVISOR))
    assert other.code == "not_your_college" and other.forbidden


def test_citizens_act_only_on_their_own_request_and_through_their_paths() -> None:
    stranger = _refusal(S.SUBMITTED, S.CANCELLED, Mover(Actor.CITIZEN, Route.CANCEL))
    assert stranger.hidden
    decide_move(S.SUBMITTED, S.CANCELLED, Mover(Actor.CITIZEN, Route.CANCEL, owns_request=True))
    decide_move(S.HANDED_BACK, S.SUBMITTED, Mover(Actor.CITIZEN, Route.REOPEN, owns_request=True))
    assert _refusal(S.HANDED_BACK, S.SUBMITTED, Mover(Actor.CITIZEN, Route.STEP, owns_request=True)).code \
        == "illegal_transition"


def test_only_dispatch_offers_a_waiting_request() -> None:
    assert _refusal(S.NO_CENTRE, S.OFFERED, Mover(Actor.ADMIN, Route.STEP)).code == "illegal_transition"
    decide_move(S.NO_CENTRE, S.OFFERED, Mover(Actor.ADMIN, Route.DISPATCH))


def test_step_buttons_never_offer_a_move_that_has_its_own_path() -> None:
    for actor in Actor:
        for status in S:
            assert S.ACCEPTED not in next_statuses(status, actor)
            assert S.CANCELLED not in next_statuses(status, actor)


async def test_a_refusal_leaves_an_async_context_manager_as_itself() -> None:
    from collections.abc import AsyncIterator
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def transaction() -> AsyncIterator[None]:
        yield

    with pytest.raises(MoveRefused):
        async with transaction():
            decide_move(S.OFFERED, S.ACCEPTED, Mover(Actor.TECHNICIAN, Route.STEP))


def test_the_assignable_statuses_match_the_rule() -> None:
    from shared.statuses import ASSIGNABLE, REASSIGNABLE

    # Assigning an offered job is the move offered → accepted through ASSIGN; the others keep their status.
    assert Route.ASSIGN in {r for r in Route if can_move(S.OFFERED, S.ACCEPTED, Actor.SUPERVISOR, r)}
    assert S.NO_CENTRE not in ASSIGNABLE | REASSIGNABLE and S.QUALITY_CHECK not in ASSIGNABLE | REASSIGNABLE


def test_a_student_never_takes_or_works_on_a_request_they_own() -> None:
    own_offer = Mover(Actor.TECHNICIAN, Route.ACCEPT_OFFER, owns_request=True, holds_open_offer=True)
    refused = _refusal(S.OFFERED, S.ACCEPTED, own_offer)
    assert refused.code == "own_request" and not refused.forbidden and not refused.hidden  # 409 with its reason
    for from_status, to_status in [(S.ACCEPTED, S.DIAGNOSING), (S.REPAIRING, S.QUALITY_CHECK)]:
        mover = Mover(Actor.TECHNICIAN, owns_request=True, on_the_job=True)
        assert _refusal(from_status, to_status, mover).code == "own_request"


def test_a_teacher_makes_none_of_the_colleges_moves_on_a_request_they_own() -> None:
    moves = [(S.OFFERED, S.ACCEPTED, Route.ASSIGN), (S.ACCEPTED, S.OFFERED, Route.STEP),
             (S.DONE, S.HANDED_BACK, Route.STEP), (S.UNREPAIRABLE, S.HANDED_BACK, Route.STEP)]
    for actor in (Actor.SUPERVISOR, Actor.ADMIN):
        for from_status, to_status, route in moves:
            refused = _refusal(from_status, to_status, Mover(actor, route, owns_request=True, staff_of_college=True))
            assert refused.code == "own_request_staff" and refused.forbidden
            decide_move(from_status, to_status, Mover(actor, route, staff_of_college=True))
    # An admin who asked for a repair still cancels it, through the owner's path.
    decide_move(S.OFFERED, S.CANCELLED, Mover(Actor.ADMIN, Route.CANCEL, owns_request=True))


def test_a_teacher_never_checks_a_request_they_own() -> None:
    for actor in (Actor.SUPERVISOR, Actor.ADMIN):
        for to_status in (S.DONE, S.REPAIRING):
            owner = Mover(actor, owns_request=True, staff_of_college=True)
            refused = _refusal(S.QUALITY_CHECK, to_status, owner)
            assert refused.code == "own_request_check" and refused.forbidden
    decide_move(S.QUALITY_CHECK, S.DONE, Mover(Actor.SUPERVISOR, staff_of_college=True))
    # Their owner's paths stay theirs: as the citizen side of the request, whatever their role.
    decide_move(S.OFFERED, S.CANCELLED, Mover(Actor.CITIZEN, Route.CANCEL, owns_request=True))
