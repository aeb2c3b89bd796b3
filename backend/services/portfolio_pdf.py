"""A student's portfolio for one term as a printable A4 PDF (Thai font embedded), with its verification code and a
QR code to the public verify page. No citizen's name, phone or address is printed."""

import io
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from backend.services.exports import local_time, number
from backend.services.ledger_pdf import _FAMILY, FONT
from shared.credit import OUTCOME_LABELS, PORTFOLIO_TEXTS, TEAM_ROLE_LABELS, Outcome, TeamRole
from shared.reference import format_reference
from shared.text import Locale

# Column widths in mm of the 180 mm line: reference, approved on, item, outcome, role, hours.
_WIDTHS = (24, 30, 52, 30, 24, 20)



def _w(key: str, locale: Locale, **values: object) -> str:
    th, en = PORTFOLIO_TEXTS[key]
    return (th if locale == Locale.TH else en).format(**values)


def _label(pair: tuple[str, str], locale: Locale) -> str:
    return pair[0] if locale == Locale.TH else pair[1]


def portfolio_pdf(folio: Mapping[str, Any], code: str, verify_url: str, now: datetime, locale: Locale) -> bytes:
    """`folio` is backend.services.credit.portfolio's answer."""
    pdf = FPDF(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(f"{_w('title', locale)} - {folio['first_name']} - {folio['term']}")
    pdf.add_font(_FAMILY, "", str(FONT))
    pdf.add_page()

    qr = io.BytesIO()
    segno.make(verify_url, error="m").save(qr, kind="png", scale=4, border=2)
    qr.seek(0)
    pdf.image(qr, x=160, y=12, w=35, h=35)

    college = folio["college_th"] if locale == Locale.TH else folio["college_en"]
    pdf.set_font(_FAMILY, size=16)
    pdf.cell(140, 10, _w("title", locale), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FAMILY, size=12)
    for line in (_w("student", locale, name=folio["display_name"]), _w("college", locale, college=college),
                 _w("term", locale, term=folio["term"])):
        pdf.cell(140, 8, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)

    jobs = folio["jobs"]
    pdf.set_font(_FAMILY, size=10)
    if jobs:
        headers = [_w(k, locale) for k in ("reference", "approved_at", "item", "outcome", "role", "hours")]
        with pdf.table(col_widths=_WIDTHS, text_align=("LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "RIGHT"),
                       line_height=6, headings_style=FontFace(emphasis="", fill_color=(230, 230, 230))) as table:
            table.row(headers)
            for job in jobs:
                outcome = _label(OUTCOME_LABELS[Outcome(job["outcome"] or "fixed")], locale)
                role = _label(TEAM_ROLE_LABELS[TeamRole(job["role"])], locale)
                table.row([format_reference(job["ref_no"]), local_time(job["approved_at"], locale), job["item"],
                           outcome, role, number(job["hours"])])
        teachers = sorted({j["approved_by"] for j in jobs if j["approved_by"]})
        photos = sum(len(j["photos"]) for j in jobs)
        pdf.ln(2)
        pdf.cell(0, 6, _w("approved_by", locale, names=", ".join(teachers)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.cell(0, 6, _w("photos", locale, count=photos), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:
        pdf.cell(0, 8, _w("none", locale), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font(_FAMILY, size=12)
    pdf.cell(0, 8, _w("total", locale, jobs=folio["job_count"], hours=number(folio["hours"])),
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font(_FAMILY, size=10)
    pdf.multi_cell(0, 6, _w("verify", locale, url=verify_url, code=code), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FAMILY, size=9)
    pdf.cell(0, 8, _w("printed", locale, when=local_time(now, locale)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
