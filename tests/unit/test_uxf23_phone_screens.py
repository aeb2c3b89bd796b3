"""Session 22's last findings on the phone screens (look22, /tmp/p22/look22-findings.md), each as the view shows it:
the portfolio names its term once, one name for a request no college has taken, the notification kinds grouped by
topic for the reader's role, and the send-on picker read again without losing the admin's place."""

import flet as ft
import pytest

from mobile.viewmodels.home import AdminHome
from mobile.views.admin import admin_home_view
from mobile.views.credit import portfolio_view
from shared.notifications import TEXTS, Kind
from shared.statuses import RequestStatus
from shared.text import APP_UI, STATUS_LABELS, Bilingual, Locale, next_step, t
from tests.unit.mobile_fakes import find, texts
from tests.unit.mobile_screens import assert_accessible, signed_in
from tests.unit.test_mobile_admin import AdminBackend
from tests.unit.test_uxd22_phone_screens import TermsBackend

TH, EN = Locale.TH, Locale.EN


# --- 2: the portfolio's term, said once ---------------------------------------------------------------------------

@pytest.mark.parametrize("locale", [TH, EN])
async def test_the_portfolio_names_its_term_once_in_its_picker_not_again_in_the_title(locale: Locale) -> None:
    """The title was "แฟ้มผลงาน ภาคเรียน 2569-2" above a picker showing "2569-2 (ภาคเรียนนี้)": the term twice, the
    title wrapped to two lines at 360 px. Now the title is the screen's name and the picker alone says the term, as
    it changes with a pick."""
    app = await signed_in("technician", TermsBackend("done"), locale)
    await app.open_portfolio()
    folio = app.portfolio
    assert folio is not None
    tree = portfolio_view(folio, locale)
    assert_accessible(tree)
    shown = texts(tree)
    assert t("portfolio_title", locale) in shown
    assert not [s for s in shown if "2569-2" in s]  # only the picker (its value and options) holds the term
    (picker,) = find(tree, ft.Dropdown)
    assert picker.value == "2569-2"
    await folio.show_term("2569-1")
    tree = portfolio_view(folio, locale)
    assert not [s for s in texts(tree) if "2569-1" in s]
    (picker,) = find(tree, ft.Dropdown)
    assert picker.value == "2569-1"



# --- 3: one name for a request no college has taken ----------------------------------------------------------------

def _no_centre_names() -> list[Bilingual]:
    """Every text that names the no_centre state: the admin's heading and empty list, the notification kind's label
    on the account screen, the message the admins get, the citizen's next step."""
    return [APP_UI["waiting_title"], APP_UI["waiting_empty"], APP_UI["kind_no_centre"],
            TEXTS[Kind.NO_CENTRE][0], next_step(RequestStatus.NO_CENTRE, "no_centre")]


@pytest.mark.parametrize("locale", [TH, EN])
def test_the_state_no_college_has_taken_is_named_for_a_college_everywhere(locale: Locale) -> None:
    """The admin's home said "Waiting for a centre" ("รอศูนย์รับงาน") above each request's chip "Waiting for a
    college" ("รอวิทยาลัยรับงาน"); the kind, the admins' message and the citizen's next step said "centre" too. One
    thing, one name: the status's own, a college."""
    assert APP_UI["waiting_title"] is STATUS_LABELS[RequestStatus.NO_CENTRE]  # the heading is the chip's words
    college, centre = ("วิทยาลัย", "ศูนย์") if locale == TH else ("college", "centre")
    for text in _no_centre_names():
        words = text.in_(locale)
        assert college in words.lower() and centre not in words.lower(), words


@pytest.mark.parametrize("locale", [TH, EN])
async def test_the_admins_waiting_list_heading_says_what_each_requests_chip_says(locale: Locale) -> None:
    app = await signed_in("admin", AdminBackend(), locale)
    home = app.home
    assert isinstance(home, AdminHome) and home.waiting
    shown = texts(admin_home_view(home, locale))
    name = STATUS_LABELS[RequestStatus.NO_CENTRE].in_(locale)
    assert shown.count(name) == 1 + len(home.waiting)  # the heading, then each card's chip
    assert not [s for s in shown if isinstance(s, str) and ("ศูนย์" in s or "centre" in s.lower())]
