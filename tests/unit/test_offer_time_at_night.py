"""The offer's SLA counts from when its students hear of it (shared.notifications.offer_expires_at), and the
citizen's expected wait while it is offered says when that is (expected_wait)."""

from datetime import UTC, datetime, timedelta

from shared.notifications import Kind, QuietHours, expected_wait, offer_expires_at, offer_still_open, quiet_until
from shared.statuses import RequestStatus
from shared.text import NEXT_STEPS
from shared.thai_time import BANGKOK

SLA = timedelta(minutes=30)


def _bkk(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=BANGKOK)


def test_an_offer_made_in_the_quiet_hours_runs_its_sla_from_their_end() -> None:
    assert offer_expires_at(_bkk(1, 23, 30), SLA) == _bkk(2, 7, 30)
    assert offer_expires_at(_bkk(1, 21, 0), SLA) == _bkk(2, 7, 30)
    assert offer_expires_at(_bkk(2, 6, 50), SLA) == _bkk(2, 7, 30)
    assert offer_expires_at(_bkk(2, 0, 0), SLA) == _bkk(2, 7, 30)


def test_an_offer_made_by_day_runs_its_sla_at_once() -> None:
    assert offer_expires_at(_bkk(1, 14, 0), SLA) == _bkk(1, 14, 30)
    assert offer_expires_at(_bkk(1, 7, 0), SLA) == _bkk(1, 7, 30)
    assert offer_expires_at(_bkk(1, 20, 50), SLA) == _bkk(1, 21, 20)  # told at 20:50, before the quiet hours


def test_the_held_new_job_message_still_asks_for_an_answer_when_it_goes_out() -> None:
    """The "new job" message of an offer made at 23:30 waits until 07:00 (quiet_until); the offer is still open
    then, so the message goes out rather than being skipped as moot."""
    made = _bkk(1, 23, 30)
    told = quiet_until(made, QuietHours(), Kind.OFFER_NEW)
    assert told == _bkk(2, 7, 0)
    params = {"expires_at": offer_expires_at(made, SLA).isoformat()}
    assert offer_still_open(Kind.OFFER_NEW, params, told.astimezone(UTC))


def test_the_citizens_wait_while_offered_at_night_names_when_the_students_hear() -> None:
    night = expected_wait(RequestStatus.OFFERED, _bkk(1, 23, 30))
    assert night is not None and "07:00" in night.th and "07:00" in night.en
    assert night != NEXT_STEPS[RequestStatus.OFFERED][1]
    assert expected_wait(RequestStatus.OFFERED, _bkk(1, 14, 0)) == NEXT_STEPS[RequestStatus.OFFERED][1]
    # Only the offered request's wait depends on the hour.
    assert expected_wait(RequestStatus.ACCEPTED, _bkk(1, 23, 30)) == NEXT_STEPS[RequestStatus.ACCEPTED][1]
