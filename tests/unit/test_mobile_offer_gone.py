"""A student opens a job offered to them (a notification, a link) once the offer is no longer theirs: the backend
answers 410 with shared.statuses.OfferGone's code (migration 0058), and the job screen says it in words (another
student took it, or it is no longer offered to them), in Thai and English, instead of "not found" with a retry."""

from uuid import UUID

import httpx
import pytest

from mobile.viewmodels.app import Screen
from mobile.viewmodels.home import TechnicianHome
from mobile.views.job import job_view
from shared.statuses import OfferGone
from shared.text import Locale, error_text
from tests.unit.mobile_fakes import WorkBackend, error_response, texts
from tests.unit.mobile_screens import assert_accessible, signed_in
from tests.unit.test_mobile_credit import OffTheTeamBackend

NOT_FOUND = {"ไม่พบข้อมูลที่ต้องการ", "ลองใหม่", "Not found", "Try again"}


class GoneBackend(WorkBackend):
    """The job was offered to the signed-in student; `gone` is how the backend answers its detail now."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__()
        self.jobs = []  # not theirs: it was only offered to them
        self.answer = (status, code)

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith(f"/requests/{self.job['id']}"):
            self.requests.append(request)
            return error_response(*self.answer)
        return super().handle(request)


@pytest.mark.parametrize("gone", list(OfferGone))
async def test_a_job_whose_offer_is_gone_says_why_on_the_job_screen(gone: OfferGone) -> None:
    backend = GoneBackend(410, gone.value)
    vm = await signed_in("technician", backend)
    await vm.open_route(f"/jobs/{backend.job['id']}")
    job = vm.job
    assert vm.screen == Screen.JOB and job is not None
    assert job.detail is None and job.error is None
    words = error_text(gone.value)
    assert job.closed_text == words.th
    tree = job_view(job, Locale.TH)
    assert_accessible(tree)
    shown = texts(tree)
    assert words.th in shown and not NOT_FOUND & set(shown) and "โทรทัศน์" not in shown, shown
    await job.load()  # the screen's refresh: the same words
    assert job.closed_text == words.th and job.error is None
    vm.session.set_locale(Locale.EN)
    assert words.en in texts(job_view(job, Locale.EN))


async def test_a_job_never_offered_to_them_is_still_not_found() -> None:
    backend = GoneBackend(404, "not_found")
    vm = await signed_in("technician", backend)
    await vm.open_job(UUID(backend.job["id"]))
    job = vm.job
    assert job is not None and job.closed_text is None
    assert job.error == "ไม่พบข้อมูลที่ต้องการ"


class OnceOfferedHelperBackend(OffTheTeamBackend):
    """A helper taken off the team who had also been offered the job before its lead took it: the backend tells them
    the offer is gone (410), as it tells anyone it was offered to."""

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.off_team and request.url.path.startswith(f"/requests/{self.job['id']}"):
            self.requests.append(request)
            return error_response(410, OfferGone.TAKEN.value)
        return super().handle(request)


async def test_a_helper_taken_off_the_team_is_told_that_whatever_offer_they_once_had() -> None:
    """The screen knew them as a helper: their place on the team is what changed, not an offer they no longer wait
    for."""
    backend = OnceOfferedHelperBackend()
    vm = await signed_in("technician", backend)
    home = vm.home
    assert isinstance(home, TechnicianHome)
    await home.open_job(home.jobs[0].id)
    job = vm.job
    assert job is not None and job.helping
    backend.off_team = True
    await job.load()
    assert job.detail is None and job.error is None
    assert job.closed_text is not None and job.closed_text.startswith("คุณไม่ได้อยู่ในทีมของงานนี้แล้ว")
