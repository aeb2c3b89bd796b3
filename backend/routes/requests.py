"""A person's own repair requests (a citizen's, a student's or a teacher's): submit (idempotent), photos, read
one with its timeline, cancel."""

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response, UploadFile
from fastapi.responses import JSONResponse

from backend.db import service_tx
from backend.deps import (
    IdentityDep,
    NowDep,
    PhotoStoreDep,
    PolicyDep,
    PoolDep,
    ReaderLocaleDep,
    SettingsDep,
    UserConn,
    acting_as_owner,
    as_owner,
)
from backend.errors import ApiError
from backend.schemas import ErrorResponse, PhotoIndex, RatingBody, RequestCreate, TransitionBody
from backend.services import rate_limits
from backend.services.aftercare import nearby_open_count, rate, reopen
from backend.services.credit import withdraw_waiting_parts
from backend.services.dispatch import dispatch_submitted, withdraw_pending_offers
from backend.services.photo_intake import check_citizen_may_add, photo_location, take_photo
from backend.services.profiles import load_profile, suspended_told
from backend.services.rate_limits import Limit
from backend.services.request_detail import read_detail, read_detail_json
from backend.services.request_intake import create_request
from backend.services.transitions import transition
from shared.aftercare import DUPLICATE_COUNT_CAP, DUPLICATE_RADIUS_M, DUPLICATE_WINDOW, rating_valid
from shared.request_rules import RequestDraft
from shared.roles import REQUESTER_ROLES
from shared.statuses import RequestStatus, Route
from shared.wire import DuplicateSummary, Photo, PhotoKind, RequestDetail

router = APIRouter(
    prefix="/requests", tags=["requests"],
    responses={400: {"model": ErrorResponse}, 401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}},
)


@router.post("", response_model=RequestDetail, status_code=201,
             responses={200: {"model": RequestDetail, "description": "a retry: the request made the first time"},
                        409: {"model": ErrorResponse,
                              "description": "idempotency_key_reused: the key's request was stored with other "
                                             "details, which stay as they are"}})
async def submit_request(
    body: RequestCreate, identity: IdentityDep, pool: PoolDep, policy: PolicyDep, now: NowDep, settings: SettingsDep,
    locale: ReaderLocaleDep,
) -> JSONResponse:
    """Store a repair request at most once per `idempotency_key` (201 the first time, 200 on a retry with the same
    details; 409 `idempotency_key_reused` for the same key with other details: a stored request is not changed here),
    then dispatch it to the nearest fitting college."""
    draft = RequestDraft(
        category_code=body.category_code, item=body.item, brand=body.brand, description=body.description,
        lat=body.lat, lon=body.lon, address=body.address, service_place=body.service_place,
        preferred_days=body.preferred_days, contact_phone=body.contact_phone, pdpa_consent=body.pdpa_consent,
    )
    area = {"province": body.province.strip(), "district": body.district.strip(),
            "sub_district": body.sub_district.strip()}
    # As the owner, whatever their role: a student or a teacher asks for a repair like anyone (dispatch never offers
    # it to them, they never check it) and the timeline names them as the citizen side. Users hold no insert grant,
    # so nothing skips these checks.
    async with acting_as_owner(pool, identity) as (owner, caller):
        if caller.role not in REQUESTER_ROLES:
            raise ApiError(403, "forbidden_role")
        request_id, created = await create_request(owner, identity.user_id, body.idempotency_key, draft, area,
                                                      body.location_approximate)
        if created:  # a retry costs nothing; over the limit, the new row rolls back with the refusal
            await rate_limits.spend(owner, Limit(f"submit:{identity.user_id}", settings.submits_per_person_per_hour,
                                                 timedelta(hours=1)), now)
    # Committed first. Only the call that stored the request dispatches it: a retry is a pure read of what the first
    # call did; a request stranded by a crash right here is dispatched by the periodic tick.
    if created:
        async with service_tx(pool) as owner:
            await dispatch_submitted(owner, request_id, now, policy)
    detail = RequestDetail.model_validate(await read_detail(pool, identity.claims, request_id, now, locale))
    return JSONResponse(detail.model_dump(mode="json"), status_code=201 if created else 200)


@router.get("/duplicates", response_model=DuplicateSummary, responses={429: {"model": ErrorResponse}})
async def duplicates(
    category_code: Annotated[str, Query(max_length=40, pattern=r"^[a-z_]+$")],
    lat: Annotated[float, Query(ge=-90, le=90, allow_inf_nan=False)],
    lon: Annotated[float, Query(ge=-180, le=180, allow_inf_nan=False)],
    identity: IdentityDep, pool: PoolDep, now: NowDep, settings: SettingsDep,
) -> DuplicateSummary:
    """How many open requests of the same category are near this place this week: a count for a grid cell of about
    110 m (the same answer anywhere in it), capped, never who, what exactly or how far. Rate-limited per person."""
    async with service_tx(pool) as owner:
        await load_profile(owner, identity.user_id)
        await rate_limits.spend(owner, Limit(f"duplicates:{identity.user_id}",
                                             settings.duplicate_checks_per_person_per_hour, timedelta(hours=1)), now)
        count = await nearby_open_count(owner, category_code, lat, lon, now)
    return DuplicateSummary(count=count, capped=count >= DUPLICATE_COUNT_CAP, radius_m=DUPLICATE_RADIUS_M,
                            days=DUPLICATE_WINDOW.days)


