"""FastAPI dependencies: settings, the pool, and who is calling."""

import asyncio
import inspect
import ipaddress
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from psycopg_pool import AsyncConnectionPool

from backend.auth.tokens import (
    Identity,
    InvalidToken,
    NotAPhoneAccount,
    known_identity,
    phone_sign_in_required,
    verify_token_cached,
)
from backend.db import Conn, service_tx, user_tx
from backend.dispatch_ticks import policy_of
from backend.errors import ApiError
from backend.photo_store import PhotoStore
from backend.request_context import client_address
from backend.services.dispatch import DispatchPolicy
from backend.services.profiles import load_profile, require_role
from backend.services.transitions import act_as
from backend.settings import AuthMode, Settings
from shared.accept_language import ACCEPT_LANGUAGE, requested_locale
from shared.roles import Actor, AppRole
from shared.text import Locale
from shared.wire import CollegeRef


def checked_address(host: str | None) -> str | None:
    """The caller's address for the audit trail, or None when it is no IP address. Behind a proxy uvicorn trusts it
    is X-Forwarded-For as written: "dead" or "1.2.3" passed migration 0008's pattern and broke its ::inet cast, a 500
    on every audited change. An IPv6 zone ("fe80::1%eth0") is no address PostgreSQL's inet takes either."""
    if not host or "%" in host:
        return None
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


bearer_scheme = HTTPBearer(auto_error=False, description="Supabase-format access token")


# The dependencies below are `async def` though they do not await: FastAPI runs a plain `def` dependency in its
# thread pool, a thread hop per dependency per request (~7 % of a worker's CPU on GET /requests/mine, py-spy).
async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_pool(request: Request) -> AsyncConnectionPool[Conn]:
    pool: AsyncConnectionPool[Conn] = request.app.state.pool
    return pool


SettingsDep = Annotated[Settings, Depends(get_settings)]
PoolDep = Annotated[AsyncConnectionPool[Conn], Depends(get_pool)]


async def get_now() -> datetime:
    """The clock. Tests override this dependency to move time (SLA expiry, the 7-day reopen window)."""
    return datetime.now(UTC)


NowDep = Annotated[datetime, Depends(get_now)]


async def now_of(app: FastAPI) -> datetime:
    """The clock as `NowDep` gives it, tests' override included, for backend/direct_reads.py."""
    now = app.dependency_overrides.get(get_now, get_now)()
    return await now if inspect.isawaitable(now) else now  # type: ignore[no-any-return]


async def get_policy(settings: Annotated[Settings, Depends(get_settings)]) -> DispatchPolicy:
    return policy_of(settings)


PolicyDep = Annotated[DispatchPolicy, Depends(get_policy)]


async def get_photo_store(request: Request) -> PhotoStore:
    store: PhotoStore = request.app.state.photo_store
    return store


PhotoStoreDep = Annotated[PhotoStore, Depends(get_photo_store)]


_ACCEPT_LANGUAGE_DOC = ("The language of the screen: the sentences the answer words for it (next step, expected "
                        "wait, timeline notes, the inbox) come in Thai (`th`) or English (`en`), the first of the "
                        "two it names by preference; naming neither leaves the language the profile holds.")


async def get_reader_locale(
    request: Request,
    # Declared so that the OpenAPI document says the answer depends on it; read below from every line of it.
    accept_language: Annotated[str | None, Header(alias=ACCEPT_LANGUAGE, description=_ACCEPT_LANGUAGE_DOC)] = None,
) -> Locale | None:
    """The language the caller's screen shows, from `Accept-Language` (the app sends it with every call): what the
    backend words for a screen (next steps, timeline notes, the inbox) comes in it; None, when the call names neither
    Thai nor English, leaves the profile's. Every `Accept-Language` line read as one list, as RFC 9110 §5.3 says (the
    parameter holds only one), and the same here as in backend/direct_reads.py (`reader_locale_of`)."""
    return reader_locale_of(request)


def reader_locale_of(request: Request) -> Locale | None:
    return requested_locale(", ".join(request.headers.getlist(ACCEPT_LANGUAGE)))


ReaderLocaleDep = Annotated[Locale | None, Depends(get_reader_locale)]


