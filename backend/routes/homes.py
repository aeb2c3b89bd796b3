"""What each role's home screen shows."""

from fastapi import APIRouter

from backend.deps import IdentityDep, UserConn
from backend.errors import ApiError
from backend.schemas import CollegeQueue, CollegeRef, ErrorResponse, OfferCard, RequestSummary
from backend.services import requests
from backend.services.profiles import require_role
from shared.roles import AppRole

router = APIRouter(tags=["homes"], responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})


@router.get("/requests/mine", response_model=list[RequestSummary])
async def my_requests(identity: IdentityDep, conn: UserConn) -> list[RequestSummary]:
    """The citizen's own repair requests, newest first."""
    await require_role(conn, identity.user_id, AppRole.CITIZEN, AppRole.ADMIN)
    rows = await requests.citizen_requests(conn, identity.user_id)
    return [RequestSummary.model_validate(r) for r in rows]


@router.get("/technician/offers", response_model=list[OfferCard])
async def my_offers(identity: IdentityDep, conn: UserConn) -> list[OfferCard]:
    """Jobs offered to this technician: what and roughly where, no contact details before accepting."""
    await require_role(conn, identity.user_id, AppRole.TECHNICIAN)
    return [OfferCard.model_validate(r) for r in await requests.technician_offers(conn)]


@router.get("/technician/jobs", response_model=list[RequestSummary])
async def my_jobs(identity: IdentityDep, conn: UserConn) -> list[RequestSummary]:
    await require_role(conn, identity.user_id, AppRole.TECHNICIAN)
    rows = await requests.technician_jobs(conn, identity.user_id)
    return [RequestSummary.model_validate(r) for r in rows]


@router.get("/supervisor/queue", response_model=CollegeQueue)
async def college_queue(identity: IdentityDep, conn: UserConn) -> CollegeQueue:
    """The supervisor's college: counts by status and the latest requests."""
    profile = await require_role(conn, identity.user_id, AppRole.SUPERVISOR)
    if profile["college"] is None:
        raise ApiError(403, "forbidden_role")
    college = CollegeRef.model_validate(profile["college"])
    counts, rows = await requests.college_queue(conn, college.id)
    return CollegeQueue(college=college, counts=counts, requests=[RequestSummary.model_validate(r) for r in rows])
