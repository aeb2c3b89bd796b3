"""shared/credit.py: the job record's and the student's credit's rules (issue 14)."""

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from backend.settings import PROJECT_ROOT
from shared.credit import (
    CATEGORY_TIERS,
    ENV_FACTORS,
    OUTCOME_LABELS,
    OUTCOME_REASONS,
    PORTFOLIO_TEXTS,
    UNREPAIRABLE_TO_OUTCOME_REASON,
    Outcome,
    SafetyTier,
    approved_parts_total,
    check_hours,
    check_outcome,
    check_phone_approval,
    credited_skill,
    due_for_progression,
    env_estimate,
    helper_hours_refusal,
    is_verify_code,
    meets_tier,
    needs_teacher_at_college,
    needs_teacher_present,
    outcome_fits_status,
    present_by_moving,
    teacher_named_present,
    team_hours,
    term_bounds,
    term_of,
    verify_code_from,
    work_window_hours,
)
from shared.roles import Actor
from shared.statuses import Mover, MoveRefused, RequestStatus, Route, decide_move
from shared.text import ERRORS
from shared.work import UNREPAIRABLE_REASONS

S = RequestStatus


def test_every_seeded_category_has_a_tier_and_a_documented_factor() -> None:
    seeded = {c["code"] for c in json.loads((PROJECT_ROOT / "assets/seed/categories.json").read_text())["categories"]}
    assert seeded <= set(CATEGORY_TIERS) and seeded <= set(ENV_FACTORS)
    assert all(f.kg_item >= 0 and f.kg_co2e_new >= 0 for f in ENV_FACTORS.values())
    # A factor names its source or is marked as an estimate with no citation; a sourced one cites the ORDS table.
    assert all(f.estimate for f in ENV_FACTORS.values() if not f.source.strip())
    assert all(f.source.startswith("ORDS_LCA row ") for f in ENV_FACTORS.values() if f.source)


def test_outcomes_say_why_and_what_was_found() -> None:
    assert check_outcome("fixed", None, "ฟิวส์ขาด") is None
    assert check_outcome("fixed", None, " ") == "outcome_fault_required"
    assert check_outcome("not_repaired", None, "") == "outcome_reason_required"
    assert check_outcome("not_repaired", "owner_declined", "") is None
    assert check_outcome("unrepairable", "unsafe", "") == "outcome_fault_required"
    assert check_outcome("broken", None, "x") == "outcome_invalid"
    assert outcome_fits_status(Outcome.FIXED, S.REPAIRING) and not outcome_fits_status(Outcome.FIXED, S.UNREPAIRABLE)
    assert set(UNREPAIRABLE_TO_OUTCOME_REASON) == set(UNREPAIRABLE_REASONS)
    assert set(UNREPAIRABLE_TO_OUTCOME_REASON.values()) <= set(OUTCOME_REASONS)
    assert all(th and en for th, en in [*OUTCOME_LABELS.values(), *OUTCOME_REASONS.values(),
                                        *PORTFOLIO_TEXTS.values()])


def test_parts_phone_approvals_need_a_note_and_only_approved_parts_count() -> None:
    assert check_phone_approval("ok") == "part_phone_note_required"
    assert check_phone_approval("คุณสมชายอนุมัติทางโทรศัพท์ 10:30") is None
    parts = [{"status": "approved", "qty": 2, "price_baht": 35}, {"status": "declined", "qty": 1, "price_baht": 500},
             {"status": "proposed", "qty": 1, "price_baht": 20}]
    assert approved_parts_total(parts) == 70


def test_tiers_need_levels_and_the_highest_a_teacher_present() -> None:
    assert CATEGORY_TIERS["home_electrical"] == SafetyTier.HIGH
    assert not meets_tier("home_electrical", 2) and meets_tier("home_electrical", 3)
    assert meets_tier("appliance", 1) and not meets_tier("unknown_category", 1)  # unknown: not treated as low risk
    assert needs_teacher_present("air_conditioning", S.REPAIRING)
    assert not needs_teacher_present("air_conditioning", S.QUALITY_CHECK)
    assert not needs_teacher_present("appliance", S.REPAIRING)


