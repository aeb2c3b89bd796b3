from fastapi import APIRouter

from backend.db import service_tx, user_tx
from backend.deps import IdentityDep, PoolDep, UserConn
from backend.errors import ApiError
from backend.schemas import ErrorResponse, Profile, ProfileUpdate
from backend.services.profiles import load_profile, update_profile
from shared.display_names import clean_display_name

router = APIRouter(tags=["me"], responses={401: {"model": ErrorResponse}})


@router.get("/me", response_model=Profile)
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
