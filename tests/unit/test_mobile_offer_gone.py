"""A student opens a job offered to them (a notification, a link) once the offer is no longer theirs: the backend
answers 410 with shared.statuses.OfferGone's code (migration 0058), and the job screen says it in words (another
student took it, or it is no longer offered to them), in Thai and English, instead of "not found" with a retry."""

from uuid import UUID

import httpx
import pytest

from mobile.viewmodels.app import AppViewModel, Screen
from mobile.viewmodels.home import TechnicianHome
from mobile.views.frame import app_view
from mobile.views.job import job_view
from shared.notifications import OFFERS_LINK
from shared.statuses import OfferGone
from shared.text import Locale, error_text
from tests.unit.mobile_fakes import NOW, WorkBackend, error_response, texts
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


def offer_notification(backend: WorkBackend) -> None:
    """The student's inbox: one unread "new offer" notification about the backend's job (its link: their offers)."""
    item = {"id": 1, "kind": "offer_new", "title": "งานใหม่ FX-690001", "body": "โทรทัศน์: ตอบรับภายใน 30 นาที",
            "link": OFFERS_LINK, "request_id": backend.job["id"], "created_at": NOW.isoformat(), "read": False}
    backend.overrides[("GET", "/me/notifications")] = lambda r: httpx.Response(
        200, json={"items": [item], "unread_count": 0 if item["read"] else 1, "next_before_id": None})

    def read(_: httpx.Request) -> httpx.Response:
        item["read"] = True
        return httpx.Response(200, json={"unread_count": 0})

    backend.overrides[("POST", "/me/notifications/1/read")] = read


async def tap_the_offer_notification(vm: AppViewModel) -> TechnicianHome:
    await vm.open_inbox()
    assert vm.inbox is not None
    await vm.inbox.open(1)
    home = vm.home
    assert vm.screen == Screen.HOME and isinstance(home, TechnicianHome)
    return home


@pytest.mark.parametrize("gone", list(OfferGone))
async def test_an_offer_notification_whose_offer_is_gone_says_why_on_the_offers(gone: OfferGone) -> None:
    """Tapping an offer's notification opened the student's offers, where the offer was simply missing (taken by
    another student, or ended meanwhile). Now the home says why, in the backend's words (the 410 of GET
    /requests/{id}), in Thai and English."""
    backend = GoneBackend(410, gone.value)
    backend.offers = []  # no longer offered to them
    offer_notification(backend)
    vm = await signed_in("technician", backend)
    home = await tap_the_offer_notification(vm)
    words = error_text(gone.value)
    assert home.notice == words.th and home.notice_is_error
    tree = app_view(vm)
    assert_accessible(tree)
    assert words.th in texts(tree) and not NOT_FOUND & set(texts(tree))
    vm.session.set_locale(Locale.EN)
    assert words.en in texts(app_view(vm))


async def test_an_offer_notification_whose_offer_is_still_there_just_shows_the_offers() -> None:
    backend = GoneBackend(410, OfferGone.TAKEN.value)  # what the detail would say: not asked while the offer is listed
    offer_notification(backend)
    vm = await signed_in("technician", backend)
    home = await tap_the_offer_notification(vm)
    assert [str(o.request_id) for o in home.offers] == [backend.job["id"]]
    assert home.notice is None and backend.calls("GET", f"/requests/{backend.job['id']}") == []


async def test_an_offer_notification_about_a_job_now_theirs_or_unknown_says_nothing() -> None:
    """Not gone (they took it: it is on their jobs; never theirs: 404): the offers show as they are, no notice."""
    backend = GoneBackend(404, "not_found")
    backend.offers = []
    offer_notification(backend)
    vm = await signed_in("technician", backend)
    home = await tap_the_offer_notification(vm)
    assert home.notice is None and home.error is None
    assert len(backend.calls("GET", f"/requests/{backend.job['id']}")) == 1
