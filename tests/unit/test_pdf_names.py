"""Names on the PDFs (audit18a): a name in a script NotoSansThai lacks is printed with a fallback font that ships
with the backend only (backend/pdf_fonts, licence beside each), a character no font has is printed as its code
point, never as nothing."""

import io
import tomllib
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

import backend.services.ledger_pdf as ledger_pdf_module
from backend.services.pdf_fonts import FALLBACKS, PDF_FONTS_DIR
from backend.settings import PROJECT_ROOT
from shared.text import Locale

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)


def _ledger_text(name: str, college: str = "วิทยาลัยเทคนิคลำปาง") -> str:
    data = ledger_pdf_module.ledger_pdf(college, {"display_name": name, "jobs": []}, NOW, Locale.TH)
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("name", ["ສົມໃຈ ແກ້ວ", "မောင် အောင်", "王小明", "Алексей", "Nguyễn Văn An"])
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
