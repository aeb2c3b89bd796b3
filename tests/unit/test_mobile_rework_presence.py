"""audit20 #1 on the job screen: a teacher's send-back of a high-risk job names them present (the shared rule,
shared.credit.present_by_moving) and says so; an admin's would have to name a teacher, which the app cannot: not
offered (their move for such a job is through the API)."""

from uuid import UUID

import pytest

from mobile.viewmodels.app import Screen
from shared.statuses import RequestStatus
from shared.text import bilingual
from tests.unit.mobile_fakes import WorkBackend
from tests.unit.mobile_screens import signed_in


async def _steps(role: str, category: str) -> dict[RequestStatus, object]:
    backend = WorkBackend()
    backend.job["status"] = "quality_check"
    backend.job["category_code"] = category
    app = await signed_in(role, backend)
    await app.open_job(UUID(backend.job["id"]))
    assert app.screen == Screen.JOB and app.job is not None
    return {step.to_status: step.hint for step in app.job.steps}


@pytest.mark.parametrize("category", ["air_conditioning", "home_electrical", "metalwork"])
async def test_a_teachers_send_back_of_a_high_risk_job_says_they_are_the_teacher_present(category: str) -> None:
    steps = await _steps("supervisor", category)
    assert steps[RequestStatus.REPAIRING] == bilingual("rework_teacher_present_hint")
    assert RequestStatus.DONE in steps


async def test_a_send_back_of_a_low_risk_job_names_nobody() -> None:
    assert (await _steps("supervisor", "appliance"))[RequestStatus.REPAIRING] is None


async def test_an_admin_is_offered_no_send_back_of_a_high_risk_job_only_of_another() -> None:
    assert RequestStatus.REPAIRING not in await _steps("admin", "air_conditioning")
    assert RequestStatus.REPAIRING in await _steps("admin", "appliance")
