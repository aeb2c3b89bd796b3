"""The portfolio PDF (audit 13, findings 6 and 9): its verify link and QR name the configured public address, never
the caller's `Host`; a term with no approved job stores no verification code; renders are limited per person."""

import io
from collections.abc import AsyncIterator

import httpx
import psycopg
import pypdf
import pytest

from backend.app import create_app
from backend.deps import get_now
from backend.settings import LOCAL_PUBLIC_URL, Settings
from shared.text import error_text
from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, Clock, backdate_acceptance, handed_back_job

PUBLIC_URL = "https://fixit.example.th/api"


async def _approved_job_of_bee(api: httpx.AsyncClient, area: Area, database_url: str) -> tuple[str, str]:
    """bee's job, handed back and approved by the teacher this term: (bee's id, bee's token)."""
    _, rid = await handed_back_job(api, area)
    backdate_acceptance(database_url, rid, 2)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    approved = await api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher))
    assert approved.status_code == 200, approved.text
    bee, phone = area.students["bee"]
    token, _ = await sign_in(api, phone)
    return bee, token


def _codes(database_url: str, student: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select count(*) from public.portfolio_codes where technician_id = %s",
                           [student]).fetchone()
    assert row is not None
    return int(row[0])


def _text(pdf: httpx.Response) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)


@pytest.fixture
async def published(settings: Settings) -> AsyncIterator[AppClock]:
    """The app with a public address configured and a tight per-person PDF allowance (2 an hour)."""
    clock = Clock()
    app = create_app(settings.model_copy(update={"public_url": PUBLIC_URL, "portfolio_pdfs_per_person_per_hour": 2}))
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


async def test_printing_empty_portfolios_of_any_term_does_not_store_code_after_code(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """Audit 8 kept one code per portfolio printed again; yet a portfolio of any of the 400 terms TERM_RE takes
    (2500-1 … 2699-2) was "new", even with no job in it, so each GET /portfolio/{me}/pdf?term=… rendered a PDF (the
    Thai font, a QR) and stored a code row, with no limit; a change of display name started the series again. A
    student's script added rows and burnt CPU at will. A term with no approved job has nothing to verify: 409
    `portfolio_empty`, nothing stored."""
    api, _ = app_and_clock
    student, phone = area.students["far1"]
    token, _ = await sign_in(api, phone)
    terms = [f"{year}-{part}" for year in range(2540, 2555) for part in (1, 2)]
    answers = [(await api.get(f"/portfolio/{student}/pdf", params={"term": term}, headers=bearer(token)))
               for term in terms]
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select count(*) from public.portfolio_codes where technician_id = %s "
                           "and term = any(%s)", [student, terms]).fetchone()
    assert row is not None
    assert row[0] < len(terms), f"{row[0]} codes stored for {len(terms)} empty portfolios"
    assert row[0] == 0 and {(a.status_code, a.json()["error"]["code"]) for a in answers} == {
        (409, "portfolio_empty")}
    assert answers[0].json()["error"]["message_th"] == error_text("portfolio_empty").th


async def test_portfolio_pdfs_are_limited_per_person_and_a_refused_one_stores_no_code(
    published: AppClock, area: Area, database_url: str
) -> None:
    """Each render costs the Thai font, a QR and the photos; a rename makes the portfolio "new" (a new code). Past
    the allowance: 429 with its code, a Retry-After, and no code stored for the refused one."""
    api, _ = published
    student, token = await _approved_job_of_bee(api, area, database_url)
    first = await api.get(f"/portfolio/{student}/pdf", headers=bearer(token))
    assert first.status_code == 200, first.text
    assert (await api.patch("/me", json={"display_name": "บีบี เก่งมาก"}, headers=bearer(token))).status_code == 200
    second = await api.get(f"/portfolio/{student}/pdf", headers=bearer(token))
    assert second.status_code == 200, second.text
    assert _codes(database_url, student) == 2
    assert (await api.patch("/me", json={"display_name": "บีบีบี เก่งที่สุด"}, headers=bearer(token))).status_code == 200
    third = await api.get(f"/portfolio/{student}/pdf", headers=bearer(token))
    assert third.status_code == 429, third.status_code
    assert third.json()["error"]["code"] == "portfolio_pdf_rate_limited" and int(third.headers["retry-after"]) > 0
    assert "แฟ้มผลงาน" in third.json()["error"]["message_th"]
    assert _codes(database_url, student) == 2  # the refused render stored nothing
    # The JSON portfolio (what the app's screen reads) is not limited by the PDF's allowance.
    assert (await api.get(f"/portfolio/{student}", headers=bearer(token))).status_code == 200
