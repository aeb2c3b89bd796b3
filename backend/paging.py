"""The long lists' paging parameters and header, one definition for every route that pages this way (shared.paging:
a page of `limit` rows from `offset` on, and in X-Total-Count how many the whole list has, as
GET /supervisor/hours-waiting's header)."""

from typing import Annotated, Any

from fastapi import Query

from shared.paging import LIST_OFFSET_MAX, LIST_PAGE_MAX

PageLimit = Annotated[int, Query(ge=1, le=LIST_PAGE_MAX, description="how many rows this page has at most")]
PageOffset = Annotated[int, Query(ge=0, le=LIST_OFFSET_MAX,
                                  description="how many rows of the list to skip: how many the app has read")]
TOTAL_COUNT_DOC: dict[str, Any] = {
    "description": "how many rows the whole list has (the body is one page of them, from `offset` on)",
    "required": True,
    "schema": {"type": "integer"},
}
