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
page out (bench/pdf.py), and fpdf2 writes no text for the glyphs HarfBuzz adds to a cluster (Thai's ำ becomes two
glyphs, Burmese's ေ moves before its consonant), so shaped text copies out of the PDF with a stray character here
and there: a Thai line beside a Burmese name copies out whole.
"""

import functools
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # fpdf2 reads fonts with it; it has no stubs
from fontTools.unicodedata import script  # type: ignore[import-untyped]
from fpdf import FPDF

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
