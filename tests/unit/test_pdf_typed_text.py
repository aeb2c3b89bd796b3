"""Names printed in the PDFs as they were typed (text20).

1. A name breaks only between its own words. PyThaiNLP's newmm cuts a Thai name it does not know into whatever
   words it finds in it ("ธน|วัฒน์", "ศรีสุวรรณ|วงศ์|ชัย|กุล"), and a line could end there, in the middle of a
   word of a person's or a college's name (backend.services.pdf_text `names`).
2. Shaped text copies out of the PDF as typed. fpdf2 (2.8.9) writes no text for the glyphs HarfBuzz adds to or moves
   in a cluster: a Burmese name copied out as "မေ ာင် ကျေ" and "ာ်" on a line of its own, a shaped Thai line as
   "น้ำ ใจ ลำ ปาง". Each shaped line is now marked with its typed text (/ActualText, pdf_fonts.TypedTextPDF), and
   what poppler's pdftotext reads back is the typed text. Right-to-left lines are left unmarked (poppler reverses
   an ActualText of them), and pdftotext reads them in the typed order from the glyphs.
"""

import io
import itertools
import re
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader
from pypdf.generic import ContentStream

import backend.services.ledger_pdf as ledger_pdf_module
import backend.services.portfolio_pdf as portfolio_pdf_module
from backend.services.pdf_fonts import FAMILY, PdfFonts
from backend.services.pdf_text import _thai_words, wrapped_lines
from shared.display_names import MAX_LENGTH as DISPLAY_NAME_MAX
from shared.text import Locale

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed: "
                                     "apt-get install poppler-utils (./fixit test installs it as root)")

# Thai names newmm does not know as words: it cuts each of them inside (checked below).
STUDENT = "ธนวัฒน์ ศรีสุวรรณวงศ์ชัยกุล"
LONG_STUDENT = "จิรายุทธ ปัญญาวงศ์ไพบูลย์ พรรณนภัสร์ กิตติวรเศรษฐ์ ณัฐพงศ์ เจริญรุ่งเรืองกิจ"
COLLEGE = "วิทยาลัยเทคนิคบางแสนสุขสวัสดิ์"
BURMESE, ARABIC = "မောင် ကျော်", "محمد علي"


def _pdf(size: int = 12) -> FPDF:
    pdf = FPDF(format="A4")
    PdfFonts(pdf, [])
    pdf.add_page()
    pdf.set_font(FAMILY, size=size)
    return pdf


def _cuts(lines: list[str]) -> set[int]:
    """Where each line but the last ends, as an offset in the text they were cut from."""
    return set(itertools.accumulate(len(line) for line in lines[:-1]))


def _inside_words(text: str, name: str) -> set[int]:
    """The offsets strictly inside a word (between two of its letters) of `name`, where it occurs in `text`."""
    at = text.index(name)
    return {at + word.start() + i for word in re.finditer(r"\S+", name) for i in range(1, len(word.group()))}


def _widths(pdf: FPDF, text: str, name: str) -> list[float]:
    """Line widths from the widest word of the name (none needs cutting) to the whole text."""
    widest = max(pdf.get_string_width(w) for w in name.split())
    full = pdf.get_string_width(text)
    return [widest + (full - widest) * k / 24 for k in range(24)]


def test_newmm_cuts_these_names_inside_their_words() -> None:
    """What the tests below guard against: without `names`, newmm's cuts fall inside the names' words."""
    for name in (STUDENT, LONG_STUDENT, COLLEGE):
        cuts = set(itertools.accumulate(len(w) for w in _thai_words(name)))
        assert cuts & _inside_words(name, name), name


@pytest.mark.parametrize("name", [STUDENT, LONG_STUDENT], ids=["student", "long-student"])
def test_a_thai_name_breaks_only_between_its_own_words(name: str) -> None:
    pdf = _pdf()
    text = f"นักศึกษา: {name}"
    inside = _inside_words(text, name)
    was_cut_inside = False
    for width in _widths(pdf, text, name):
        lines = wrapped_lines(pdf, text, width, names=[name])
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        assert all(pdf.get_string_width(line) <= width + 0.01 for line in lines)
        assert not _cuts_at(lines, text) & inside, (width, lines)
        was_cut_inside |= bool(_cuts_at(wrapped_lines(pdf, text, width), text) & inside)
    assert was_cut_inside  # the same widths without `names`: the dictionary's cuts, inside the name