def test_the_state_machine_refuses_what_the_record_does_not_allow() -> None:
    def refused(frm: RequestStatus, to: RequestStatus, mover: Mover) -> str:
        with pytest.raises(MoveRefused) as caught:
            decide_move(frm, to, mover)
        return caught.value.code

    assert refused(S.OFFERED, S.ACCEPTED, Mover(Actor.TECHNICIAN, Route.ACCEPT_OFFER, holds_open_offer=True,
                                                 meets_safety_tier=False)) == "below_safety_tier"
    assert refused(S.DONE, S.HANDED_BACK, Mover(Actor.SUPERVISOR, staff_of_college=True,
                                                handover_settled=False)) == "handover_unconfirmed"
    assert refused(S.ACCEPTED, S.DIAGNOSING, Mover(Actor.TECHNICIAN, on_the_job=True,
                                                   teacher_present=False)) == "teacher_presence_required"
    decide_move(S.DONE, S.HANDED_BACK, Mover(Actor.SUPERVISOR, staff_of_college=True))


def test_a_teacher_sending_a_high_risk_job_back_is_the_teacher_present_and_an_admin_names_one() -> None:
    """audit20 #1: the presence rule is about the student's hands-on work being supervised. A teacher's send-back for
    rework (quality_check -> repairing) names them present unless they name another teacher; a student and an admin
    name one; a step that needs nobody records nobody."""
    me, other = uuid.uuid4(), uuid.uuid4()
    assert teacher_named_present("air_conditioning", S.REPAIRING, Actor.SUPERVISOR, me, None) == me
    assert teacher_named_present("air_conditioning", S.REPAIRING, Actor.SUPERVISOR, me, other) == other
    assert teacher_named_present("air_conditioning", S.REPAIRING, Actor.ADMIN, me, None) is None
    assert teacher_named_present("air_conditioning", S.REPAIRING, Actor.ADMIN, me, other) == other
    assert teacher_named_present("air_conditioning", S.DIAGNOSING, Actor.TECHNICIAN, me, None) is None
    assert teacher_named_present("air_conditioning", S.DIAGNOSING, Actor.TECHNICIAN, me, other) == other
    assert teacher_named_present("appliance", S.REPAIRING, Actor.SUPERVISOR, me, other) is None  # low tier
    assert teacher_named_present("air_conditioning", S.DONE, Actor.SUPERVISOR, me, other) is None
    assert present_by_moving("metalwork", S.REPAIRING, Actor.SUPERVISOR)
    assert not present_by_moving("metalwork", S.REPAIRING, Actor.ADMIN)
    assert not present_by_moving("bicycle", S.REPAIRING, Actor.SUPERVISOR)


def test_an_admin_naming_no_teacher_where_the_college_has_none_is_told_so() -> None:
    def refused(mover: Mover) -> str:
        with pytest.raises(MoveRefused) as caught:
            decide_move(S.QUALITY_CHECK, S.REPAIRING, mover)
        return caught.value.code

    assert refused(Mover(Actor.ADMIN, teacher_present=False)) == "teacher_presence_required"
    assert refused(Mover(Actor.ADMIN, teacher_present=False, college_has_teacher=False)) == "presence_no_teacher"
    # A student's step at such a college: the job screen says why (teacher_needed), the answer stays the same.
    with pytest.raises(MoveRefused) as caught:
        decide_move(S.ACCEPTED, S.DIAGNOSING, Mover(Actor.TECHNICIAN, on_the_job=True, teacher_present=False,
                                                    college_has_teacher=False))
    assert caught.value.code == "teacher_presence_required"
    decide_move(S.QUALITY_CHECK, S.REPAIRING, Mover(Actor.SUPERVISOR, staff_of_college=True))
    assert ERRORS["presence_no_teacher"].th and ERRORS["presence_no_teacher"].en


def test_environmental_estimate_counts_items_that_work_again() -> None:
    kg, co2e = env_estimate("appliance", "fixed")
    assert kg == ENV_FACTORS["appliance"].kg_item and co2e > 0
    assert env_estimate("appliance", "unrepairable") == (0.0, 0.0)
    assert env_estimate("appliance", None) == (0.0, 0.0)


