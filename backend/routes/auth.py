import logging
import uuid
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials

from backend.auth import local_otp, sessions, supabase_otp
from backend.auth.sessions import Tokens
from backend.auth.tokens import Identity, InvalidToken, NotAPhoneAccount, phone_sign_in_required, verify_token
from backend.db import service_tx, user_tx
from backend.deps import NowDep, PoolDep, SettingsDep, bearer_scheme
from backend.errors import ApiError
from backend.schemas import CodeRequest, ErrorResponse, RefreshRequest, SignOutRequest, VerifyRequest
from backend.services import rate_limits
from backend.services.profiles import load_profile
from backend.services.rate_limits import Limit
from backend.settings import AuthMode, Settings
from shared import otp
from shared.phone import InvalidPhone, normalize_thai_phone
from shared.wire import CodeSent, Profile, SignedIn

log = logging.getLogger("fixit.auth")

router = APIRouter(prefix="/auth", tags=["auth"], responses={400: {"model": ErrorResponse}})


def _phone(raw: str) -> str:
    try:
        return normalize_thai_phone(raw)
    except InvalidPhone as exc:
        raise ApiError(400, "invalid_phone") from exc


def _code_limits(settings: SettingsDep, address: str) -> list[Limit]:
    window = timedelta(seconds=settings.otp_requests_window_seconds)
    return [Limit(f"otp:addr:{rate_limits.client_network(address)}", settings.otp_requests_per_address, window),
            Limit("otp:all", settings.otp_requests_overall, window)]


@router.post("/otp/request", response_model=CodeSent,
             responses={429: {"model": ErrorResponse}, 503: {"model": ErrorResponse}})
async def request_code(
    body: CodeRequest, request: Request, pool: PoolDep, settings: SettingsDep, now: NowDep
) -> CodeSent:
    """Send a one-time sign-in code: by SMS through Supabase Auth, or (local issuer, development) to the backend
    log and as a hint in the answer. Limited per phone, per client address and overall (each SMS costs money)."""
    phone = _phone(body.phone)
    address = request.client.host if request.client else "unknown"
    if settings.auth_mode == AuthMode.SUPABASE:
        # GoTrue only spaces the sends to one phone (60 s): the per-phone limit the local issuer keeps with its code
        # (local_otp.send_code) is counted here, with the same settings and answer, before Supabase sends an SMS.
        phone_limit = Limit(f"otp:phone:{phone}", settings.otp_max_sends_per_window,
                            timedelta(seconds=settings.otp_window_seconds))
        # And the phone's day (attack26 #6): whoever asks, a stranger's phone is not sent an SMS every three minutes
        # all day, each paid for. The local issuer sends no SMS (its codes go to the log; production refuses it).
        phone_day = Limit(f"otp:phone-day:{phone}", settings.otp_sends_per_phone_per_day, timedelta(days=1))
        async with service_tx(pool) as conn:
            for limit in [phone_limit, phone_day, *_code_limits(settings, address)]:
                await rate_limits.spend(conn, limit, now, code="otp_rate_limited")
        try:
            await supabase_otp.send_code(settings, phone)
        except supabase_otp.MaybeSent as exc:
            # The SMS may have gone out (GoTrue's answer lost or late, its hook timed out): it counts, or a slow
            # SMS side let a stranger send a phone SMS after SMS past its day's cap, each refunded (audit27 F1).
            # And the person is told a code may come (not "sign-in is down"): the app opens the code step, so the SMS
            # that arrives can be typed in; a new code after GoTrue's 60 s spacing (audit28 #1).
            raise ApiError(503, otp.MAYBE_SENT, headers=exc.headers) from exc
        except ApiError:
            # Nothing was sent (Supabase Auth unreachable or refusing, its own 60 s spacing): the phone's allowances
            # count codes sent, so a morning of SMS failures does not use up the person's day (review26b #1). The
            # address and overall limits stay counted: they hold back whoever keeps asking.
            async with service_tx(pool) as conn:
                for limit in (phone_limit, phone_day):
                    await rate_limits.refund(conn, limit, now)
            raise
        return CodeSent(phone=phone, expires_in=settings.otp_ttl_seconds, dev_code=None,
                        code_length=settings.otp_length)
    async with service_tx(pool) as conn:
        for limit in _code_limits(settings, address):
            await rate_limits.spend(conn, limit, now, code="otp_rate_limited")
        sent = await local_otp.send_code(conn, settings, phone)
    return CodeSent(
        phone=sent.phone, expires_in=sent.expires_in, dev_code=sent.code if settings.shows_dev_code else None,
        code_length=settings.otp_length,
    )


