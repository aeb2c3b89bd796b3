"""After the repair: rating and reopening ("ยังไม่หาย")."""

from datetime import datetime, timedelta

from shared.statuses import RequestStatus

REOPEN_WINDOW = timedelta(days=7)
RATEABLE = frozenset({RequestStatus.DONE, RequestStatus.HANDED_BACK, RequestStatus.UNREPAIRABLE})
DUPLICATE_RADIUS_M = 50.0
DUPLICATE_WINDOW = timedelta(days=7)


def may_reopen(handed_back_at: datetime | None, now: datetime) -> bool:
    return handed_back_at is not None and now - handed_back_at <= REOPEN_WINDOW
