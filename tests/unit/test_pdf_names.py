"""Names on the PDFs (audit18a): a name in a script NotoSansThai lacks is printed with a fallback font that ships
with the backend only (backend/pdf_fonts, licence beside each), a character no font has is printed as its code
point, never as nothing; a name at its limit is wrapped within the page and beside the portfolio's QR code, never
cut or run over it."""

import io
import itertools
import random
import tomllib
import unicodedata
from datetime import UTC, datetime
from typing import Any, ClassVar, cast

import pytest
from fpdf import FPDF
from fpdf.enums import MethodReturnValue
from pypdf import PdfReader

import backend.services.ledger_pdf as ledger_pdf_module
import backend.services.portfolio_pdf as portfolio_pdf_module
from backend.services.pdf_fonts import FALLBACKS, FAMILY, PDF_FONTS_DIR, PdfFonts, TypedTextPDF
from backend.services.pdf_text import wrapped_lines
from backend.settings import PROJECT_ROOT
from shared.display_names import MAX_LENGTH as DISPLAY_NAME_MAX
from shared.text import Locale

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)


def _ledger_text(name: str, college: str = "วิทยาลัยเทคนิคลำปาง") -> str:
    data = ledger_pdf_module.ledger_pdf(college, {"display_name": name, "jobs": []}, NOW, Locale.TH)
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# A Burmese name is printed shaped (its vowel sign drawn before its consonant): fpdf2 gives the moved glyphs no text,
# so it does not copy out as typed; tests/unit/test_pdf_shaping.py checks the glyphs it is drawn with.
@pytest.mark.parametrize("name", ["ສົມໃຈ ແກ້ວ", "王小明", "Алексей", "Nguyễn Văn An"])
def test_a_name_in_another_script_is_printed_on_the_ledger_pdf(name: str) -> None:
    assert name.split()[0] in _ledger_text(name)


def test_a_character_no_font_has_is_printed_as_its_code_point() -> None:
    """An Egyptian hieroglyph (no shipped font has one) beside a Thai name: the name, and the character's code
    point where the character would be."""
    text = _ledger_text("สมชาย \U00013000\U00013001 ใจดี")
    assert "สมชาย [U+13000 U+13001] ใจดี" in text


def test_a_thai_only_ledger_reads_no_fallback_font() -> None:
    """The fallback fonts are embedded only where a text needs them: a Thai record stays as small as it was."""
    data = ledger_pdf_module.ledger_pdf("วิทยาลัยเทคนิคลำปาง", {"display_name": "สมชาย ใจดี", "jobs": []}, NOW,
                                        Locale.TH)
    assert b"DroidSansFallback" not in data and b"DejaVuSans" not in data and b"Padauk" not in data


def test_the_pdf_fonts_ship_with_their_licences_and_stay_out_of_the_app() -> None:
    for fallback in FALLBACKS:
        assert fallback.file.is_file() and fallback.licence.is_file()
        assert fallback.file.parent == PDF_FONTS_DIR
    flet = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["flet"]["app"]
    # flet-cli packages the folder `path` less `exclude` (exact entries relative to it): the fonts' top folder is one.
    packaged = (PROJECT_ROOT / flet["path"]).resolve()
    top = PDF_FONTS_DIR.relative_to(packaged).parts[0]
    assert top in flet["exclude"]


def test_a_thai_or_latin_name_is_printed_on_the_ledger_pdf() -> None:
    """What NotoSansThai has is printed, and the text is read back from the PDF as written."""
    for name in ["สมชาย ใจดี", "Łukasz Żółć"]:
        assert name in _ledger_text(name)


# --- Names wider than the PDF's page -----------------------------------------------------------------------------
# The training-hours record wrote the college's and the student's names with FPDF.cell(0, ...): one line, never
# wrapped. A display name at its limit (80 characters) or a college name at its (200, backend.schemas.CollegeCreate)
# is far wider than the page's 180 mm; the portfolio wrote them with cell(140, ...) beside the QR code and ran over it.
LONG_STUDENT = "สมชาย " + "ณ" * (DISPLAY_NAME_MAX - 6)
LONG_COLLEGE = "วิทยาลัยเทคนิค" * (200 // len("วิทยาลัยเทคนิค"))


class _WidthRecorder(TypedTextPDF):
    """The real FPDF, noting every line of text (a cell, or each line a multi_cell wraps to) that ends past the
    right margin or its box."""

    overflows: ClassVar[list[str]] = []

    def _past(self, w: float | None, line: str) -> bool:
        right = self.w - self.r_margin if not w else self.x + w
        return self.x + self.get_string_width(line) > right + 0.01

    def cell(self, w: float | None = None, h: float | None = None, text: str = "", *args: Any,
             **kwargs: Any) -> Any:
        if self._past(w, text):
            _WidthRecorder.overflows.append(text)
        return super().cell(w, h, text, *args, **kwargs)

    measuring = False

    def multi_cell(self, w: float, h: float | None = None, text: str = "", *args: Any, **kwargs: Any) -> Any:
        if not self.measuring:
            self.measuring = True  # fpdf2's multi_cell calls itself (and cell) to lay out its lines
            try:
                lines = cast(list[str], super().multi_cell(w, h, text, *args, **{
                    **kwargs, "dry_run": True, "output": MethodReturnValue.LINES}))
                _WidthRecorder.overflows.extend(line for line in lines if self._past(w, line))
                return super().multi_cell(w, h, text, *args, **kwargs)
            finally:
                self.measuring = False
        return super().multi_cell(w, h, text, *args, **kwargs)


def _squeezed(data: bytes) -> str:
    """The PDF's text without white space: a wrapped name reads back whole."""
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_names_at_their_limits_stay_on_the_ledger_pdfs_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ledger_pdf_module, "TypedTextPDF", _WidthRecorder)
    _WidthRecorder.overflows = []
    data = ledger_pdf_module.ledger_pdf(LONG_COLLEGE, {"display_name": LONG_STUDENT, "jobs": []}, NOW, Locale.TH)
    assert data.startswith(b"%PDF")
    assert _WidthRecorder.overflows == []
    text = _squeezed(data)
    assert "".join(LONG_COLLEGE.split()) in text and "".join(LONG_STUDENT.split()) in text  # wrapped, not cut


