"""The one rule of where the work now on a job puts its after photos (shared.photos: `free_after_slots`, which the
app uploads at, and `after_slot_refusal`, which the backend judges each upload by): beside the earlier work's photos,
never over them, and always room for a full set of its own however much earlier work the record holds (review18a:
a record full of five earlier works' sets was a dead end)."""

import random

import pytest

from shared.photos import (
    AFTER_PHOTO_INDEX_MAX,
    AFTER_PHOTO_SLOTS,
    MAX_PHOTOS_PER_REQUEST,
    PHOTO_ERRORS,
    after_photo_span,
    after_slot_refusal,
    free_after_slots,
)

FULL_SET = MAX_PHOTOS_PER_REQUEST


def test_a_first_work_photographs_from_the_start() -> None:
    assert free_after_slots([], []) == list(range(FULL_SET))
    assert free_after_slots([], [0, 1]) == [2, 3, 4]


def test_a_former_students_set_stays_and_the_next_students_go_beside_it() -> None:
    earlier = range(FULL_SET)
    assert free_after_slots(earlier, []) == list(range(FULL_SET, 2 * FULL_SET))
    assert [after_slot_refusal(i, earlier, []) for i in earlier] == ["photo_earlier_work"] * FULL_SET


def test_a_record_full_of_earlier_work_grows_for_the_work_now_on_the_job() -> None:
    earlier = range(AFTER_PHOTO_SLOTS)
    slots = free_after_slots(earlier, [])
    assert slots == list(range(AFTER_PHOTO_SLOTS, AFTER_PHOTO_SLOTS + FULL_SET))
    assert all(after_slot_refusal(i, earlier, []) is None for i in slots)
    assert after_slot_refusal(AFTER_PHOTO_SLOTS + FULL_SET, earlier, []) == "photo_too_many"  # past the span
    assert {after_slot_refusal(i, earlier, []) for i in earlier} == {"photo_earlier_work"}


def test_a_full_set_of_its_own_is_replaced_but_never_added_to() -> None:
    earlier, own = range(AFTER_PHOTO_SLOTS), range(AFTER_PHOTO_SLOTS, AFTER_PHOTO_SLOTS + FULL_SET)
    assert free_after_slots(earlier, own) == []
    assert all(after_slot_refusal(i, earlier, own) is None for i in own)  # the same index again: a new take
    assert after_slot_refusal(AFTER_PHOTO_SLOTS - 1, earlier, own) == "photo_earlier_work"
    assert after_slot_refusal(AFTER_PHOTO_SLOTS + FULL_SET, earlier, own) == "photo_too_many"


def test_holes_the_earlier_work_left_are_used_first() -> None:
    earlier = [i for i in range(AFTER_PHOTO_SLOTS + 3) if i not in (4, 17)]  # 26 earlier photos, two gaps below
    assert after_photo_span(len(earlier)) == len(earlier) + FULL_SET
    assert free_after_slots(earlier, []) == [4, 17, 28, 29, 30]


def test_an_index_outside_the_column_is_refused_and_the_span_stays_within_it() -> None:
    assert after_slot_refusal(-1, [], []) == "photo_too_many"
    assert after_photo_span(AFTER_PHOTO_INDEX_MAX) == AFTER_PHOTO_INDEX_MAX + 1
    assert after_slot_refusal(AFTER_PHOTO_INDEX_MAX + 1, range(AFTER_PHOTO_INDEX_MAX), []) == "photo_too_many"
    assert "photo_too_many" in PHOTO_ERRORS and "photo_earlier_work" in PHOTO_ERRORS


@pytest.mark.parametrize("seed", range(40))
def test_whatever_the_record_holds_the_work_on_the_job_has_room_for_a_full_set_and_the_backend_takes_it(
        seed: int) -> None:
    """Any earlier work (scattered, beyond the first slots), any of its own so far: the app's next indices are as
    many as the work may still add, none over an earlier photo, and each is one the backend's rule takes, in turn."""
    rng = random.Random(seed)
    earlier = set(rng.sample(range(3 * AFTER_PHOTO_SLOTS), rng.randint(0, 2 * AFTER_PHOTO_SLOTS)))
    own: set[int] = set()
    for _ in range(rng.randint(0, FULL_SET)):
        own.add(free_after_slots(earlier, own)[0])
    while slots := free_after_slots(earlier, own):
        assert len(slots) == FULL_SET - len(own) and not set(slots) & (earlier | own)
        assert after_slot_refusal(slots[0], earlier, own) is None
        own.add(slots[0])
    assert len(own) == FULL_SET
    assert {after_slot_refusal(i, earlier, own) for i in range(3 * AFTER_PHOTO_SLOTS + FULL_SET)
            if i not in earlier | own} == {"photo_too_many"}
