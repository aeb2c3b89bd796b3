"""The students' and supervisors' side of a job: answer offers, move the work along, assign."""

import uuid
from typing import Any

from fastapi import APIRouter, Response, UploadFile

from backend.db import service_tx, user_tx
from backend.deps import IdentityDep, NowDep, PhotoStoreDep, PolicyDep, PoolDep
from backend.errors import ApiError
from backend.schemas import AssignBody, ErrorResponse, JobReportIn, JobReportOut, PhotoOut, RequestDetail, StatusChange
from backend.services import dispatch, job_reports
from backend.services.photo_intake import check_technician_may_add, clean_photo, save_photo
from backend.services.profiles import require_role
from backend.services.request_detail import request_detail
from backend.services.transitions import Note, transition
from shared.photos import MAX_INPUT_BYTES
from shared.roles import Actor, AppRole
from shared.statuses import RequestStatus
from shared.work import UNREPAIRABLE_REASONS

router = APIRouter(tags=["work"], responses={
    401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 404: {"model": ErrorResponse},
    409: {"model": ErrorResponse},
})


async def _detail(pool: PoolDep, claims: dict[str, Any], request_id: uuid.UUID, now: NowDep) -> RequestDetail:
    async with user_tx(pool, claims) as conn:
        return RequestDetail.model_validate(await request_detail(conn, request_id, now))


@router.post("/offers/{offer_id}/accept", response_model=RequestDetail)
async def accept_offer(offer_id: uuid.UUID, identity: IdentityDep, pool: PoolDep, now: NowDep) -> RequestDetail:
    """First accept wins; everyone else gets 409 `offer_not_open`. The winner now sees the citizen's contact."""
    async with user_tx(pool, identity.claims) as conn:
        await require_role(conn, identity.user_id, AppRole.TECHNICIAN)
    async with service_tx(pool) as owner:
        request_id = await dispatch.accept_offer(owner, offer_id, identity.user_id, identity.claims, now)
    return await _detail(pool, identity.claims, request_id, now)


@router.post("/offers/{offer_id}/decline", status_code=204)
async def decline_offer(
    offer_id: uuid.UUID, identity: IdentityDep, pool: PoolDep, policy: PolicyDep, now: NowDep
) -> Response:
    async with user_tx(pool, identity.claims) as conn:
        await require_role(conn, identity.user_id, AppRole.TECHNICIAN)
    async with service_tx(pool) as owner:
        await dispatch.decline_offer(owner, offer_id, identity.user_id, now, policy)
    return Response(status_code=204)


@router.post("/requests/{request_id}/status", response_model=RequestDetail)
async def change_status(
    request_id: uuid.UUID, body: StatusChange, identity: IdentityDep, pool: PoolDep, policy: PolicyDep, now: NowDep
) -> RequestDetail:
    """Work steps (student: diagnosing → repairing → quality check, or unrepairable with a reason) and checks
    (supervisor: done, back to repairing for rework, handed back). The shared state machine decides; 409 if not."""
    async with user_tx(pool, identity.claims) as conn:
        profile = await require_role(conn, identity.user_id, AppRole.TECHNICIAN, AppRole.SUPERVISOR, AppRole.ADMIN)
    note = Note(body.note.strip())
    if body.to_status == RequestStatus.UNREPAIRABLE:
        if body.reason not in UNREPAIRABLE_REASONS:
            raise ApiError(400, "reason_required")
        note = Note(note.text, code="unrepairable", params={"reason": body.reason})
    async with service_tx(pool) as owner:
        if body.to_status == RequestStatus.OFFERED:
            # Taken back from the student: offered again to the college's other students.
            await transition(owner, Actor(profile["role"]), request_id, body.to_status, claims=identity.claims,
                             note=Note(note.text, code="taken_back"), set_columns={"technician_id": None})
            await dispatch.reoffer_at_same_college(owner, request_id, now, policy)
        else:
            # For `done` the event's actor is the approving teacher: the training ledger reads it from there.
            await transition(owner, Actor(profile["role"]), request_id, body.to_status, claims=identity.claims,
                             note=note)
    return await _detail(pool, identity.claims, request_id, now)


@router.post("/requests/{request_id}/assign", response_model=RequestDetail)
async def assign(
    request_id: uuid.UUID, body: AssignBody, identity: IdentityDep, pool: PoolDep, now: NowDep
) -> RequestDetail:
    """A supervisor gives (or moves) the job to one of the college's students."""
    async with user_tx(pool, identity.claims) as conn:
        profile = await require_role(conn, identity.user_id, AppRole.SUPERVISOR, AppRole.ADMIN)
    async with service_tx(pool) as owner:
        await dispatch.assign(owner, request_id, body.technician_id, identity.claims, Actor(profile["role"]), now)
    return await _detail(pool, identity.claims, request_id, now)


@router.put("/requests/{request_id}/report", response_model=JobReportOut, responses={400: {"model": ErrorResponse}})
async def save_report(request_id: uuid.UUID, body: JobReportIn, identity: IdentityDep, pool: PoolDep) -> JobReportOut:
    """Hours worked, parts used with their cost, notes: saved again and again while the job is under way."""
    async with user_tx(pool, identity.claims) as conn:
        await require_role(conn, identity.user_id, AppRole.TECHNICIAN)
    async with service_tx(pool) as owner:
        saved = await job_reports.save_report(owner, identity.user_id, request_id, body.hours, body.notes,
                                              [p.model_dump() for p in body.parts])
    return JobReportOut.model_validate(saved)


@router.put("/requests/{request_id}/after-photos/{idx}", response_model=PhotoOut, status_code=201,
            responses={413: {"model": ErrorResponse}, 415: {"model": ErrorResponse}})
async def upload_after_photo(
    request_id: uuid.UUID, idx: int, file: UploadFile, identity: IdentityDep, pool: PoolDep, store: PhotoStoreDep
) -> PhotoOut:
    """An 'after' photo by the student on the job (index 0–4; the same index again replaces it)."""
    async with user_tx(pool, identity.claims) as conn:
        await require_role(conn, identity.user_id, AppRole.TECHNICIAN)
        await check_technician_may_add(conn, identity.user_id, request_id, idx)
    photo = await clean_photo(await file.read(MAX_INPUT_BYTES + 1))
    row = await save_photo(pool, store, request_id, idx, identity.user_id, photo, kind="after")
    return PhotoOut.model_validate(row)