def _cuts_at(lines: list[str], text: str) -> set[int]:
    """Where the lines (their trailing spaces dropped) end in `text`."""
    cuts: set[int] = set()
    at = 0
    for line in lines[:-1]:
        at = text.index(line, at) + len(line)
        cuts.add(at)
    return cuts


def test_a_name_word_wider_than_the_line_is_cut_between_its_dictionary_words() -> None:
    """The last resort for a word of a name that does not fit a line of its own: where newmm's words meet, not
    between guessed syllables."""
    pdf = _pdf()
    words = _thai_words(COLLEGE)  # วิทยาลัย เทคนิค บาง แสน สุข สวัสดิ์
    width = 0.6 * pdf.get_string_width(COLLEGE)
    assert width > max(pdf.get_string_width(w) for w in words)
    lines = wrapped_lines(pdf, COLLEGE, width, names=[COLLEGE])
    assert len(lines) > 1 and "".join(lines) == COLLEGE
    assert _cuts(lines) <= set(itertools.accumulate(len(w) for w in words)), lines


def test_a_name_starts_a_unit_of_its_own() -> None:
    """Where a name meets the text before it with no space, a line may end there (the name's edge), though newmm's
    word may run across it."""
    pdf = _pdf()
    text = f"ครู{STUDENT.split()[0]}"  # "ครูธนวัฒน์": a teacher's title written onto the name
    width = pdf.get_string_width(STUDENT.split()[0]) + 0.5
    assert wrapped_lines(pdf, text, width, names=[STUDENT.split()[0]]) == ["ครู", STUDENT.split()[0]]


def _lines(data: bytes) -> list[str]:
    return [line for page in PdfReader(io.BytesIO(data)).pages for line in page.extract_text().split("\n")]


def test_the_portfolios_names_keep_their_words_whole() -> None:
    """The portfolio's column beside the QR code (140 mm): the long name wraps, each of its words on one line; a
    teacher's name on the approving line too."""
    teacher = "ครูณัฐพงศ์ เจริญรุ่งเรืองกิจ"  # no word of it in the student's name
    job = {"request_id": "00000000-0000-0000-0000-000000000001", "ref_no": 690001, "approved_at": NOW,
           "item": "พัดลม", "outcome": "fixed", "role": "lead", "hours": 2.0, "photos": [], "approved_by": teacher}
    name = "จิรายุทธ ปัญญาวงศ์ไพบูลย์ พรรณนภัสร์ กิตติวรเศรษฐ์ ศรีสุวรรณวงศ์ชัยกุล"
    assert len(name) <= DISPLAY_NAME_MAX
    column = _pdf()  # the column's width less its cell margins: where newmm alone ends the line, inside a word
    head = f"นักศึกษา: {name}"
    assert _cuts_at(wrapped_lines(column, head, 140 - 2 * column.c_margin), head) & _inside_words(head, name)
    folio = {"first_name": "จิรายุทธ", "display_name": name, "college_th": COLLEGE, "college_en": "Bang Saen",
             "term": "2569-2", "jobs": [job], "job_count": 1, "hours": 2}
    lines = _lines(portfolio_pdf_module.portfolio_pdf(folio, "ABCD2345", "https://fixit.example/verify/ABCD2345",
                                                      NOW, Locale.TH))
    for word in [*name.split(), *teacher.split()]:
        assert any(word in line for line in lines), (word, lines)
    assert len([line for line in lines if any(word in line for word in name.split())]) == 2  # it wrapped


