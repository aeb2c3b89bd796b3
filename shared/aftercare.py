"""After the repair: rating and reopening ("ยังไม่หาย")."""

from datetime import datetime, timedelta

from shared.statuses import RequestStatus

REOPEN_WINDOW = timedelta(days=7)
RATING_MIN, RATING_MAX = 1, 5
COMMENT_MAX = 1000


def rating_valid(rating: int) -> bool:
    return RATING_MIN <= rating <= RATING_MAX

RATEABLE = frozenset({RequestStatus.DONE, RequestStatus.HANDED_BACK, RequestStatus.UNREPAIRABLE})
DUPLICATE_WINDOW = timedelta(days=7)
# The duplicate hint answers for a grid cell, never for a point: every point of a cell (about 110 m across) gets
# the same answer, counting open requests within this radius of the cell's centre, so no series of questions can
# locate someone's home more closely than the cell. It says how many (at most DUPLICATE_COUNT_CAP), never where.
DUPLICATE_CELL_DEG = 0.001
DUPLICATE_RADIUS_M = 150.0
DUPLICATE_COUNT_CAP = 5


def duplicate_cell(lat: float, lon: float) -> tuple[float, float]:
    """The centre of the grid cell a point falls in."""
    return (round(round(lat / DUPLICATE_CELL_DEG) * DUPLICATE_CELL_DEG, 6),
            round(round(lon / DUPLICATE_CELL_DEG) * DUPLICATE_CELL_DEG, 6))


def may_reopen(handed_back_at: datetime | None, now: datetime) -> bool:
    return handed_back_at is not None and now - handed_back_at <= REOPEN_WINDOW
