"""review15b: a hostile review of this session's privacy and resend code (migrations 0060, 0061; the 409 replay).

Each test is a finding that fails today, marked strict xfail so the branch stays green; the fix removes the mark.
Real PostgreSQL, the app's routes through httpx."""

import httpx
import pytest

from tests.helpers import bearer
from tests.integration.builders import jpeg_with_gps
from tests.integration.dispatch_area import (
    Area,
    accepted_job,
)


@pytest.mark.xfail(strict=True, reason="review15b: after 0060 a student's after photo on a job the owner cancelled "
                                       "is answered 404 not_found instead of 409 work_closed (the report's answer)")
async def test_an_after_photo_on_a_cancelled_job_is_refused_as_closed_not_as_unknown(
    api: httpx.AsyncClient, area: Area,
) -> None:
    citizen, ace, rid = await accepted_job(api, area, "ace")
    cancelled = await api.post(f"/requests/{rid}/cancel", json={"note": "ซ่อมเองได้แล้ว"}, headers=bearer(citizen))
    assert cancelled.status_code == 200, cancelled.text
    # The student's screen still shows the job (nothing told them yet): the report's save says why it is refused.
    report = await api.put(f"/requests/{rid}/report", json={"hours": 1, "notes": "ตรวจสอบแล้ว", "parts": []},
                           headers=bearer(ace))
    assert report.status_code == 409, report.text
    assert report.json()["error"]["code"] == "work_closed"
    # The after photo, from the same screen, should be refused the same way (it was before 0060).
    photo = {"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}
    uploaded = await api.put(f"/requests/{rid}/after-photos/0", files=photo, headers=bearer(ace))
    assert uploaded.status_code == 409, uploaded.text
    assert uploaded.json()["error"]["code"] == "work_closed"