def _pdftotext(data: bytes) -> list[str]:
    """The PDF's text as poppler's pdftotext copies it out (what a reader selecting it gets), one line each."""
    assert PDFTOTEXT is not None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "printed.pdf"
        path.write_bytes(data)
        out = subprocess.run([PDFTOTEXT, "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                             text=True)
    assert out.stderr == "", out.stderr  # a content stream poppler reads without complaint
    # pdftotext wraps a right-to-left run in embedding marks (U+202B ... U+202C): not text of the PDF's
    return [line for line in re.sub("[\u202a-\u202e]", "", out.stdout).split("\n") if line.strip(" \x0c")]


def _ledger(name: str, items: list[str]) -> bytes:
    jobs = [{"reference": f"FX-69{i:04d}", "approved_at": NOW, "category_name_th": "เครื่องใช้ไฟฟ้า",
             "category_name_en": "Appliances", "item": item, "hours": 2.0} for i, item in enumerate(items)]
    return ledger_pdf_module.ledger_pdf("วิทยาลัยเทคนิคลำปาง", {"display_name": name, "jobs": jobs}, NOW, Locale.TH)


def _actual_texts(data: bytes) -> list[list[str]]:
    """Each page's /ActualText spans, in order; every span closed on the page it opened on."""
    reader = PdfReader(io.BytesIO(data))
    pages: list[list[str]] = []
    for page in reader.pages:
        spans: list[str] = []
        depth = 0
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"BDC":
                depth += 1
                if operands[0] == "/Span" and "/ActualText" in operands[1]:
                    spans.append(str(operands[1]["/ActualText"]))
            elif operator == b"EMC":
                depth -= 1
                assert depth >= 0
        assert depth == 0
        pages.append(spans)
    return pages


@needs_pdftotext
def test_a_burmese_name_copies_out_as_typed() -> None:
    data = _ledger(BURMESE, ["พัดลมไม่หมุน"])
    assert f"นักศึกษา: {BURMESE}" in _pdftotext(data)
    assert _actual_texts(data) == [[f"นักศึกษา: {BURMESE}"]]  # its line only: the others copy out as they are


@needs_pdftotext
def test_a_shaped_table_copies_out_as_typed_across_its_pages() -> None:
    """A Burmese item shapes the whole table: its Thai rows (ำ is two glyphs shaped) copy out whole too, on both
    pages the table fills."""
    items = [f"ပန်ကာ {BURMESE}" if i % 2 else "น้ำรั่วซึม ลำโพง" for i in range(60)]
    data = _ledger("สมชาย ใจดี", items)
    spans = _actual_texts(data)
    assert len(spans) == 2 and all(spans)
    lines = _pdftotext(data)
    assert lines.count(f"ပန်ကာ {BURMESE}") == 30 and lines.count("น้ำรั่วซึม ลำโพง") == 30
    assert lines.count("เครื่องใช้ไฟฟ้า") == 60


@needs_pdftotext
def test_the_portfolios_burmese_name_and_item_copy_out_as_typed() -> None:
    job = {"request_id": "00000000-0000-0000-0000-000000000001", "ref_no": 690001, "approved_at": NOW,
           "item": f"ပန်ကာ {BURMESE}", "outcome": "fixed", "role": "lead", "hours": 2.0, "photos": [],
           "approved_by": "ครูน้ำใจ ลำปาง"}
    folio = {"first_name": "မောင်", "display_name": BURMESE, "college_th": "วิทยาลัยเทคนิคลำปาง",
             "college_en": "Lampang Technical College", "term": "2569-2", "jobs": [job], "job_count": 1, "hours": 2}
    lines = _pdftotext(portfolio_pdf_module.portfolio_pdf(folio, "ABCD2345", "https://fixit.example/verify/ABCD2345",
                                                          NOW, Locale.TH))
    assert f"นักศึกษา: {BURMESE}" in lines and f"ပန်ကာ {BURMESE}" in lines
    assert "ครูผู้อนุมัติ: ครูน้ำใจ ลำปาง" in lines


@needs_pdftotext
def test_an_arabic_name_is_not_marked_and_copies_out_in_its_typed_order() -> None:
    data = _ledger(ARABIC, ["พัดลม"])
    assert _actual_texts(data) == [[]]
    assert f"นักศึกษา: {ARABIC}" in _pdftotext(data)


def test_unshaped_pdfs_are_not_marked() -> None:
    """A PDF with nothing to shape is written as before: each glyph carries its character."""
    assert _actual_texts(_ledger("สมชาย ใจดี", ["น้ำรั่วซึม"])) == [[]]
