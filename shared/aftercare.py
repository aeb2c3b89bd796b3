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
# The duplicate hint answers for a grid cell, never for a point, and counts requests by their cell, never by their
# point: an open request is counted for the cell it falls in and that cell's eight neighbours (a 3 x 3 block, so a
# neighbour just across a cell's edge is found, about DUPLICATE_RADIUS_M around). Every point of a cell gets the same
# answer and every point of a request's cell gives the same answers, so no series of questions can locate someone's
# home more closely than its cell (about 110 m across; audit15a located a home to 18 m when the answer measured the
# distance from the request's own point). It says how many (at most DUPLICATE_COUNT_CAP), never where.
DUPLICATE_CELL_DEG = 0.001
DUPLICATE_NEIGHBOUR_CELLS = 1  # cells counted on each side of the asked one
DUPLICATE_RADIUS_M = 150.0  # what the hint tells people: "near you" is about this far
DUPLICATE_COUNT_CAP = 5


def duplicate_cell_index(lat: float, lon: float) -> tuple[int, int]:
    """Which grid cell a point falls in: the backend's SQL computes the same for each request (round half to even,
    as PostgreSQL's round(double precision) does)."""
    return round(lat / DUPLICATE_CELL_DEG), round(lon / DUPLICATE_CELL_DEG)


def duplicate_cell(lat: float, lon: float) -> tuple[float, float]:
    """The centre of the grid cell a point falls in."""
    i, j = duplicate_cell_index(lat, lon)
    return round(i * DUPLICATE_CELL_DEG, 6), round(j * DUPLICATE_CELL_DEG, 6)


def may_reopen(handed_back_at: datetime | None, now: datetime) -> bool:
    return handed_back_at is not None and now - handed_back_at <= REOPEN_WINDOW
