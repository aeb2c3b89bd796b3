"""The portfolio PDF (audit 13, finding 6): its verify link and QR name the configured public address, never the
caller's `Host`."""

import io
from collections.abc import AsyncIterator

import httpx
import psycopg
import pypdf
import pytest

from backend.app import create_app
from backend.deps import get_now
from backend.settings import LOCAL_PUBLIC_URL, Settings
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, Clock, handed_back_job

PUBLIC_URL = "https://fixit.example.th/api"


def _backdate_acceptance(database_url: str, rid: str, hours: float) -> None:
    """The job was in hand for `hours` (a test cannot wait hours for a real timeline)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.status_events set created_at = created_at - make_interval(secs => %s) "
                     "where request_id = %s and to_status = 'accepted'", [hours * 3600, rid])


async def _approved_job_of_bee(api: httpx.AsyncClient, area: Area, database_url: str) -> tuple[str, str]:
    """bee's job, handed back and approved by the teacher this term: (bee's id, bee's token)."""
    _, rid = await handed_back_job(api, area)
    _backdate_acceptance(database_url, rid, 2)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    approved = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    assert approved.status_code == 200, approved.text
    bee, phone = area.students["bee"]
    token, _ = await sign_in(api, phone)
    return bee, token


def _text(pdf: httpx.Response) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)


@pytest.fixture
async def published(settings: Settings) -> AsyncIterator[AppClock]:
    """The app with a public address configured."""
    clock = Clock()
    app = create_app(settings.model_copy(update={"public_url": PUBLIC_URL}))
    app.dependency_overrides[get_now] = clock
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://fixit.test"
    ) as client:
        yield client, clock


async def test_the_portfolio_verify_link_is_not_the_callers_host(app_and_clock: AppClock, area: Area,
                                                                 database_url: str) -> None:
    """GET /portfolio/{id}/pdf printed `request.url_for("verify_page")`: its host is whatever the caller's `Host`
    header says. A student asking with `Host: fixit-verify.example` got a genuine Fixit PDF whose printed link and
    QR send the employer to a site of the student's, which "verifies" whatever they like (and behind a proxy that
    does not pass the public host, every PDF printed the backend's internal address)."""
    api, _ = app_and_clock
    student, token = await _approved_job_of_bee(api, area, database_url)
    pdf = await api.get(f"/portfolio/{student}/pdf", headers={**bearer(token), "Host": "fixit-verify.example"})
    assert pdf.status_code == 200, pdf.text
    text = _text(pdf)
    assert pdf.headers["x-verification-code"] in text
    assert "fixit-verify.example" not in text
    assert LOCAL_PUBLIC_URL in text  # no public address configured (development): the local one


async def test_the_verify_link_is_the_configured_public_address(published: AppClock, area: Area,
                                                               database_url: str) -> None:
    api, _ = published
    student, token = await _approved_job_of_bee(api, area, database_url)
    pdf = await api.get(f"/portfolio/{student}/pdf", headers={**bearer(token), "Host": "fixit-verify.example"})
    assert pdf.status_code == 200, pdf.text
    text = _text(pdf)
    assert "fixit-verify.example" not in text and PUBLIC_URL in text.replace("\n", "")
