import json
from typing import Annotated

from fastapi import APIRouter, Query, Response

from backend.db import service_tx, user_tx
from backend.deps import IdentityDep, NowDep, PhotoStoreDep, PolicyDep, PoolDep, UserConn
from backend.errors import ApiError
from backend.schemas import ErrorResponse, ProfileUpdate
from backend.services import account
from backend.services.profiles import load_own_profile, load_profile, update_profile
from shared.display_names import clean_display_name
from shared.roles import AppRole
from shared.wire import Profile

router = APIRouter(tags=["me"], responses={401: {"model": ErrorResponse}})


@router.get("/me", response_model=Profile, responses={403: {
    "model": ErrorResponse, "description": "`account_suspended`: an operator suspended the account (its text says whom "
                                           "to ask, and that GET /me/export and DELETE /me still work); "
                                           "`profile_missing`: no profile"}})
async def me(identity: IdentityDep, conn: UserConn) -> Profile:
    return Profile.model_validate(await load_profile(conn, identity.user_id))


@router.patch("/me", response_model=Profile, responses={400: {"model": ErrorResponse}})
async def update_me(body: ProfileUpdate, identity: IdentityDep, pool: PoolDep) -> Profile:
    name = None
    if body.display_name is not None:
        name = clean_display_name(body.display_name)
        if name is None:
            raise ApiError(400, "display_name_invalid")
    # Users write nothing directly (the Data API would let them skip these checks): the owner writes, by id.
    async with service_tx(pool) as owner:
        await update_profile(owner, identity.user_id, name, body.locale)
    async with user_tx(pool, identity.claims) as conn:
        return Profile.model_validate(await load_profile(conn, identity.user_id))


@router.get("/me/export", response_class=Response,
            responses={200: {"content": {"application/json": {}}, "description": "everything held about you"}})
async def export_my_data(identity: IdentityDep, pool: PoolDep) -> Response:
    """"Download my data" (PDPA): the profile, the account, requests with their timeline and photo list, jobs,
    offers, skills, sign-in sessions and the audit entries about the caller, as one JSON file. An account an
    operator suspended may still download it (PDPA)."""
    async with service_tx(pool) as owner:
        profile = await load_own_profile(owner, identity.user_id)  # suspended too: a suspension keeps this right
        data = await account.export(owner, identity.user_id, AppRole(profile["role"]), identity.claims)
    return Response(json.dumps(data, ensure_ascii=False, default=str, indent=2), media_type="application/json",
                    headers={"Content-Disposition": 'attachment; filename="fixit-my-data.json"'})


@router.delete("/me", status_code=204, response_class=Response,
               responses={400: {"model": ErrorResponse}, 409: {"model": ErrorResponse}})
async def delete_me(
    identity: IdentityDep, pool: PoolDep, store: PhotoStoreDep, now: NowDep, policy: PolicyDep,
    confirm: Annotated[bool, Query(description="must be true: the app asks the person first")] = False,
) -> Response:
    """Delete the caller's account for good: the sign-in, the profile and the photos go; requests stay anonymised
    (no name, phone, address, exact place or photos) so students' training records hold. Audited. An account an
    operator suspended may still delete itself (PDPA). A student holding a job gets 409 `account_has_jobs` (nothing
    deleted) until they finish it or their teacher reassigns it."""
    if not confirm:
        raise ApiError(400, "confirmation_required")
    async with service_tx(pool) as owner:
        profile = await load_own_profile(owner, identity.user_id)  # suspended too: a suspension keeps this right
        paths = await account.delete(owner, identity.user_id, AppRole(profile["role"]), identity.claims, now, policy)
    await account.delete_photos(store, paths)
    return Response(status_code=204)
