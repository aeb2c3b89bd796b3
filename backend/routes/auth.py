from datetime import timedelta

from fastapi import APIRouter, Request

from backend.auth import local_otp, supabase_otp
from backend.auth.tokens import issue_token, verify_token
from backend.db import service_tx, user_tx
from backend.deps import NowDep, PoolDep, SettingsDep
from backend.errors import ApiError
from backend.schemas import CodeRequest, CodeSentResponse, ErrorResponse, Profile, SessionResponse, VerifyRequest
from backend.services import rate_limits
from backend.services.profiles import load_profile
from backend.services.rate_limits import Limit
from backend.settings import AuthMode
from shared import otp
from shared.phone import InvalidPhone, normalize_thai_phone

router = APIRouter(prefix="/auth", tags=["auth"], responses={400: {"model": ErrorResponse}})


def _phone(raw: str) -> str:
    try:
        return normalize_thai_phone(raw)
    except InvalidPhone as exc:
        raise ApiError(400, "invalid_phone") from exc


def _code_limits(settings: SettingsDep, address: str) -> list[Limit]:
    window = timedelta(seconds=settings.otp_requests_window_seconds)
    return [Limit(f"otp:addr:{address}", settings.otp_requests_per_address, window),
            Limit("otp:all", settings.otp_requests_overall, window)]


@router.post("/otp/request", response_model=CodeSentResponse, responses={429: {"model": ErrorResponse}})
async def request_code(
    body: CodeRequest, request: Request, pool: PoolDep, settings: SettingsDep, now: NowDep
) -> CodeSentResponse:
    """Send a one-time sign-in code: by SMS through Supabase Auth, or (local issuer, development) to the backend
    log and as a hint in the answer. Limited per phone, per client address and overall (each SMS costs money)."""
    phone = _phone(body.phone)
    address = request.client.host if request.client else "unknown"
    if settings.auth_mode == AuthMode.SUPABASE:
        async with service_tx(pool) as conn:
            for limit in _code_limits(settings, address):
                await rate_limits.spend(conn, limit, now, code="otp_rate_limited")
        await supabase_otp.send_code(settings, phone)
        return CodeSentResponse(phone=phone, expires_in=settings.otp_ttl_seconds, dev_code=None)
    async with service_tx(pool) as conn:
        for limit in _code_limits(settings, address):
            await rate_limits.spend(conn, limit, now, code="otp_rate_limited")
        sent = await local_otp.send_code(conn, settings, phone)
    return CodeSentResponse(
        phone=sent.phone, expires_in=sent.expires_in, dev_code=sent.code if settings.shows_dev_code else None
    )


@router.post("/otp/verify", response_model=SessionResponse, responses={401: {"model": ErrorResponse}})
async def verify_code(body: VerifyRequest, pool: PoolDep, settings: SettingsDep) -> SessionResponse:
    """Exchange phone + code for a Supabase-format access token and the caller's profile."""
    phone = _phone(body.phone)
    code = body.code.strip()
    if not otp.is_well_formed(code):
        raise ApiError(400, "invalid_code_format")
    if settings.auth_mode == AuthMode.SUPABASE:
        token = await supabase_otp.verify_code(settings, phone, code)
    else:
        token = await _verify_locally(pool, settings, phone, code)
    # Read the profile with the claims exactly as every later request will carry them.
    identity = verify_token(settings, token)
    async with user_tx(pool, identity.claims) as conn:
        profile = await load_profile(conn, identity.user_id)
    return SessionResponse(
        access_token=token, expires_in=settings.jwt_ttl_seconds, profile=Profile.model_validate(profile)
    )


async def _verify_locally(pool: PoolDep, settings: SettingsDep, phone: str, code: str) -> str:
    rejected: local_otp.CodeRejected | None = None
    async with service_tx(pool) as conn:
        try:
            await local_otp.check_code(conn, settings, phone, code)
            user_id = await local_otp.find_or_create_user(conn, phone)
        except local_otp.CodeRejected as exc:
            rejected = exc  # leave the block normally so the counted attempt is committed
    if rejected is not None:
        raise ApiError(401, rejected.code)
    return issue_token(settings, user_id, phone)
