"""A teacher's moves on a job under way (audit17a): its student cannot go on, so the teacher takes it back or ends
it as unrepairable; each step's panel says, before it is confirmed, what it does to the student, the owner and
the item."""

from uuid import UUID

from mobile.views.frame import app_view
from shared.text import bilingual
from tests.unit.mobile_fakes import WorkBackend, texts
from tests.unit.mobile_screens import signed_in


async def test_a_teacher_takes_back_a_job_under_way_knowing_what_it_does() -> None:
    backend = WorkBackend()
    backend.job["status"] = "repairing"
    app = await signed_in("supervisor", backend)
    await app.open_job(UUID(backend.job["id"]))
    job = app.job
    assert job is not None
    assert [s.to_status.value for s in job.steps] == ["offered", "unrepairable"]
    take_back = bilingual("take_back_under_way_hint").th
    assert take_back not in texts(app_view(app))  # said on the step's panel, once the teacher opens it
    job.start_step(job.steps[0].to_status)
    assert take_back in texts(app_view(app))
    job.start_step(job.steps[1].to_status)
    assert bilingual("unrepairable_under_way_hint").th in texts(app_view(app))


async def test_an_admin_takes_a_high_risk_job_back_from_the_check_knowing_where_it_goes() -> None:
    """flow25 #4: at a high-risk job's check at a college with no teacher, nobody can be named present at a rework
    (the screen offers none: ux26), so the admin's moves are the approval and the take back, whose panel says where
    the job goes next."""
    backend = WorkBackend()
    backend.job.update(status="quality_check", category_code="air_conditioning")
    app = await signed_in("admin", backend)
    await app.open_job(UUID(backend.job["id"]))
    job = app.job
    assert job is not None
    assert [s.to_status.value for s in job.steps] == ["offered", "done"]
    hint = bilingual("take_back_from_check_hint").th
    assert hint not in texts(app_view(app))
    job.start_step(job.steps[0].to_status)
    assert hint in texts(app_view(app))