def test_hours_must_fit_the_jobs_own_timeline() -> None:
    start = datetime(2026, 6, 1, 9, tzinfo=UTC)
    window = work_window_hours(start, start + timedelta(hours=2))
    assert window == 2
    assert check_hours(2.5, window) is None  # rounding to the half hour
    assert check_hours(3, window) == "hours_exceed_timeline"
    assert check_hours(0, window) == "hours_missing"
    assert check_hours(1, None) == "hours_no_timeline"
    assert work_window_hours(start, start - timedelta(hours=1)) is None


def test_team_credit_counts_approved_members_only() -> None:
    team: list[dict[str, object]] = [{"hours": 2, "approved_hours": 2}, {"hours": 1.5, "approved_hours": 1.5},
                                     {"hours": 3, "approved_hours": None}]
    assert team_hours(team) == 3.5 and team_hours(team, approved_only=False) == 6.5


def test_progression_after_n_jobs_of_a_skill_at_a_level() -> None:
    assert credited_skill({"electrical_appliance": 1, "electronics": 2}, {"electronics": 3,
                                                                         "electrical_appliance": 2}) \
        == ("electronics", 3)
    assert credited_skill({"plumbing": 1}, {"electronics": 3}) is None
    assert not due_for_progression(2, 2, 3) and due_for_progression(3, 2, 3)
    assert not due_for_progression(10, 5, 3)  # the top level has nowhere to go


def test_terms_and_verification_codes() -> None:
    assert term_of(date(2026, 6, 1)) == "2569-1"
    assert term_of(date(2026, 12, 1)) == "2569-2" and term_of(date(2027, 3, 1)) == "2569-2"
    assert term_bounds("2569-1") == (datetime(2026, 4, 30, 17, 0, tzinfo=UTC),  # 00:00 on 1 May in Bangkok
                                     datetime(2026, 10, 31, 17, 0, tzinfo=UTC))
    assert term_bounds("2569-3") is None
    code = verify_code_from(bytes(range(16)))
    assert is_verify_code(code) and not is_verify_code("O0I1LABCDE")


def test_error_codes_of_the_record_have_texts() -> None:
    for code in ("below_safety_tier", "handover_unconfirmed", "teacher_presence_required", "hours_exceed_timeline",
                 "part_phone_note_required", "outcome_reason_required", "verify_code_unknown"):
        assert ERRORS[code].th and ERRORS[code].en


def test_a_helper_reports_hours_from_the_acceptance_until_the_approval_while_on_the_team() -> None:
    """The one rule of a helper's own hours: a job a student holds, through the check, and after the hand back until
    the teacher approves the round (the approval may come then); never on a job nobody holds or a cancelled one, nor
    by a helper who left the team, nor once approved."""
    s = RequestStatus
    open_ = {x for x in s if helper_hours_refusal(x, approved=False, handed_on=False) is None}
    assert open_ == {s.ACCEPTED, s.DIAGNOSING, s.REPAIRING, s.QUALITY_CHECK, s.DONE, s.UNREPAIRABLE, s.HANDED_BACK}
    for status in set(s) - open_:
        assert helper_hours_refusal(status, approved=False, handed_on=False) == "team_hours_closed"
    for status in s:
        assert helper_hours_refusal(status, approved=False, handed_on=True) == "team_handed_on"
        assert helper_hours_refusal(status, approved=True, handed_on=False) == "team_not_now"
    for code in ("team_hours_closed", "team_handed_on", "team_not_now"):
        assert ERRORS[code].th and ERRORS[code].en


def test_a_category_unknown_to_shared_needs_no_teacher_present() -> None:
    """The SQL that asks whether a college has a teacher lists the categories needing one from CATEGORY_TIERS
    (dispatch's presence_categories, transitions._RECORD_FACTS): a category added to the database before it is
    added there takes DEFAULT_TIER, which must need no teacher, or those lists would leave it out."""
    assert not any(needs_teacher_present("a_category_not_yet_in_shared", status) for status in S)
    assert not needs_teacher_at_college("a_category_not_yet_in_shared")
