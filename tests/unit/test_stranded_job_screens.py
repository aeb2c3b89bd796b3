"""A high-risk job in a student's hands whose college's last teacher left (stranded20), on the two screens that had
nothing to say of it: the admin's list of jobs no teacher can decide says why it waits and opens it as a job whose
take back moves it on; its owner's request screen says why it waits (the backend's next step), set apart from an
ordinary step."""

from uuid import UUID

from mobile.viewmodels.home import AdminHome
from mobile.views.frame import app_view
from mobile.views.job import job_view
from shared.statuses import RequestStatus
from shared.text import APP_UI, Locale, t
from tests.unit.mobile_fakes import COLLEGE, request_summary, texts
from tests.unit.mobile_screens import assert_accessible, signed_in
from tests.unit.test_mobile_credit import CreditBackend


async def test_the_admins_list_says_why_a_stranded_job_waits_and_its_job_offers_the_take_back() -> None:
    backend = CreditBackend("diagnosing", category="air_conditioning")
    backend.job["teacher_needed"] = True
    backend.undecided = [{**request_summary("แอร์ติดผนัง", "diagnosing"), "id": backend.job["id"],
                          "category_code": "air_conditioning", "college_id": COLLEGE["id"], "why": "teacher_needed",
                          "holder_suspended": False}]
    app = await signed_in("admin", backend)
    tree = app_view(app)
    shown = texts(tree)
    reason = t("undecided_teacher_needed", Locale.TH, college=COLLEGE["name_th"])
    assert reason in shown and "แอร์ติดผนัง" in shown
    assert t("undecided_no_teacher", Locale.TH, college=COLLEGE["name_th"]) not in shown  # its own reason only
    assert_accessible(tree)
    home = app.home
    assert isinstance(home, AdminHome) and home.on_open_job == app.open_job  # a tap opens the job

    await app.open_job(UUID(backend.job["id"]))
    job = app.job
    assert job is not None and RequestStatus.OFFERED in [s.to_status for s in job.steps]  # the take back
    opened = texts(job_view(job, Locale.TH))
    assert APP_UI["teacher_needed_staff"].th in opened
    take_back = next(s for s in job.steps if s.to_status == RequestStatus.OFFERED).label.th
    assert take_back in opened
