"""Lines of Thai (and any) text wrapped to a width in the PDFs.

Thai writes a phrase without spaces between its words, so fpdf2's own wrapping (at spaces, and inside a run too
long for the line at whatever letter fills it) starts lines with a following vowel ("า", "ำ", "ะ") or ends them with
a leading one ("เ", "แ", "โ", "ใ", "ไ"), tearing a syllable in two. The breaks here are at spaces and, inside Thai
text, between words as PyThaiNLP's dictionary word segmenter (newmm; its dictionary ships in its wheel) cuts them:
never inside a word, never before ๆ, ฯ, a following vowel or a mark. PyThaiNLP is a backend-only dependency (the
`server` extra), imported on the first PDF that has Thai in it (its dictionary costs about half a second and
70 MB once per process; the PDFs are built off the event loop).
Only a word wider than the line itself is cut inside, as a last resort: where a syllable can start (the
dictionary-free rules of thai_break_before), and a run with no such place (a URL, a name of 80 repeated letters)
between letters, each letter with its marks.

Names are not dictionary text: newmm cuts a name it does not know into whatever words it finds in it ("ธน|วัฒน์",
"ศรีสุวรรณ|วงศ์|ชัย|กุล"), and a line ended there split a person's or a college's name in the middle of one of its
words. So the names a line holds (`names`: people's and colleges' names, as printed) break only where the name
itself does, at its own spaces (a Thai name's first name and surname), and each of their words starts and ends a
unit of its own. A word of a name is cut inside only when it alone is wider than the line: first between its
dictionary words, then as any word. Items are left to the dictionary: they are phrases of ordinary words
("เครื่องซักผ้าฝาหน้า"), which is what it knows.
"""

import re
import unicodedata
from collections.abc import Iterable

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from backend.services.pdf_fonts import shaped

_CONSONANTS = frozenset(chr(c) for c in range(0x0E01, 0x0E2F))  # ก .. ฮ
_LEADING_VOWELS = frozenset("เแโใไ")
_NEEDS_FINAL = frozenset("\u0e31\u0e47")  # ั mai han-akat, ็ maitaikhu: the syllable goes on to its final letter
_KARAN = "\u0e4c"  # ์ : the letter under it is silent, the end of the syllable before


def _is_thai(ch: str) -> bool:
    return "\u0e00" <= ch <= "\u0e7f"


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in {"Mn", "Me"}


def thai_break_before(text: str, i: int) -> bool:
    """Whether a line may end before text[i] inside a run of Thai letters (spaces are handled by the caller): the
    dictionary-free rules used only inside a word wider than the line."""
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


_NO_LINE_START = frozenset("ะาำๅๆฯ")  # following vowels, the repetition and abbreviation marks


def _thai_words(text: str) -> list[str]:
    """`text` cut into words by PyThaiNLP's newmm (spaces kept as tokens): imported here, on the first PDF with
    Thai, not when the backend starts."""
    from pythainlp.tokenize import word_tokenize  # its dictionary: ~0.5 s and ~70 MB, once

    return word_tokenize(text, engine="newmm", keep_whitespace=True)


def _may_start_line(text: str, i: int) -> bool:
    return text[i] not in _NO_LINE_START and not _is_mark(text[i])


def _name_words(text: str, names: Iterable[str]) -> tuple[frozenset[int], frozenset[int]]:
    """Where the words of `names` (each found wherever it occurs in `text`) lie: the offsets strictly inside one of
    them, where no dictionary break is made, and their edges, where a word of a name starts or ends."""
    inside: set[int] = set()
    edges: set[int] = set()
    for name in {n for n in names if n.strip()}:
        at = text.find(name)
        while at >= 0:
            for word in re.finditer(r"\S+", name):
                start, end = at + word.start(), at + word.end()
                inside.update(range(start + 1, end))
                edges.update((start, end))
            at = text.find(name, at + len(name))
    return frozenset(inside), frozenset(edges - inside)


