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
