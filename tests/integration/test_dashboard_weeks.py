"""The teacher's weekly chart counts Thai weeks: a request made early on a Monday in Bangkok (still Sunday in UTC)
belongs to that Monday's week, whatever the database session's TimeZone (Supabase's sessions run in UTC)."""

import json
import uuid
from datetime import UTC, datetime

import psycopg
import pytest
from psycopg.rows import dict_row

from tests.integration.dispatch_area import Area, area  # noqa: F401

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
