"""What Fixit prints or serves outside the app says things as the app does (audit18d's findings 9 and 16): the
portfolio and ledger PDFs date a day as the app and the verify page do, and the public verify page takes its words
from shared/ in both languages."""

import ast
import io
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdf
import pytest

from backend.routes.credit import _verify_html
from backend.services.ledger_pdf import ledger_pdf
from backend.services.portfolio_pdf import portfolio_pdf
from mobile.formatting import format_date, format_datetime
from shared.credit import OUTCOME_LABELS, PORTFOLIO_TEXTS, Outcome
from shared.text import Bilingual, Locale, date_text, error_text

THAI = re.compile(r"[\u0e00-\u0e7f]")
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


def _thai_literals(folder: str) -> list[str]:
    """Thai string constants in the code under `folder` (docstrings left out): words typed outside shared/."""
    found = []
    for path in sorted(Path(folder).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {id(node.body[0].value) for node in ast.walk(tree)
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module)
                and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        found += [f"{path}:{node.lineno}" for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
                  and THAI.search(node.value)]
    return found


def _portfolio_words(key: str, **values: object) -> Bilingual:
    return Bilingual(*PORTFOLIO_TEXTS[key]).format(**values)


def test_the_verify_page_takes_its_words_from_shared() -> None:
    """GET /verify/{code} (backend/routes/credit.py _verify_html) typed its Thai and English in the route,
    re-wording verify_code_unknown and the portfolio's labels, under an English-only <title>."""
    assert _thai_literals("backend/routes") == []
    unknown = error_text("verify_code_unknown")
    page = _verify_html("ABCD2345", None)
    assert unknown.th in page and unknown.en in page, page
    title = _portfolio_words("verify_title")
    assert f"<title>{title.th} / {title.en}</title>" in page

    summary = {"first_name": "วิชัย", "college_th": "วิทยาลัยเทคนิคเชียงใหม่", "college_en": "Chiang Mai Technical College",
               "term": "2569-2", "jobs": 3, "hours": 7.5, "outcomes": {"fixed": 2, "not_repaired": 1}}
    page = _verify_html("ABCD2345", {"term": "2569-2", "summary": summary, "issued_at": PRINTED})
    said = [_portfolio_words("verify_issued_by"), _portfolio_words("verify_code", code="ABCD2345"),
            _portfolio_words("student", name="วิชัย"), _portfolio_words("term", term="2569-2"),
            _portfolio_words("total", jobs=3, hours="7.5"),  # the printed portfolio's own total line
            Bilingual(*(_portfolio_words("verify_issued", day=date_text(PRINTED.date(), lo)).in_(lo) for lo in Locale)),
            Bilingual(*OUTCOME_LABELS[Outcome.NOT_REPAIRED])]
    for text in said:
        assert text.th in page and text.en in page, text
    assert "วิทยาลัย: วิทยาลัยเทคนิคเชียงใหม่" in page and "College: Chiang Mai Technical College" in page