def _units(text: str, inside: frozenset[int] = frozenset(), edges: frozenset[int] = frozenset()) -> list[str]:
    """`text` cut where a line may end: after each space, and between two Thai words; not `inside` a word of a name,
    and at the `edges` of one (_name_words)."""
    words: set[int] = set()
    if any(_is_thai(ch) for ch in text):
        at = 0
        for word in _thai_words(text):
            at += len(word)
            words.add(at)
    units: list[str] = []
    start = 0
    for i in range(1, len(text)):
        if not _may_start_line(text, i):
            continue
        after_space = text[i - 1] == " " and text[i] != " "
        between_words = ((i in words or i in edges) and i not in inside and _is_thai(text[i - 1])
                         and _is_thai(text[i]) and text[i - 1] not in _LEADING_VOWELS)
        if after_space or between_words:
            units.append(text[start:i])
            start = i
    units.append(text[start:])
    return [u for u in units if u]


def _syllables(word: str) -> list[str]:
    """A word too wide for the line, cut where a Thai syllable may start (the last resort but one)."""
    parts: list[str] = []
    start = 0
    for i in range(1, len(word)):
        if thai_break_before(word, i):
            parts.append(word[start:i])
            start = i
    parts.append(word[start:])
    return [p for p in parts if p]


def _letters(unit: str) -> list[str]:
    """`unit` as letters, each with the marks that follow it."""
    letters: list[str] = []
    for ch in unit:
        if letters and _is_mark(ch):
            letters[-1] += ch
        else:
            letters.append(ch)
    return letters


def wrapped_lines(pdf: FPDF, text: str, width: float, names: Iterable[str] = ()) -> list[str]:
    """`text` as lines no wider than `width` (mm) in the current font, each line's trailing spaces dropped; the
    `names` in it (people's, colleges': as they are printed in `text`) broken only between their own words."""
    lines: list[str] = []

    def fits(candidate: str) -> bool:
        return pdf.get_string_width(candidate.rstrip()) <= width

    for paragraph in text.split("\n"):
        inside, edges = _name_words(paragraph, names)
        line, at = "", 0
        for unit in _units(paragraph, inside, edges):
            start, at = at, at + len(unit)
            if fits(line + unit):
                line += unit
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = ""
            if fits(unit):
                line = unit
                continue
            # A word wider than the line alone: a word of a name between its dictionary words first; then between
            # syllables, and a syllable still too wide between letters.
            words = _units(unit) if any(start < i < at for i in inside) else [unit]
            for piece in (p for word in words for syllable in ([word] if fits(word) else _syllables(word))
                          for p in ([syllable] if fits(syllable) else _letters(syllable))):
                if line and not fits(line + piece):
                    lines.append(line.rstrip())
                    line = ""
                line += piece
        lines.append(line.rstrip())
    return lines


def write_wrapped(pdf: FPDF, w: float, h: float, text: str, names: Iterable[str] = ()) -> None:
    """multi_cell(w, h, text) with the line breaks above (the `names` in `text` kept whole: wrapped_lines); then the
    next line at the left margin. `w` 0 is up to the right margin, as for multi_cell. Shaped if `text` needs it
    (backend.services.pdf_fonts.shaped)."""
    box = w if w else pdf.w - pdf.r_margin - pdf.x
    with shaped(pdf, text):
        lines = wrapped_lines(pdf, text, box - 2 * pdf.c_margin, names)
        pdf.multi_cell(w, h, "\n".join(lines), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def cell_text(pdf: FPDF, text: str, width: float) -> str:
    """`text` for a cell `width` mm wide of fpdf2's table (which breaks a line at whatever letter fills it and never
    asks wrapped_lines): its lines broken between words as above, joined by newlines, in the current font. The
    cell's inside is its width less c_margin on each side and its border; half a millimetre more is left so that
    fpdf2 breaks no line again."""
    return "\n".join(wrapped_lines(pdf, text, width - 2 * pdf.c_margin - 0.5))
