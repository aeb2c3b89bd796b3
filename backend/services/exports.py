"""The college's exports as people read them: Thai (or English) headers, status and category names, dates in the
Buddhist era and Thailand's time, UTF-8 with a BOM so Excel shows Thai."""

import csv
import io
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from shared.statuses import RequestStatus
from shared.text import EXPORT_TEXTS, STATUS_LABELS, Locale
from shared.thai_time import BANGKOK, BUDDHIST_ERA_OFFSET

JOB_COLUMNS = ("reference", "created_at", "category", "item", "brand", "status", "province", "district",
               "technician", "hours", "parts_total", "rating", "approved_at", "approved_by")
LEDGER_COLUMNS = ("student", "approved_jobs", "hours", "categories")


def local_time(moment: datetime, locale: Locale) -> str:
    """Thailand's time as a CSV's cell, numbers a spreadsheet reads: Thai day/month/Buddhist year (15/03/2569 14:05),
    English 2026-03-15 14:05. What people read on paper (the PDFs) is dated as the app does (shared.text)."""
    at = moment.astimezone(BANGKOK)
    if locale == Locale.TH:
        return f"{at.day:02d}/{at.month:02d}/{at.year + BUDDHIST_ERA_OFFSET} {at:%H:%M}"
    return f"{at:%Y-%m-%d %H:%M}"


def number(value: float | Decimal | int | None) -> str:
    """2.5 → "2.5", 3.0 → "3", None → "" (no trailing zeros for a spreadsheet to misread)."""
    if value is None:
        return ""
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def _name(pair: tuple[str, str], locale: Locale) -> str:
    return pair[0] if locale == Locale.TH else pair[1]


def job_rows(rows: Sequence[Mapping[str, Any]], locale: Locale) -> list[list[str]]:
    out = []
    for r in rows:
        parts = r["parts_approved_total"]
        out.append([
            r["reference"],
            local_time(r["created_at"], locale),
            _name((r["category_name_th"], r["category_name_en"]), locale),
            r["item"],
            r["brand"],
            STATUS_LABELS[RequestStatus(r["status"])].in_(locale),
            r["province"],
            r["district"],
            r["technician"] or "",
            number(r["hours"]),
            number(parts) if parts else "",
            "" if r["rating"] is None else str(r["rating"]),
            local_time(r["approved_at"], locale) if r["approved_at"] else "",
            r["approved_by"] or "",
        ])
    return out


def ledger_rows(rows: Sequence[Mapping[str, Any]], categories: Mapping[str, tuple[str, str]],
                locale: Locale) -> list[list[str]]:
    return [[r["display_name"], str(r["approved_jobs"]), number(r["hours"]),
             ", ".join(_name(categories.get(c, (c, c)), locale) for c in r["categories"])] for r in rows]


# What makes Excel (and LibreOffice) read a cell as a formula: text people typed (an item, a name) must not start a
# formula in the teacher's sheet (`=HYPERLINK(…)`, DDE), so such a cell gets the text prefix `'` (OWASP's advice).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def as_text(cell: str) -> str:
    """A cell as Excel shows it, never run: text starting like a formula is prefixed; a plain number (a negative
    one too) stays a number."""
    if not cell.startswith(FORMULA_STARTS) or _PLAIN_NUMBER.fullmatch(cell):
        return cell
    return "'" + cell


def to_csv(columns: Sequence[str], rows: list[list[str]], locale: Locale) -> bytes:
    """UTF-8 with a BOM: Excel, which most colleges open it with, then shows Thai correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([EXPORT_TEXTS[c].in_(locale) for c in columns])
    writer.writerows([as_text(cell) for cell in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
