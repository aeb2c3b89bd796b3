"""review14: a hostile review of session 14's new code. Each test is a finding, failing today (strict xfail) until
it is fixed. Real PostgreSQL."""

import httpx
import pytest

from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import Area, accepted_job, step
from tests.integration.test_helper_reads_job import data_api_reads, jobs_of


@pytest.mark.xfail(strict=True, reason="review14: a helper keeps reading a job the teacher took back from its lead "
                                       "(offered again, no lead): the citizen's phone and address included")
async def test_a_helper_of_a_lead_the_job_was_taken_from_reads_it_no_more(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    _, ace, rid = await accepted_job(api, area, "ace")
    joined = await api.post(f"/requests/{rid}/team", json={"technician_id": area.students["bee"][0],
                                                           "task": "ช่วยถอดฝา"}, headers=bearer(ace))
    assert joined.status_code == 204, joined.text
    bee, _ = await sign_in(api, area.students["bee"][1])
    assert (await api.get(f"/requests/{rid}", headers=bearer(bee))).status_code == 200
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    taken = await step(api, teacher, rid, "offered")
    assert taken.status_code == 200, taken.text
    assert taken.json()["status"] == "offered" and taken.json()["technician_id"] is None
    # The lead it was taken from reads it no more (0048's handed_on_at) ...
    assert (await api.get(f"/requests/{rid}", headers=bearer(ace))).status_code == 404
    # ... nor does the helper they brought: the job has no lead, it is out on offer again.
    seen = await api.get(f"/requests/{rid}", headers=bearer(bee))
    assert seen.status_code == 404, seen.json().get("contact_phone")
    assert rid not in await jobs_of(api, bee)
    assert data_api_reads(database_url, area.students["bee"][0], rid)["request"] == 0
