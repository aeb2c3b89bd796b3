"""audit26 F4: after photos a failed upload kept on the device (resil25 3, "ส่งรูปอีกครั้ง") belong to the work they
were taken in. The job taken from the student (heard live: its screen closes) and later given to them again is a
new work on it (credit.WORK_BEGAN_SQL): honest QC counts only that work's own after photos, so the ones kept from
before must not be offered for it."""


from mobile.views.frame import app_view
from shared.notifications import LeadLeft
from shared.text import bilingual
from tests.unit.mobile_fakes import jpeg_with_exif, texts
from tests.unit.mobile_screens import technician_job
from tests.unit.test_resil25_bad_network import drop_writes, restore


async def test_photos_kept_from_work_taken_back_are_not_offered_for_the_next_work() -> None:
    work, student, job = await technician_job("repairing")
    drop_writes(work)
    await job.add_after_photos([("a.jpg", jpeg_with_exif())])
    assert job.unsent_after_count == 1  # kept, "send the photos again"
    restore(work)
    job.lead_left(LeadLeft.TAKEN_BACK, kept=False)  # the teacher took the job back: its screen closes
    work.job["status"] = "accepted"  # and gave it to them again: a new work, the screen shows it again
    await job.load()
    assert job.detail is not None and job.can_edit_work
    assert job.unsent_after_count == 0 and job.photo_error is None
    assert bilingual("after_photos_send_again").th not in texts(app_view(student))
