"""Rendering at delivery (and in the inbox): a notification row in its reader's language."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from shared.notifications import Kind, Rendered, render
from shared.text import Locale


def render_row(row: Mapping[str, Any], now: datetime, locale: str | None = None) -> Rendered:
    """`row` has kind, params, request_id, ref_no (may be null) and the reader's locale."""
    return render(Kind(row["kind"]), row["params"] or {}, Locale(locale or row["locale"] or "th"), now,
                  int(row["ref_no"]) if row.get("ref_no") is not None else None,
                  str(row["request_id"]) if row["request_id"] else None)
