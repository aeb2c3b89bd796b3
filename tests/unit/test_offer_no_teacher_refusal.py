"""A student's accept of a high-risk job whose college lost its last teacher since the offer (409 offer_no_teacher,
backend/services/dispatch.py): the home says why in the student's language, and no job screen opens."""

import httpx

from mobile.viewmodels.home import TechnicianHome
from mobile.views.frame import app_view
from shared.text import ERRORS, Locale, t
from tests.unit.mobile_fakes import WorkBackend, error_response, texts
from tests.unit.mobile_screens import click, signed_in


class NoTeacherLeft(WorkBackend):
    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/accept"):
            self.requests.append(request)
            return error_response(409, "offer_no_teacher")
        return super().handle(request)


async def test_an_accept_refused_for_want_of_a_teacher_says_why() -> None:
    backend = NoTeacherLeft()
    app = await signed_in("technician", backend)
    await click(app_view(app), t("accept_offer", Locale.TH))
    home = app.home
    assert isinstance(home, TechnicianHome)
    assert home.busy_offer is None
    assert home.notice == ERRORS["offer_no_teacher"].th
    assert ERRORS["offer_no_teacher"].th in texts(app_view(app))
    assert [r.url.path for r in backend.requests if r.url.path.startswith("/offers/")] == [
        f"/offers/{backend.offers[0]['offer_id']}/accept"]
