from datetime import UTC, datetime, timedelta

from shared.matching import Candidate, rank


def ids(candidates: list[Candidate]) -> list[str]:
    return [c.technician_id for c in candidates]


def test_skill_first_then_load_then_rating() -> None:
    people = [
        Candidate("a", skill_level=2, open_jobs=0, rating=5.0),
        Candidate("b", skill_level=4, open_jobs=3, rating=2.0),
        Candidate("c", skill_level=4, open_jobs=1, rating=None),
        Candidate("d", skill_level=4, open_jobs=1, rating=4.5),
    ]
    assert ids(rank(people)) == ["d", "c", "b", "a"]


def test_unrated_students_are_treated_as_average() -> None:
    people = [Candidate("new", 3, 0, None), Candidate("weak", 3, 0, 2.0), Candidate("good", 3, 0, 4.0)]
    assert ids(rank(people)) == ["good", "new", "weak"]


def test_ties_are_stable_by_id() -> None:
    people = [Candidate("z", 1, 0, None), Candidate("m", 1, 0, None)]
    assert ids(rank(people)) == ids(rank(list(reversed(people)))) == ["m", "z"]


def test_equals_take_turns_the_longest_waiting_first() -> None:
    """Equal on skill, load, distance and rating: never offered first, then the one offered longest ago; the id
    only among those offered at the same moment. Skill still comes before the turn."""
    then = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    people = [
        Candidate("a", 3, 0, None, last_offered=then + timedelta(hours=1)),
        Candidate("b", 3, 0, None, last_offered=then),
        Candidate("c", 3, 0, None, last_offered=then + timedelta(hours=1)),
        Candidate("z", 3, 0, None),
        Candidate("expert", 5, 0, None, last_offered=then + timedelta(hours=2)),
    ]
    assert ids(rank(people)) == ["expert", "z", "b", "a", "c"]
