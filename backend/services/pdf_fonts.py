"""The PDFs' fonts: NotoSansThai (Thai and Latin, the app's own font), and for the names people write in other
scripts, fallback fonts only the backend reads.

A display name, an item or a college name may be in any script (the API takes them). fpdf2 drops every character
its font has no glyph for: a Lao, Burmese, Chinese or Cyrillic name printed as nothing on the record a teacher
signs, a Vietnamese one losing letters. So each PDF embeds, besides NotoSansThai, the fallback fonts its texts
need (fpdf2's set_fallback_fonts), from backend/pdf_fonts/ (the app's package leaves backend/ out: pyproject.toml
[tool.flet.app] exclude), each with its licence file beside it:

- DejaVu Sans (Bitstream Vera licence): Latin with every accent (Vietnamese), Greek, Cyrillic, Arabic, Hebrew,
  Lao, Georgian, Armenian and symbols;
- Padauk (SIL, OFL 1.1): Burmese (Myanmar), the script of many students and families from Myanmar;
- Droid Sans Fallback (Google, Apache 2.0): Chinese, Japanese and Korean. Read only for a PDF that needs it
  (parsing it takes about a second).

A character none of them has is never printed as nothing: it is printed as its code point, "[U+1F600]", visible
and honest (someone can tell there is a character there and which), not a guessed look-alike.

Scripts whose letters change shape, join, reorder or stack (Arabic's joined letters, Burmese's vowel written before
its consonant and its stacked consonants, Hebrew's points, Lao's marks) print wrong letter by letter: a PDF whose texts
have one are printed shaped with HarfBuzz (fpdf2's set_text_shaping, the `uharfbuzz` package, backend only): each
line that has such a letter (`shaped`, in pdf_text.write_wrapped), and a whole table if one of its cells has. Other
lines are not: NotoSansThai places Thai marks well enough unshaped, shaping takes about three times as long to lay a
page out (bench/pdf.py), and fpdf2 (2.8.9) writes no text for the glyphs HarfBuzz adds to or moves in a cluster
(Thai's ำ becomes two glyphs, Burmese's ေ moves before its consonant): its text copied out of the PDF had a stray
space or lost a letter ("မေ ာင်" for "မောင်"). So each shaped line is marked with the text it was typed as
(TypedTextPDF: a `/Span <</ActualText ...>> BDC ... EMC` marked-content sequence around the line, PDF 1.5 14.9.4),
which readers copy and search instead of the glyphs; fpdf2 has no API for it (its `_marked_sequence` writes
structure-tree ActualText for figures, which text extraction does not read), so the line is wrapped where fpdf2
writes it. Not a line with right-to-left text (Arabic, Hebrew): poppler lays an ActualText out as one left-to-right
run and reverses its right-to-left letters, so a name given in its typed (logical) order copied out backwards,
while from the glyphs, unmarked, poppler recovers the typed order (a ligature such as Arabic lam-alef may still copy
out as its two letters the other way round).
"""

import functools
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # fpdf2 reads fonts with it; it has no stubs
from fontTools.unicodedata import script  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf.enums import TextDirection
from fpdf.line_break import TextLine

from backend.settings import PROJECT_ROOT

FONT = PROJECT_ROOT / "assets" / "fonts" / "NotoSansThai.ttf"
FAMILY = "NotoSansThai"
PDF_FONTS_DIR = Path(__file__).resolve().parent.parent / "pdf_fonts"


@dataclass(frozen=True)
class Fallback:
    family: str
    file: Path
    licence: Path


FALLBACKS: tuple[Fallback, ...] = tuple(
    Fallback(family, PDF_FONTS_DIR / f"{file}.ttf", PDF_FONTS_DIR / f"LICENSE-{licence}.txt")
    for family, file, licence in (("DejaVuSans", "DejaVuSans", "DejaVuSans"),
                                  ("Padauk", "Padauk-Regular", "Padauk"),
                                  ("DroidSansFallback", "DroidSansFallback", "DroidSansFallback")))


# ISO 15924 codes of the scripts printed shaped (above): those the fonts here draw, and Indic ones for a font to come.
SHAPED_SCRIPTS = frozenset({"Arab", "Syrc", "Thaa", "Nkoo", "Hebr", "Mymr", "Khmr", "Laoo", "Tibt", "Mong", "Deva",
                            "Beng", "Guru", "Gujr", "Orya", "Taml", "Telu", "Knda", "Mlym", "Sinh"})


