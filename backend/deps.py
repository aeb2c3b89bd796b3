"""FastAPI dependencies: settings, the pool, and who is calling."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from psycopg_pool import AsyncConnectionPool

from backend.auth.tokens import Identity, InvalidToken, verify_token
from backend.db import Conn, user_tx
from backend.dispatch_ticks import policy_of
from backend.errors import ApiError
from backend.photo_store import PhotoStore
from backend.request_context import client_address
from backend.services.dispatch import DispatchPolicy
from backend.settings import Settings

bearer_scheme = HTTPBearer(auto_error=False, description="Supabase-format access token")


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_pool(request: Request) -> AsyncConnectionPool[Conn]:
    pool: AsyncConnectionPool[Conn] = request.app.state.pool
    return pool


SettingsDep = Annotated[Settings, Depends(get_settings)]
PoolDep = Annotated[AsyncConnectionPool[Conn], Depends(get_pool)]


def get_now() -> datetime:
    """The clock. Tests override this dependency to move time (SLA expiry, the 7-day reopen window)."""
    return datetime.now(UTC)


NowDep = Annotated[datetime, Depends(get_now)]


def get_policy(settings: Annotated[Settings, Depends(get_settings)]) -> DispatchPolicy:
    return policy_of(settings)


PolicyDep = Annotated[DispatchPolicy, Depends(get_policy)]


def get_photo_store(request: Request) -> PhotoStore:
    store: PhotoStore = request.app.state.photo_store
    return store


PhotoStoreDep = Annotated[PhotoStore, Depends(get_photo_store)]


async def get_identity(
    request: Request,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Identity:
    # async: runs in the request's own task, so the address is seen by everything the route does after it.
    client_address.set(request.client.host if request.client else None)
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "not_authenticated", headers={"WWW-Authenticate": "Bearer"})
    try:
        return verify_token(settings, credentials.credentials)
    except InvalidToken as exc:
        raise ApiError(401, "token_invalid", headers={"WWW-Authenticate": "Bearer"}) from exc


IdentityDep = Annotated[Identity, Depends(get_identity)]


async def get_user_conn(pool: PoolDep, identity: IdentityDep) -> AsyncIterator[Conn]:
    """A connection inside a transaction that runs as the caller: RLS applies to everything on it."""
    async with user_tx(pool, identity.claims) as conn:
        yield conn


UserConn = Annotated[Conn, Depends(get_user_conn)]
