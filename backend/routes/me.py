from fastapi import APIRouter

from backend.deps import IdentityDep, UserConn
from backend.errors import ApiError
from backend.schemas import ErrorResponse, Profile, ProfileUpdate
from backend.services.profiles import load_profile, update_profile
from shared.display_names import clean_display_name

router = APIRouter(tags=["me"], responses={401: {"model": ErrorResponse}})


@router.get("/me", response_model=Profile)
async def me(identity: IdentityDep, conn: UserConn) -> Profile:
    return Profile.model_validate(await load_profile(conn, identity.user_id))


@router.patch("/me", response_model=Profile, responses={400: {"model": ErrorResponse}})
async def update_me(body: ProfileUpdate, identity: IdentityDep, conn: UserConn) -> Profile:
    name = None
    if body.display_name is not None:
        name = clean_display_name(body.display_name)
        if name is None:
            raise ApiError(400, "display_name_invalid")
    return Profile.model_validate(await update_profile(conn, identity.user_id, name, body.locale))