async def get_identity(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Identity:
    return await identity_from(request, credentials)


async def identity_from(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Identity:
    """Who is calling: the identity dependency's work, also run by backend/direct_reads.py (with `bearer_scheme`'s
    own parsing of the header), so both paths accept and refuse the same tokens with the same answers."""
    # async: runs in the request's own task, so the address is seen by everything the route does after it.
    client_address.set(checked_address(request.client.host if request.client else None))
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "not_authenticated", headers={"WWW-Authenticate": "Bearer"})
    # The settings and (in get_user_conn) the pool straight from the app, not as dependencies of their own: each
    # dependency FastAPI resolves costs a request tens of microseconds (issue 15).
    settings: Settings = request.app.state.settings
    token = credentials.credentials
    try:
        if settings.auth_mode == AuthMode.SUPABASE and known_identity(settings, token) is None:
            # In a thread: a first (or new-kid) fetch of the project's signing keys must not stall the event loop.
            return await asyncio.to_thread(verify_token_cached, settings, token)
        return verify_token_cached(settings, token)
    except NotAPhoneAccount as exc:
        raise phone_sign_in_required() from exc
    except InvalidToken as exc:
        raise ApiError(401, "token_invalid", headers={"WWW-Authenticate": "Bearer"}) from exc


IdentityDep = Annotated[Identity, Depends(get_identity)]


async def get_user_conn(request: Request, identity: IdentityDep) -> AsyncIterator[Conn]:
    """A connection inside a transaction that runs as the caller: RLS applies to everything on it."""
    async with user_tx(request.app.state.pool, identity.claims) as conn:
        yield conn


UserConn = Annotated[Conn, Depends(get_user_conn)]


@dataclass(frozen=True)
class Caller:
    """Who is calling, in which role: what a route needs after its role check."""

    identity: Identity
    profile: dict[str, Any]

    @property
    def user_id(self) -> uuid.UUID:
        return self.identity.user_id

    @property
    def claims(self) -> dict[str, Any]:
        return self.identity.claims

    @property
    def role(self) -> AppRole:
        return AppRole(self.profile["role"])

    @property
    def actor(self) -> Actor:
        return Actor.for_role(self.role)


def caller_in(*roles: AppRole) -> Callable[..., Awaitable[Caller]]:
    """A dependency for read routes: the role check runs in the same transaction (and connection) as the route's
    own reads, since FastAPI gives every dependency of one request the same `UserConn`."""

    async def dependency(identity: IdentityDep, conn: UserConn) -> Caller:
        return Caller(identity, await require_role(conn, identity.user_id, *roles))

    return dependency


CitizenOrAdminDep = Annotated[Caller, Depends(caller_in(AppRole.CITIZEN, AppRole.ADMIN))]
TechnicianDep = Annotated[Caller, Depends(caller_in(AppRole.TECHNICIAN))]
SupervisorDep = Annotated[Caller, Depends(caller_in(AppRole.SUPERVISOR))]
AdminDep = Annotated[Caller, Depends(caller_in(AppRole.ADMIN))]


@asynccontextmanager
async def acting(pool: AsyncConnectionPool[Conn], identity: Identity, *roles: AppRole) -> AsyncIterator[
        tuple[Conn, Caller]]:
    """For write routes: one owner transaction that checks the caller's role and does the writes, acting for the
    caller (their claims, role and address go to the timeline and audit triggers)."""
    async with service_tx(pool) as owner:
        profile = await require_role(owner, identity.user_id, *roles)
        caller = Caller(identity, profile)
        await act_as(owner, caller.actor, identity.claims)
        yield owner, caller


@asynccontextmanager
async def as_caller(pool: AsyncConnectionPool[Conn], identity: Identity, *roles: AppRole) -> AsyncIterator[
        tuple[Conn, Caller]]:
    """A short transaction as the caller (RLS applies) that checks their role: for routes that must not hold a
    connection for their whole length (photo uploads decode with no connection held)."""
    async with user_tx(pool, identity.claims) as conn:
        yield conn, Caller(identity, await require_role(conn, identity.user_id, *roles))


@dataclass(frozen=True)
class Owner(Caller):
    """A caller acting on a request as the person who asked for it, whatever their role: a citizen made a student
    or a teacher keeps the owner's rights to their own requests. The service (or RLS) checks they own it; the shared
    rule hears them as the citizen side of the request. An admin keeps the admin's rights (any request)."""

    @property
    def actor(self) -> Actor:
        return Actor.ADMIN if self.role == AppRole.ADMIN else Actor.CITIZEN


@asynccontextmanager
async def acting_as_owner(pool: AsyncConnectionPool[Conn], identity: Identity) -> AsyncIterator[tuple[Conn, Owner]]:
    """`acting` for the owner's actions on their own request: any active role (ownership is the check, not the
    role)."""
    async with service_tx(pool) as owner:
        caller = Owner(identity, await load_profile(owner, identity.user_id))
        await act_as(owner, caller.actor, identity.claims)
        yield owner, caller


@asynccontextmanager
async def as_owner(pool: AsyncConnectionPool[Conn], identity: Identity) -> AsyncIterator[tuple[Conn, Owner]]:
    """`as_caller` for the owner's actions on their own request, any active role."""
    async with user_tx(pool, identity.claims) as conn:
        yield conn, Owner(identity, await load_profile(conn, identity.user_id))


def supervisor_college(caller: Caller) -> CollegeRef:
    """The college a supervisor runs; a supervisor with none may not use the college's screens."""
    if caller.profile.get("college") is None:
        raise ApiError(403, "forbidden_role")
    return CollegeRef.model_validate(caller.profile["college"])
