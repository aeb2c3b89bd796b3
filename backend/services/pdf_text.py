"""Lines of Thai (and any) text wrapped to a width in the PDFs.

Thai writes a phrase without spaces between its words, so fpdf2's own wrapping (at spaces, and inside a run too
long for the line at whatever letter fills it) starts lines with a following vowel ("า", "ำ", "ะ") or ends them with
a leading one ("เ", "แ", "โ", "ใ", "ไ"), tearing a syllable in two. Without a dictionary (the project has no Thai
word segmenter) the breaks here are at spaces and, inside Thai text, only before a letter that can start a
syllable: never before a following vowel, a mark, ๆ or ฯ; never after a leading vowel or inside its syllable's
first letters (เ-ีย, เ-ือ included); never before the silent letter under ์ (karan), a word's last letter, nor after
a vowel that needs a final letter (ั, ็). A heuristic, not a word segmenter: a syllable may still be cut before its
final letter, never a vowel or a mark from its letter.
A run that has no such place and is still wider than the line (a URL, a name of 80 repeated letters) is cut between
letters, each letter with its marks.
"""

import unicodedata

from fpdf import FPDF
from fpdf.enums import XPos, YPos

_CONSONANTS = frozenset(chr(c) for c in range(0x0E01, 0x0E2F))  # ก .. ฮ
_LEADING_VOWELS = frozenset("เแโใไ")
_NEEDS_FINAL = frozenset("\u0e31\u0e47")  # ั mai han-akat, ็ maitaikhu: the syllable goes on to its final letter
_KARAN = "\u0e4c"  # ์ : the letter under it is silent, the end of the syllable before


def _is_thai(ch: str) -> bool:
    return "\u0e00" <= ch <= "\u0e7f"


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in {"Mn", "Me"}


def thai_break_before(text: str, i: int) -> bool:
    """Whether a line may end before text[i] inside a run of Thai letters (spaces are handled by the caller)."""
    if i <= 0 or i >= len(text):
        return False
    ch, before = text[i], text[i - 1]
    if not (_is_thai(ch) and _is_thai(before)) or (ch not in _CONSONANTS and ch not in _LEADING_VOWELS):
        return False
    if before in _LEADING_VOWELS:
        return False
    # The letter before, with its marks: where it starts and whether it needs its final letter.
    start = i - 1
    while start > 0 and _is_mark(text[start]):
        start -= 1
    if any(m in _NEEDS_FINAL for m in text[start + 1:i]):
        return False
    if ch in _CONSONANTS:
        if start > 0 and text[start - 1] in _LEADING_VOWELS and text[start] in _CONSONANTS:
            return False  # เ + a letter: this one still belongs to that syllable (เทค, ไปม)
        if ch in "อย" and any(m in "\u0e35\u0e37" for m in text[start + 1:i]):
            return False  # the vowels เ-ีย and เ-ือ (เรียน, เครื่อง)
        j = i + 1
        while j < len(text) and _is_mark(text[j]):
            if text[j] == _KARAN:
                return False
            j += 1
        if j >= len(text) or not _is_thai(text[j]):
            return False  # the last letter of a word: the final of the syllable before (ปาง)
    return True


def _units(text: str) -> list[str]:
    """`text` cut where a line may end: after each space, and at each Thai break."""
    units: list[str] = []
    start = 0
    for i in range(1, len(text)):
        if (text[i - 1] == " " and text[i] != " ") or thai_break_before(text, i):
            units.append(text[start:i])
            start = i
    units.append(text[start:])
    return [u for u in units if u]


def _letters(unit: str) -> list[str]:
    """`unit` as letters, each with the marks that follow it."""
    letters: list[str] = []
    for ch in unit:
        if letters and _is_mark(ch):
            letters[-1] += ch
        else:
            letters.append(ch)
    return letters


def wrapped_lines(pdf: FPDF, text: str, width: float) -> list[str]:
    """`text` as lines no wider than `width` (mm) in the current font, each line's trailing spaces dropped."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for unit in _units(paragraph):
            if pdf.get_string_width((line + unit).rstrip()) <= width:
                line += unit
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = ""
            if pdf.get_string_width(unit.rstrip()) <= width:
                line = unit
                continue
            for letter in _letters(unit):  # too wide alone: cut between letters
                if line and pdf.get_string_width((line + letter).rstrip()) > width:
                    lines.append(line.rstrip())
                    line = ""
                line += letter
        lines.append(line.rstrip())
    return lines


def write_wrapped(pdf: FPDF, w: float, h: float, text: str) -> None:
    """multi_cell(w, h, text) with the line breaks above; then the next line at the left margin. `w` 0 is up to the
    right margin, as for multi_cell."""
    box = w if w else pdf.w - pdf.r_margin - pdf.x
    lines = wrapped_lines(pdf, text, box - 2 * pdf.c_margin)
    pdf.multi_cell(w, h, "\n".join(lines), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def cell_text(pdf: FPDF, text: str, width: float) -> str:
    """`text` for a cell `width` mm wide of fpdf2's table (which breaks a line at whatever letter fills it and never
    asks wrapped_lines): its lines broken as above, joined by newlines, in the current font. The cell's inside is its
    width less c_margin on each side and its border; half a millimetre more is left so that fpdf2 breaks no line
    again."""
    return "\n".join(wrapped_lines(pdf, text, width - 2 * pdf.c_margin - 0.5))
