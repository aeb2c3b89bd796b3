"""Thai in the PDFs breaks between words (PyThaiNLP's dictionary segmenter, backend.services.pdf_text), not between
guessed syllables: session 18's dictionary-free rules cut "ข้าว" before its final "ว" and "นครศรีธรรมราช" in two.
A word is cut inside only when it alone is wider than the line."""

import io
import itertools

import pytest
from fpdf import FPDF
from pypdf import PdfReader

import backend.services.portfolio_pdf as portfolio_pdf_module
from backend.services.pdf_fonts import FAMILY, PdfFonts
from backend.services.pdf_text import cell_text, wrapped_lines
from shared.text import Locale
from tests.unit.test_pdf_names import NOW, _folio

# Sentences as their words (what a Thai reader, and newmm, reads in them): a line may end only where one ends.
SENTENCES = [
    ["ผม", "กิน", "ข้าว", "เร็ว", "มาก", "แล้ว", "ไป", "ซ่อม", "พัดลม", "ที่", "บ้าน", "ของ", "ลุง", "ใน", "ซอย", "วัด"],
    ["เครื่องซักผ้า", "ฝา", "หน้า", "ระบาย", "น้ำ", "ไม่", "ออก", "และ", "มี", "น้ำ", "รั่ว", "ซึม", "ต้อง",
     "เปลี่ยน", "ปั๊ม", "น้ำทิ้ง"],
    ["นักเรียน", "วิทยาลัย", "การ", "อาชีพ", "นครศรีธรรมราช", "ช่วย", "ซ่อม", "ตู้เย็น", "ให้", "ชาวบ้าน"],
]


def _pdf() -> FPDF:
    pdf = FPDF(format="A4")
    PdfFonts(pdf, [])
    pdf.add_page()
    pdf.set_font(FAMILY, size=12)
    return pdf


def _ends(parts: list[str]) -> set[int]:
    return set(itertools.accumulate(len(p) for p in parts))


def _cuts(lines: list[str]) -> set[int]:
    """Where each line but the last ends, as an offset in the text they were cut from."""
    return set(itertools.accumulate(len(line) for line in lines[:-1]))


@pytest.mark.parametrize("scale", [1.0, 1.15, 1.4, 1.9, 2.6, 3.7])
@pytest.mark.parametrize("words", SENTENCES, ids=["rice", "washer", "college"])
def test_a_thai_sentence_is_never_split_inside_a_word(words: list[str], scale: float) -> None:
    """Lines from as wide as the widest word (none needs cutting) to several words wide."""
    pdf = _pdf()
    text = "".join(words)
    width = scale * max(pdf.get_string_width(w) for w in words)
    lines = wrapped_lines(pdf, text, width)
    assert "".join(lines) == text
    assert all(pdf.get_string_width(line) <= width + 0.01 for line in lines)
    assert _cuts(lines) <= _ends(words), lines


def test_a_table_cell_breaks_between_words() -> None:
    pdf = _pdf()
    pdf.set_font(FAMILY, size=10)
    words = SENTENCES[1]
    lines = cell_text(pdf, "".join(words), 60).split("\n")
    assert len(lines) > 1 and _cuts(lines) <= _ends(words), lines


def test_a_long_name_wraps_between_words_beside_the_portfolios_qr_code() -> None:
    """A college name with no space, wider than the column left of the QR code: each printed line is whole words
    (before: "...นครศรี" / "ธรรมราช...", the province's name torn in two)."""
    words = ["วิทยาลัย", "การ", "อาชีพ", "นครศรีธรรมราช"] * 4
    college = "".join(words)
    data = portfolio_pdf_module.portfolio_pdf(_folio("สมชาย ใจดี", college), "ABCD2345",
                                              "https://fixit.example/verify/ABCD2345", NOW, Locale.TH)
    printed = PdfReader(io.BytesIO(data)).pages[0].extract_text().splitlines()
    start = next(i for i, line in enumerate(printed) if college.startswith(line.split(": ", 1)[-1]))
    lines = [printed[start].split(": ", 1)[-1]]
    while "".join(lines) != college:
        lines.append(printed[start + len(lines)])
        assert len("".join(lines)) <= len(college), lines
    assert len(lines) > 1 and _cuts(lines) <= _ends(words), lines


def test_mixed_thai_and_english_breaks_at_spaces_and_between_thai_words_only() -> None:
    """English words, a model number and a URL are never cut (each is narrower than the line); Thai between its
    words; nothing between a Thai word and the English glued to it ("ซ่อมTV")."""
    parts = ["ซ่อม", "เครื่อง", "Samsung ", "รุ่น ", "WW90T ", "ไม่", "ปั่น", "หมาด ", "Error ", "code ", "4C ",
             "ระบาย", "น้ำ", "ไม่", "ออก ", "ซ่อมTV ", "ที่", "บ้าน ", "fixit.example/r/42"]
    text = "".join(parts)
    pdf = _pdf()
    assert pdf.get_string_width("fixit.example/r/42") < 40
    for width in (40.0, 48.0, 55.0, 70.0):
        lines = wrapped_lines(pdf, text, width)
        # Each line's trailing space is dropped: put it back to find where the line ended in the text.
        rebuilt, at = [], 0
        for line in lines:
            taken = line + " " * (len(text[at + len(line):]) - len(text[at + len(line):].lstrip(" ")))
            rebuilt.append(taken)
            at += len(taken)
        assert "".join(rebuilt) == text
        assert _cuts(rebuilt) <= _ends(parts), lines


def test_a_word_wider_than_the_line_is_cut_between_syllables_as_a_last_resort() -> None:
    pdf = _pdf()
    lines = wrapped_lines(pdf, "นครศรีธรรมราช", 12.0)
    assert len(lines) > 1 and "".join(lines) == "นครศรีธรรมราช"
    assert all(pdf.get_string_width(line) <= 12.01 for line in lines)
    assert all(line[0] not in "ะาำๅๆฯ" and line[-1] not in "เแโใไ" for line in lines)


@pytest.mark.parametrize("text", ["ดีๆ", "เร็วๆ นะ", "มาก ๆ"])
def test_the_repetition_mark_never_starts_a_line(text: str) -> None:
    pdf = _pdf()
    width = pdf.get_string_width(text.split("ๆ")[0].rstrip()) + 0.3  # the mark alone would be left over
    lines = wrapped_lines(pdf, "กรุณา" + text, width + pdf.get_string_width("กรุณา"))
    assert not any(line.lstrip().startswith("ๆ") for line in lines), lines