def _verify_limits(settings: Settings, address: str, phone: str) -> list[Limit]:
    """The codes a client address may try (attack26 #2): as many as the codes it may ask for, each tried as often as
    a code may be (`otp_max_attempts`). With Supabase Auth every verify reached GoTrue from this backend's one
    address, so one caller's wrong codes emptied GoTrue's per-address bucket for every person signing in; and
    GoTrue counts no tries per code, so the phone's own allowance (its codes times their tries) is counted here.
    The local issuer counts tries per code itself (local_otp.check_code)."""
    limits = [Limit(f"otp-verify:addr:{rate_limits.client_network(address)}",
                    settings.otp_requests_per_address * settings.otp_max_attempts,
                    timedelta(seconds=settings.otp_requests_window_seconds))]
    if settings.auth_mode == AuthMode.SUPABASE:
        limits.append(Limit(f"otp-verify:phone:{phone}", settings.otp_max_sends_per_window * settings.otp_max_attempts,
                            timedelta(seconds=settings.otp_window_seconds)))
    return limits


@router.post("/otp/verify", response_model=SignedIn,
             responses={401: {"model": ErrorResponse}, 429: {"model": ErrorResponse}, 503: {"model": ErrorResponse}})
async def verify_code(body: VerifyRequest, request: Request, pool: PoolDep, settings: SettingsDep,
                      now: NowDep) -> SignedIn:
    """Exchange phone + code for a session (Supabase Auth's shape: a short-lived access token and a single-use
    refresh token) and the caller's profile. The tries are limited per client address (and, with Supabase Auth,
    per phone): 429 `otp_too_many_attempts`, counted before the code is looked at."""
    phone = _phone(body.phone)
    code = otp.typed_code(body.code)  # ๑๒๓๔๕๖ is the code 123456
    if not otp.is_well_formed(code, settings.otp_length):
        raise ApiError(400, "invalid_code_format")
    address = request.client.host if request.client else "unknown"
    async with service_tx(pool) as conn:  # committed before the code is checked: a wrong one counts as well
        for limit in _verify_limits(settings, address, phone):
            await rate_limits.spend(conn, limit, now, code="otp_too_many_attempts")
    if settings.auth_mode == AuthMode.SUPABASE:
        tokens = await supabase_otp.verify_code(settings, phone, code)
    else:
        tokens = await _verify_locally(pool, settings, phone, code)
    return await _session(pool, settings, tokens)


@router.post("/refresh", response_model=SignedIn,
             responses={401: {"model": ErrorResponse}, 503: {"model": ErrorResponse}})
async def refresh(body: RefreshRequest, pool: PoolDep, settings: SettingsDep) -> SignedIn:
    """A new access token (and the next refresh token) for a refresh token, without a new code. 401
    session_expired when the session ended (signed out, idle too long, the token already used): sign in again."""
    if settings.auth_mode == AuthMode.SUPABASE:
        tokens = await supabase_otp.refresh(settings, body.refresh_token)
    else:
        ended = False
        async with service_tx(pool) as conn:
            try:
                tokens, _ = await sessions.refresh(conn, settings, body.refresh_token)
            except sessions.SessionEnded:
                ended = True  # leave the block normally: a reused token's revocation must be committed
        if ended:
            raise sessions.session_ended()
    return await _session(pool, settings, tokens)


