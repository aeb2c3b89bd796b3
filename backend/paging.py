"""The long lists' paging, one definition for every route that pages this way (shared.paging): a page of `limit` rows
after the cursor `after` (keyset: the list's own order, its id the tie-break), X-Total-Count how many the whole list
has and X-Next-Cursor the cursor of the page's last row when rows follow it. `offset` is an older app's way, still
answered (deprecated: a row that leaves the list meanwhile makes it skip one).

Each list's SQL reads `limit + 1` rows after the cursor (`%(peek)s`, keyset_params): the extra row, never sent, says
whether another page follows (`split_page`)."""

import base64
import binascii
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Query, Response

from backend.errors import ApiError
from shared.credit_wire import TOTAL_COUNT_HEADER
from shared.paging import LIST_CURSOR_MAX, LIST_OFFSET_MAX, LIST_PAGE_MAX, NEXT_CURSOR_HEADER

PageLimit = Annotated[int, Query(ge=1, le=LIST_PAGE_MAX, description="how many rows this page has at most")]
PageOffset = Annotated[int, Query(
    ge=0, le=LIST_OFFSET_MAX, deprecated=True,
    description="an older app's paging: how many rows of the list to skip (a row that left the list meanwhile makes "
                "the next page skip one; send `after` instead, never both)")]
PageAfter = Annotated[str | None, Query(
    max_length=LIST_CURSOR_MAX,
    description="the next page: the rows after the one whose cursor the last page's X-Next-Cursor header gave "
                "(sent back as it came)")]
TOTAL_COUNT_DOC: dict[str, Any] = {
    "description": "how many rows the whole list has (the body is one page of them)",
    "required": True,
    "schema": {"type": "integer"},
}
NEXT_CURSOR_DOC: dict[str, Any] = {
    "description": "the cursor of the page's last row, to send as `after` for the next page; absent on the last page",
    "required": False,
    "schema": {"type": "string"},
}
PAGE_HEADERS: dict[str, Any] = {TOTAL_COUNT_HEADER: TOTAL_COUNT_DOC, NEXT_CURSOR_HEADER: NEXT_CURSOR_DOC}


@dataclass(frozen=True)
class After:
    """A row's place in a list: its sort key (`group`: a list's leading sort group, as the helper's team jobs'
    waiting-for-approval first; `at`: its time) and its id, the tie-break."""

    at: datetime
    id: uuid.UUID
    group: int = 0

    def cursor(self) -> str:
        text = f"{self.group}|{self.at.isoformat()}|{self.id}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def parse_after(after: str | None, offset: int = 0) -> After | None:
    """The cursor sent back as `after`, or None for the list's first page (or an older app's `offset`); a cursor the
    backend did not write, or one beside an offset, is refused with a 400."""
    if after is None:
        return None
    if offset:
        raise ApiError(400, "list_after_with_offset")
    try:
        group, at, row_id = base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)).decode().split("|")
        place = After(datetime.fromisoformat(at), uuid.UUID(row_id), int(group))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ApiError(400, "list_after_invalid") from exc
    if place.at.tzinfo is None or place.group not in (0, 1):
        raise ApiError(400, "list_after_invalid")
    return place


def keyset_params(after: After | None, limit: int) -> dict[str, Any]:
    """The parameters `after_sql` reads, and `peek`: the page's rows and one more (is there a next page?)."""
    return {"after_at": after.at if after else None, "after_id": after.id if after else None,
            "after_group": after.group if after else None, "peek": limit + 1}


def after_sql(at: str, row_id: str, *, newest_first: bool, id_desc: bool = False) -> str:
    """The rows after the cursor (%(after_at)s, %(after_id)s) in a list ordered by the expression `at` (newest or
    oldest first), then `row_id` (ascending, or descending with `id_desc`); every row without a cursor. The first
    conjunct is a range on `at` (an index's condition, also in a generic plan); the second leaves out the rows of the
    cursor's own time up to its id."""
    bound = "coalesce(%(after_at)s::timestamptz, '{}infinity')".format("" if newest_first else "-")
    on, past = ("<", "<=") if newest_first else (">", ">=")
    tie = "<" if id_desc else ">"
    return f"({at} {past} {bound} and ({at} {on} {bound} or {row_id} {tie} %(after_id)s::uuid))"


def split_page(rows: Sequence[dict[str, Any]], limit: int, place: Any) -> tuple[list[dict[str, Any]], str | None]:
    """The page of `limit` rows read with `peek` (one more), and the next page's cursor when the extra row came: the
    place (`place(row)` -> After) of the page's last row."""
    page = list(rows[:limit])
    return page, (place(page[-1]).cursor() if len(rows) > limit else None)


def page_headers(response: Response, total: int, next_cursor: str | None) -> None:
    response.headers[TOTAL_COUNT_HEADER] = str(total)
    if next_cursor is not None:
        response.headers[NEXT_CURSOR_HEADER] = next_cursor
