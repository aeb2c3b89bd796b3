"""Audit 18a: a hostile review of what people type, at the rules in shared/ and the app's parsing. Each test shows a
defect that is still there (xfail strict): the fixer removes the mark with the fix."""

from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from fpdf import FPDF

import backend.services.ledger_pdf as ledger_pdf_module
import backend.services.portfolio_pdf as portfolio_pdf_module
from shared.display_names import MAX_LENGTH as DISPLAY_NAME_MAX
from shared.display_names import clean_display_name
from shared.text import Locale
from shared.visible_text import is_blank, visible_length


@pytest.mark.xfail(strict=True, reason="audit18a: Hangul fillers and the blank Braille pattern count as visible")
@pytest.mark.parametrize("blank", ["\u3164", "\u115f", "\u1160", "\uffa0", "\u2800"])
def test_characters_that_show_nothing_are_blank(blank: str) -> None:
    assert is_blank(blank * 3)
    assert visible_length("ab" + blank * 3) == 2
    assert clean_display_name(blank) is None


@pytest.mark.xfail(strict=True, reason="audit18a: a tone mark with no letter under it counts as a visible character")
def test_marks_with_no_letter_under_them_are_not_visible_characters() -> None:
    assert clean_display_name("\u0e48") is None  # ไม้เอก alone
    assert visible_length("\u0e48\u0e49\u0e4a\u0e4b\u0e48") == 0
    assert visible_length("\u0e01\u0e48") == 1  # ก่: one letter with its mark, as the reader counts it


@pytest.mark.xfail(strict=True, reason="audit18a: sara am typed as nikhahit + sara aa is kept as two characters")
def test_a_name_typed_with_the_two_character_sara_am_is_the_usual_name() -> None:
    assert clean_display_name("สมชาย ค\u0e4d\u0e32ดี") == "สมชาย คำดี"


# --- Names wider than the PDF's page -----------------------------------------------------------------------------
# The training-hours record (backend/services/ledger_pdf.py) writes the college's and the student's names with
# FPDF.cell(0, ...): one line, never wrapped. A display name at its limit (80 characters) or a college name at its
# (200, backend.schemas.CollegeCreate) is far wider than the page's 180 mm, so the printed record, the one a
# teacher signs, runs off the right edge and loses the end of the name.
class _WidthRecorder(FPDF):
    """The real FPDF, noting every single-line cell whose text ends past the right margin."""

    overflows: ClassVar[list[str]] = []

    def cell(self, w: float | None = None, h: float | None = None, text: str = "", *args: Any,
             **kwargs: Any) -> Any:
        right = self.w - self.r_margin if not w else self.x + w
        if self.x + self.get_string_width(text) > right + 0.01:
            _WidthRecorder.overflows.append(text)
        return super().cell(w, h, text, *args, **kwargs)


@pytest.mark.xfail(strict=True, reason="audit18a: a long name runs off the ledger PDF's page (cell, no wrap)")
def test_names_at_their_limits_stay_on_the_ledger_pdfs_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ledger_pdf_module, "FPDF", _WidthRecorder)
    _WidthRecorder.overflows = []
    student = "สมชาย " + "ณ" * (DISPLAY_NAME_MAX - 6)
    college = "วิทยาลัยเทคนิค" * (200 // len("วิทยาลัยเทคนิค"))
    data = ledger_pdf_module.ledger_pdf(college, {"display_name": student, "jobs": []},
                                        datetime(2026, 11, 30, 9, tzinfo=UTC), Locale.TH)
    assert data.startswith(b"%PDF")
    assert _WidthRecorder.overflows == []


def test_the_width_recorder_finds_nothing_on_an_ordinary_ledger(monkeypatch: pytest.MonkeyPatch) -> None:
    """The recorder above on ordinary names: nothing past the margin (it measures, it does not cry wolf)."""
    monkeypatch.setattr(ledger_pdf_module, "FPDF", _WidthRecorder)
    _WidthRecorder.overflows = []
    ledger_pdf_module.ledger_pdf("วิทยาลัยเทคนิคลำปาง", {"display_name": "สมชาย ใจดี", "jobs": []},
                                 datetime(2026, 11, 30, 9, tzinfo=UTC), Locale.TH)
    assert _WidthRecorder.overflows == []


# The portfolio (backend/services/portfolio_pdf.py) writes the student's and the college's names with
# FPDF.cell(140, ...) beside the QR code: a college name at its limit, or a student's at theirs, runs over the QR
# code and off the page the same way.
def _folio(display_name: str, college: str) -> dict[str, Any]:
    return {"first_name": display_name.split(" ")[0], "display_name": display_name, "college_th": college,
            "college_en": "Lampang Technical College", "term": "2569-2", "jobs": [], "job_count": 0, "hours": 0}


@pytest.mark.xfail(strict=True, reason="audit18a: a long name runs over the portfolio PDF's QR code and page edge")
def test_names_at_their_limits_stay_in_the_portfolio_pdfs_column(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portfolio_pdf_module, "FPDF", _WidthRecorder)
    _WidthRecorder.overflows = []
    folio = _folio("สมชาย " + "ณ" * (DISPLAY_NAME_MAX - 6), "วิทยาลัยเทคนิค" * (200 // len("วิทยาลัยเทคนิค")))
    portfolio_pdf_module.portfolio_pdf(folio, "ABCD2345", "https://fixit.example/verify/ABCD2345",
                                       datetime(2026, 11, 30, 9, tzinfo=UTC), Locale.TH)
    assert _WidthRecorder.overflows == []


def test_the_width_recorder_finds_nothing_on_an_ordinary_portfolio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portfolio_pdf_module, "FPDF", _WidthRecorder)
    _WidthRecorder.overflows = []
    portfolio_pdf_module.portfolio_pdf(_folio("สมชาย ใจดี", "วิทยาลัยเทคนิคลำปาง"), "ABCD2345",
                                       "https://fixit.example/verify/ABCD2345",
                                       datetime(2026, 11, 30, 9, tzinfo=UTC), Locale.TH)
    assert _WidthRecorder.overflows == []
