"""After a take back (or a reassign) the former student's after photos stay on the record and do not count for the
student now on the job (known18be): the app reads which count from the backend (`after_photos_in_round`, the
one rule credit.WORK_BEGAN_SQL) and adds the new student's beside them, never over them, even when the former
student left a full set of five."""

from uuid import UUID, uuid4

from shared.photos import AFTER_PHOTO_SLOTS, MAX_PHOTOS_PER_REQUEST
from shared.text import error_text
from tests.unit.mobile_fakes import WorkBackend, jpeg_with_exif
from tests.unit.mobile_screens import signed_in


async def test_a_former_students_full_set_stays_and_the_next_students_photos_go_beside_it() -> None:
    backend = WorkBackend()
    former = [{"id": str(uuid4()), "kind": "after", "idx": i, "content_type": "image/jpeg", "width": 8, "height": 8,
               "bytes": 10} for i in range(5)]
    # Round 1, taken back from the former student and given to this one: none of the five is this student's.
    backend.job.update(status="repairing", photos=former, after_photos_in_round=[])
    app = await signed_in("technician", backend)
    await app.open_job(UUID(backend.job["id"]))
    job = app.job
    assert job is not None and job.work_round == 1
    assert job.after_photos_in_round == []  # the former student's do not count for this student's check
    assert job.can_add_after_photo  # a full set of someone else's is no dead end
    await job.add_after_photos([("a.jpg", jpeg_with_exif()), ("b.jpg", jpeg_with_exif())])
    assert [idx for idx, _ in backend.uploads] == [5, 6]  # beside the five, never over them
    assert job.after_photos_in_round == [5, 6]
    assert sorted(p.idx for p in job.photos("after")) == [0, 1, 2, 3, 4, 5, 6]


async def test_a_record_full_of_earlier_works_sets_still_takes_a_full_set_of_the_student_now_on_the_job() -> None:
    """Five earlier works' full sets fill shared.photos.AFTER_PHOTO_SLOTS (one left a gap): the app puts the new
    student's photos in the gap and past the 25 (shared.photos.free_after_slots, the backend's rule), five and no
    more, none over an earlier photo (review18a: the app offered nothing, a dead end)."""
    backend = WorkBackend()
    earlier = [{"id": str(uuid4()), "kind": "after", "idx": i, "content_type": "image/jpeg", "width": 8, "height": 8,
                "bytes": 10} for i in range(AFTER_PHOTO_SLOTS + 1) if i != 7]
    backend.job.update(status="repairing", photos=earlier, after_photos_in_round=[])
    app = await signed_in("technician", backend)
    await app.open_job(UUID(backend.job["id"]))
    job = app.job
    assert job is not None and job.can_add_after_photo
    await job.add_after_photos([(f"{i}.jpg", jpeg_with_exif()) for i in range(MAX_PHOTOS_PER_REQUEST + 1)])
    placed = [7, *range(AFTER_PHOTO_SLOTS + 1, AFTER_PHOTO_SLOTS + MAX_PHOTOS_PER_REQUEST)]
    assert [idx for idx, _ in backend.uploads] == placed  # the sixth is not sent
    assert job.after_photos_in_round == placed
    assert job.photo_error == error_text("photo_too_many").in_(job.locale)
    assert not job.can_add_after_photo
