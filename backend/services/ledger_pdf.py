"""A student's training-hours record as a printable A4 PDF, in Thai (or English), with the Thai font embedded (and
the fallback fonts its names need: backend.services.pdf_fonts)."""

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from backend.services.exports import number
from backend.services.pdf_fonts import FAMILY as _FAMILY
from backend.services.pdf_fonts import FONT, PdfFonts, TypedTextPDF, shaped
from backend.services.pdf_text import cell_text, write_wrapped
from shared.text import EXPORT_TEXTS, Locale, date_text, datetime_text
from shared.thai_time import bangkok_day

# Column widths in mm of the A4 page's 180 mm: reference, approved on, category, item, hours.
_WIDTHS = (26, 34, 40, 60, 20)


def _t(key: str, locale: Locale, **values: object) -> str:
    text = EXPORT_TEXTS[key]
    return (text.format(**values) if values else text).in_(locale)


def ledger_pdf(college_name: str, ledger: Mapping[str, Any], now: datetime, locale: Locale,
               font: Path = FONT) -> bytes:
    """`ledger` is backend.services.college_admin.student_ledger's answer."""
    pdf = TypedTextPDF(format="A4")  # its shaped lines copy out as typed
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(f"{_t('ledger_title', locale)} - {ledger['display_name']}")
    pdf.set_author(college_name)
    jobs = ledger["jobs"]
    fonts = PdfFonts(pdf, [college_name, ledger["display_name"],
                           *(str(job[k]) for job in jobs for k in ("item", "category_name_th", "category_name_en"))],
                     font)
    pdf.add_page()

    pdf.set_font(_FAMILY, size=16)
    pdf.cell(0, 10, _t("ledger_title", locale), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FAMILY, size=12)
    # Wrapped, never cut: a college name (200 characters) or a display name (80) at its limit is wider than the page
    # (Thai line breaks: backend.services.pdf_text).
    # A name breaks only between its own words (pdf_text: newmm cuts a name it does not know anywhere).
    college, name = fonts.text(college_name), fonts.text(ledger["display_name"])
    write_wrapped(pdf, 0, 8, _t("ledger_college", locale, college=college), names=[college])
    write_wrapped(pdf, 0, 8, _t("ledger_student", locale, name=name), names=[name])
    pdf.ln(4)

    pdf.set_font(_FAMILY, size=10)
    if jobs:
        headers = [_t(k, locale) for k in ("reference", "approved_at", "category", "item", "hours")]
        # Shaped, the whole table, if an item or a category is in a script that needs it (pdf_fonts.shaped)
        with shaped(pdf, *(fonts.text(str(job[k])) for job in jobs for k in ("item", "category_name_th",
                                                                           "category_name_en"))), \
                pdf.table(col_widths=_WIDTHS, text_align=("LEFT", "LEFT", "LEFT", "LEFT", "RIGHT"), line_height=6,
                          headings_style=FontFace(emphasis="", fill_color=(230, 230, 230))) as table:
            table.row(headers)
            for job in jobs:
                category = job["category_name_th"] if locale == Locale.TH else job["category_name_en"]
                # Thai breaks between words in the cells too (pdf_text), not at whatever letter fills the column
                table.row([job["reference"], date_text(bangkok_day(job["approved_at"]), locale),
                           cell_text(pdf, fonts.text(category), _WIDTHS[2]),
                           cell_text(pdf, fonts.text(job["item"]), _WIDTHS[3]), number(job["hours"])])
    else:
        pdf.cell(0, 8, _t("ledger_none", locale), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    total_hours = sum(float(job["hours"]) for job in jobs)
    pdf.set_font(_FAMILY, size=12)
    pdf.cell(0, 8, _t("ledger_total", locale, jobs=len(jobs), hours=number(total_hours)),
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(12)
    pdf.cell(0, 8, _t("ledger_signature", locale), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FAMILY, size=9)
    pdf.cell(0, 8, _t("ledger_printed", locale, when=datetime_text(now, locale)), new_x=XPos.LMARGIN,
             new_y=YPos.NEXT)
    return bytes(pdf.output())