def needs_shaping(text: str) -> bool:
    """Whether `text` has a letter of a script that prints wrong unshaped (SHAPED_SCRIPTS)."""
    return any(ord(ch) > 0x7F and script(ch) in SHAPED_SCRIPTS for ch in text)


@contextmanager
def shaped(pdf: FPDF, *texts: str) -> Iterator[None]:
    """Text written (and measured) inside is shaped if one of `texts` needs it; unshaped again after."""
    on = not pdf.text_shaping and any(needs_shaping(text) for text in texts)
    if on:
        pdf.set_text_shaping(True)
    try:
        yield
    finally:
        if on:
            pdf.set_text_shaping(False)


@functools.cache
def glyphs(font: Path) -> frozenset[int]:
    """The code points `font` draws (its cmap), read once per process."""
    with TTFont(str(font), lazy=True) as ttf:
        return frozenset(ttf.getBestCmap() or {})


def _needs_no_glyph(ch: str) -> bool:
    """White space, controls and format characters (ZWJ, ZWSP): nothing to draw, nothing to stand in for."""
    return ch.isspace() or unicodedata.category(ch) in {"Cc", "Cf", "Zs", "Zl", "Zp"}


class PdfFonts:
    """The fonts one PDF embeds, chosen for the texts it prints; `text()` makes a text printable with them."""

    def __init__(self, pdf: FPDF, texts: Iterable[str], font: Path = FONT) -> None:
        pdf.add_font(FAMILY, "", str(font))
        drawn = set(glyphs(font))
        missing = {ord(ch) for text in texts for ch in text if not _needs_no_glyph(ch)} - drawn
        families: list[str] = []
        for fallback in FALLBACKS:
            if not missing:
                break
            covers = glyphs(fallback.file)
            if missing & covers:
                pdf.add_font(fallback.family, "", str(fallback.file))
                families.append(fallback.family)
                drawn |= covers
                missing -= covers
        if families:
            pdf.set_fallback_fonts(families, exact_match=False)
        self._drawn = frozenset(drawn)

    def text(self, value: str) -> str:
        """`value` with each run of characters no embedded font draws as their code points: "[U+738B U+5C0F]"."""
        out: list[str] = []
        run: list[str] = []
        for ch in value:
            if ord(ch) in self._drawn or _needs_no_glyph(ch):
                if run:
                    out.append("[" + " ".join(run) + "]")
                    run = []
                out.append(ch)
            else:
                run.append(f"U+{ord(ch):04X}")
        if run:
            out.append("[" + " ".join(run) + "]")
        return "".join(out)


class TypedTextPDF(FPDF):
    """fpdf2's FPDF whose shaped lines (set_text_shaping on) copy out of the PDF as they were typed: each is written
    inside a marked-content sequence whose /ActualText is the line's text (see the module's docstring; a line with
    right-to-left text is left as fpdf2 writes it). Unshaped lines are not marked: each of their glyphs carries its
    own character already."""

    # Where the last content written while a shaped line is rendered starts: (page, offset in its content stream).
    _line_start: tuple[int, int] | None = None
    _marking = False

    def _out(self, s: str | bytes) -> None:
        if self._marking and self.page and isinstance(contents := self.pages[self.page].contents, bytearray):
            self._line_start = (self.page, len(contents))
        super()._out(s)

    def _render_styled_text_line(self, text_line: TextLine, *args: Any, **kwargs: Any) -> bool:
        typed = "".join(fragment.string for fragment in text_line.fragments)
        if (not self.text_shaping or not typed.strip()
                or any(f.fragment_direction == TextDirection.RTL for f in text_line.fragments)):
            return super()._render_styled_text_line(text_line, *args, **kwargs)
        # fpdf2 writes the line's text (its borders and fill too) with one _out, the last of this call, after any
        # page break and font selection it makes: that write, wherever it lands, is what the span wraps.
        self._set_min_pdf_version("1.5")  # marked content with /ActualText: PDF 1.5
        self._marking, self._line_start = True, None
        try:
            broke = super()._render_styled_text_line(text_line, *args, **kwargs)
        finally:
            self._marking = False
        if self._line_start is not None:  # a page's content is a bytearray while it is drawn on (fpdf2's _out)
            page, at = self._line_start
            contents = self.pages[page].contents
            assert isinstance(contents, bytearray)
            # A PDF text string as hex: UTF-16BE after its byte order mark, nothing to escape.
            contents[at:at] = (b"/Span <</ActualText <FEFF" + typed.encode("utf-16-be").hex().upper().encode()
                               + b">>> BDC\n")
            contents.extend(b"EMC\n")
        return broke
