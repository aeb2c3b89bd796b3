"""What each role's home screen shows."""

from fastapi import APIRouter, Response

from backend.deps import (
    IdentityDep,
    PoolDep,
    SupervisorDep,
    TechnicianDep,
    UserConn,
    supervisor_college,
)
from backend.paging import PAGE_HEADERS, PageAfter, PageLimit, PageOffset, page_headers, parse_after
from backend.schemas import ErrorResponse
from backend.services import requests
from shared.credit_wire import TOTAL_COUNT_HEADER
from shared.paging import LIST_PAGE, NEXT_CURSOR_HEADER
from shared.wire import (
    TAKES_JOBS_HEADER,
    UNREAD_COUNT_HEADER,
    CollegeQueue,
    JobSummary,
    Offer,
    RequestSummary,
    takes_jobs_header,
)

router = APIRouter(tags=["homes"], responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})


_UNREAD_COUNT_DOC = {
    "description": "the caller's unread notifications (GET /me/notifications/unread-count's number), counted with "
                   "the list, so the home's refresh needs no second request for the bell",
    "required": True,
    "schema": {"type": "string", "pattern": "^[0-9]+$"},
}


@router.get("/requests/mine", response_model=list[RequestSummary],
            responses={200: {"headers": {UNREAD_COUNT_HEADER: _UNREAD_COUNT_DOC, **PAGE_HEADERS}},
                       400: {"model": ErrorResponse}, 422: {"model": ErrorResponse}})
async def my_requests(identity: IdentityDep, pool: PoolDep, limit: PageLimit = LIST_PAGE,
                      after: PageAfter = None, offset: PageOffset = 0) -> Response:
    """The caller's own repair requests, newest first, a page at a time: a citizen's, and a student's or a
    teacher's who asked for a repair themselves (an admin's too). `X-Total-Count` says how many they have in all;
    the next page is the rows after X-Next-Cursor's (`after`; shared.paging); the `X-Unread-Count` header is the
    bell's number."""
    # The owner's role check, the page, its total and the bell's count are one statement in a transaction of its
    # own, no generator dependency, one wait for PostgreSQL (issue 15); PostgreSQL's JSON passed through,
    # response_model kept for the OpenAPI document.
    place = parse_after(after, offset)
    body, total, next_cursor, unread = await requests.citizen_home_json(pool, identity.claims, identity.user_id,
                                                                        limit, offset, place)
    headers = {TOTAL_COUNT_HEADER: str(total), UNREAD_COUNT_HEADER: str(unread)}
    if next_cursor is not None:
        headers[NEXT_CURSOR_HEADER] = next_cursor
    return Response(body, media_type="application/json", headers=headers)


_TAKES_JOBS_DOC = {
    "description": "`false`: the caller's college switched them off taking jobs (no offers come; GET /me's "
                   "`takes_jobs`), so the home needs no second request to say why the list is empty",
    "required": True,
    "schema": {"type": "string", "enum": [takes_jobs_header(True), takes_jobs_header(False)]},
}


@router.get("/technician/offers", response_model=list[Offer],
            responses={200: {"headers": {TAKES_JOBS_HEADER: _TAKES_JOBS_DOC}}})
async def my_offers(identity: IdentityDep, pool: PoolDep) -> Response:
    """Jobs offered to this technician: what, the citizen's words about the problem and roughly where; no contact
    details before accepting. The `X-Takes-Jobs` header says whether their college lets them take jobs."""
    # The role check (its profile says whether they take jobs) and the offers: one statement, one wait (issue 15).
    body, takes_jobs = await requests.technician_home_json(pool, identity.claims, identity.user_id)
    return Response(body, media_type="application/json", headers={TAKES_JOBS_HEADER: takes_jobs_header(takes_jobs)})


@router.get("/technician/jobs", response_model=list[JobSummary],
            responses={200: {"headers": PAGE_HEADERS}, 400: {"model": ErrorResponse}, 422: {"model": ErrorResponse}})
async def my_jobs(_: TechnicianDep, conn: UserConn, response: Response, limit: PageLimit = LIST_PAGE,
                  after: PageAfter = None, offset: PageOffset = 0) -> list[JobSummary]:
    """The jobs the student leads and those they help on (`helping`: they read it, the lead acts on it), newest
    change first, a page at a time: `X-Total-Count` says how many there are in all (the next page: the rows after
    X-Next-Cursor's, `after`)."""
    rows, total, next_cursor = await requests.technician_jobs(conn, limit, offset, parse_after(after, offset))
    page_headers(response, total, next_cursor)
    return [JobSummary.model_validate(r) for r in rows]


@router.get("/supervisor/queue", response_model=CollegeQueue)
async def college_queue(caller: SupervisorDep, conn: UserConn) -> CollegeQueue:
    """The supervisor's college: counts by status and the latest requests."""
    college = supervisor_college(caller)
    counts, rows = await requests.college_queue(conn, college.id)
    return CollegeQueue(college=college, counts=counts, requests=[RequestSummary.model_validate(r) for r in rows])
