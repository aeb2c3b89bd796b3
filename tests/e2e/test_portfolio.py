"""Issue 14 end to end on a real backend process: a team job with two students → the teacher approves their hours →
both portfolios show it; the PDF downloads with Thai text, and its verification code checks out on the public page
in Chromium (no sign-in, no citizen's data)."""

import io
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pypdf
import pytest
from playwright.sync_api import Browser, expect
from psycopg.rows import dict_row

from backend.settings import PROJECT_ROOT
from tests.e2e.conftest import E2E_LIMITS, OUTPUT_DIR, TIMEOUT, free_port, wait_ready
from tests.helpers import bearer, fresh_phone
from tests.integration.builders import draft, jpeg_with_gps
from tests.integration.dispatch_area import _college, _student

# Pai, Mae Hong Son: no seeded college and none of the integration tests' colleges reach it.
PAI = (19.3590, 98.4400)


@pytest.fixture(scope="module")
def backend_url(database_url: str) -> Iterator[str]:
    """The backend as its own process (uvicorn), as deployed."""
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="fixit-portfolio-")
    env = {**os.environ, "DATABASE_URL": database_url, "FIXIT_JWT_SECRET": "e2e-" + "p" * 40,
           "FIXIT_DEV_MODE": "true", "FIXIT_DATA_DIR": data_dir, "PYTHONUNBUFFERED": "1", **E2E_LIMITS}
    OUTPUT_DIR.mkdir(exist_ok=True)
    log_path = OUTPUT_DIR / "e2e-portfolio.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "backend.asgi:app", "--host", "127.0.0.1",
                                 "--port", str(port)], cwd=PROJECT_ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        wait_ready(proc, f"http://127.0.0.1:{port}/health", log_path=log_path)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


def _sign_in(api: httpx.Client, phone: str) -> str:
    sent = api.post("/auth/otp/request", json={"phone": phone})
    assert sent.status_code == 200, sent.text
    verified = api.post("/auth/otp/verify", json={"phone": phone, "code": sent.json()["dev_code"]})
    assert verified.status_code == 200, verified.text
    return str(verified.json()["access_token"])


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def test_a_team_job_lands_in_both_portfolios_and_the_pdf_verifies(
    backend_url: str, database_url: str, browser: Browser
) -> None:
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        college = _college(conn, "ปาย", PAI[0] + 0.01, PAI[1], 20)
        lead_id, lead_phone = _student(conn, college, "มานพ ขยันซ่อม", {"electrical_appliance": 3})
        helper_id, helper_phone = _student(conn, college, "ดวงใจ ช่วยงาน", {"electrical_appliance": 2})
        _, teacher_phone = _student(conn, college, "ครูปาย ใจดี", {}, role="supervisor")
    try:
        with httpx.Client(base_url=backend_url, timeout=30) as api:
            citizen = _sign_in(api, fresh_phone())
            created = _ok(api.post("/requests", json=draft(lat=PAI[0], lon=PAI[1]), headers=bearer(citizen)), 201)
            rid = created["id"]
            teacher, lead, helper = (_sign_in(api, p) for p in (teacher_phone, lead_phone, helper_phone))
            _ok(api.post(f"/requests/{rid}/assign", json={"technician_id": lead_id}, headers=bearer(teacher)))
            _ok(api.post(f"/requests/{rid}/team", json={"technician_id": helper_id, "task": "ทดสอบวงจร"},
                         headers=bearer(lead)), 204)
            _ok(api.put(f"/requests/{rid}/team/me", json={"hours": 1.0}, headers=bearer(helper)), 204)
            for to in ("diagnosing", "repairing"):
                _ok(api.post(f"/requests/{rid}/status", json={"to_status": to}, headers=bearer(lead)))
            _ok(api.put(f"/requests/{rid}/after-photos/0", headers=bearer(lead),
                        files={"file": ("after.jpg", jpeg_with_gps((800, 600)), "image/jpeg")}), 201)
            _ok(api.put(f"/requests/{rid}/report", headers=bearer(lead),
                        json={"hours": 2.0, "notes": "เปลี่ยนสวิตช์ ทดสอบแล้วใช้งานได้", "parts": []}))
            for token, to in ((lead, "quality_check"), (teacher, "done")):
                _ok(api.post(f"/requests/{rid}/status", json={"to_status": to}, headers=bearer(token)))
            with psycopg.connect(database_url, autocommit=True) as conn:  # in hand for 3 hours, not seconds
                conn.execute("update public.status_events set created_at = created_at - interval '3 hours' "
                             "where request_id = %s and to_status = 'accepted'", [rid])
            _ok(api.post(f"/requests/{rid}/credit/approve", json={}, headers=bearer(teacher)))

            for student, token, role, hours in ((lead_id, lead, "lead", 2.0), (helper_id, helper, "helper", 1.0)):
                folio = _ok(api.get(f"/portfolio/{student}", headers=bearer(token)))
                assert [(j["request_id"], j["role"], j["hours"]) for j in folio["jobs"]] == [(rid, role, hours)]

            pdf = api.get(f"/portfolio/{helper_id}/pdf", headers=bearer(helper))
            assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
            text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
            assert "แฟ้มผลงานฝึกประสบการณ์งานซ่อม" in text and "ดวงใจ ช่วยงาน" in text and "ผู้ช่วย" in text
            code = pdf.headers["x-verification-code"]
            assert code in text and f"{backend_url}/verify/{code}" in text.replace("\n", "")

        context = browser.new_context(viewport={"width": 360, "height": 640}, locale="th-TH")
        try:
            page = context.new_page()
            page.goto(f"{backend_url}/verify/{code}")
            expect(page.get_by_role("heading", name="แฟ้มผลงานนี้ออกโดยระบบ Fixit", exact=False)).to_be_visible(
                timeout=TIMEOUT)
            expect(page.get_by_text("ดวงใจ", exact=True)).to_be_visible(timeout=TIMEOUT)
            expect(page.get_by_text("วิทยาลัยทดสอบปาย", exact=False)).to_be_visible(timeout=TIMEOUT)
            body = page.locator("body").inner_text()
            assert "ช่วยงาน" not in body and created["contact_phone"] not in body  # first name only; no citizen
            page.goto(f"{backend_url}/verify/ABCDEFGHJK")
            expect(page.get_by_role("heading", name="ไม่พบรหัสตรวจสอบ", exact=False)).to_be_visible(timeout=TIMEOUT)
        finally:
            context.close()
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("update public.colleges set is_active = false where id = %s", [college])
