"""The student's portfolio page with a job they help on whose status this app cannot read (missing, or one a newer
backend added): the page draws, the job shows with its status as it came, and no hours form is offered, saying why
(review16a finding 9). The backend always sends the request's status (repair_requests.status is not null)."""

from typing import Any
from uuid import uuid4

from mobile.viewmodels.app import PORTFOLIO_ROUTE
from mobile.viewmodels.credit import PortfolioViewModel
from mobile.views.credit import portfolio_view
from shared.credit import helper_hours_refusal
from shared.statuses import RequestStatus
from shared.text import ERRORS, Locale, status_label, t
from tests.unit.mobile_fakes import texts
from tests.unit.mobile_screens import signed_in
from tests.unit.test_mobile_credit import CreditBackend


def _team_job(**extra: Any) -> dict[str, Any]:
    return {"ref_no": 690001, "item": "พัดลม", "category_code": "appliance", "category_th": "เครื่องใช้ไฟฟ้า",
            "category_en": "Appliances", "lead_name": "มานพ", "task": "ถอดฝา", "approved_hours": None,
            "approved_at": None, "round": 1, "request_id": str(uuid4()), "hours": None, "handed_on": False, **extra}


async def _portfolio(*jobs: dict[str, Any]) -> PortfolioViewModel:
    backend = CreditBackend("repairing")
    backend.team_jobs = list(jobs)
    vm = await signed_in("technician", backend)
    await vm.open_route(PORTFOLIO_ROUTE)
    assert vm.portfolio is not None
    return vm.portfolio


async def test_a_team_job_without_a_status_still_shows_the_portfolio() -> None:
    """TeamJob (shared/credit_wire.py) keeps `status: str = ""`, so an answer without it, or with a status this app
    does not know yet, parses; `hours_refusal` then turned it into RequestStatus and the whole portfolio screen
    failed to draw (ValueError)."""
    folio = await _portfolio(_team_job())
    assert folio.team_jobs and folio.team_jobs[0].status == ""
    assert "พัดลม" in " ".join(texts(portfolio_view(folio, Locale.TH)))


async def test_a_status_newer_than_the_app_shows_as_it_came_and_offers_no_hours_form() -> None:
    folio = await _portfolio(_team_job(status="on_hold"), _team_job(item="หม้อหุงข้าว", status="repairing"))
    words = texts(portfolio_view(folio, Locale.TH))
    assert t("team_job_lead", Locale.TH, name="มานพ", status="on_hold") in words
    assert ERRORS["team_hours_status_unknown"].th in words
    # The job this app can read keeps its form: one hours field and one save button, for it alone.
    assert words.count(t("my_hours_save", Locale.TH)) == 1
    repairing = status_label(RequestStatus.REPAIRING, Locale.TH)
    assert t("team_job_lead", Locale.TH, name="มานพ", status=repairing) in words


def test_the_rule_closes_the_form_on_a_status_it_cannot_read() -> None:
    """shared.credit.helper_hours_refusal: None (unread) is closed, after the reasons that say more."""
    assert helper_hours_refusal(None, approved=False, handed_on=False) == "team_hours_status_unknown"
    assert helper_hours_refusal(None, approved=True, handed_on=False) == "team_not_now"
    assert helper_hours_refusal(None, approved=False, handed_on=True) == "team_handed_on"
    assert helper_hours_refusal(RequestStatus.REPAIRING, approved=False, handed_on=False) is None
    assert ERRORS["team_hours_status_unknown"].th and ERRORS["team_hours_status_unknown"].en