def test_the_width_recorder_finds_nothing_on_an_ordinary_ledger(monkeypatch: pytest.MonkeyPatch) -> None:
    """The recorder above on ordinary names: nothing past the margin (it measures, it does not cry wolf)."""
    monkeypatch.setattr(ledger_pdf_module, "TypedTextPDF", _WidthRecorder)
    _WidthRecorder.overflows = []
    ledger_pdf_module.ledger_pdf("วิทยาลัยเทคนิคลำปาง", {"display_name": "สมชาย ใจดี", "jobs": []}, NOW, Locale.TH)
    assert _WidthRecorder.overflows == []


def _folio(display_name: str, college: str) -> dict[str, Any]:
    return {"first_name": display_name.split(" ")[0], "display_name": display_name, "college_th": college,
            "college_en": "Lampang Technical College", "term": "2569-2", "jobs": [], "job_count": 0, "hours": 0}


def test_names_at_their_limits_stay_in_the_portfolio_pdfs_column(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portfolio_pdf_module, "TypedTextPDF", _WidthRecorder)
    _WidthRecorder.overflows = []
    data = portfolio_pdf_module.portfolio_pdf(_folio(LONG_STUDENT, LONG_COLLEGE), "ABCD2345",
                                              "https://fixit.example/verify/ABCD2345", NOW, Locale.TH)
    assert _WidthRecorder.overflows == []
    text = _squeezed(data)
    assert "".join(LONG_COLLEGE.split()) in text and "".join(LONG_STUDENT.split()) in text


def test_the_width_recorder_finds_nothing_on_an_ordinary_portfolio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portfolio_pdf_module, "TypedTextPDF", _WidthRecorder)
    _WidthRecorder.overflows = []
    portfolio_pdf_module.portfolio_pdf(_folio("สมชาย ใจดี", "วิทยาลัยเทคนิคลำปาง"), "ABCD2345",
                                       "https://fixit.example/verify/ABCD2345", NOW, Locale.TH)
    assert _WidthRecorder.overflows == []


# --- Thai line breaks ----------------------------------------------------------------------------------------------
# fpdf2 breaks a run too long for the line at whatever letter fills it: a line began with a following vowel ("า")
# and ended with "ทย" of "วิทยาลัย". backend.services.pdf_text breaks only where a syllable can start.
FOLLOWING = "ะาำๅๆฯ"
LEADING = "เแโใไ"


def _bad_breaks(lines: list[str]) -> list[tuple[str, str]]:
    return [(a, b) for a, b in itertools.pairwise(lines)
            if (b and (b[0] in FOLLOWING or unicodedata.category(b[0]) == "Mn")) or (a and a[-1] in LEADING)]


def test_a_long_thai_college_name_breaks_between_syllables_on_the_ledger() -> None:
    college = "วิทยาลัยการอาชีพนครศรีธรรมราช" * 4
    data = ledger_pdf_module.ledger_pdf(college, {"display_name": "สมชาย ใจดี", "jobs": []}, NOW, Locale.TH)
    lines = PdfReader(io.BytesIO(data)).pages[0].extract_text().splitlines()
    assert _bad_breaks(lines) == []
    assert "".join(college.split()) in "".join("".join(lines).split())


@pytest.mark.parametrize("width", [12.0, 25.0, 40.0, 71.5, 138.0])
def test_wrapped_thai_lines_fit_and_break_only_where_a_syllable_may_start(width: float) -> None:
    pdf = FPDF(format="A4")
    fonts = PdfFonts(pdf, [])
    assert fonts.text("ก") == "ก"
    pdf.add_page()
    pdf.set_font(FAMILY, size=12)
    words = ["น้ำ", "ที่", "กั้น", "ลำปาง", "ศึกษา", "เทคนิค", "อาชีวะ", "ซ่อม", "ไฟฟ้า", "เครื่อง", "ใช้", "ปั๊ม",
             "ห้อง", "ระบบ", "ศักดิ์", "เรียน", "วิทยาลัย", "ๆ", "กระติกน้ำร้อน"]
    rng = random.Random(18)
    for _ in range(30):
        text = "".join(rng.choice(words) for _ in range(rng.randint(5, 40)))
        lines = wrapped_lines(pdf, text, width)
        assert "".join(lines) == text
        assert all(pdf.get_string_width(line) <= width + 0.01 for line in lines)
        assert _bad_breaks(lines) == [], text


def test_a_run_with_no_place_to_break_is_cut_between_letters_with_their_marks() -> None:
    pdf = FPDF(format="A4")
    PdfFonts(pdf, [])
    pdf.add_page()
    pdf.set_font(FAMILY, size=12)
    lines = wrapped_lines(pdf, "ก้" * 60 + " https://fixit.example/verify/" + "A" * 80, 40.0)
    assert len(lines) > 2 and all(pdf.get_string_width(line) <= 40.01 for line in lines)
    assert all(unicodedata.category(line[0]) != "Mn" for line in lines)
