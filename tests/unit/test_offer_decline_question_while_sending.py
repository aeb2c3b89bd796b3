"""A student's decline, asked first (a decline is final), keeps its question on the card while it is sent and says
so ("กำลังส่ง…" over a progress bar, read out), as the parts' and the handover's questions do (review16a finding 4)."""

import flet as ft
import httpx

from mobile.viewmodels.app import AppViewModel
from mobile.viewmodels.home import TechnicianHome
from mobile.views.frame import app_view
from shared.text import Locale, t
from tests.unit.mobile_fakes import WorkBackend, error_response, find, texts
from tests.unit.mobile_screens import click, signed_in


class DeclineSeen(WorkBackend):
    """Keeps the home as drawn while an offer's decline is on its way (refused with `refuse`, when set)."""

    def __init__(self, refuse: str | None = None) -> None:
        super().__init__()
        self.app: AppViewModel | None = None
        self.seen: list[ft.Control] = []
        self.refuse = refuse

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/decline") and self.app is not None:
            self.seen.append(app_view(self.app))
            if self.refuse is not None:
                self.requests.append(request)
                return error_response(409, self.refuse)
        return super().handle(request)


def _read_out(tree: ft.Control) -> list[str]:
    return [w for s in find(tree, ft.Semantics, lambda s: bool(s.live_region)) for w in texts(s)]


async def test_the_decline_question_says_it_is_sending() -> None:
    """Student home, "ปฏิเสธ" → "ยืนยันปฏิเสธ": `_answer_offer` set decline_asked = None before the call, so while the
    decline was on its way the card showed "รับงาน"/"ปฏิเสธ" again, greyed, with nothing read out; the confirm step's
    `sending` / `sending_text` in _offer_buttons was never drawn."""
    backend = DeclineSeen()
    app = await signed_in("technician", backend)
    backend.app = app
    await click(app_view(app), t("decline_offer", Locale.TH))
    await click(app_view(app), "ยืนยันปฏิเสธ")
    (while_sending,) = backend.seen
    assert "กำลังส่ง…" in texts(while_sending)
    assert "กำลังส่ง…" in _read_out(while_sending)
    assert t("accept_offer", Locale.TH) not in texts(while_sending)
    home = app.home
    assert isinstance(home, TechnicianHome)
    assert home.decline_asked is None and home.busy_offer is None  # answered: the question went with the offer
    assert home.notice == t("offer_declined", Locale.TH)


async def test_a_refused_decline_closes_its_question_and_says_why() -> None:
    """The decline refused (the offer was taken meanwhile): the question goes, the refusal shows at the top of the
    home as an accept's does, and nothing is left sending."""
    backend = DeclineSeen(refuse="offer_not_open")
    app = await signed_in("technician", backend)
    backend.app = app
    await click(app_view(app), t("decline_offer", Locale.TH))
    await click(app_view(app), "ยืนยันปฏิเสธ")
    home = app.home
    assert isinstance(home, TechnicianHome)
    assert home.decline_asked is None and home.busy_offer is None
    assert home.notice is not None and home.notice in texts(app_view(app))
    assert "กำลังส่ง…" not in texts(app_view(app))
