"""The reminders' horizon (shared/reminders.py) leaves room for every message a wait can bring: each is due well
before a wait stops counting, so the bound cuts off only the waits that began long before."""

from shared.reminders import (
    COLLECT_ESCALATE_AFTER,
    COLLECT_REMIND_AFTER,
    IN_HAND_DUE,
    REMIND_HORIZON,
    RETRY_WINDOW,
    STALLED_GRACE,
)


def test_every_reminder_is_due_well_inside_the_horizon() -> None:
    latest = max([*(due + STALLED_GRACE for due in IN_HAND_DUE.values()), COLLECT_REMIND_AFTER,
                  COLLECT_ESCALATE_AFTER])
    assert 3 * latest <= REMIND_HORIZON
    assert REMIND_HORIZON > RETRY_WINDOW  # a revived request's job has all its reminders too
