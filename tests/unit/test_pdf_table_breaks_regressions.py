"""Thai in the PDFs' table cells breaks between syllables as the rest of the PDFs do (backend.services.pdf_text), not
at whatever letter fills fpdf2's table column (review18b finding 5: the ledger's item and category, the portfolio's
item and outcome)."""

import io
import itertools
import unicodedata
import uuid
from datetime import UTC, datetime

from pypdf import PdfReader

import backend.services.ledger_pdf as ledger_pdf_module
import backend.services.portfolio_pdf as portfolio_pdf_module
from shared.text import Locale

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
ITEM = "เครื่องซักผ้าฝาหน้าระบายน้ำไม่ออกและมีน้ำรั่วซึม"  # 48 characters: an ordinary item (ITEM_MAX is 120)
FOLLOWING, LEADING = "ะาำๅๆฯ", "เแโใไ"


def _bad_breaks(lines: list[str]) -> list[tuple[str, str]]:
    return [(a, b) for a, b in itertools.pairwise(lines)
            if (b and (b[0] in FOLLOWING or unicodedata.category(b[0]) == "Mn")) or (a and a[-1] in LEADING)]


def test_a_long_thai_item_in_the_ledgers_table_breaks_between_syllables() -> None:
    job = {"reference": "FX-690001", "approved_at": NOW, "category_name_th": "เครื่องใช้ไฟฟ้า",
           "category_name_en": "Appliances", "item": ITEM, "hours": 2.0}
    data = ledger_pdf_module.ledger_pdf("วิทยาลัยเทคนิคลำปาง", {"display_name": "สมชาย ใจดี", "jobs": [job]}, NOW,
                                        Locale.TH)
    lines = PdfReader(io.BytesIO(data)).pages[0].extract_text().splitlines()
    assert ITEM in "".join(lines)  # the item is printed (wrapped in its column)
    assert _bad_breaks(lines) == []  # before: [("...และมีน้", "ำรั่วซึม")]


def test_a_long_thai_item_in_the_portfolios_table_breaks_between_syllables() -> None:
    item = ITEM + "ต้องเปลี่ยนปั๊มน้ำทิ้ง"
    request_id = uuid.uuid4()
    job = {"request_id": request_id, "ref_no": 690001, "approved_at": NOW, "item": item, "outcome": "repaired_partly",
           "role": "lead", "hours": 2.0, "photos": [], "approved_by": "ครูสมศรี"}
    folio = {"first_name": "สมชาย", "display_name": "สมชาย ใจดี", "college_th": "วิทยาลัยเทคนิคลำปาง",
             "college_en": "Lampang Technical College", "term": "2569-2", "jobs": [job], "job_count": 1, "hours": 2}
    data = portfolio_pdf_module.portfolio_pdf(folio, "ABCD2345", "https://fixit.example/verify/ABCD2345", NOW,
                                              Locale.TH)
    lines = PdfReader(io.BytesIO(data)).pages[0].extract_text().splitlines()
    assert item in "".join(lines)
    assert _bad_breaks(lines) == []