@router.post("/sign-out", status_code=204, response_class=Response,
             responses={401: {"model": ErrorResponse}, 503: {"model": ErrorResponse}})
async def sign_out(
    pool: PoolDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    body: SignOutRequest | None = None,
) -> Response:
    """End this session: its refresh token stops working (the access token lives until it expires). Give the
    access token, the refresh token, or both; an already ended session is fine."""
    refresh_token = body.refresh_token if body else None
    identity = _identity_or_none(settings, credentials)
    if identity is None and not refresh_token:
        raise ApiError(401, "not_authenticated", headers={"WWW-Authenticate": "Bearer"})
    if settings.auth_mode == AuthMode.SUPABASE:
        access_token = credentials.credentials if identity is not None and credentials else None
        if access_token is None and refresh_token:
            try:  # GoTrue signs out by access token: get one for the session first
                access_token = (await supabase_otp.refresh(settings, refresh_token)).access_token
            except ApiError as exc:
                if exc.code != "session_expired":
                    raise
        if access_token is not None:
            await supabase_otp.sign_out(settings, access_token)
        return Response(status_code=204)
    session_id = _session_id(identity)
    async with service_tx(pool) as conn:
        if session_id is not None:
            await sessions.revoke(conn, session_id=session_id)
        if refresh_token:
            await sessions.revoke(conn, refresh_token=refresh_token)
    return Response(status_code=204)


def _identity_or_none(settings: Settings, credentials: HTTPAuthorizationCredentials | None) -> Identity | None:
    if credentials is None or credentials.scheme.lower() != "bearer":
        return None
    try:
        return verify_token(settings, credentials.credentials)
    except InvalidToken:
        return None


def _session_id(identity: Identity | None) -> uuid.UUID | None:
    if identity is None:
        return None
    try:
        return uuid.UUID(str(identity.claims.get("session_id")))
    except ValueError:
        return None


async def _session(pool: PoolDep, settings: Settings, tokens: Tokens) -> SignedIn:
    try:
        identity = verify_token(settings, tokens.access_token)
    except NotAPhoneAccount as exc:  # a refresh token of an e-mail or anonymous session of the project
        raise phone_sign_in_required() from exc
    except InvalidToken as exc:
        # The issuer's own fresh token does not verify: the keys, issuer or audience are configured wrongly.
        log.error("a token just issued by %s does not verify: %s", settings.auth_mode.value, exc)
        raise ApiError(401, "token_invalid", headers={"WWW-Authenticate": "Bearer"}) from exc
    # Read the profile with the claims exactly as every later request will carry them.
    # A suspended person still signs in, to download or delete their data (PDPA); their profile is not told (and
    # RLS shows their token nothing, 0040).
    profile: dict[str, Any] | None = None
    async with user_tx(pool, identity.claims) as conn:
        try:
            profile = await load_profile(conn, identity.user_id)
        except ApiError as exc:
            if exc.code != "account_suspended":
                raise
    return SignedIn(
        access_token=tokens.access_token, expires_in=tokens.expires_in, expires_at=tokens.expires_at,
        refresh_token=tokens.refresh_token, profile=None if profile is None else Profile.model_validate(profile),
        suspended=profile is None,
    )


async def _verify_locally(pool: PoolDep, settings: SettingsDep, phone: str, code: str) -> Tokens:
    rejected: local_otp.CodeRejected | None = None
    async with service_tx(pool) as conn:
        try:
            await local_otp.check_code(conn, settings, phone, code)
        except local_otp.CodeRejected as exc:
            rejected = exc  # leave the block normally so the counted attempt is committed
        else:
            user_id = await local_otp.find_or_create_user(conn, phone)
            tokens = await sessions.start(conn, settings, user_id, phone)
    if rejected is not None:
        raise ApiError(401, rejected.code)
    return tokens
