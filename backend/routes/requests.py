"""A citizen's repair requests: submit (idempotent), photos, read one with its timeline, cancel."""

import uuid
from typing import Literal

from fastapi import APIRouter, Response, UploadFile
from fastapi.responses import JSONResponse

from backend.db import service_tx
from backend.deps import IdentityDep, PhotoStoreDep, PoolDep, UserConn
from backend.errors import ApiError
from backend.schemas import ErrorResponse, PhotoOut, RequestCreate, RequestDetail, TransitionBody
from backend.services.photo_intake import check_citizen_may_add, clean_photo, photo_location, store_photo
from backend.services.profiles import require_role
from backend.services.request_detail import request_detail
from backend.services.request_intake import create_request
from backend.services.transitions import transition
from shared.photos import MAX_INPUT_BYTES
from shared.request_rules import RequestDraft
from shared.roles import Actor, AppRole
from shared.statuses import RequestStatus

router = APIRouter(
    prefix="/requests", tags=["requests"],
    responses={400: {"model": ErrorResponse}, 401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}},
)


@router.post("", response_model=RequestDetail, status_code=201,
             responses={200: {"model": RequestDetail, "description": "a retry: the request made the first time"}})
async def submit_request(body: RequestCreate, identity: IdentityDep, conn: UserConn) -> JSONResponse:
    """Store a repair request at most once per `idempotency_key`: 201 the first time, 200 on a retry."""
    await require_role(conn, identity.user_id, AppRole.CITIZEN)
    draft = RequestDraft(
        category_code=body.category_code, item=body.item, brand=body.brand, description=body.description,
        lat=body.lat, lon=body.lon, address=body.address, service_place=body.service_place,
        preferred_days=body.preferred_days, contact_phone=body.contact_phone, pdpa_consent=body.pdpa_consent,
    )
    area = {"province": body.province.strip(), "district": body.district.strip(),
            "sub_district": body.sub_district.strip()}
    request_id, created = await create_request(conn, identity.user_id, body.idempotency_key, draft, area)
    detail = RequestDetail.model_validate(await request_detail(conn, request_id))
    return JSONResponse(detail.model_dump(mode="json"), status_code=201 if created else 200)


@router.get("/{request_id}", response_model=RequestDetail, responses={404: {"model": ErrorResponse}})
async def get_request(request_id: uuid.UUID, conn: UserConn) -> RequestDetail:
    return RequestDetail.model_validate(await request_detail(conn, request_id))


@router.post("/{request_id}/cancel", response_model=RequestDetail,
             responses={404: {"model": ErrorResponse}, 409: {"model": ErrorResponse}})
async def cancel_request(
    request_id: uuid.UUID, body: TransitionBody, identity: IdentityDep, pool: PoolDep, conn: UserConn
) -> RequestDetail:
    """The citizen cancels before work has started (409 once diagnosing has begun)."""
    await require_role(conn, identity.user_id, AppRole.CITIZEN)
    async with service_tx(pool) as owner:
        await transition(owner, identity.claims, Actor.CITIZEN, request_id, RequestStatus.CANCELLED, body.note)
    return RequestDetail.model_validate(await request_detail(conn, request_id))


@router.put("/{request_id}/photos/{idx}", response_model=PhotoOut, status_code=201,
            responses={404: {"model": ErrorResponse}, 413: {"model": ErrorResponse}, 415: {"model": ErrorResponse}})
async def upload_photo(
    request_id: uuid.UUID, idx: int, file: UploadFile, identity: IdentityDep, pool: PoolDep, conn: UserConn,
    store: PhotoStoreDep,
) -> PhotoOut:
    """A 'before' photo at index 0–4. Sending the same index again replaces it (safe to retry)."""
    await require_role(conn, identity.user_id, AppRole.CITIZEN)
    await check_citizen_may_add(conn, identity.user_id, request_id, idx)
    data = await file.read(MAX_INPUT_BYTES + 1)
    photo = await clean_photo(data)
    async with service_tx(pool) as owner:
        row = await store_photo(owner, store, request_id, idx, identity.user_id, photo)
    return PhotoOut.model_validate(row)


@router.get("/{request_id}/photos/{kind}/{idx}", response_class=Response,
            responses={200: {"content": {"image/webp": {}, "image/jpeg": {}}}, 404: {"model": ErrorResponse}})
async def get_photo(
    request_id: uuid.UUID, kind: Literal["before", "after"], idx: int, conn: UserConn, store: PhotoStoreDep,
    thumb: bool = False,
) -> Response:
    """The photo bytes, for whoever may see the request."""
    path, content_type = await photo_location(conn, request_id, kind, idx, thumb)
    data = await store.get(path)
    if data is None:
        raise ApiError(404, "not_found")
    return Response(data, media_type=content_type, headers={"Cache-Control": "private, max-age=86400"})
