from dataclasses import replace
from datetime import UTC, datetime, timedelta

from shared.aftercare import may_reopen
from shared.request_rules import RequestDraft, check_draft
from shared.text import ERRORS
from shared.work import check_report, parts_total

GOOD = RequestDraft(
    category_code="appliance", item="พัดลม", brand="Hatari", description="เปิดไม่ติดเลย", lat=13.75, lon=100.5,
    address="", service_place="centre", preferred_days=["sat"], contact_phone="081-234-5678", pdpa_consent=True,
)


def test_a_complete_draft_passes() -> None:
    assert check_draft(GOOD, {"appliance"}).ok


def test_each_problem_is_reported_on_its_field_with_a_known_message() -> None:
    bad = replace(GOOD, category_code="", item=" ", brand="x" * 81, description="พัง", lat=1.35, lon=103.8,
                  address="x" * 501, service_place="moon", preferred_days=["someday"], contact_phone="12",
                  pdpa_consent=False)
    problems = check_draft(bad, {"appliance"}).by_field
    assert set(problems) == {"category_code", "item", "brand", "description", "location", "address",
                             "service_place", "preferred_days", "contact_phone", "pdpa_consent"}
    assert all(code in ERRORS for code in problems.values())
    assert problems["location"] == "request_location_outside_thailand"


def test_location_is_required_and_unknown_categories_refused() -> None:
    assert check_draft(replace(GOOD, lat=None), None).by_field == {"location": "request_location_required"}
    assert "category_code" in check_draft(GOOD, {"plumbing"}).by_field


def test_reopen_window_is_seven_days() -> None:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    assert may_reopen(now - timedelta(days=7), now)
    assert not may_reopen(now - timedelta(days=7, seconds=1), now)
    assert not may_reopen(None, now)


def test_work_reports() -> None:
    parts = [{"name": "สายไฟ", "qty": 2, "cost_baht": 12.5}, {"name": "ฟิวส์", "qty": 1, "cost_baht": 5}]
    assert check_report(2.5, "", parts) is None and parts_total(parts) == 30.0
    assert check_report(-1, "", []) == "report_hours_invalid"
    assert check_report(1, "", [{"name": "", "qty": 1, "cost_baht": 1}]) == "report_part_invalid"
    assert check_report(1, "", [{"name": "x", "qty": 0, "cost_baht": 1}]) == "report_part_invalid"
    assert check_report(1, "x" * 2001, []) == "report_too_long"
