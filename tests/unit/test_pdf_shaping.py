"""Names in scripts that join, reorder or stack are printed shaped (HarfBuzz, fpdf2's set_text_shaping): a Burmese
name's ေ drawn before the consonant it follows in the text, an Arabic name's letters in their joined forms. Before,
fpdf2 drew each character's own glyph in the text's order: "မောင်" as မ-ေ-ာ (the vowel sign after its letter) and
"محمد" as four unjoined letters. Lines with neither stay unshaped (pdf_fonts.shaped): their text copies out whole.

What is checked is what the PDF's page draws: the glyphs of each text-showing operator of its content stream, in
order, named through fpdf2's subset of the font (code -> glyph)."""

import io
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from fpdf import FPDF
from fpdf.fonts import TTFFont
from pypdf import PdfReader
from pypdf.generic import ContentStream

import backend.services.ledger_pdf as ledger_pdf_module
import backend.services.portfolio_pdf as portfolio_pdf_module
from backend.services.pdf_fonts import TypedTextPDF, needs_shaping
from shared.text import Locale

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
BURMESE, ARABIC = "မောင် ကျော်", "محمد علي"


class _Kept(TypedTextPDF):
    """The PDFs' own FPDF, kept so that its fonts' subsets (which code draws which glyph) can be read after output."""

    made: ClassVar[list[FPDF]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _Kept.made.append(self)


def _drawn(pdf: FPDF, data: bytes, family: str) -> list[str]:
    """The glyph names the PDF's first page draws in `family`, in the content stream's order."""
    font = pdf.fonts[family.lower()]
    assert isinstance(font, TTFFont)
    names = {code: glyph.glyph_name for glyph, code in font.subset.items() if glyph is not None}
    reader = PdfReader(io.BytesIO(data))
    drawn: list[str] = []
    current = None
    for operands, operator in ContentStream(reader.pages[0].get_contents(), reader).operations:
        if operator == b"Tf":
            current = operands[0]
        elif operator in (b"Tj", b"TJ") and current == f"/F{font.i}":
            for string in operands[0] if operator == b"TJ" else [operands[0]]:
                if isinstance(string, (int, float)):
                    continue
                raw = string.get_original_bytes()
                raw = raw[2:] if raw.startswith(b"\xfe\xff") else raw
                drawn += [names[int.from_bytes(raw[i:i + 2], "big")] for i in range(0, len(raw), 2)]
    return drawn


def _ledger(name: str, item: str = "พัดลมไม่หมุน") -> tuple[FPDF, bytes]:
    _Kept.made = []
    job = {"reference": "FX-690001", "approved_at": NOW, "category_name_th": "เครื่องใช้ไฟฟ้า",
           "category_name_en": "Appliances", "item": item, "hours": 2.0}
    data = ledger_pdf_module.ledger_pdf("วิทยาลัยเทคนิคลำปาง", {"display_name": name, "jobs": [job]}, NOW,
                                        Locale.TH)
    return _Kept.made[0], data


def test_a_burmese_name_is_drawn_with_its_vowel_sign_before_its_consonant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ledger_pdf_module, "TypedTextPDF", _Kept)
    pdf, data = _ledger(BURMESE)
    drawn = [g for g in _drawn(pdf, data, "Padauk") if g != "space"]
    # Padauk's glyphs: u1031 ေ, u1019 မ, u102C ာ, u1004 င, u103A ်, u1000 က, u103B ျ (HarfBuzz's order)
    assert drawn == ["u1031", "u1019", "u102C", "u1004", "u103A", "u1031", "u1000", "u103B", "u102C", "u103A"]


def test_an_arabic_name_is_drawn_joined(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ledger_pdf_module, "TypedTextPDF", _Kept)
    pdf, data = _ledger(ARABIC)
    drawn = [g for g in _drawn(pdf, data, "DejaVuSans") if g != "space"]
    # The presentation forms HarfBuzz picks from DejaVu Sans (right to left, as drawn): علي then محمد, each letter
    # joined to its neighbours; no letter's isolated form (uni0645 م, uni062D ح, uni062F د, ...).
    assert drawn == ["uniFEF2", "uniFEE0", "uniFECB", "uniFEAA", "uniFEE4", "uniFEA4", "uniFEE3"]


def test_a_burmese_item_shapes_the_portfolios_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portfolio_pdf_module, "TypedTextPDF", _Kept)
    _Kept.made = []
    job = {"request_id": "00000000-0000-0000-0000-000000000001", "ref_no": 690001, "approved_at": NOW,
           "item": "ပန်ကာ " + BURMESE, "outcome": "fixed", "role": "lead", "hours": 2.0, "photos": [],
           "approved_by": "ครูสมศรี"}
    folio = {"first_name": "สมชาย", "display_name": "สมชาย ใจดี", "college_th": "วิทยาลัยเทคนิคลำปาง",
             "college_en": "Lampang Technical College", "term": "2569-2", "jobs": [job], "job_count": 1, "hours": 2}
    data = portfolio_pdf_module.portfolio_pdf(folio, "ABCD2345", "https://fixit.example/verify/ABCD2345", NOW,
                                              Locale.TH)
    drawn = _drawn(_Kept.made[0], data, "Padauk")
    assert drawn[drawn.index("u1031"):drawn.index("u1031") + 2] == ["u1031", "u1019"]
    assert "u1019" not in drawn[:drawn.index("u1031")]


def test_thai_lines_beside_a_shaped_name_stay_unshaped_and_copy_out_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """fpdf2 writes no text for a glyph HarfBuzz adds to a cluster (ำ is drawn as ํ and า): a Thai line shaped would
    copy out as "ลำ!ปาง". Only the lines that need shaping are shaped."""
    monkeypatch.setattr(ledger_pdf_module, "TypedTextPDF", _Kept)
    _, data = _ledger(BURMESE, item="น้ำรั่วซึม")
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "วิทยาลัยเทคนิคลำปาง" in text and "น้ำรั่วซึม" in text


def test_which_texts_need_shaping() -> None:
    assert needs_shaping(BURMESE) and needs_shaping(ARABIC) and needs_shaping("ສົມໃຈ") and needs_shaping("דוד")
    assert not any(needs_shaping(t) for t in ["สมชาย ใจดี", "Nguyễn Văn An", "Алексей", "王小明", ""])
