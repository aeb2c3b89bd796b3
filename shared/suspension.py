"""An operator's suspension of an account (`fixit-backend suspend-person`): the reason they give is kept in the audit
trail, one line and short enough to read in a list of events."""

import unicodedata

from shared.visible_text import is_blank

SUSPEND_REASON_MAX = 200


def suspend_reason_problem(reason: str) -> str | None:
    """The error code for a reason the trail should not keep (None: fine). Required, one line (no line breaks or other
    control characters that would break a listing of the trail), at most SUSPEND_REASON_MAX characters."""
    if is_blank(reason):
        return "suspend_reason_required"
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in reason):
        return "suspend_reason_one_line"
    if len(reason.strip()) > SUSPEND_REASON_MAX:
        return "suspend_reason_too_long"
    return None
