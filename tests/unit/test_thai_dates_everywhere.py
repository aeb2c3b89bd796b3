"""One way to write a day for each reader (shared.text.date_text: 30 พ.ย. 2569 / 30 Nov 2026): the app's screens
(mobile/formatting.py) and the public verify page (backend/routes/credit.py::_verify_html) alike. Found by audit15b."""

from datetime import UTC, date, datetime

from backend.routes.credit import _verify_html
from mobile.formatting import format_date
from shared.text import Locale, date_text


def test_the_verify_page_dates_the_portfolio_for_a_thai_reader_too() -> None:
    """Scanned from the QR on a portfolio PDF, /verify/{code} reads in Thai, then in English; the date was
    "ออกเมื่อ / Issued 2026-11-30". A Thai reader dates in the Buddhist era with Thai month names (30 พ.ย. 2569),
    as the app (mobile/formatting.py) and the printed PDFs do."""
    summary = {"first_name": "วิชัย", "college_th": "วิทยาลัยเทคนิคเชียงใหม่", "college_en": "Chiang Mai Technical College",
               "term": "2569-2", "jobs": 3, "hours": 7.5, "outcomes": {"fixed": 3}}
    issued = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 10:00 in Bangkok
    page = _verify_html("ABCD2345", {"term": "2569-2", "summary": summary, "issued_at": issued})
    issued_line = next(line for line in page.split("<p>") if line.startswith("ออกเมื่อ"))
    assert "2569" in issued_line and "พ.ย." in issued_line, issued_line
    assert "<p>ออกเมื่อ 30 พ.ย. 2569</p>" in page and "<p>Issued 30 Nov 2026</p>" in page, page


def test_the_verify_page_dates_by_the_day_in_bangkok() -> None:
    summary = {"first_name": "วิชัย", "college_th": "ว", "college_en": "C", "term": "2569-2", "jobs": 1, "hours": 1,
               "outcomes": {}}
    late_sunday_utc = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)  # 03:00 on Monday 30 November in Bangkok
    page = _verify_html("ABCD2345", {"term": "2569-2", "summary": summary, "issued_at": late_sunday_utc})
    assert "ออกเมื่อ 30 พ.ย. 2569" in page and "Issued 30 Nov 2026" in page and "29 " not in page


def test_the_app_writes_a_day_the_same_way() -> None:
    moment = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    for locale in Locale:
        assert format_date(moment, locale) == date_text(date(2026, 11, 30), locale).replace(" ", "\u00a0")
    assert date_text(date(2025, 1, 5), Locale.TH) == "5 ม.ค. 2568" and date_text(date(2025, 1, 5), Locale.EN) == (
        "5 Jan 2025")
