"""Dates are Thai dates whatever the database session's TimeZone (Supabase's sessions run in UTC): a request made
early on a Monday in Bangkok (still Sunday in UTC) belongs to that Monday's week on the teacher's chart, and a
portfolio printed then says it was issued on that Monday."""

import json
import random
import uuid
from datetime import UTC, datetime

import psycopg
import pytest
from psycopg.rows import dict_row

from tests.integration.dispatch_area import AppClock, Area, app_and_clock, area  # noqa: F401

# Monday 2 June 2025, 00:30 in Bangkok: still Sunday 1 June in UTC.
MONDAY_EARLY_IN_BANGKOK = datetime(2025, 6, 1, 17, 30, tzinfo=UTC)
SINCE = datetime(2025, 5, 1, tzinfo=UTC)


def _weeks_seen(database_url: str, teacher_id: str, college: uuid.UUID, timezone: str) -> dict[str, int]:
    """The chart's weeks of May–June 2025 for this college, read as the teacher in a session running in `timezone`."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        conn.execute("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true), "
                     "set_config('TimeZone', %s, true)", [json.dumps({"sub": teacher_id, "role": "authenticated"}),
                                                          timezone])
        row = conn.execute("select weekly from public.college_figures(%s, %s)", [college, SINCE]).fetchone()
        conn.rollback()
    assert row is not None
    return {w["week_start"]: w["n"] for w in row["weekly"] if w["week_start"].startswith("2025-0")}


@pytest.mark.parametrize("timezone", ["UTC", "Asia/Bangkok", "America/Los_Angeles"])
def test_a_request_made_early_on_monday_in_bangkok_counts_in_that_week(database_url: str, area: Area,  # noqa: F811
                                                                       timezone: str) -> None:
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        citizen = conn.execute("select private.create_phone_user(%s, true) as id",
                               ["66" + str(uuid.uuid4().int)[:9]]).fetchone()
        assert citizen is not None
        conn.execute(
            """insert into public.repair_requests (citizen_id, idempotency_key, category_code, item, description,
                   lat, lon, contact_phone, pdpa_consent_at, status, college_id, created_at)
               values (%s, gen_random_uuid(), 'appliance', 'พัดลม', 'เปิดไม่ติด', 18.3, 97.9, '+66812345678', now(),
                       'done', %s, %s)""",
            [citizen["id"], area.near, MONDAY_EARLY_IN_BANGKOK])
    teacher_id, _ = area.students["teacher"]
    assert _weeks_seen(database_url, teacher_id, area.near, timezone) == {"2025-06-02": 1}


async def test_the_verify_page_says_the_thai_day_a_portfolio_was_issued(app_and_clock: AppClock,  # noqa: F811
                                                                       area: Area,  # noqa: F811
                                                                       database_url: str) -> None:
    api, _ = app_and_clock
    code = "".join(random.SystemRandom().choices("ABCDEFGHJKMNPQRSTUVWXYZ23456789", k=10))
    summary = {"first_name": "บี", "college_th": "วิทยาลัยทดสอบใกล้", "college_en": "Test near", "term": "2568-1",
               "jobs": 1, "hours": 2, "outcomes": {}}
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("insert into public.portfolio_codes (code, technician_id, term, summary, issued_at) "
                     "values (%s, %s, '2568-1', %s, %s)",
                     [code, area.students["bee"][0], json.dumps(summary), MONDAY_EARLY_IN_BANGKOK])
    page = await api.get(f"/verify/{code}")
    assert page.status_code == 200, page.text
    assert "ออกเมื่อ 2 มิ.ย. 2568" in page.text and "Issued 2 Jun 2025" in page.text
