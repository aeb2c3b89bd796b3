"""A student's portfolio for one term as a printable A4 PDF (Thai font embedded), with its verification code and a
QR code to the public verify page. No citizen's name, phone or address is printed."""

import io
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from PIL import Image, UnidentifiedImageError

from backend.services.exports import number
from backend.services.pdf_fonts import FAMILY as _FAMILY
from backend.services.pdf_fonts import PdfFonts, TypedTextPDF, shaped
from backend.services.pdf_text import cell_text, wrapped_lines, write_wrapped
from shared.credit import (
    OUTCOME_LABELS,
    PORTFOLIO_PHOTO_QUALITY,
    PORTFOLIO_PHOTO_SIDE,
    PORTFOLIO_TEXTS,
    TEAM_ROLE_LABELS,
    Outcome,
    TeamRole,
)
from shared.reference import format_reference
from shared.text import Locale, date_text, datetime_text, plural_en
from shared.thai_time import bangkok_day

# Column widths in mm of the 180 mm line: reference, approved on, item, outcome, role, hours.
_WIDTHS = (24, 30, 52, 30, 24, 20)
_PHOTO_W = 40  # mm, the square each printed photo fits in
_QR_SIDE, _QR_Y = 35, 12  # mm: the QR code's square at the top right
_HEAD_W = 140  # mm: the title, the student's, the college's and the term's lines, left of the QR code
_PHOTO_ROW_H = 48  # mm reserved for a job's photos (caption + the tallest photo)


def _w(key: str, locale: Locale, **values: object) -> str:
    th, en = PORTFOLIO_TEXTS[key]
    return (th if locale == Locale.TH else plural_en(en, values)).format(**values)


def _label(pair: tuple[str, str], locale: Locale) -> str:
    return pair[0] if locale == Locale.TH else pair[1]


