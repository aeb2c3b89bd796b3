"""A student their college switched off taking jobs: the home says so plainly instead of "no offers right now",
in Thai and English, and picks the change up on a refresh while the app is open."""

from typing import Any

import httpx

from mobile.viewmodels.home import TechnicianHome
from mobile.views.frame import app_view
from tests.unit.mobile_fakes import COLLEGE, FakeBackend, texts
from tests.unit.mobile_screens import assert_accessible, signed_in

OFF_TH = (f"{COLLEGE['name_th']} ปิดการรับงานของคุณไว้ จะไม่มีงานเสนอเข้ามาจนกว่าครูจะเปิดให้อีกครั้ง "
          "ส่วนคำขอซ่อมของคุณเอง งานที่เคยทำ และแฟ้มผลงาน ยังใช้ได้ตามปกติ")
OFF_EN = (f"{COLLEGE['name_en']} has switched you off taking jobs: no offers come until a teacher switches you back "
          "on. Your own repair requests, past jobs and portfolio work as before.")
NO_OFFERS_TH = "ยังไม่มีงานเสนอเข้ามา"


class Roster(FakeBackend):
    """The fake backend's profiles with the roster flag GET /me and the sign-in carry."""

    def __init__(self, takes_jobs: bool) -> None:
        super().__init__()
        self.takes_jobs = takes_jobs
        self.offers = []  # the backend offers a switched-off student nothing

    def profile(self, role: str) -> dict[str, Any]:
        return {**super().profile(role), "takes_jobs": self.takes_jobs}


async def test_a_switched_off_student_s_home_says_why_no_offers_come() -> None:
    backend = Roster(takes_jobs=False)
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome)
    assert home.off_roster == OFF_TH
    tree = app_view(app)
    shown = texts(tree)
    assert OFF_TH in shown and NO_OFFERS_TH not in shown
    assert_accessible(tree)

    await app.toggle_locale()
    assert home.off_roster == OFF_EN and OFF_EN in texts(app_view(app))


async def test_the_home_picks_up_a_switch_off_and_back_on_at_its_next_refresh() -> None:
    backend = Roster(takes_jobs=True)
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome)
    assert home.off_roster is None and NO_OFFERS_TH in texts(app_view(app))

    backend.takes_jobs = False  # the teacher switches the student off while the app is open
    await home.load()
    assert home.off_roster == OFF_TH and OFF_TH in texts(app_view(app))
    assert app.session.profile is not None and app.session.profile.display_name == "วิชัย"  # the rest kept

    backend.takes_jobs = True
    await home.load()
    assert home.off_roster is None and OFF_TH not in texts(app_view(app))


async def test_a_refresh_of_the_student_s_home_asks_each_list_once_and_not_the_profile() -> None:
    """The roster flag comes with the offers feed (its X-Takes-Jobs header): a refresh is the home's four lists,
    with no GET /me beside them."""
    backend = Roster(takes_jobs=True)
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome)
    backend.requests.clear()
    backend.takes_jobs = False
    await home.load()
    assert sorted(backend.paths()) == ["GET /categories", "GET /requests/mine", "GET /technician/jobs",
                                       "GET /technician/offers"]
    assert home.off_roster == OFF_TH  # and the switch-off is still seen


async def test_a_feed_without_the_header_leaves_the_flag_as_it_was() -> None:
    """An older backend that does not send X-Takes-Jobs: the home keeps what the sign-in said."""
    backend = Roster(takes_jobs=False)
    app = await signed_in("technician", backend)
    home = app.home
    assert isinstance(home, TechnicianHome)
    assert home.off_roster == OFF_TH
    backend.overrides[("GET", "/technician/offers")] = lambda _: httpx.Response(200, json=[])
    await home.load()
    assert home.off_roster == OFF_TH and not backend.calls("GET", "/me")