@router.get("/{request_id}", response_model=RequestDetail, responses={
    404: {"model": ErrorResponse},
    410: {"model": ErrorResponse, "description": "the caller had an offer of this job and has it no more: "
                                                 "shared.statuses.OfferGone's code (another student took it, or "
                                                 "the offer ended)"}})
async def get_request(request_id: uuid.UUID, identity: IdentityDep, pool: PoolDep, now: NowDep,
                      locale: ReaderLocaleDep) -> Response:
    # One statement in a transaction of its own, no generator dependency (issue 15: per-request CPU), the statement
    # and COMMIT in one wait (`read_one`); the body is mostly PostgreSQL's JSON passed through, response_model kept
    # for the OpenAPI document.
    body = await read_detail_json(pool, identity.claims, request_id, now, locale)
    return Response(body, media_type="application/json")


@router.post("/{request_id}/cancel", response_model=RequestDetail,
             responses={404: {"model": ErrorResponse}, 409: {"model": ErrorResponse}})
async def cancel_request(
    request_id: uuid.UUID, body: TransitionBody, identity: IdentityDep, pool: PoolDep, now: NowDep,
    locale: ReaderLocaleDep,
) -> RequestDetail:
    """The owner, whatever their role (or an admin, any request), cancels before work has started (409 once
    diagnosing has begun)."""
    async with acting_as_owner(pool, identity) as (owner, caller):
        await transition(owner, caller.actor, request_id, RequestStatus.CANCELLED, route=Route.CANCEL,
                         claims=caller.claims, note=body.note)
        await withdraw_pending_offers(owner, request_id)
        await withdraw_waiting_parts(owner, request_id)
    return RequestDetail.model_validate(await read_detail(pool, identity.claims, request_id, now, locale))


@router.post("/{request_id}/rate", response_model=RequestDetail,
             responses={404: {"model": ErrorResponse}, 409: {"model": ErrorResponse}})
async def rate_request(
    request_id: uuid.UUID, body: RatingBody, identity: IdentityDep, pool: PoolDep, now: NowDep,
    locale: ReaderLocaleDep,
) -> RequestDetail:
    """1–5 stars and a comment once the job is done (may be changed later)."""
    if not rating_valid(body.rating):
        raise ApiError(400, "rating_invalid")
    async with acting_as_owner(pool, identity) as (owner, caller):
        await rate(owner, caller.claims, request_id, body.rating, body.comment.strip())
    return RequestDetail.model_validate(await read_detail(pool, identity.claims, request_id, now, locale))


@router.post("/{request_id}/reopen", response_model=RequestDetail,
             responses={404: {"model": ErrorResponse}, 409: {"model": ErrorResponse}})
async def reopen_request(
    request_id: uuid.UUID, body: TransitionBody, identity: IdentityDep, pool: PoolDep, policy: PolicyDep,
    now: NowDep, locale: ReaderLocaleDep,
) -> RequestDetail:
    """"ยังไม่หาย": within 7 days of getting the item back, the job goes back to the same college."""
    async with acting_as_owner(pool, identity) as (owner, caller):
        await reopen(owner, caller.claims, request_id, body.note, now, policy)
    return RequestDetail.model_validate(await read_detail(pool, identity.claims, request_id, now, locale))


@router.put("/{request_id}/photos/{idx}", response_model=Photo, status_code=201,
            responses={404: {"model": ErrorResponse}, 413: {"model": ErrorResponse}, 415: {"model": ErrorResponse},
                       429: {"model": ErrorResponse}})
async def upload_photo(
    request_id: uuid.UUID, idx: PhotoIndex, file: UploadFile, identity: IdentityDep, pool: PoolDep,
    store: PhotoStoreDep, settings: SettingsDep, now: NowDep,
) -> Photo:
    """A 'before' photo at index 0–4. Sending the same index again replaces it (safe to retry). Each upload counts
    against the person's hourly allowance (429 `photo_uploads_rate_limited`)."""
    async with as_owner(pool, identity) as (conn, caller):
        await check_citizen_may_add(conn, caller.user_id, request_id, idx)
    # Decoded with no database connection held, saved in its own transactions (replaced objects go after commit).
    return Photo.model_validate(await take_photo(
        pool, store, request_id, idx, caller.user_id, file,
        recheck=lambda owner: check_citizen_may_add(owner, caller.user_id, request_id, idx, lock=True),
        per_hour=settings.photo_uploads_per_person_per_hour, now=now))


@router.get("/{request_id}/photos/{kind}/{idx}", response_class=Response,
            responses={200: {"content": {"image/webp": {}, "image/jpeg": {}}}, 404: {"model": ErrorResponse}})
async def get_photo(
    request_id: uuid.UUID, kind: PhotoKind, idx: int, conn: UserConn, store: PhotoStoreDep, now: NowDep,
    thumb: bool = False,
) -> Response:
    """The photo bytes, for whoever may see the request (a student offered it: while the offer runs)."""
    async with suspended_told(conn):
        path, content_type = await photo_location(conn, request_id, kind, idx, thumb, now)
    data = await store.get(path)
    if data is None:
        raise ApiError(404, "not_found")
    return Response(data, media_type=content_type, headers={"Cache-Control": "private, max-age=86400"})