def small_jpeg(data: bytes) -> io.BytesIO | None:
    """A stored photo (WebP or JPEG) as a small JPEG: fpdf embeds a JPEG as it is, so this sets the PDF's size.
    None for bytes that are not an image (a broken object is left out, not printed as an error)."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.thumbnail((PORTFOLIO_PHOTO_SIDE, PORTFOLIO_PHOTO_SIDE))
            out = io.BytesIO()
            im.convert("RGB").save(out, "JPEG", quality=PORTFOLIO_PHOTO_QUALITY, optimize=True)
    except (UnidentifiedImageError, OSError):
        return None
    out.seek(0)
    return out


def _photos(pdf: FPDF, fonts: PdfFonts, jobs: list[Mapping[str, Any]],
            photos: Mapping[uuid.UUID, Mapping[str, bytes]], locale: Locale) -> None:
    """Each job with photos: its reference and item, then its before and after photo side by side, captioned."""
    # A reopened job has a row per approved round: its photos once.
    once: dict[uuid.UUID, Mapping[str, Any]] = {}
    for job in jobs:
        once.setdefault(job["request_id"], job)
    shown = [(j, photos[rid]) for rid, j in once.items() if photos.get(rid)]
    if not shown:
        return
    pdf.ln(4)
    pdf.set_font(_FAMILY, size=12)
    pdf.cell(0, 8, _w("photos_title", locale), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FAMILY, size=9)
    for job, pair in shown:
        caption = f"{format_reference(job['ref_no'])}  {fonts.text(job['item'])}"
        with shaped(pdf, caption):  # as write_wrapped prints it
            caption_h = 6 * len(wrapped_lines(pdf, caption, pdf.epw - 2 * pdf.c_margin))
        if pdf.get_y() + _PHOTO_ROW_H + caption_h + 2 > pdf.h - pdf.b_margin:
            pdf.add_page()
        write_wrapped(pdf, 0, 6, caption)  # a long item wraps, never cut
        top, x = pdf.get_y(), pdf.l_margin
        for kind in ("before", "after"):
            image = small_jpeg(pair[kind]) if kind in pair else None
            if image is None:
                continue
            pdf.set_xy(x, top)
            pdf.cell(_PHOTO_W, 5, _w(kind, locale))
            # Fitted in a square: a portrait photo must not run into the next job's caption.
            pdf.image(image, x=x, y=top + 5, w=_PHOTO_W, h=_PHOTO_W, keep_aspect_ratio=True)
            x += _PHOTO_W + 6
        pdf.set_xy(pdf.l_margin, top + _PHOTO_ROW_H)


def portfolio_pdf(folio: Mapping[str, Any], code: str, verify_url: str, now: datetime, locale: Locale,
                  photos: Mapping[uuid.UUID, Mapping[str, bytes]] | None = None) -> bytes:
    """`folio` is backend.services.credit.portfolio's answer; `photos` each job's before/after photo bytes
    (backend.services.credit.load_photos)."""
    pdf = TypedTextPDF(format="A4")  # its shaped lines copy out as typed
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(f"{_w('title', locale)} - {folio['first_name']} - {folio['term']}")
    jobs = folio["jobs"]
    college = folio["college_th"] if locale == Locale.TH else folio["college_en"]
    fonts = PdfFonts(pdf, [folio["display_name"], college, folio["term"],
                           *(str(j["item"]) for j in jobs), *(str(j["approved_by"] or "") for j in jobs)])
    pdf.add_page()

    qr = io.BytesIO()
    segno.make(verify_url, error="m").save(qr, kind="png", scale=4, border=2)
    qr.seek(0)
    pdf.image(qr, x=pdf.w - pdf.r_margin - _QR_SIDE, y=_QR_Y, w=_QR_SIDE, h=_QR_SIDE)

    # The column left of the QR code, its lines wrapped (a college name or a display name at its limit is wider than
    # the column: cut, it ran over the QR code and off the page); below the QR code whatever the names' length.
    pdf.set_font(_FAMILY, size=16)
    write_wrapped(pdf, _HEAD_W, 10, _w("title", locale))
    pdf.set_font(_FAMILY, size=12)
    # A name breaks only between its own words (pdf_text: newmm cuts a name it does not know anywhere).
    name, college = fonts.text(folio["display_name"]), fonts.text(college)
    for line, names in ((_w("student", locale, name=name), [name]), (_w("college", locale, college=college), [college]),
                        (_w("term", locale, term=fonts.text(folio["term"])), [])):
        write_wrapped(pdf, _HEAD_W, 8, line, names)
    pdf.ln(8)
    pdf.set_y(max(pdf.get_y(), _QR_Y + _QR_SIDE + 2))

    pdf.set_font(_FAMILY, size=10)
    if jobs:
        headers = [_w(k, locale) for k in ("reference", "approved_at", "item", "outcome", "role", "hours")]
        # Shaped, the whole table, if an item is in a script that needs it (pdf_fonts.shaped)
        with shaped(pdf, *(fonts.text(str(job["item"])) for job in jobs)), \
                pdf.table(col_widths=_WIDTHS, text_align=("LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "RIGHT"),
                          line_height=6, headings_style=FontFace(emphasis="", fill_color=(230, 230, 230))) as table:
            table.row(headers)
            for job in jobs:
                outcome = _label(OUTCOME_LABELS[Outcome(job["outcome"] or "fixed")], locale)
                role = _label(TEAM_ROLE_LABELS[TeamRole(job["role"])], locale)
                approved = date_text(bangkok_day(job["approved_at"]), locale)  # as the app and the verify page
                # Thai breaks between words in the cells too (pdf_text), not at whatever letter fills the column
                table.row([format_reference(job["ref_no"]), approved,
                           cell_text(pdf, fonts.text(job["item"]), _WIDTHS[2]), cell_text(pdf, outcome, _WIDTHS[3]),
                           role, number(job["hours"])])
        teachers = sorted({j["approved_by"] for j in jobs if j["approved_by"]})
        # A reopened job has a row per approved round: its photos count once.
        count = sum(len(j["photos"]) for j in {j["request_id"]: j for j in jobs}.values())
        pdf.ln(2)
        printed = [fonts.text(teacher) for teacher in teachers]
        write_wrapped(pdf, 0, 6, _w("approved_by", locale, names=", ".join(printed)), printed)
        pdf.cell(0, 6, _w("photos", locale, count=count), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        _photos(pdf, fonts, jobs, photos or {}, locale)
    else:
        pdf.cell(0, 8, _w("none", locale), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font(_FAMILY, size=12)
    pdf.cell(0, 8, _w("total", locale, jobs=folio["job_count"], hours=number(folio["hours"])),
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font(_FAMILY, size=10)
    write_wrapped(pdf, 0, 6, _w("verify", locale, url=verify_url, code=code))
    pdf.set_font(_FAMILY, size=9)
    pdf.cell(0, 8, _w("printed", locale, when=datetime_text(now, locale)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
