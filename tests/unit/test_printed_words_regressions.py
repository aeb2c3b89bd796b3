"""What Fixit prints or serves outside the app says things as the app does (audit18d's findings 9 and 16): the
portfolio and ledger PDFs date a day as the app and the verify page do, and the public verify page takes its words
from shared/ in both languages."""

import io
import uuid
from datetime import UTC, datetime, timedelta

import pypdf
import pytest

from backend.services.ledger_pdf import ledger_pdf
from backend.services.portfolio_pdf import portfolio_pdf
from mobile.formatting import format_date, format_datetime
from shared.text import Locale

APPROVED = datetime(2026, 11, 29, 18, 30, tzinfo=UTC)  # 30 Nov 01:30 in Bangkok: the Thai day, not UTC's 29th
PRINTED = datetime(2026, 11, 30, 7, 5, tzinfo=UTC)  # 14:05 in Bangkok


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _app(text: str) -> str:
    return text.replace("\u00a0", " ")  # the app keeps a date whole on a line; on paper it is plain spaces


def _ledger(locale: Locale) -> str:
    job = {"reference": "FX-690001", "approved_at": APPROVED, "category_name_th": "พัดลม", "category_name_en": "Fans",
           "item": "พัดลม", "hours": 2.5}
    return _text(ledger_pdf("วิทยาลัยทดสอบ", {"display_name": "เอ เก่งมาก", "jobs": [job]}, PRINTED, locale))


def _portfolio(locale: Locale) -> str:
    job = {"request_id": uuid.uuid4(), "ref_no": 690001, "approved_at": APPROVED, "item": "พัดลม", "outcome": "fixed",
           "role": "lead", "hours": 2.5, "approved_by": "ครูสมศรี", "photos": []}
    folio = {"first_name": "เอ", "display_name": "เอ เก่งมาก", "college_th": "วิทยาลัยทดสอบ", "college_en": "Test College",
             "term": "2569-2", "jobs": [job], "job_count": 1, "hours": 2.5}
    return _text(portfolio_pdf(folio, "ABCD2345", "https://fixit.example/verify/ABCD2345", PRINTED, locale))


@pytest.mark.parametrize("locale", list(Locale))
@pytest.mark.parametrize("printed", [_ledger, _portfolio], ids=["ledger", "portfolio"])
def test_the_printed_portfolio_dates_a_day_as_the_app_does(locale: Locale, printed: object) -> None:
    """The PDFs printed 30/11/2569 14:05 and 2026-11-30 14:05 (exports.local_time, the CSVs' numeric form); the
    app (format_date, format_datetime) and the portfolio's own verify page say 30 พ.ย. 2569 / 30 Nov 2026."""
    assert callable(printed)
    text = printed(locale)
    assert _app(format_date(APPROVED, locale)) in text  # the day a job was approved, in its table
    assert _app(format_datetime(PRINTED, locale)) in text  # when it was printed
    for numeric in ("30/11/2569", "2026-11-30", "30/11/2026"):
        assert numeric not in text
    assert _app(format_date(APPROVED - timedelta(hours=12), locale)) not in text  # the day before: not in it
