"""Terms are cut at Bangkok's midnight (shared/credit.py term_of, term_bounds): the server runs in UTC, a teacher
approving at 00:30 on 1 November in Bangkok (31 Oct 17:30 UTC) is in the new term."""

from datetime import UTC, datetime, timedelta

from shared.credit import term_bounds, term_of
from shared.thai_time import BANGKOK


def test_a_moment_falls_in_the_term_of_its_day_in_bangkok() -> None:
    assert term_of(datetime(2026, 10, 31, 17, 30, tzinfo=UTC)) == "2569-2"  # 00:30 on 1 Nov in Bangkok
    assert term_of(datetime(2026, 10, 31, 16, 59, tzinfo=UTC)) == "2569-1"  # 23:59 on 31 Oct in Bangkok
    assert term_of(datetime(2026, 4, 30, 17, 0, tzinfo=UTC)) == "2569-1"  # 00:00 on 1 May in Bangkok
    assert term_of(datetime(2027, 4, 30, 16, 59, tzinfo=UTC)) == "2569-2"


def test_a_terms_bounds_are_bangkok_midnights_that_agree_with_term_of() -> None:
    for term in ("2569-1", "2569-2", "2570-1"):
        bounds = term_bounds(term)
        assert bounds is not None
        start, end = bounds
        assert start.astimezone(BANGKOK).time() == end.astimezone(BANGKOK).time() == datetime.min.time()
        assert term_of(start) == term and term_of(end - timedelta(microseconds=1)) == term
        assert term_of(end) != term
    assert term_bounds("2569-2") == (datetime(2026, 10, 31, 17, 0, tzinfo=UTC),
                                     datetime(2027, 4, 30, 17, 0, tzinfo=UTC))
