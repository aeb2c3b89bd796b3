"""One thing, one wording (audit18d's findings 2, 4, 12, 13, 18): where two places of the app name the same stage,
reason or column, both take the words from the same entry of shared/, so they cannot drift apart."""

import shared.credit
import shared.work


def test_an_unrepairable_reason_reads_the_same_as_the_outcome_reason_it_is_recorded_as() -> None:
    """The unrepairable step's reason is stored as an outcome reason (backend/services/credit.py): the citizen's
    notification and the timeline said ไม่มีอะไหล่ / ค่าซ่อมสูงกว่ามูลค่าของ, the job record's outcome dropdown
    หาอะไหล่ไม่ได้ / ค่าซ่อมไม่คุ้มกับมูลค่าของ for the same reason."""
    assert set(shared.credit.UNREPAIRABLE_TO_OUTCOME_REASON) == set(shared.work.UNREPAIRABLE_REASONS)
    differ = {
        (step, outcome): (shared.work.UNREPAIRABLE_REASONS[step], shared.credit.OUTCOME_REASONS[outcome])
        for step, outcome in shared.credit.UNREPAIRABLE_TO_OUTCOME_REASON.items()
        if shared.work.UNREPAIRABLE_REASONS[step] != shared.credit.OUTCOME_REASONS[outcome]
    }
    assert differ == {}
