"""Session 22's last findings on the phone screens (look22, /tmp/p22/look22-findings.md), each as the view shows it:
the portfolio names its term once, one name for a request no college has taken, the notification kinds grouped by
topic for the reader's role, and the send-on picker read again without losing the admin's place."""

import flet as ft
import pytest

from mobile.views.credit import portfolio_view
from shared.text import Locale, t
from tests.unit.mobile_fakes import find, texts
from tests.unit.mobile_screens import assert_accessible, signed_in
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

